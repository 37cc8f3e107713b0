"""Consistency checks on a tenant's configuration, run before a server accepts it.

Every problem found is reported at once, each naming the entity and the value at fault, so an
administrator can fix a configuration in one pass.
"""

from __future__ import annotations

from collections import Counter

from hotline.core.errors import InvalidTenant
from hotline.core.model import Tenant


def tenant_problems(tenant: Tenant) -> list[str]:
    """Everything wrong with `tenant`, as sentences; empty when it is consistent."""
    problems: list[str] = []
    queues = {q.name for q in tenant.queues}
    teams = {t.name for t in tenant.teams}
    for kind, names in (
        ("queue", [q.name for q in tenant.queues]),
        ("agent", [a.id for a in tenant.agents]),
        ("team", [t.name for t in tenant.teams]),
    ):
        for name, count in Counter(names).items():
            if count > 1:
                problems.append(f"{kind} {name!r} is defined {count} times")
    for q in tenant.queues:
        if q.overflow is not None:
            if q.overflow.to not in queues:
                problems.append(f"queue {q.name!r} overflows to unknown queue {q.overflow.to!r}")
            elif q.overflow.to == q.name:
                problems.append(f"queue {q.name!r} overflows to itself")
            if q.overflow.after < 0:
                problems.append(f"queue {q.name!r} overflow.after must be >= 0")
        if q.max_wait is not None and q.max_wait <= 0:
            problems.append(f"queue {q.name!r} max_wait must be > 0 seconds")
        if q.ring_timeout <= 0:
            problems.append(f"queue {q.name!r} ring_timeout must be > 0 seconds")
        if not 0 < q.service_level.target <= 1:
            problems.append(f"queue {q.name!r} service-level target must be in (0, 1]")
        for skill, level in q.skills.items():
            if not 1 <= level <= 10:
                problems.append(f"queue {q.name!r} needs skill {skill!r} at level {level}; "
                                "levels are 1 to 10")
    problems += _instant_overflow_rings(tenant)
    for a in tenant.agents:
        if a.team is not None and a.team not in teams:
            problems.append(f"agent {a.id!r} is in unknown team {a.team!r}")
        if a.wrap_up is not None and a.wrap_up < 0:
            problems.append(f"agent {a.id!r} wrap_up must be >= 0 seconds or None (manual)")
        for skill, level in a.skills.items():
            if not 1 <= level <= 10:
                problems.append(f"agent {a.id!r} has skill {skill!r} at level {level}; "
                                "levels are 1 to 10")
    for dnis, queue in tenant.dnis_routes.items():
        if queue not in queues:
            problems.append(f"DNIS {dnis!r} routes to unknown queue {queue!r}")
    for label, target in (("default_queue", tenant.default_queue),
                          ("after_hours_queue", tenant.after_hours_queue)):
        if target is not None and target not in queues:
            problems.append(f"{label} {target!r} is not a queue")
    if tenant.sticky_wait is not None and tenant.sticky_wait < 0:
        problems.append("sticky_wait must be >= 0 seconds")
    if tenant.sticky_memory <= 0:
        problems.append("sticky_memory must be > 0 seconds")
    return problems


def _instant_overflow_rings(tenant: Tenant) -> list[str]:
    """Rings of queues that overflow into each other after 0 seconds: a waiting interaction
    would move round them forever within one instant."""
    instant = {q.name: q.overflow.to for q in tenant.queues
               if q.overflow is not None and q.overflow.after == 0 and q.overflow.to != q.name}
    problems: list[str] = []
    for start in sorted(instant):
        ring = [start]
        while (to := instant.get(ring[-1])) is not None and to not in ring:
            ring.append(to)
        if to == start and start == min(ring):  # report each ring once, from its first name
            path = " -> ".join(repr(name) for name in [*ring, start])
            problems.append(f"queues {path} overflow into each other after 0 seconds; "
                            "at least one overflow.after in the ring must be > 0")
    return problems


def check_tenant(tenant: Tenant) -> None:
    """Raise `InvalidTenant` listing every problem, or return when the tenant is consistent."""
    problems = tenant_problems(tenant)
    if problems:
        raise InvalidTenant(f"tenant {tenant.name!r}: " + "; ".join(problems))
