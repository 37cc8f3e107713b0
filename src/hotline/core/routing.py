"""Routing rules: which queue an arriving interaction goes to, with what priority (R4, R6, R7).

In order: a blacklisted ANI is rejected (the caller hears busy); the arrival's own target queue
(chosen by an IVR or a callback request), else the DNIS route, else the tenant's default queue;
outside business hours the after-hours (duty) queue, or rejection as closed; VIP callers — by
ANI or by the attribute `tier=vip` — get the tenant's VIP priority added.
"""

from __future__ import annotations

from dataclasses import dataclass

from hotline.core.errors import CoreError
from hotline.core.events import InteractionArrived
from hotline.core.interaction_fsm import Why
from hotline.core.model import Tenant


class UnknownQueue(CoreError):
    """An arrival named a queue the tenant does not have."""


@dataclass(frozen=True, slots=True)
class RouteDecision:
    """Either a queue and a priority, or the reason the interaction is rejected."""

    queue: str | None
    priority: int = 0
    rejected: Why | None = None


def flow_for(tenant: Tenant, event: InteractionArrived) -> str | None:
    """The IVR flow an arrival runs first: its own, else its DNIS's, else the tenant's
    default. None when it names a queue (chosen upstream), when its caller is blacklisted, or
    when its DNIS is routed straight to a queue (a `dnis_routes` entry and no `dnis_flows`
    entry: a number published for "straight to an agent" skips the tenant's default IVR)."""
    if event.queue is not None or (event.ani and event.ani in tenant.blacklist):
        return None
    if event.flow:
        return event.flow
    if event.dnis in tenant.dnis_flows:
        return tenant.dnis_flows[event.dnis]
    if event.dnis in tenant.dnis_routes:
        return None
    return tenant.default_flow


def route(
    tenant: Tenant, queues: frozenset[str], event: InteractionArrived, now: float
) -> RouteDecision:
    """Decide where `event` goes at time `now`. Raises `UnknownQueue` for a bad explicit target."""
    if event.ani and event.ani in tenant.blacklist:
        return RouteDecision(None, rejected=Why.BLACKLISTED)
    if event.queue is not None and event.queue not in queues:
        raise UnknownQueue(
            f"interaction {event.interaction_id!r} names queue {event.queue!r}, which tenant "
            f"{tenant.name!r} does not have (queues: {', '.join(sorted(queues))})"
        )
    queue = event.queue or tenant.dnis_routes.get(event.dnis) or tenant.default_queue
    if queue is None:
        return RouteDecision(None, rejected=Why.NO_ROUTE)
    if tenant.business_hours is not None and not tenant.business_hours.is_open(now):
        if tenant.after_hours_queue is None:
            return RouteDecision(None, rejected=Why.CLOSED)
        queue = tenant.after_hours_queue
    priority = event.priority
    if (event.ani and event.ani in tenant.vip_numbers) or event.attributes.get("tier") == "vip":
        priority += tenant.vip_priority
    return RouteDecision(queue, priority)
