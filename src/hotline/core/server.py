"""The interaction server: the ACD and routing core, sans I/O.

Theory of operation
-------------------
`handle(event, now)` applies one event at time `now` (seconds since the epoch) and returns the
commands a gateway must carry out. `next_timer()` tells the shell when to call
`handle(TimerFired(), deadline)`. `drain_facts()` hands over the facts recorded since the last
call, one per state change, for the journal and the projections (reports, wall board).

Matching keeps one invariant: an agent is ready only while none of the queues they serve has an
interaction waiting that they may take. So an arriving interaction only needs to look for a
ready agent in its queue's pool, and an agent who becomes ready only needs to look at the heads
of their queues' waiting lines (highest priority, then longest waiting, across queues). An
interaction may need skills beyond its queue's (`skills`, collected by the IVR: a language, a
product); then only agents who have them may take it, the pool is searched past those who do
not, and a ready agent looks past a head of line they may not take.

An event that is not valid now (an unknown agent, an answer to an offer that was never made, an
illegal state change) raises a `CoreError` subclass before anything is changed.

This module holds routing, queueing and matching and the agent's own moves. The rest of the
server sits beside it: `call_control` (transfers, outbound calls, a supervisor's release and
monitoring) and `ivr_phase` (the end of an IVR flow) as handlers taking the server;
`server_views` (read-only questions) and `reconfigure` (a changed configuration) as its bases.
"""

from __future__ import annotations

import functools
import random
from collections.abc import Callable, Mapping
from typing import Any

from hotline.core import call_control, consultation, ivr_phase
from hotline.core.agent_fsm import TRANSITIONS as _AGENT_TABLE
from hotline.core.agent_fsm import AgentState, AgentTrigger, next_agent_state
from hotline.core.commands import (
    CancelOffer,
    Command,
    Connect,
    Hangup,
    Hold,
    Offer,
    PlayQueueMusic,
    Reject,
    Retrieve,
    RunFlow,
)
from hotline.core.errors import CoreError, NotOffered
from hotline.core.events import (
    AgentAnswered,
    AgentConsulted,
    AgentDeclined,
    AgentDialed,
    AgentHeld,
    AgentHungUp,
    AgentLoggedIn,
    AgentLoggedOut,
    AgentNotReady,
    AgentReady,
    AgentRetrieved,
    AgentSentDigits,
    AgentTransferred,
    AgentTransferredOut,
    CallConnected,
    ConsultCancelled,
    ConsultConferenced,
    ConsultTransferred,
    CustomerHungUp,
    DialFailed,
    Event,
    ForceReleased,
    InteractionArrived,
    IvrFinished,
    MonitorEnded,
    MonitorStarted,
    SupervisorCalled,
    TimerFired,
    WrapUpEnded,
)
from hotline.core.facts import (
    AgentStateChanged,
    Fact,
    InteractionDelivered,
    InteractionStateChanged,
    MonitoringChanged,
)
from hotline.core.interaction_fsm import TRANSITIONS as _INTERACTION_TABLE
from hotline.core.interaction_fsm import (
    InteractionState,
    InteractionTrigger,
    Why,
    next_interaction_state,
)
from hotline.core.live import LiveAgent, LiveInteraction, LiveQueue, check_skills, eligible
from hotline.core.model import Tenant
from hotline.core.reconfigure import Reconfiguration
from hotline.core.routing import RouteDecision, flow_for, route
from hotline.core.selection import pool_for
from hotline.core.tenant_check import check_tenant
from hotline.core.timers import Timer, TimerKind, TimerQueue
from hotline.core.waiting import WaitingLine

A = AgentState
AT = AgentTrigger
I = InteractionState  # noqa: E741
IT = InteractionTrigger


