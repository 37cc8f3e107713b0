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
"""

from __future__ import annotations

import random
from collections.abc import Callable, Mapping
from typing import Any

from hotline.core.agent_fsm import TRANSITIONS as _AGENT_TABLE
from hotline.core.agent_fsm import AgentState, AgentTrigger, next_agent_state
from hotline.core.commands import (
    CancelOffer,
    Command,
    Connect,
    Dial,
    Hangup,
    Hold,
    Monitor,
    Offer,
    PlayQueueMusic,
    Reject,
    Retrieve,
    RunFlow,
    Transfer,
    TransferOut,
)
from hotline.core.errors import CoreError, NotOffered, UnknownAgent, UnknownInteraction
from hotline.core.events import (
    AgentAnswered,
    AgentDeclined,
    AgentDialed,
    AgentHeld,
    AgentHungUp,
    AgentLoggedIn,
    AgentLoggedOut,
    AgentNotReady,
    AgentReady,
    AgentRetrieved,
    AgentTransferred,
    AgentTransferredOut,
    CallConnected,
    CustomerHungUp,
    DialFailed,
    Event,
    ForceReleased,
    InteractionArrived,
    IvrFinished,
    MonitorEnded,
    MonitorStarted,
    TimerFired,
    WrapUpEnded,
)
from hotline.core.facts import (
    AgentStateChanged,
    AttributesCollected,
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
from hotline.core.live import LiveAgent, LiveInteraction, LiveQueue, eligible
from hotline.core.model import Channel, Tenant
from hotline.core.routing import RouteDecision, flow_for, route
from hotline.core.selection import pool_for
from hotline.core.tenant_check import check_tenant
from hotline.core.timers import Timer, TimerKind, TimerQueue
from hotline.core.views import AgentStatus, InteractionDetails, QueueStatus
from hotline.core.waiting import WaitingLine

A = AgentState
AT = AgentTrigger
MONITOR_MODES = ("listen", "whisper", "barge")
_DIAL_FAILURES = {"busy": Why.BUSY, "no_answer": Why.NO_ANSWER, "unreachable": Why.UNREACHABLE}
I = InteractionState  # noqa: E741
IT = InteractionTrigger


class InteractionServer:
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
            IvrFinished: self._ivr_finished,
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
            AgentTransferredOut: self._transferred_out,
            AgentTransferred: self._transferred,
            AgentDialed: self._dialed,
            CallConnected: self._call_connected,
            DialFailed: self._dial_failed,
            ForceReleased: self._force_released,
            MonitorStarted: self._monitor_started,
            MonitorEnded: self._monitor_ended,
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

    def reconfigure(self, tenant: Tenant) -> None:
        """Take a changed configuration of the same tenant, without a restart.

        New queues and agents join (agents logged out); changed ones take their new settings
        for what happens from now on (a queue's new strategy ranks its ready agents afresh; an
        agent's new skills count from their next log-in; waits and rings under way keep the
        limits they started with). A queue may go only while no interaction is in it, an agent
        only while logged out: otherwise `CoreError` says which, and nothing changes.
        """
        check_tenant(tenant)
        if tenant.name != self.tenant.name:
            raise CoreError(f"server of tenant {self.tenant.name!r} cannot take the "
                            f"configuration of tenant {tenant.name!r}")
        queues = {q.name: q for q in tenant.queues}
        agents = {a.id: a for a in tenant.agents}
        gone_queues = [name for name in self._queues if name not in queues]
        busy = sorted({ix.queue.name for ix in self._interactions.values()
                       if ix.queue is not None and ix.queue.name in gone_queues})
        if busy:
            raise CoreError(f"queue {busy[0]!r} cannot be removed while interactions are in it")
        present = sorted(a.id for a in self._agents.values()
                         if a.id not in agents and a.state is not A.LOGGED_OUT)
        if present:
            raise CoreError(f"agent {present[0]!r} cannot be removed while logged in")
        # Checks done; from here on nothing can fail.
        for name in gone_queues:
            q = self._queues.pop(name)
            for agent in self._agents.values():
                if q in agent.serving:
                    agent.serving.remove(q)
        for queue_config in tenant.queues:
            live = self._queues.get(queue_config.name)
            if live is None:
                self._queues[queue_config.name] = LiveQueue(queue_config, WaitingLine(),
                                                            pool_for(queue_config, self._rng))
                continue
            old, live.config = live.config, queue_config
            if queue_config.strategy is not old.strategy:
                live.pool = pool_for(queue_config, self._rng)
                for agent in self._agents.values():
                    if agent.state is A.READY and live in agent.serving:
                        live.pool.add(agent)
        for agent_id in [a for a in self._agents if a not in agents]:
            del self._agents[agent_id]
        for config in tenant.agents:
            live_agent = self._agents.get(config.id)
            if live_agent is None:
                # A fresh index: the pools key agents by it, and may still hold stale entries
                # of a removed agent.
                self._agents[config.id] = LiveAgent(config, self._next_index)
                self._next_index += 1
            else:
                live_agent.config = config
        self._queue_names = frozenset(self._queues)
        self.tenant = tenant

    # -- read-only views (wall board, tests) ----------------------------------------------------

    def agent_state(self, agent_id: str) -> AgentState:
        return self._agent(agent_id).state

    def agent_interaction(self, agent_id: str) -> str | None:
        ix = self._agent(agent_id).interaction
        return ix.id if ix is not None else None

    def interaction_state(self, interaction_id: str) -> InteractionState | None:
        """The state of an interaction in progress; None once completed (or never seen)."""
        ix = self._interactions.get(interaction_id)
        return ix.state if ix is not None else None

    def waiting(self, queue: str) -> list[str]:
        """Interactions waiting in `queue` (in its line or held for a sticky agent), by place."""
        q = self._queues.get(queue)
        if q is None:
            raise CoreError(f"tenant {self.tenant.name!r} has no queue {queue!r}")
        members = [ix for ix in self._interactions.values()
                   if ix.queue is q and ix.state is I.QUEUED]
        members.sort(key=lambda ix: (-ix.priority, ix.waiting_since, ix.order))
        return [ix.id for ix in members]

    def agent_status(self, agent_id: str) -> AgentStatus:
        """What a wall board shows of an agent: state, reason, since when, on what."""
        agent = self._agent(agent_id)
        ix = agent.interaction
        return AgentStatus(agent.id, agent.state, agent.reason, agent.since,
                           ix.id if ix is not None else None,
                           tuple(q.name for q in agent.serving), agent.calls_handled)

    def queue_status(self, queue: str) -> QueueStatus:
        """What a wall board shows of a queue now: how many wait, since when the longest."""
        if queue not in self._queues:
            raise CoreError(f"tenant {self.tenant.name!r} has no queue {queue!r}")
        return next(status for status in self.queue_statuses() if status.queue == queue)

    def queue_statuses(self) -> list[QueueStatus]:
        """`queue_status` of every queue, in configuration order, from one pass over the
        interactions in progress."""
        waiting = dict.fromkeys(self._queues, 0)
        oldest: dict[str, float] = {}
        for ix in self._interactions.values():
            q = ix.queue
            if q is not None and ix.state is I.QUEUED:
                waiting[q.name] += 1
                since = ix.waiting_since
                if since is not None and since < oldest.get(q.name, since + 1):
                    oldest[q.name] = since
        ready = dict.fromkeys(self._queues, 0)
        for agent in self._agents.values():
            if agent.state is A.READY:
                for q in agent.serving:
                    ready[q.name] += 1
        return [QueueStatus(name, waiting[name], oldest.get(name), ready[name])
                for name in self._queues]

    def interaction_details(self, interaction_id: str) -> InteractionDetails | None:
        """Caller data of an interaction in progress (for a screen pop), or None."""
        ix = self._interactions.get(interaction_id)
        if ix is None:
            return None
        return InteractionDetails(ix.id, ix.state, ix.channel, ix.ani, ix.dnis,
                                  dict(ix.attributes),
                                  ix.queue.name if ix.queue is not None else None,
                                  ix.agent.id if ix.agent is not None else None,
                                  ix.waiting_since, ix.priority, ix.direction, ix.parent)

    def queue_names(self) -> list[str]:
        return list(self._queues)

    def active_interactions(self) -> list[str]:
        return list(self._interactions)

    def agent_ids(self) -> list[str]:
        return list(self._agents)

    # -- events ---------------------------------------------------------------------------------

    def _arrived(self, e: InteractionArrived) -> None:
        if e.interaction_id in self._interactions:
            raise CoreError(f"interaction {e.interaction_id!r} is already in progress")
        _check_skills(e.interaction_id, e.skills)
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

    def _ivr_finished(self, e: IvrFinished) -> None:
        ix = self._interaction(e.interaction_id)
        if ix.state is not I.IN_IVR:
            raise NotOffered(f"interaction {ix.id!r} is not in an IVR flow "
                             f"(it is {ix.state.value})")
        _check_skills(ix.id, e.skills)
        attributes = {**ix.attributes, **e.attributes}
        decision: RouteDecision | None = None
        wanted: LiveAgent | None = None
        if e.outcome in ("queue", "agent"):
            queue = e.queue
            if e.outcome == "agent":
                if e.agent is None:
                    raise CoreError("an IVR flow that ends with an agent must name the agent")
                wanted = self._agent(e.agent)
                queue = self._home_queue(wanted)
            if queue is None:
                raise CoreError("an IVR flow that ends in a queue must name the queue")
            decision = route(self.tenant, self._queue_names, InteractionArrived(
                ix.id, ix.ani, ix.dnis, ix.channel, ix.priority + e.priority, queue,
                attributes), self._now)
        elif e.outcome == "number":
            if not e.number or not e.number.strip():
                raise CoreError("an IVR flow that passes the caller on must name the number")
        elif e.outcome not in ("self_service", "error"):
            raise CoreError(f"unknown IVR outcome {e.outcome!r} "
                            "(one of: agent, error, number, queue, self_service)")
        if e.attributes:
            ix.attributes = attributes
            self._facts.append(AttributesCollected(self._now, ix.id, dict(e.attributes)))
        if e.skills:
            ix.skills = e.skills
        if decision is not None:
            self._move(ix, IT.IVR_ROUTE, Why.ROUTED)
            if (wanted is not None and decision.rejected is None and wanted.state is A.READY
                    and eligible(wanted, ix)):
                # The agent the caller asked for rings at once; else the caller waits in
                # that agent's queue like anyone else.
                assert decision.queue is not None
                q = self._queues[decision.queue]
                ix.priority = decision.priority
                ix.queue = q
                ix.queued_since = ix.waiting_since = self._now
                self._move(ix, IT.ENQUEUE, Why.ROUTED)
                self._out.append(PlayQueueMusic(ix.id, q.name))
                self._offer(ix, wanted, Why.OFFERED)
            else:
                self._routed(ix, decision)
        elif e.outcome == "number":
            assert e.number is not None
            self._move(ix, IT.IVR_END, Why.TRANSFERRED_OUT)
            self._out.append(TransferOut(ix.id, e.number.strip()))
            self._forget(ix)
        else:
            why = Why.SELF_SERVICE if e.outcome == "self_service" else Why.IVR_ERROR
            self._move(ix, IT.IVR_END, why)
            self._out.append(Hangup(ix.id))
            self._forget(ix)

    def _home_queue(self, agent: LiveAgent) -> str | None:
        """Where a caller asking for `agent` waits: the first queue the agent is logged in to,
        else the first their skills fit, else the tenant's default queue."""
        if agent.serving:
            return agent.serving[0].name
        fitting = next((q.name for q in self.tenant.queues if agent.config.serves(q)), None)
        return fitting or self.tenant.default_queue

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
            self._dial_ended(ix, Why.CUSTOMER_HUNG_UP)
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
        dialing = self._interactions.get(e.interaction_id)
        if (dialing is not None and dialing.state is I.DIALING
                and dialing.agent is self._agent(e.agent_id)):
            self._dial_ended(dialing, Why.CANCELLED)
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
        self._move(ix, IT.RETRIEVE, Why.RETRIEVED)
        self._out.append(Retrieve(ix.id))

    def _transferred_out(self, e: AgentTransferredOut) -> None:
        ix = self._served_pair(e.interaction_id, e.agent_id)
        if not e.number.strip():
            raise CoreError("a transfer needs the number to transfer to")
        self._move(ix, IT.TRANSFER_OUT, Why.TRANSFERRED_OUT)
        self._out.append(TransferOut(ix.id, e.number))
        self._end_of_service(ix)

    def _transferred(self, e: AgentTransferred) -> None:
        ix = self._served_pair(e.interaction_id, e.agent_id)
        if [e.queue, e.to_agent, e.flow].count(None) != 2:
            raise CoreError("a transfer goes to a queue, an agent or a flow: name exactly one")
        target: LiveAgent | None = None
        q: LiveQueue | None = None
        if e.flow is not None:
            if not e.flow.strip():
                raise CoreError("a transfer to a flow needs the flow's name")
        elif e.queue is not None:
            q = self._queues.get(e.queue)
            if q is None:
                raise CoreError(f"cannot transfer to unknown queue {e.queue!r} "
                                f"(queues: {', '.join(sorted(self._queues))})")
        else:
            assert e.to_agent is not None
            target = self._agent(e.to_agent)
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
        leg_id = f"{ix.root}.{ix.leg + 1}"
        if leg_id in self._interactions:
            raise CoreError(f"interaction {leg_id!r} is already in progress")
        self._move(ix, IT.TRANSFER, Why.TRANSFERRED)
        self._out.append(Transfer(ix.id, leg_id))
        self._order += 1
        leg = LiveInteraction(leg_id, self._order, ix.channel, ix.ani, ix.dnis, ix.attributes)
        leg.root, leg.leg, leg.parent, leg.direction = ix.root, ix.leg + 1, ix.id, ix.direction
        leg.priority = ix.priority
        self._interactions[leg_id] = leg
        if e.flow is not None:
            leg.attributes = {**ix.attributes, "agent_id": e.agent_id, "interaction_id": ix.id}
        self._facts.append(InteractionDelivered(self._now, leg_id, leg.channel, leg.ani,
                                                leg.dnis, leg.attributes, leg.direction, ix.id))
        if e.flow is not None:
            self._move(leg, IT.START_IVR, Why.TRANSFERRED)
            self._out.append(RunFlow(leg.id, e.flow))
        elif target is None:
            assert q is not None
            self._move(leg, IT.ROUTE, Why.TRANSFERRED)
            self._enqueue(leg, q, Why.TRANSFERRED)
        else:
            assert q is not None
            self._move(leg, IT.ROUTE, Why.TRANSFERRED)
            leg.queue = q
            leg.queued_since = leg.waiting_since = self._now
            self._move(leg, IT.ENQUEUE, Why.TRANSFERRED)
            self._out.append(PlayQueueMusic(leg.id, q.name))
            self._offer(leg, target, Why.TRANSFERRED)
        # Last, so that an agent with no wrap-up who serves the target queue does not take the
        # call straight back ahead of the agents already ready there.
        self._end_of_service(ix)

    def _dialed(self, e: AgentDialed) -> None:
        agent = self._agent(e.agent_id)
        number = e.number.strip()
        if not number:
            raise CoreError("a call needs the number to dial")
        if e.interaction_id in self._interactions:
            raise CoreError(f"interaction {e.interaction_id!r} is already in progress")
        state = agent.state
        next_agent_state(agent.id, state, AT.DIAL)
        if state is A.READY:
            self._leave_pools(agent)
        elif state is A.WRAP_UP:
            self._timers.cancel(agent.wrap_timer)
        elif state is A.NOT_READY:
            agent.pending_not_ready = agent.reason  # back to the same pause afterwards
        self._order += 1
        ix = LiveInteraction(e.interaction_id, self._order, Channel.VOICE, "", number,
                             e.attributes)
        ix.direction = "outbound"
        ix.agent = agent
        agent.interaction = ix
        self._interactions[ix.id] = ix
        self._facts.append(InteractionDelivered(self._now, ix.id, ix.channel, "", number,
                                                e.attributes, "outbound"))
        self._agent_move(agent, AT.DIAL, "", ix.id)
        self._move(ix, IT.DIAL, Why.DIALED)
        self._out.append(Dial(ix.id, agent.id, number))

    def _call_connected(self, e: CallConnected) -> None:
        ix = self._interaction(e.interaction_id)
        if ix.state is not I.DIALING:
            raise NotOffered(f"interaction {ix.id!r} is not an outbound call being dialled "
                             f"(it is {ix.state.value})")
        agent = ix.agent
        assert agent is not None
        self._move(ix, IT.CONNECT, Why.CONNECTED)
        self._out.append(Connect(ix.id, agent.id))

    def _dial_failed(self, e: DialFailed) -> None:
        ix = self._interaction(e.interaction_id)
        if ix.state is not I.DIALING:
            raise NotOffered(f"interaction {ix.id!r} is not an outbound call being dialled "
                             f"(it is {ix.state.value})")
        if e.reason not in _DIAL_FAILURES:
            raise CoreError(f"unknown dial failure {e.reason!r} "
                            f"(one of: {', '.join(sorted(_DIAL_FAILURES))})")
        self._dial_ended(ix, _DIAL_FAILURES[e.reason])

    def _dial_ended(self, ix: LiveInteraction, why: Why) -> None:
        """An outbound call that never connected is over; the agent goes back to the state
        they dialled from (no wrap-up: there was no conversation)."""
        agent = ix.agent
        assert agent is not None
        self._move(ix, IT.DIAL_FAIL, why)
        self._out.append(Hangup(ix.id))
        agent.interaction = None
        self._forget(ix)
        if agent.pending_not_ready is not None:
            self._agent_to_not_ready(agent, AT.HANGUP_TO_NOT_READY)
        else:
            self._agent_move(agent, AT.HANGUP_NO_WRAP_UP, why, ix.id)
            self._agent_became_ready(agent)

    def _force_released(self, e: ForceReleased) -> None:
        ix = self._interaction(e.interaction_id)
        if ix.state not in (I.IN_SERVICE, I.ON_HOLD):
            raise NotOffered(f"interaction {ix.id!r} is not in service (it is {ix.state.value})"
                             ": only a call an agent is on can be released")
        self._move(ix, IT.HANGUP, Why.FORCE_RELEASED)
        self._out.append(Hangup(ix.id))
        self._end_of_service(ix)

    def _monitor_started(self, e: MonitorStarted) -> None:
        ix = self._interaction(e.interaction_id)
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
        self._facts.append(MonitoringChanged(self._now, ix.id, e.supervisor, e.mode))
        self._out.append(Monitor(ix.id, e.supervisor, e.mode))

    def _monitor_ended(self, e: MonitorEnded) -> None:
        ix = self._interaction(e.interaction_id)
        if ix.monitors is None or e.supervisor not in ix.monitors:
            raise CoreError(f"{e.supervisor!r} is not monitoring interaction {ix.id!r}")
        del ix.monitors[e.supervisor]
        self._facts.append(MonitoringChanged(self._now, ix.id, e.supervisor, None))
        self._out.append(Monitor(ix.id, e.supervisor, None))

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
        q = ix.queue
        assert q is not None
        self._disarm_wait_timers(ix)
        self._leave_pools(agent)
        q.pool.chosen(agent)
        ix.agent = agent
        agent.interaction = ix
        self._agent_move(agent, AT.OFFER, "", ix.id)
        self._move(ix, IT.OFFER, why)
        timeout = q.config.ring_timeout
        ix.ring_timer = self._timers.schedule(self._now + timeout, TimerKind.RING_NO_ANSWER, ix)
        self._out.append(Offer(ix.id, agent.id, q.name, timeout))

    def _requeue(self, ix: LiveInteraction, why: Why) -> None:
        """Put an offered interaction back in its place in line (RONA, declined)."""
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
        agent = ix.agent
        assert agent is not None
        agent.interaction = None
        agent.last_hangup = self._now
        self._forget(ix)
        wrap_up = agent.config.wrap_up
        if wrap_up is None or wrap_up > 0:
            self._agent_move(agent, AT.HANGUP, "", ix.id)
            if wrap_up is not None:
                agent.wrap_timer = self._timers.schedule(
                    self._now + wrap_up, TimerKind.WRAP_UP, agent)
        elif agent.pending_not_ready is not None:
            self._agent_to_not_ready(agent, AT.HANGUP_TO_NOT_READY)
        else:
            self._agent_move(agent, AT.HANGUP_NO_WRAP_UP, "", ix.id)
            self._agent_became_ready(agent)

    def _forget(self, ix: LiveInteraction) -> None:
        del self._interactions[ix.id]
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

    def _agent(self, agent_id: str) -> LiveAgent:
        agent = self._agents.get(agent_id)
        if agent is None:
            raise UnknownAgent(f"tenant {self.tenant.name!r} has no agent {agent_id!r}")
        return agent

    def _interaction(self, interaction_id: str) -> LiveInteraction:
        ix = self._interactions.get(interaction_id)
        if ix is None:
            raise UnknownInteraction(f"no interaction {interaction_id!r} is in progress")
        return ix

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


def _check_skills(interaction_id: str, skills: Mapping[str, int]) -> None:
    for skill, level in skills.items():
        if not isinstance(level, int) or isinstance(level, bool) or not 1 <= level <= 10:
            raise CoreError(f"interaction {interaction_id!r} needs skill {skill!r} at level "
                            f"{level!r}: a level is a whole number from 1 to 10")


__all__ = ["InteractionServer", "Timer"]
