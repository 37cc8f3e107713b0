"""Consultation, consultative transfer and conference: an agent asks a colleague while the
customer waits on hold, then hands the customer over, brings all three together, or takes the
customer back.

    agent A serves X ──consult B──► X on hold; consultation K (internal) rings B
    B answers K ──► A and B talk                   (B declines or does not answer: K ends)
    A: transfer ──► K ends; the customer goes on with B in a new leg of X; A wraps up
    A: conference ──► K ends; X is retrieved with A and B both on it (B is a guest)
    A: cancel ──► K ends (B wraps up, or is ready again if it only rang); X is retrieved

In a conference either agent may hang up and leave; the customer's call goes on with the
other. When the customer's call ends, every agent on it wraps up; a consultation still going
ends with it. Handlers of `InteractionServer`, kept apart like `call_control`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from hotline.core.agent_fsm import AgentState, AgentTrigger
from hotline.core.commands import (
    CancelOffer,
    CompleteTransfer,
    Conference,
    Consult,
    Hangup,
    Hold,
    Retrieve,
)
from hotline.core.errors import CoreError
from hotline.core.events import (
    AgentConsulted,
    ConsultCancelled,
    ConsultConferenced,
    ConsultTransferred,
)
from hotline.core.facts import InteractionDelivered
from hotline.core.interaction_fsm import InteractionState, InteractionTrigger, Why
from hotline.core.live import LiveAgent, LiveInteraction

if TYPE_CHECKING:
    from hotline.core.server import InteractionServer

A = AgentState
AT = AgentTrigger
I = InteractionState  # noqa: E741
IT = InteractionTrigger


def consulted(server: InteractionServer, e: AgentConsulted) -> None:
    ix = server._served_pair(e.interaction_id, e.agent_id)
    agent = ix.agent
    assert agent is not None
    if ix.consulting is not None:
        raise CoreError(f"interaction {ix.id!r} is itself a consultation: it cannot consult")
    if ix.consult is not None:
        raise CoreError(f"agent {agent.id!r} is already consulting about {ix.id!r}: cancel, "
                        "transfer or conference first")
    if ix.guests:
        raise CoreError(f"interaction {ix.id!r} is a conference already")
    target = server._agent(e.to_agent)
    if target is agent:
        raise CoreError(f"agent {agent.id!r} cannot consult themself")
    if target.state is not A.READY:
        raise CoreError(f"agent {target.id!r} is {target.state.value}, not ready: only a ready "
                        "agent can be consulted")
    q = ix.queue or (target.serving[0] if target.serving else None)
    if q is None:
        raise CoreError(f"agent {target.id!r} serves no queue to ring them in")
    consult_id = f"{ix.id}.consult{server._order + 1}"
    if consult_id in server._interactions:
        raise CoreError(f"interaction {consult_id!r} is already in progress")
    now = server._now
    if ix.state is I.IN_SERVICE:
        server._move(ix, IT.HOLD, Why.HELD)
        server._out.append(Hold(ix.id))
    server._order += 1
    # The consultation carries the customer's number and data: the colleague's screen pop.
    k = LiveInteraction(consult_id, server._order, ix.channel, ix.ani, target.id, ix.attributes)
    k.direction, k.parent, k.consulting, k.queue = "internal", ix.id, ix, q
    ix.consult = k
    server._interactions[consult_id] = k
    server._facts.append(InteractionDelivered(now, consult_id, k.channel, ix.ani, target.id,
                                              k.attributes, "internal", ix.id))
    server._out.append(Consult(consult_id, ix.id, agent.id, target.id))
    server._ring(k, target, IT.CONSULT, Why.CONSULT)


def consult_cancelled(server: InteractionServer, e: ConsultCancelled) -> None:
    ix = server._served_pair(e.interaction_id, e.agent_id)
    k = _consultation(ix)
    end(server, k, Why.CONSULT_CANCELLED)
    if ix.state is I.ON_HOLD:
        server._move(ix, IT.RETRIEVE, Why.RETRIEVED)
        server._out.append(Retrieve(ix.id))


def consult_transferred(server: InteractionServer, e: ConsultTransferred) -> None:
    ix = server._served_pair(e.interaction_id, e.agent_id)
    k = _answered_consultation(ix)
    colleague = k.agent
    assert colleague is not None and k.queue is not None
    leg_id = server._next_leg_id(ix)
    now = server._now
    _close(server, k, Why.CONSULT_TRANSFERRED)
    server._move(ix, IT.TRANSFER, Why.TRANSFERRED)
    leg = server._deliver_leg(ix, leg_id)
    # The colleague already has the customer: the leg goes through its states at once.
    server._move(leg, IT.ROUTE, Why.TRANSFERRED)
    leg.queue = ix.queue or k.queue
    leg.queued_since = leg.waiting_since = now
    server._move(leg, IT.ENQUEUE, Why.TRANSFERRED)
    leg.agent = colleague
    colleague.interaction = leg
    server._move(leg, IT.OFFER, Why.TRANSFERRED)
    server._move(leg, IT.ANSWER, Why.ANSWERED)
    server._agent_move(colleague, AT.TAKE_OVER, "", leg_id)
    server._out.append(CompleteTransfer(ix.id, k.id, leg_id, colleague.id))
    server._end_of_service(ix)


def consult_conferenced(server: InteractionServer, e: ConsultConferenced) -> None:
    ix = server._served_pair(e.interaction_id, e.agent_id)
    k = _answered_consultation(ix)
    colleague = k.agent
    assert colleague is not None and ix.agent is not None
    _close(server, k, Why.CONFERENCED)
    ix.guests.append(colleague)
    colleague.interaction = ix
    server._agent_move(colleague, AT.TAKE_OVER, "", ix.id)
    if ix.state is I.ON_HOLD:
        server._move(ix, IT.RETRIEVE, Why.CONFERENCED)
    server._out.append(Conference(ix.id, (ix.agent.id, colleague.id)))


def leave(server: InteractionServer, ix: LiveInteraction, agent: LiveAgent) -> None:
    """`agent` hangs up their side of conference `ix`; the others go on."""
    if agent is ix.agent:
        ix.agent = ix.guests.pop(0)
    else:
        ix.guests.remove(agent)
    assert ix.agent is not None
    server._out.append(Conference(ix.id, (ix.agent.id, *(g.id for g in ix.guests))))
    server._agent_done(agent, ix.id)


def end(server: InteractionServer, k: LiveInteraction, why: Why) -> None:
    """End consultation `k`: a colleague whose phone rings is ready again, one who talked
    wraps up."""
    colleague = k.agent
    assert colleague is not None
    if k.state is I.OFFERED:
        server._timers.cancel(k.ring_timer)
        server._out.append(CancelOffer(k.id, colleague.id))
        server._move(k, IT.ABANDON, why)
        colleague.interaction = None
        server._forget(k)
        if colleague.pending_not_ready is not None:
            server._agent_to_not_ready(colleague, AT.WITHDRAWN_TO_NOT_READY)
        else:
            server._agent_move(colleague, AT.WITHDRAWN, why, k.id)
            server._agent_became_ready(colleague)
    else:
        server._move(k, IT.HANGUP, why)
        server._out.append(Hangup(k.id))
        server._end_of_service(k)


def _close(server: InteractionServer, k: LiveInteraction, why: Why) -> None:
    """The consultation call is over but its colleague stays on the customer's call."""
    server._move(k, IT.HANGUP, why)
    assert k.agent is not None
    k.agent.interaction = None
    server._forget(k)


def _consultation(ix: LiveInteraction) -> LiveInteraction:
    if ix.consult is None:
        raise CoreError(f"no consultation is in progress for interaction {ix.id!r}")
    return ix.consult


def _answered_consultation(ix: LiveInteraction) -> LiveInteraction:
    k = _consultation(ix)
    if k.state is not I.IN_SERVICE:
        raise CoreError(f"the consulted agent has not answered yet (consultation {k.id!r} is "
                        f"{k.state.value})")
    return k
