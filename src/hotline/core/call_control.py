"""Call control beyond the ACD's own moves: transfers (to a number, a queue, an agent, an IVR
flow), agents' outbound calls and keyed digits (DTMF), and a supervisor's release and
monitoring of a call (S2).

Handlers of `InteractionServer`, kept apart so that the server module stays about routing and
matching: each takes the server and works on its state, as its own methods would.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from hotline.core.agent_fsm import AgentState, AgentTrigger, next_agent_state
from hotline.core.commands import (
    CallAgent,
    Connect,
    Dial,
    Hangup,
    Monitor,
    PlayQueueMusic,
    RunFlow,
    SendDigits,
    Transfer,
    TransferOut,
)
from hotline.core.errors import CoreError, NotOffered
from hotline.core.events import (
    AgentDialed,
    AgentSentDigits,
    AgentTransferred,
    AgentTransferredOut,
    CallConnected,
    DialFailed,
    ForceReleased,
    MonitorEnded,
    MonitorStarted,
    SupervisorCalled,
)
from hotline.core.facts import InteractionDelivered, MonitoringChanged
from hotline.core.interaction_fsm import InteractionState, InteractionTrigger, Why
from hotline.core.live import LiveAgent, LiveInteraction, LiveQueue
from hotline.core.model import Channel

if TYPE_CHECKING:
    from hotline.core.server import InteractionServer

A = AgentState
AT = AgentTrigger
I = InteractionState  # noqa: E741
IT = InteractionTrigger
MONITOR_MODES = ("listen", "whisper", "barge")
DIGITS = re.compile(r"[0-9*#A-D]{1,32}")
_DIAL_FAILURES = {"busy": Why.BUSY, "no_answer": Why.NO_ANSWER, "unreachable": Why.UNREACHABLE}


def _no_consultation(ix: LiveInteraction) -> None:
    if ix.consult is not None or ix.guests:
        raise CoreError(f"interaction {ix.id!r} has a consultation or conference going: end "
                        "it first")


def transferred_out(server: InteractionServer, e: AgentTransferredOut) -> None:
    ix = server._served_pair(e.interaction_id, e.agent_id)
    _no_consultation(ix)
    if not e.number.strip():
        raise CoreError("a transfer needs the number to transfer to")
    server._move(ix, IT.TRANSFER_OUT, Why.TRANSFERRED_OUT)
    server._out.append(TransferOut(ix.id, e.number))
    server._end_of_service(ix)


def transferred(server: InteractionServer, e: AgentTransferred) -> None:
    ix = server._served_pair(e.interaction_id, e.agent_id)
    _no_consultation(ix)
    if [e.queue, e.to_agent, e.flow].count(None) != 2:
        raise CoreError("a transfer goes to a queue, an agent or a flow: name exactly one")
    target: LiveAgent | None = None
    q: LiveQueue | None = None
    if e.flow is not None:
        if not e.flow.strip():
            raise CoreError("a transfer to a flow needs the flow's name")
    elif e.queue is not None:
        q = server._queues.get(e.queue)
        if q is None:
            raise CoreError(f"cannot transfer to unknown queue {e.queue!r} "
                            f"(queues: {', '.join(sorted(server._queues))})")
    else:
        assert e.to_agent is not None
        target = server._agent(e.to_agent)
        if target is ix.agent:
            raise CoreError(f"agent {target.id!r} cannot transfer a call to themself")
        if target.state is not A.READY:
            raise CoreError(f"agent {target.id!r} is {target.state.value}, not ready: a "
                            "transfer rings only a ready agent")
        # The new leg belongs to the queue the call came from, which takes it back should
        # the agent not answer; an outbound call has none, so the agent's first queue.
        q = ix.queue or (target.serving[0] if target.serving else None)
        if q is None:
            raise CoreError(f"agent {target.id!r} serves no queue to take a transfer in")
    leg_id = server._next_leg_id(ix)
    server._move(ix, IT.TRANSFER, Why.TRANSFERRED)
    server._out.append(Transfer(ix.id, leg_id))
    flow_inputs = ({**ix.attributes, "agent_id": e.agent_id, "interaction_id": ix.id}
                   if e.flow is not None else None)
    leg = server._deliver_leg(ix, leg_id, flow_inputs)
    if e.flow is not None:
        server._move(leg, IT.START_IVR, Why.TRANSFERRED)
        server._out.append(RunFlow(leg.id, e.flow))
    elif target is None:
        assert q is not None
        server._move(leg, IT.ROUTE, Why.TRANSFERRED)
        server._enqueue(leg, q, Why.TRANSFERRED)
    else:
        assert q is not None
        server._move(leg, IT.ROUTE, Why.TRANSFERRED)
        leg.queue = q
        leg.queued_since = leg.waiting_since = server._now
        server._move(leg, IT.ENQUEUE, Why.TRANSFERRED)
        server._out.append(PlayQueueMusic(leg.id, q.name))
        server._offer(leg, target, Why.TRANSFERRED)
    # Last, so that an agent with no wrap-up who serves the target queue does not take the
    # call straight back ahead of the agents already ready there.
    server._end_of_service(ix)


def dialed(server: InteractionServer, e: AgentDialed) -> None:
    agent = server._agent(e.agent_id)
    number = e.number.strip()
    if not number:
        raise CoreError("a call needs the number to dial")
    if e.interaction_id in server._interactions:
        raise CoreError(f"interaction {e.interaction_id!r} is already in progress")
    state = agent.state
    next_agent_state(agent.id, state, AT.DIAL)
    if state is A.READY:
        server._leave_pools(agent)
    elif state is A.WRAP_UP:
        server._timers.cancel(agent.wrap_timer)
    elif state is A.NOT_READY:
        agent.pending_not_ready = agent.reason  # back to the same pause afterwards
    server._order += 1
    ix = LiveInteraction(e.interaction_id, server._order, Channel.VOICE, "", number,
                         e.attributes)
    ix.direction = "outbound"
    ix.agent = agent
    agent.interaction = ix
    server._interactions[ix.id] = ix
    server._facts.append(InteractionDelivered(server._now, ix.id, ix.channel, "", number,
                                            e.attributes, "outbound"))
    server._agent_move(agent, AT.DIAL, "", ix.id)
    server._move(ix, IT.DIAL, Why.DIALED)
    server._out.append(Dial(ix.id, agent.id, number))


def call_connected(server: InteractionServer, e: CallConnected) -> None:
    ix = server._interaction(e.interaction_id)
    if ix.state is not I.DIALING:
        raise NotOffered(f"interaction {ix.id!r} is not an outbound call being dialled "
                         f"(it is {ix.state.value})")
    agent = ix.agent
    assert agent is not None
    server._move(ix, IT.CONNECT, Why.CONNECTED)
    server._out.append(Connect(ix.id, agent.id))


def dial_failed(server: InteractionServer, e: DialFailed) -> None:
    ix = server._interaction(e.interaction_id)
    if ix.state is not I.DIALING:
        raise NotOffered(f"interaction {ix.id!r} is not an outbound call being dialled "
                         f"(it is {ix.state.value})")
    if e.reason not in _DIAL_FAILURES:
        raise CoreError(f"unknown dial failure {e.reason!r} "
                        f"(one of: {', '.join(sorted(_DIAL_FAILURES))})")
    dial_ended(server, ix, _DIAL_FAILURES[e.reason])


def dial_ended(server: InteractionServer, ix: LiveInteraction, why: Why) -> None:
    """An outbound call that never connected is over; the agent goes back to the state
    they dialled from (no wrap-up: there was no conversation)."""
    agent = ix.agent
    assert agent is not None
    server._move(ix, IT.DIAL_FAIL, why)
    server._out.append(Hangup(ix.id))
    agent.interaction = None
    server._forget(ix)
    if agent.pending_not_ready is not None:
        server._agent_to_not_ready(agent, AT.HANGUP_TO_NOT_READY)
    else:
        server._agent_move(agent, AT.HANGUP_NO_WRAP_UP, why, ix.id)
        server._agent_became_ready(agent)


def sent_digits(server: InteractionServer, e: AgentSentDigits) -> None:
    ix = server._served_pair(e.interaction_id, e.agent_id)
    if not DIGITS.fullmatch(e.digits):
        raise CoreError(f"digits must be 1 to 32 of 0-9, *, #, A-D, not {e.digits!r}")
    server._out.append(SendDigits(ix.id, e.digits))


def supervisor_called(server: InteractionServer, e: SupervisorCalled) -> None:
    agent = server._agent(e.agent_id)
    if agent.state is not A.READY:
        raise CoreError(f"agent {agent.id!r} is {agent.state.value}, not ready: a supervisor's "
                        "call rings only a ready agent")
    if not e.supervisor.strip():
        raise CoreError("a supervisor's call needs the supervisor's name")
    if e.interaction_id in server._interactions:
        raise CoreError(f"interaction {e.interaction_id!r} is already in progress")
    q = agent.serving[0] if agent.serving else None
    if q is None:
        raise CoreError(f"agent {agent.id!r} serves no queue to ring them in")
    now = server._now
    server._order += 1
    ix = LiveInteraction(e.interaction_id, server._order, Channel.VOICE, e.supervisor, agent.id,
                         {})
    ix.direction, ix.queue = "internal", q
    server._interactions[ix.id] = ix
    server._facts.append(InteractionDelivered(now, ix.id, ix.channel, e.supervisor, agent.id,
                                              {}, "internal"))
    server._out.append(CallAgent(ix.id, e.supervisor, agent.id))
    server._ring(ix, agent, IT.CONSULT, Why.SUPERVISOR_CALL)


def force_released(server: InteractionServer, e: ForceReleased) -> None:
    ix = server._interaction(e.interaction_id)
    if ix.state not in (I.IN_SERVICE, I.ON_HOLD):
        raise NotOffered(f"interaction {ix.id!r} is not in service (it is {ix.state.value})"
                         ": only a call an agent is on can be released")
    server._move(ix, IT.HANGUP, Why.FORCE_RELEASED)
    server._out.append(Hangup(ix.id))
    server._end_of_service(ix)


def monitor_started(server: InteractionServer, e: MonitorStarted) -> None:
    ix = server._interaction(e.interaction_id)
    if e.mode not in MONITOR_MODES:
        raise CoreError(f"unknown monitoring mode {e.mode!r} "
                        f"(one of: {', '.join(MONITOR_MODES)})")
    if ix.state not in (I.IN_SERVICE, I.ON_HOLD):
        raise NotOffered(f"interaction {ix.id!r} is not in service (it is "
                         f"{ix.state.value}): only a call an agent is on can be monitored")
    if not e.supervisor.strip():
        raise CoreError("monitoring needs the supervisor's name")
    monitors = ix.monitors if ix.monitors is not None else {}
    if monitors.get(e.supervisor) == e.mode:
        return
    monitors[e.supervisor] = e.mode
    ix.monitors = monitors
    server._facts.append(MonitoringChanged(server._now, ix.id, e.supervisor, e.mode))
    server._out.append(Monitor(ix.id, e.supervisor, e.mode))


def monitor_ended(server: InteractionServer, e: MonitorEnded) -> None:
    ix = server._interaction(e.interaction_id)
    if ix.monitors is None or e.supervisor not in ix.monitors:
        raise CoreError(f"{e.supervisor!r} is not monitoring interaction {ix.id!r}")
    del ix.monitors[e.supervisor]
    server._facts.append(MonitoringChanged(server._now, ix.id, e.supervisor, None))
    server._out.append(Monitor(ix.id, e.supervisor, None))