class InteractionServer(Reconfiguration):
    """One tenant's interaction server."""

    def __init__(self, tenant: Tenant, *, seed: int = 0) -> None:
        check_tenant(tenant)
        self.tenant = tenant
        self._rng = random.Random(seed)
        self._queues = {
            q.name: LiveQueue(q, WaitingLine(), pool_for(q, self._rng)) for q in tenant.queues
        }
        self._queue_names = frozenset(self._queues)
        self._agents = {a.id: LiveAgent(a, i) for i, a in enumerate(tenant.agents)}
        self._next_index = len(self._agents)
        self._interactions: dict[str, LiveInteraction] = {}
        self._order = 0
        self._timers = TimerQueue()
        self._facts: list[Fact] = []
        self._out: list[Command] = []
        self._now = 0.0
        # Each caller's last agent and when they answered, oldest first (re-inserted on
        # every answer), so forgetting callers past `sticky_memory` is cheap.
        self._last_agent_by_ani: dict[str, tuple[LiveAgent, float]] = {}
        self._handlers: dict[type, Callable[[Any], None]] = {
            InteractionArrived: self._arrived,
            IvrFinished: functools.partial(ivr_phase.ivr_finished, self),
            CustomerHungUp: self._customer_hung_up,
            AgentLoggedIn: self._logged_in,
            AgentLoggedOut: self._logged_out,
            AgentReady: self._ready,
            AgentNotReady: self._not_ready,
            AgentAnswered: self._answered,
            AgentDeclined: self._declined,
            AgentHungUp: self._agent_hung_up,
            AgentHeld: self._held,
            AgentRetrieved: self._retrieved,
            AgentTransferredOut: functools.partial(call_control.transferred_out, self),
            AgentTransferred: functools.partial(call_control.transferred, self),
            AgentDialed: functools.partial(call_control.dialed, self),
            CallConnected: functools.partial(call_control.call_connected, self),
            DialFailed: functools.partial(call_control.dial_failed, self),
            AgentSentDigits: functools.partial(call_control.sent_digits, self),
            AgentConsulted: functools.partial(consultation.consulted, self),
            ConsultCancelled: functools.partial(consultation.consult_cancelled, self),
            ConsultTransferred: functools.partial(consultation.consult_transferred, self),
            ConsultConferenced: functools.partial(consultation.consult_conferenced, self),
            SupervisorCalled: functools.partial(call_control.supervisor_called, self),
            ForceReleased: functools.partial(call_control.force_released, self),
            MonitorStarted: functools.partial(call_control.monitor_started, self),
            MonitorEnded: functools.partial(call_control.monitor_ended, self),
            WrapUpEnded: self._wrap_up_ended,
            TimerFired: self._timer_fired,
        }

    # -- the interface ------------------------------------------------------------------------

    def handle(self, event: Event, now: float) -> list[Command]:
        """Apply `event` at time `now`; return the commands for the gateway."""
        handler = self._handlers.get(type(event))
        if handler is None:
            raise TypeError(f"not an interaction-server event: {event!r}")
        if now < self._now:
            raise CoreError(f"time went backwards: {type(event).__name__} at {now} after an "
                            f"event at {self._now}; the shell must pass a non-decreasing clock")
        before = self._now
        self._now = now
        out: list[Command] = []
        self._out = out
        try:
            handler(event)
        except CoreError:
            self._now = before  # a refused event changes nothing, not even the time
            raise
        return out

    def next_timer(self) -> float | None:
        """When the server next needs `TimerFired`, or None when nothing is pending."""
        return self._timers.next_deadline()

    def drain_facts(self) -> list[Fact]:
        """The facts recorded since the last call, oldest first."""
        facts, self._facts = self._facts, []
        return facts

    # -- events ---------------------------------------------------------------------------------

    def _arrived(self, e: InteractionArrived) -> None:
        if e.interaction_id in self._interactions:
            raise CoreError(f"interaction {e.interaction_id!r} is already in progress")
        check_skills(e.interaction_id, e.skills)
        flow = flow_for(self.tenant, e)
        decision = route(self.tenant, self._queue_names, e, self._now) if flow is None else None
        self._order += 1
        ix = LiveInteraction(e.interaction_id, self._order, e.channel, e.ani, e.dnis, e.attributes)
        self._interactions[ix.id] = ix
        ix.skills = e.skills
        self._facts.append(
            InteractionDelivered(self._now, ix.id, e.channel, e.ani, e.dnis, e.attributes)
        )
        if decision is None:
            assert flow is not None
            ix.priority = e.priority  # routing adds to it when the flow is done
            self._move(ix, IT.START_IVR, Why.IVR)
            self._out.append(RunFlow(ix.id, flow))
            return
        self._move(ix, IT.ROUTE, Why.ROUTED)
        self._routed(ix, decision)

    def _routed(self, ix: LiveInteraction, decision: RouteDecision) -> None:
        if decision.rejected is not None:
            self._move(ix, IT.REJECT, decision.rejected)
            self._out.append(Reject(ix.id, decision.rejected))
            del self._interactions[ix.id]
            return
        assert decision.queue is not None
        ix.priority = decision.priority
        self._enqueue(ix, self._queues[decision.queue], Why.ROUTED)

    def _customer_hung_up(self, e: CustomerHungUp) -> None:
        ix = self._interaction(e.interaction_id)
        state = ix.state
        if state is I.IN_IVR:
            self._move(ix, IT.ABANDON, Why.ABANDONED_IN_IVR)
            self._forget(ix)
        elif state is I.QUEUED:
            self._leave_queue(ix)
            self._move(ix, IT.ABANDON, Why.ABANDONED)
            self._forget(ix)
        elif state is I.OFFERED:
            agent = ix.agent
            assert agent is not None
            self._timers.cancel(ix.ring_timer)
            self._move(ix, IT.ABANDON, Why.ABANDONED)
            self._out.append(CancelOffer(ix.id, agent.id))
            agent.interaction = None
            self._forget(ix)
            if agent.pending_not_ready is not None:
                self._agent_to_not_ready(agent, AT.WITHDRAWN_TO_NOT_READY)
            else:
                self._agent_move(agent, AT.WITHDRAWN, "customer_left", ix.id)
                self._agent_became_ready(agent)
        elif state is I.IN_SERVICE or state is I.ON_HOLD:
            self._move(ix, IT.HANGUP, Why.CUSTOMER_HUNG_UP)
            self._out.append(Hangup(ix.id))
            self._end_of_service(ix)
        elif state is I.DIALING:
            call_control.dial_ended(self, ix, Why.CUSTOMER_HUNG_UP)
        else:  # pragma: no cover - delivered and routing never outlive an event
            raise CoreError(f"interaction {ix.id!r} is {state.value}")

    def _logged_in(self, e: AgentLoggedIn) -> None:
        agent = self._agent(e.agent_id)
        next_agent_state(agent.id, agent.state, AT.LOGIN)
        if e.queues is None:
            serving = [q for q in self._queues.values() if agent.config.serves(q.config)]
        else:
            serving = []
            for name in e.queues:
                q = self._queues.get(name)
                if q is None:
                    raise CoreError(f"agent {agent.id!r} cannot log in to unknown queue "
                                    f"{name!r} (queues: {', '.join(sorted(self._queues))})")
                if not agent.config.serves(q.config):
                    raise CoreError(f"agent {agent.id!r} lacks the skills queue {name!r} "
                                    f"requires ({dict(q.config.skills)})")
                serving.append(q)
        agent.serving = serving
        agent.calls_handled = 0
        agent.last_hangup = self._now
        agent.pending_not_ready = None
        self._agent_move(agent, AT.LOGIN, "login")

    def _logged_out(self, e: AgentLoggedOut) -> None:
        agent = self._agent(e.agent_id)
        state = agent.state
        next_agent_state(agent.id, state, AT.LOGOUT)
        if state is A.READY:
            self._leave_pools(agent)
        elif state is A.WRAP_UP:
            self._timers.cancel(agent.wrap_timer)
        ix = agent.interaction
        if state is A.RESERVED and ix is not None:
            self._timers.cancel(ix.ring_timer)
            self._out.append(CancelOffer(ix.id, agent.id))
            agent.interaction = None
            self._agent_move(agent, AT.LOGOUT, "logout", ix.id)
            self._requeue(ix, Why.AGENT_LOGGED_OUT)
        else:
            self._agent_move(agent, AT.LOGOUT, "logout")
        agent.serving = []
        self._release_sticky(agent)

    def _ready(self, e: AgentReady) -> None:
        agent = self._agent(e.agent_id)
        state = agent.state
        if state in (A.RESERVED, A.BUSY):
            agent.pending_not_ready = None  # "ready" withdraws a deferred not-ready request
            return
        if state is A.WRAP_UP:
            agent.pending_not_ready = None
            self._wrap_up_ended(WrapUpEnded(agent.id))
            return
        self._agent_move(agent, AT.READY, "")
        agent.pending_not_ready = None
        self._agent_became_ready(agent)

    def _not_ready(self, e: AgentNotReady) -> None:
        agent = self._agent(e.agent_id)
        if e.reason not in self.tenant.not_ready_reasons:
            raise CoreError(f"not-ready reason {e.reason!r} is not one of tenant "
                            f"{self.tenant.name!r}'s: {', '.join(self.tenant.not_ready_reasons)}")
        state = agent.state
        if state in (A.RESERVED, A.BUSY):
            agent.pending_not_ready = e.reason
            return
        next_agent_state(agent.id, state, AT.NOT_READY)
        if state is A.READY:
            self._leave_pools(agent)
        elif state is A.WRAP_UP:
            self._timers.cancel(agent.wrap_timer)
        self._agent_move(agent, AT.NOT_READY, e.reason)

    def _answered(self, e: AgentAnswered) -> None:
        ix, agent = self._offered_pair(e.interaction_id, e.agent_id)
        self._timers.cancel(ix.ring_timer)
        self._agent_move(agent, AT.ANSWER, "", ix.id)
        self._move(ix, IT.ANSWER, Why.ANSWERED)
        agent.calls_handled += 1
        if ix.ani and self.tenant.sticky_wait is not None:
            self._remember_agent(ix.ani, agent)
        self._out.append(Connect(ix.id, agent.id))

    def _declined(self, e: AgentDeclined) -> None:
        ix, agent = self._offered_pair(e.interaction_id, e.agent_id)
        self._timers.cancel(ix.ring_timer)
        self._out.append(CancelOffer(ix.id, agent.id))
        agent.interaction = None
        agent.pending_not_ready = None
        self._agent_move(agent, AT.DECLINE, Why.DECLINED, ix.id)
        self._requeue(ix, Why.DECLINED)

    def _agent_hung_up(self, e: AgentHungUp) -> None:
        conference = self._interactions.get(e.interaction_id)
        if conference is not None and conference.guests and conference.state in (
                I.IN_SERVICE, I.ON_HOLD):
            agent = self._agent(e.agent_id)
            if agent is conference.agent or agent in conference.guests:
                consultation.leave(self, conference, agent)
                return
        dialing = self._interactions.get(e.interaction_id)
        if (dialing is not None and dialing.state is I.DIALING
                and dialing.agent is self._agent(e.agent_id)):
            call_control.dial_ended(self, dialing, Why.CANCELLED)
            return
        ix = self._served_pair(e.interaction_id, e.agent_id)
        self._move(ix, IT.HANGUP, Why.AGENT_HUNG_UP)
        self._out.append(Hangup(ix.id))
        self._end_of_service(ix)

    def _held(self, e: AgentHeld) -> None:
        ix = self._served_pair(e.interaction_id, e.agent_id)
        self._move(ix, IT.HOLD, Why.HELD)
        self._out.append(Hold(ix.id))

    def _retrieved(self, e: AgentRetrieved) -> None:
        ix = self._served_pair(e.interaction_id, e.agent_id)
        if ix.consult is not None:
            raise CoreError(f"agent {e.agent_id!r} is consulting about {ix.id!r}: cancel the "
                            "consultation (or transfer, or conference) to take the customer back")
        self._move(ix, IT.RETRIEVE, Why.RETRIEVED)
        self._out.append(Retrieve(ix.id))

    def _wrap_up_ended(self, e: WrapUpEnded) -> None:
        agent = self._agent(e.agent_id)
        next_agent_state(agent.id, agent.state, AT.WRAP_UP_END)
        self._timers.cancel(agent.wrap_timer)
        self._finish_wrap_up(agent)

    def _timer_fired(self, _: TimerFired) -> None:
        now = self._now
        timers = self._timers
        while (timer := timers.pop_due(now)) is not None:
            kind = timer.kind
            if kind is TimerKind.WRAP_UP:
                self._finish_wrap_up(timer.subject)
            elif kind is TimerKind.RING_NO_ANSWER:
                self._ring_no_answer(timer.subject)
            elif kind is TimerKind.OVERFLOW:
                self._overflow(timer.subject)
            elif kind is TimerKind.MAX_WAIT:
                self._max_wait(timer.subject)
            else:
                self._sticky_expired(timer.subject)

    # -- interactions ---------------------------------------------------------------------------

    def _enqueue(self, ix: LiveInteraction, q: LiveQueue, why: Why) -> None:
        now = self._now
        ix.queue = q
        ix.queued_since = now
        if ix.waiting_since is None:
            ix.waiting_since = now
        self._move(ix, IT.ENQUEUE, why)
        self._out.append(PlayQueueMusic(ix.id, q.name))
        self._arm_wait_timers(ix)
        sticky_wait = self.tenant.sticky_wait
        # A transferred caller is not sent back to the agent who just passed them on.
        if sticky_wait is not None and ix.ani and why is not Why.TRANSFERRED:
            agent = self._last_agent(ix.ani)
            if agent is not None and q in agent.serving and eligible(agent, ix):
                if agent.state is A.READY:
                    self._offer(ix, agent, Why.STICKY)
                    return
                if sticky_wait > 0:
                    ix.sticky_agent = agent
                    agent.sticky.append(ix)
                    ix.sticky_timer = self._timers.schedule(
                        now + sticky_wait, TimerKind.STICKY, ix
                    )
                    return
        self._match_or_wait(ix)

    def _remember_agent(self, ani: str, agent: LiveAgent) -> None:
        memory = self._last_agent_by_ani
        memory.pop(ani, None)
        memory[ani] = (agent, self._now)
        horizon = self._now - self.tenant.sticky_memory
        while True:
            oldest = next(iter(memory))
            if memory[oldest][1] >= horizon:
                break
            del memory[oldest]

    def _last_agent(self, ani: str) -> LiveAgent | None:
        remembered = self._last_agent_by_ani.get(ani)
        if remembered is None or remembered[1] < self._now - self.tenant.sticky_memory:
            return None
        return remembered[0]

    def _match_or_wait(self, ix: LiveInteraction) -> None:
        q = ix.queue
        assert q is not None
        if ix.skills:
            agent = q.pool.best_where(lambda candidate: eligible(candidate, ix))
        else:
            agent = q.pool.best()
        if agent is not None:
            self._offer(ix, agent, Why.OFFERED)
        else:
            q.line.push(ix)

    def _arm_wait_timers(self, ix: LiveInteraction) -> None:
        q = ix.queue
        assert q is not None
        config = q.config
        if config.overflow is None and config.max_wait is None:
            return
        deadlines: list[tuple[float, TimerKind]] = []
        if config.overflow is not None:
            deadlines.append((ix.queued_since + config.overflow.after, TimerKind.OVERFLOW))
        if config.max_wait is not None:
            deadlines.append((ix.queued_since + config.max_wait, TimerKind.MAX_WAIT))
        # A requeued interaction keeps the deadlines it got on entering the queue; one that
        # passed while it rang falls due now, never in the past (`next_timer` is a time to
        # call back), and in its original order.
        for at, kind in sorted(deadlines, key=lambda deadline: deadline[0]):
            ix.wait_timers.append(self._timers.schedule(max(self._now, at), kind, ix))

    def _disarm_wait_timers(self, ix: LiveInteraction) -> None:
        if ix.wait_timers:
            for timer in ix.wait_timers:
                timer.alive = False
            ix.wait_timers.clear()

    def _leave_queue(self, ix: LiveInteraction) -> None:
        """Take a queued interaction out of its line (or a sticky agent's hold)."""
        self._disarm_wait_timers(ix)
        if ix.sticky_agent is not None:
            self._timers.cancel(ix.sticky_timer)
            ix.sticky_agent = None  # the agent's deque entry is skipped when reached
        else:
            assert ix.queue is not None
            ix.queue.line.remove(ix)

    def _offer(self, ix: LiveInteraction, agent: LiveAgent, why: Why) -> None:
        """Offer a queued interaction to the agent its queue picked."""
        q = ix.queue
        assert q is not None
        self._disarm_wait_timers(ix)
        q.pool.chosen(agent)
        self._ring(ix, agent, IT.OFFER, why)

    def _ring(self, ix: LiveInteraction, agent: LiveAgent, trigger: InteractionTrigger,
              why: Why) -> None:
        """Reserve `agent` and ring them with `ix` for its queue's ring timeout (then RONA):
        a queue's offer, a consultation, a supervisor's call."""
        q = ix.queue
        assert q is not None
        self._leave_pools(agent)
        ix.agent = agent
        agent.interaction = ix
        self._agent_move(agent, AT.OFFER, "", ix.id)
        self._move(ix, trigger, why)
        timeout = q.config.ring_timeout
        ix.ring_timer = self._timers.schedule(self._now + timeout, TimerKind.RING_NO_ANSWER, ix)
        self._out.append(Offer(ix.id, agent.id, q.name, timeout))

    def _next_leg_id(self, ix: LiveInteraction) -> str:
        """The id the customer's next leg will have after a transfer (checked free)."""
        leg_id = f"{ix.root}.{ix.leg + 1}"
        if leg_id in self._interactions:
            raise CoreError(f"interaction {leg_id!r} is already in progress")
        return leg_id

    def _deliver_leg(self, ix: LiveInteraction, leg_id: str,
                     attributes: Mapping[str, str] | None = None) -> LiveInteraction:
        """The customer of `ix` goes on as a new interaction `leg_id` (delivered, `parent` set),
        with `ix`'s caller data and priority, or `attributes` instead."""
        self._order += 1
        leg = LiveInteraction(leg_id, self._order, ix.channel, ix.ani, ix.dnis,
                              ix.attributes if attributes is None else attributes)
        leg.root, leg.leg, leg.parent, leg.direction = ix.root, ix.leg + 1, ix.id, ix.direction
        leg.priority = ix.priority
        self._interactions[leg_id] = leg
        self._facts.append(InteractionDelivered(self._now, leg_id, leg.channel, leg.ani,
                                                leg.dnis, leg.attributes, leg.direction, ix.id))
        return leg

    def _requeue(self, ix: LiveInteraction, why: Why) -> None:
        """Put an offered interaction back in its place in line (RONA, declined); a
        consultation (or a supervisor's call) nobody took just ends."""
        if ix.consulting is not None or ix.direction == "internal":
            self._move(ix, IT.ABANDON, why)
            self._forget(ix)
            return
        self._move(ix, IT.REQUEUE, why)
        ix.agent = None
        self._arm_wait_timers(ix)
        self._match_or_wait(ix)

    def _ring_no_answer(self, ix: LiveInteraction) -> None:
        agent = ix.agent
        assert agent is not None and ix.state is I.OFFERED
        self._out.append(CancelOffer(ix.id, agent.id))
        agent.interaction = None
        self._agent_move(agent, AT.NO_ANSWER, Why.NO_ANSWER, ix.id)
        agent.pending_not_ready = None
        self._requeue(ix, Why.NO_ANSWER)

    def _overflow(self, ix: LiveInteraction) -> None:
        q = ix.queue
        assert q is not None and q.config.overflow is not None and ix.state is I.QUEUED
        self._leave_queue(ix)
        self._move(ix, IT.OVERFLOW, Why.OVERFLOW)
        self._enqueue(ix, self._queues[q.config.overflow.to], Why.OVERFLOW)

    def _max_wait(self, ix: LiveInteraction) -> None:
        assert ix.state is I.QUEUED
        self._leave_queue(ix)
        self._move(ix, IT.MAX_WAIT, Why.MAX_WAIT)
        self._out.append(Reject(ix.id, Why.MAX_WAIT))
        self._forget(ix)

    def _sticky_expired(self, ix: LiveInteraction) -> None:
        if ix.state is I.QUEUED and ix.sticky_agent is not None:
            ix.sticky_agent = None
            self._match_or_wait(ix)

    def _release_sticky(self, agent: LiveAgent) -> None:
        """An agent who logs out stops holding the callers kept for them."""
        while agent.sticky:
            ix = agent.sticky.popleft()
            if ix.state is I.QUEUED and ix.sticky_agent is agent:
                self._timers.cancel(ix.sticky_timer)
                ix.sticky_agent = None
                self._match_or_wait(ix)

    def _end_of_service(self, ix: LiveInteraction) -> None:
        """The interaction is over for the agents on it (the owner, conference guests); a
        consultation about it ends too."""
        agent = ix.agent
        assert agent is not None
        if ix.consult is not None:
            consultation.end(self, ix.consult, Why.CONSULT_CANCELLED)
        guests, ix.guests = ix.guests, []
        self._forget(ix)
        self._agent_done(agent, ix.id)
        for guest in guests:
            self._agent_done(guest, ix.id)

    def _agent_done(self, agent: LiveAgent, interaction_id: str) -> None:
        """The agent's part in an interaction is over: wrap-up, or straight to what is next."""
        agent.interaction = None
        agent.last_hangup = self._now
        wrap_up = agent.config.wrap_up
        ix_id = interaction_id
        if wrap_up is None or wrap_up > 0:
            self._agent_move(agent, AT.HANGUP, "", ix_id)
            if wrap_up is not None:
                agent.wrap_timer = self._timers.schedule(
                    self._now + wrap_up, TimerKind.WRAP_UP, agent)
        elif agent.pending_not_ready is not None:
            self._agent_to_not_ready(agent, AT.HANGUP_TO_NOT_READY)
        else:
            self._agent_move(agent, AT.HANGUP_NO_WRAP_UP, "", ix_id)
            self._agent_became_ready(agent)

    def _forget(self, ix: LiveInteraction) -> None:
        del self._interactions[ix.id]
        if ix.consulting is not None:  # a consultation: the customer's call is free again
            ix.consulting.consult = None
            ix.consulting = None
        if ix.monitors:
            for supervisor in ix.monitors:  # the call ended: so does listening to it
                self._facts.append(MonitoringChanged(self._now, ix.id, supervisor, None))
            ix.monitors = None
        # Timers point back at their interaction; dropping these links lets reference
        # counting free a finished interaction at once, without the cycle collector.
        ix.ring_timer = None
        ix.sticky_timer = None
        ix.wait_timers = []

    def _move(self, ix: LiveInteraction, trigger: InteractionTrigger, why: Why) -> None:
        old = ix.state
        new = _INTERACTION_TABLE[old].get(trigger)
        if new is None:
            next_interaction_state(ix.id, old, trigger)  # raises the named error
            return
        ix.state = new
        q = ix.queue
        agent = ix.agent
        self._facts.append(InteractionStateChanged(
            self._now, ix.id, old, new, why,
            q.name if q is not None else None,
            agent.id if agent is not None else None,
            ix.priority,
        ))

    # -- agents ---------------------------------------------------------------------------------

    def _finish_wrap_up(self, agent: LiveAgent) -> None:
        if agent.pending_not_ready is not None:
            self._agent_to_not_ready(agent, AT.NOT_READY)
        else:
            self._agent_move(agent, AT.WRAP_UP_END, "")
            self._agent_became_ready(agent)

    def _agent_to_not_ready(self, agent: LiveAgent, trigger: AgentTrigger) -> None:
        reason = agent.pending_not_ready or ""
        agent.pending_not_ready = None
        self._agent_move(agent, trigger, reason)

    def _agent_became_ready(self, agent: LiveAgent) -> None:
        """Give a newly ready agent work: a caller kept for them, else the best head of line."""
        agent.ready_since = self._now
        agent.ready_epoch += 1
        while agent.sticky:
            ix = agent.sticky.popleft()
            if ix.state is I.QUEUED and ix.sticky_agent is agent:
                self._timers.cancel(ix.sticky_timer)
                ix.sticky_agent = None
                self._offer(ix, agent, Why.STICKY)
                return
        best: LiveInteraction | None = None
        best_key: tuple[int, float, int] | None = None
        for q in agent.serving:
            head = q.line.peek()
            if head is not None and head.skills and not eligible(agent, head):
                head = q.line.first_where(lambda waiting: eligible(agent, waiting))
            if head is not None:
                assert head.waiting_since is not None
                key = (-(q.config.priority + head.priority), head.waiting_since, head.order)
                if best_key is None or key < best_key:
                    best, best_key = head, key
        if best is not None:
            assert best.queue is not None
            best.queue.line.remove(best)
            self._offer(best, agent, Why.OFFERED)
            return
        for q in agent.serving:
            q.pool.add(agent)

    def _leave_pools(self, agent: LiveAgent) -> None:
        for q in agent.serving:
            q.pool.discard(agent)

    def _agent_move(
        self, agent: LiveAgent, trigger: AgentTrigger, reason: str,
        interaction_id: str | None = None,
    ) -> None:
        old = agent.state
        new = _AGENT_TABLE[old].get(trigger)
        if new is None:
            next_agent_state(agent.id, old, trigger)  # raises the named error
            return
        agent.state = new
        agent.reason = reason if new is A.NOT_READY else ""
        agent.since = self._now
        self._facts.append(
            AgentStateChanged(self._now, agent.id, old, new, reason, interaction_id))

    # -- lookups --------------------------------------------------------------------------------

    def _served_pair(self, interaction_id: str, agent_id: str) -> LiveInteraction:
        """The interaction `agent_id` is serving (talking to or holding), or `NotOffered`."""
        ix = self._interaction(interaction_id)
        agent = self._agent(agent_id)
        if ix.agent is not agent or ix.state not in (I.IN_SERVICE, I.ON_HOLD):
            raise NotOffered(f"agent {agent.id!r} is not serving interaction {ix.id!r} "
                             f"(it is {ix.state.value})")
        return ix

    def _offered_pair(
        self, interaction_id: str, agent_id: str
    ) -> tuple[LiveInteraction, LiveAgent]:
        ix = self._interaction(interaction_id)
        agent = self._agent(agent_id)
        if ix.state is not I.OFFERED or ix.agent is not agent:
            raise NotOffered(f"interaction {ix.id!r} is not being offered to agent {agent_id!r} "
                             f"(it is {ix.state.value})")
        return ix, agent


__all__ = ["InteractionServer", "Timer"]
