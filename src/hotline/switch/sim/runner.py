"""The simulation runner: one contact-center day (or many) in virtual time (T11, W6).

Synthetic callers arrive, wait, give up, talk and hang up; agents log in for their shifts and
end their wrap-up. Every routing decision is the real core's: the runner only turns the
scenario's random draws into core events and carries out the core's commands, exactly as the
SIP gateway will in real time. Time is a number that jumps from one event to the next, so a
day passes as fast as the CPU allows.

The loop takes the earliest of three sources: the next arrival (pre-drawn, sorted), the
runner's own event heap (patience, end of talk, end of wrap-up, shifts), and the core's next
timer (ring-no-answer, wrap-up, overflow, maximum wait).
"""

from __future__ import annotations

import gc
import heapq
import math
import random
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, replace
from types import MappingProxyType

import numpy as np
from sqlalchemy import create_engine

from hotline.analytics.kpi import KpiProjection, Report
from hotline.core import InteractionServer
from hotline.core.agent_fsm import AgentState
from hotline.core.commands import Command, Connect, Hangup, Offer, Reject, RunFlow
from hotline.core.errors import CoreError
from hotline.core.events import (
    AgentAnswered,
    AgentHungUp,
    AgentLoggedIn,
    AgentLoggedOut,
    AgentNotReady,
    AgentReady,
    CustomerHungUp,
    Event,
    InteractionArrived,
    IvrFinished,
    TimerFired,
    WrapUpEnded,
)
from hotline.core.model import Tenant
from hotline.ivr import Flow
from hotline.ivr.actions import HttpCall, OpenTicket, Query
from hotline.ivr.database import run_query
from hotline.ivr.events import (
    HttpFailed,
    HttpResult,
    QueryFailed,
    QueryResult,
    TicketFailed,
    TicketOpened,
)
from hotline.switch.ivr_call import IvrCall
from hotline.switch.sim.distributions import Sampler
from hotline.switch.sim.scenario import Scenario

DRAIN_LIMIT = 86400.0
"""After the last arrival, calls still in progress get at most this long to finish."""

END_OF_SHIFT = "end_of_shift"

_VIP: Mapping[str, str] = MappingProxyType({"tier": "vip"})
_PLAIN: Mapping[str, str] = MappingProxyType({})

# Kinds of the runner's own events.
_PATIENCE, _TALK_END, _WRAP_END, _SHIFT_START, _SHIFT_END, _CALLBACK = range(6)

# Call status.
_WAITING, _ANSWERED, _DONE, _IN_IVR = range(4)


class _Callback:
    """A callback an IVR call asked for at a later virtual time; cancelling it skips it."""

    __slots__ = ("callback",)

    def __init__(self, callback: Callable[[], None] | None) -> None:
        self.callback = callback

    def cancel(self) -> None:
        self.callback = None

    def run(self) -> None:
        if self.callback is not None:
            self.callback()


_SPENT = _Callback(None)


@dataclass
class SimulationResult:
    """What a run produced: the report and the run's own figures."""

    scenario: Scenario
    seed: int
    report: Report
    calls: int
    unfinished: int
    core_events: int
    facts: int
    wall_seconds: float


def simulate(
    scenario: Scenario,
    *,
    seed: int | None = None,
    progress: Callable[[float], None] | None = None,
) -> SimulationResult:
    """Run `scenario` through the core in virtual time and return its report.

    `seed` overrides the scenario's; `progress`, when given, is called now and then with the
    fraction of the simulated period done.
    """
    with _fewer_collections():
        return _Run(scenario, scenario.seed if seed is None else seed, progress).run()


@contextmanager
def _fewer_collections() -> Iterator[None]:
    """A run allocates millions of short-lived records (events, commands, facts) that die by
    reference counting; with the default threshold the cycle collector scans the young ones
    every 700 allocations for nothing, about 13 % of the run. Collect less often meanwhile."""
    previous = gc.get_threshold()
    gc.set_threshold(100_000, 50, 100)
    try:
        yield
    finally:
        gc.set_threshold(*previous)


