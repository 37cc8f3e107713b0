"""The end of an interaction's IVR phase: the flow has served the caller, or sends them to a
queue, an agent or an outside number (`IvrFinished`), with what it collected.

A handler of `InteractionServer`, kept apart like `call_control`: it takes the server and works
on its state.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from hotline.core.agent_fsm import AgentState
from hotline.core.commands import Hangup, PlayQueueMusic, TransferOut
from hotline.core.errors import CoreError, NotOffered
from hotline.core.events import InteractionArrived, IvrFinished
from hotline.core.facts import AttributesCollected
from hotline.core.interaction_fsm import InteractionState, InteractionTrigger, Why
from hotline.core.live import LiveAgent, check_skills, eligible
from hotline.core.routing import RouteDecision, route

if TYPE_CHECKING:
    from hotline.core.server import InteractionServer

A = AgentState
I = InteractionState  # noqa: E741
IT = InteractionTrigger


def ivr_finished(server: InteractionServer, e: IvrFinished) -> None:
    ix = server._interaction(e.interaction_id)
    if ix.state is not I.IN_IVR:
        raise NotOffered(f"interaction {ix.id!r} is not in an IVR flow "
                         f"(it is {ix.state.value})")
    check_skills(ix.id, e.skills)
    attributes = {**ix.attributes, **e.attributes}
    decision: RouteDecision | None = None
    wanted: LiveAgent | None = None
    if e.outcome in ("queue", "agent"):
        queue = e.queue
        if e.outcome == "agent":
            if e.agent is None:
                raise CoreError("an IVR flow that ends with an agent must name the agent")
            wanted = server._agent(e.agent)
            queue = home_queue(server, wanted)
        if queue is None:
            raise CoreError("an IVR flow that ends in a queue must name the queue")
        decision = route(server.tenant, server._queue_names, InteractionArrived(
            ix.id, ix.ani, ix.dnis, ix.channel, ix.priority + e.priority, queue,
            attributes), server._now)
    elif e.outcome == "number":
        if not e.number or not e.number.strip():
            raise CoreError("an IVR flow that passes the caller on must name the number")
    elif e.outcome not in ("self_service", "error"):
        raise CoreError(f"unknown IVR outcome {e.outcome!r} "
                        "(one of: agent, error, number, queue, self_service)")
    if e.attributes:
        ix.attributes = attributes
        server._facts.append(AttributesCollected(server._now, ix.id, dict(e.attributes)))
    if e.skills:
        ix.skills = e.skills
    if decision is not None:
        server._move(ix, IT.IVR_ROUTE, Why.ROUTED)
        if (wanted is not None and decision.rejected is None and wanted.state is A.READY
                and eligible(wanted, ix)):
            # The agent the caller asked for rings at once; else the caller waits in
            # that agent's queue like anyone else.
            assert decision.queue is not None
            q = server._queues[decision.queue]
            ix.priority = decision.priority
            ix.queue = q
            ix.queued_since = ix.waiting_since = server._now
            server._move(ix, IT.ENQUEUE, Why.ROUTED)
            server._out.append(PlayQueueMusic(ix.id, q.name))
            server._offer(ix, wanted, Why.OFFERED)
        else:
            server._routed(ix, decision)
    elif e.outcome == "number":
        assert e.number is not None
        server._move(ix, IT.IVR_END, Why.TRANSFERRED_OUT)
        server._out.append(TransferOut(ix.id, e.number.strip()))
        server._forget(ix)
    else:
        why = Why.SELF_SERVICE if e.outcome == "self_service" else Why.IVR_ERROR
        server._move(ix, IT.IVR_END, why)
        server._out.append(Hangup(ix.id))
        server._forget(ix)


def home_queue(server: InteractionServer, agent: LiveAgent) -> str | None:
    """Where a caller asking for `agent` waits: the first queue the agent is logged in to,
    else the first their skills fit, else the tenant's default queue."""
    if agent.serving:
        return agent.serving[0].name
    fitting = next((q.name for q in server.tenant.queues if agent.config.serves(q)), None)
    return fitting or server.tenant.default_queue