class _Run:
    def __init__(
        self, scenario: Scenario, seed: int, progress: Callable[[float], None] | None
    ) -> None:
        self.scenario = scenario
        self.seed = seed
        self.progress = progress
        root = np.random.default_rng(seed)
        arrivals_rng, draws_rng = root.spawn(2)
        self.t0 = scenario.start_epoch
        self.end = self.t0 + scenario.duration

        tenant, self.wrap_samplers = self._tenant(draws_rng)
        self.server = InteractionServer(tenant, seed=seed)
        self.agent_ids = [a.id for a in tenant.agents]
        self.agent_index = {agent_id: i for i, agent_id in enumerate(self.agent_ids)}

        # Every call of the run, drawn up front and sorted by arrival time.
        streams = scenario.traffic
        stream_rngs = arrivals_rng.spawn(len(streams))
        times: list[np.ndarray] = []
        which: list[np.ndarray] = []
        for index, (stream, rng) in enumerate(zip(streams, stream_rngs, strict=True)):
            offsets = stream.arrivals(rng, scenario.duration)
            times.append(offsets)
            which.append(np.full(len(offsets), index, dtype=np.int64))
        all_times = np.concatenate(times) if times else np.empty(0)
        all_which = np.concatenate(which) if which else np.empty(0, dtype=np.int64)
        order = np.argsort(all_times, kind="stable")
        self.arrival_at: list[float] = (all_times[order] + self.t0).tolist()
        self.stream_of: list[int] = all_which[order].tolist()
        n = len(self.arrival_at)
        stream_draws = draws_rng.spawn(3 * len(streams))
        self.talk: list[float] = [0.0] * n
        self.patience: list[float] = [math.inf] * n
        self.vip: list[bool] = [False] * n
        for index, stream in enumerate(streams):
            mask = all_which[order] == index
            count = int(mask.sum())
            positions = np.flatnonzero(mask).tolist()
            talk = stream.handle_time.sample(stream_draws[3 * index], count).tolist()
            patience = (stream.patience.sample(stream_draws[3 * index + 1], count).tolist()
                        if stream.patience is not None else [math.inf] * count)
            vip = (stream_draws[3 * index + 2].random(count) < stream.vip_share).tolist()
            for k, position in enumerate(positions):
                self.talk[position] = talk[k]
                self.patience[position] = patience[k]
                self.vip[position] = vip[k]

        self.status = [_WAITING] * n
        self.agent_of: list[str | None] = [None] * n
        self.heap: list[tuple[float, int, int, int]] = []
        self.seq = 0
        self.leaving: set[int] = set()
        self.core_events = 0
        self.facts = 0

        # Callers in the IVR: their flow, behaviour, databases and pending callbacks.
        self.ivr = scenario.ivr
        self.tickets_opened = 0
        self.ivr_rng = random.Random(seed)
        self.engines = ({name: create_engine(url) for name, url in scenario.ivr.databases.items()}
                        if scenario.ivr is not None else {})
        self.callbacks: list[_Callback] = []
        self.clock = self.t0

        thresholds = {q.name: q.service_level.threshold for q in tenant.queues}
        serving = {a.id: [q.name for q in tenant.queues if a.serves(q)] for a in tenant.agents}
        intervals = max(1, math.ceil(scenario.duration / scenario.interval))
        self.kpi = KpiProjection(self.t0, scenario.interval, intervals, thresholds, serving)

    def _tenant(self, rng: np.random.Generator) -> tuple[Tenant, list[Sampler | None]]:
        """The scenario's tenant (the core times constant wrap-up itself) and, per agent, the
        sampler of wrap-up times where they vary from call to call."""
        tenant = self.scenario.tenant()
        samplers: list[Sampler | None] = []
        groups = self.scenario.agent_groups
        for group, group_rng in zip(groups, rng.spawn(len(groups)), strict=True):
            sampler = None if group.timed_wrap_up is not None else Sampler(group.wrap_up, group_rng)
            samplers.extend([sampler] * group.count)
        reasons = tenant.not_ready_reasons
        if END_OF_SHIFT not in reasons:
            reasons = (*reasons, END_OF_SHIFT)
        return replace(tenant, not_ready_reasons=reasons), samplers

    # -- the loop -------------------------------------------------------------------------------

    def run(self) -> SimulationResult:
        started = time.perf_counter()
        self._schedule_shifts()
        server = self.server
        heap = self.heap
        arrival_at = self.arrival_at
        n = len(arrival_at)
        next_arrival = 0
        now = self.t0
        stop = self.end + DRAIN_LIMIT
        inf = math.inf
        timer_fired = TimerFired()
        steps = 0
        report_every = 4096
        while True:
            t_arrival = arrival_at[next_arrival] if next_arrival < n else inf
            t_heap = heap[0][0] if heap else inf
            t_core = server.next_timer()
            if t_core is None:
                t_core = inf
            t = min(t_arrival, t_heap, t_core)
            if t == inf or t > stop:
                break
            if t > now:
                now = t
            if t_core <= t_arrival and t_core <= t_heap:
                self._handle(timer_fired, now)
                if self.leaving:
                    self._log_out_leavers(now)
            elif t_arrival <= t_heap:
                self._arrive(next_arrival, now)
                next_arrival += 1
            else:
                _, _, kind, who = heapq.heappop(heap)
                self._runner_event(kind, who, now)
            steps += 1
            if steps % report_every == 0:
                self._drain()
                if self.progress is not None:
                    self.progress(min(1.0, (now - self.t0) / max(self.scenario.duration, 1e-9)))
        self._drain()
        if self.progress is not None:
            self.progress(1.0)
        report = self.kpi.close(max(now, self.end))
        unfinished = sum(1 for s in self.status if s in (_WAITING, _IN_IVR))
        return SimulationResult(
            scenario=self.scenario, seed=self.seed, report=report, calls=n,
            unfinished=unfinished, core_events=self.core_events, facts=self.facts,
            wall_seconds=time.perf_counter() - started,
        )

    def _drain(self) -> None:
        facts = self.server.drain_facts()
        self.facts += len(facts)
        self.kpi.feed(facts)

    def _push(self, at: float, kind: int, who: int) -> None:
        self.seq += 1
        heapq.heappush(self.heap, (at, self.seq, kind, who))

    def _handle(self, event: Event, now: float) -> None:
        self.core_events += 1
        self._apply(self.server.handle(event, now), now)

    def _arrive(self, call: int, now: float) -> None:
        stream = self.scenario.traffic[self.stream_of[call]]
        attributes = _VIP if self.vip[call] else _PLAIN
        self.clock = now
        queue = None if self.ivr is not None else stream.queue
        self._handle(InteractionArrived(str(call), ani=f"sim{call}", dnis=stream.dnis or "",
                                        queue=queue, attributes=attributes), now)
        self._start_patience(call, now)

    def _start_patience(self, call: int, now: float) -> None:
        if self.status[call] == _WAITING and self.patience[call] != math.inf:
            self._push(now + self.patience[call], _PATIENCE, call)

    def _apply(self, commands: list[Command], now: float) -> None:
        for command in commands:
            if type(command) is Offer:
                # Simulated agents pick up at once; the ring time is part of the handle time.
                self._handle(AgentAnswered(command.interaction_id, command.agent_id), now)
            elif type(command) is Connect:
                call = int(command.interaction_id)
                self.status[call] = _ANSWERED
                self.agent_of[call] = command.agent_id
                self._push(now + self.talk[call], _TALK_END, call)
            elif type(command) is Reject:
                self._finish(int(command.interaction_id))
            elif type(command) is RunFlow:
                self._run_flow(command, now)
            elif type(command) is Hangup:
                call = int(command.interaction_id)
                self._finish(call)
                agent_id = self.agent_of[call]
                if agent_id is not None:
                    self._after_call(agent_id, now)

    def _finish(self, call: int) -> None:
        self.status[call] = _DONE

    def _after_call(self, agent_id: str, now: float) -> None:
        index = self.agent_index[agent_id]
        sampler = self.wrap_samplers[index]
        if sampler is not None and self.server.agent_state(agent_id) is AgentState.WRAP_UP:
            self._push(now + sampler.draw(), _WRAP_END, index)
        if index in self.leaving:
            self._log_out_leavers(now)

    # -- callers in the IVR (the IvrShell of switch.ivr_call, in virtual time) -----------------

    def _run_flow(self, command: RunFlow, now: float) -> None:
        assert self.ivr is not None
        call = int(command.interaction_id)
        self.status[call] = _IN_IVR
        tenant = self.server.tenant
        ivr_call = IvrCall(command.interaction_id, self.ivr.flow, self, self.ivr.callers,
                           self.ivr_rng, ani=f"sim{call}", timezone=tenant.timezone,
                           business_hours=tenant.business_hours)
        ivr_call.start()

    def now(self) -> float:
        return self.clock

    def later(self, delay: float, callback: Callable[[], None]) -> _Callback:
        handle = _Callback(callback)
        self.seq += 1
        heapq.heappush(self.heap, (self.clock + delay, self.seq, _CALLBACK, len(self.callbacks)))
        self.callbacks.append(handle)
        return handle

    def query(self, query: Query, done: Callable[[QueryResult | QueryFailed], None]) -> None:
        engine = self.engines.get(query.database)
        done(run_query(engine, query) if engine is not None
             else QueryFailed(f"no database {query.database!r} in the scenario"))

    def http(self, call: HttpCall, done: Callable[[HttpResult | HttpFailed], None]) -> None:
        done(HttpFailed("webhooks are not called in simulations"))

    def ticket(self, request: OpenTicket, interaction_id: str, ani: str,
               done: Callable[[TicketOpened | TicketFailed], None]) -> None:
        # No ticket store in a simulation: count the tickets, number them from 1.
        self.tickets_opened += 1
        done(TicketOpened(str(self.tickets_opened)))

    def flow(self, name: str) -> Flow | None:
        return self.ivr.flow if self.ivr is not None and name == self.ivr.flow.name else None

    def finished(self, event: IvrFinished | CustomerHungUp) -> None:
        call = int(event.interaction_id)
        if isinstance(event, CustomerHungUp):
            self.status[call] = _DONE
            self._handle(event, self.clock)
            return
        self.status[call] = _WAITING
        try:
            self._handle(event, self.clock)
        except CoreError:
            # The flow sent the caller somewhere the scenario does not have (a queue named by
            # a variable, say): the flow fails and the caller is gone.
            self._handle(IvrFinished(event.interaction_id, "error"), self.clock)
        if self.status[call] == _WAITING and self.server.interaction_state(
                event.interaction_id) is None:
            self.status[call] = _DONE  # served by the flow, or passed to a number
        self._start_patience(call, self.clock)

    def _runner_event(self, kind: int, who: int, now: float) -> None:
        if kind == _CALLBACK:
            callback = self.callbacks[who]
            self.callbacks[who] = _SPENT
            self.clock = now
            callback.run()
            return
        if kind == _PATIENCE:
            if self.status[who] == _WAITING:
                self.status[who] = _DONE
                self._handle(CustomerHungUp(str(who)), now)
        elif kind == _TALK_END:
            agent_id = self.agent_of[who]
            assert agent_id is not None
            self._handle(AgentHungUp(str(who), agent_id), now)
        elif kind == _WRAP_END:
            agent_id = self.agent_ids[who]
            if self.server.agent_state(agent_id) is AgentState.WRAP_UP:
                self._handle(WrapUpEnded(agent_id), now)
                if who in self.leaving:
                    self._log_out_leavers(now)
        elif kind == _SHIFT_START:
            agent_id = self.agent_ids[who]
            self.leaving.discard(who)
            if self.server.agent_state(agent_id) is AgentState.LOGGED_OUT:
                self._handle(AgentLoggedIn(agent_id), now)
            if self.server.agent_state(agent_id) is AgentState.NOT_READY:
                self._handle(AgentReady(agent_id), now)
        elif kind == _SHIFT_END:
            self.leaving.add(who)
            self._log_out_leavers(now)

    def _log_out_leavers(self, now: float) -> None:
        """Agents whose shift is over leave as soon as they hold no interaction."""
        server = self.server
        for index in list(self.leaving):
            agent_id = self.agent_ids[index]
            state = server.agent_state(agent_id)
            if state in (AgentState.READY, AgentState.NOT_READY, AgentState.WRAP_UP):
                self._handle(AgentLoggedOut(agent_id), now)
                self.leaving.discard(index)
            elif state is AgentState.LOGGED_OUT:
                self.leaving.discard(index)
            elif state in (AgentState.RESERVED, AgentState.BUSY):
                self._handle(AgentNotReady(agent_id, END_OF_SHIFT), now)

    def _schedule_shifts(self) -> None:
        """Log agents in at the start of each shift that overlaps the run, out at its end."""
        scenario = self.scenario
        index = 0
        for group in scenario.agent_groups:
            if group.shift is None:
                periods: tuple[tuple[float, float], ...] = ((0.0, math.inf),)
            else:
                periods = group.shift.periods(scenario.start, scenario.duration)
            for _ in range(group.count):
                for login, logout in periods:
                    self._push(self.t0 + login, _SHIFT_START, index)
                    if logout < scenario.duration:
                        self._push(self.t0 + logout, _SHIFT_END, index)
                index += 1
