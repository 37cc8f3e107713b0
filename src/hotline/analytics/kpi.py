"""KPI arithmetic: contact-center figures as a projection of the core's facts (W2).

Definitions (also in the README):
- offered: interactions that entered a queue. In the totals each interaction counts once; per
  queue, each entry counts (a call that overflows from A to B is offered to both, and counts as
  `overflowed` in A).
- A transfer to a queue or an agent starts a new leg (see `interaction_fsm`): the target queue
  counts it as offered (and answered, abandoned...) like any entry, the totals do not — the
  customer was counted when they first came in.
- answered: offered interactions an agent answered; abandoned: the customer left while queued or
  ringing; timed_out: the queue's maximum wait ran out; overflowed: moved on to another queue.
- service_level: answered within the queue's threshold ÷ offered. The wait is measured from the
  interaction's first entry into any queue for the totals, and from its entry into that queue
  per queue. The totals use each interaction's first queue's threshold.
- abandon_rate: abandoned ÷ offered; asa_seconds: mean wait of answered interactions.
- aht_seconds: mean handle time (talk and hold) plus wrap-up of answered interactions whose
  handling has finished.
- self_service: interactions an IVR flow served to the end, without an agent;
  abandoned_in_ivr: callers who hung up in the flow. Both count in the interval the flow
  ended, in the totals only (they never reached a queue).
- occupancy: time agents spent busy or in wrap-up ÷ their logged-in time, counting only agents
  who serve at least one queue (a supervisor with no skills is not in it). Per queue: busy and
  wrap-up time on that queue's interactions ÷ logged-in time of the agents who serve it.
Outcomes are counted in the interval in which the interaction was offered (entered the queue),
so every interval's service level relates its own offered calls; agent time is split at interval
boundaries.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, fields

from hotline.core.agent_fsm import AgentState
from hotline.core.facts import AgentStateChanged, Fact, InteractionStateChanged
from hotline.core.interaction_fsm import InteractionState, Why

_QUEUED = InteractionState.QUEUED
_IN_SERVICE = InteractionState.IN_SERVICE
_ON_HOLD = InteractionState.ON_HOLD
_COMPLETED = InteractionState.COMPLETED
_ROUTING = InteractionState.ROUTING
_IN_IVR = InteractionState.IN_IVR
_SELF_SERVICE = Why.SELF_SERVICE.value
_ABANDONED_IN_IVR = Why.ABANDONED_IN_IVR.value
_WORKING = frozenset({AgentState.BUSY, AgentState.WRAP_UP})
_LOGGED_OUT = AgentState.LOGGED_OUT
_BUSY = AgentState.BUSY
_ENTRY_REASONS = frozenset({Why.ROUTED.value, Why.OVERFLOW.value, Why.TRANSFERRED.value})
_TRANSFERRED = Why.TRANSFERRED.value
_ABANDONED = Why.ABANDONED.value
_MAX_WAIT = Why.MAX_WAIT.value
_OVERFLOW = Why.OVERFLOW.value


@dataclass(slots=True)
class Figures:
    """Counters for one scope (all, a queue, an interval), with the ratios derived from them."""

    offered: int = 0
    answered: int = 0
    abandoned: int = 0
    timed_out: int = 0
    overflowed: int = 0
    answered_in_threshold: int = 0
    wait_answered: float = 0.0
    handled: int = 0
    handle_time: float = 0.0
    working_time: float = 0.0
    logged_in_time: float = 0.0
    self_service: int = 0
    abandoned_in_ivr: int = 0

    @property
    def service_level(self) -> float | None:
        return self.answered_in_threshold / self.offered if self.offered else None

    @property
    def abandon_rate(self) -> float | None:
        return self.abandoned / self.offered if self.offered else None

    @property
    def asa_seconds(self) -> float | None:
        return self.wait_answered / self.answered if self.answered else None

    @property
    def aht_seconds(self) -> float | None:
        return self.handle_time / self.handled if self.handled else None

    @property
    def occupancy(self) -> float | None:
        return self.working_time / self.logged_in_time if self.logged_in_time > 0 else None

    @classmethod
    def total(cls, parts: Iterable[Figures]) -> Figures:
        """The figures of a scope made of `parts` (intervals of a day, say): counters add up."""
        whole = cls()
        for part in parts:
            for name in _COUNTERS:
                setattr(whole, name, getattr(whole, name) + getattr(part, name))
        return whole

    def as_dict(self) -> dict[str, float | int | None]:
        """The report's keys; ratios are None where their denominator is zero."""
        return {
            "offered": self.offered,
            "answered": self.answered,
            "abandoned": self.abandoned,
            "service_level": self.service_level,
            "abandon_rate": self.abandon_rate,
            "asa_seconds": self.asa_seconds,
            "aht_seconds": self.aht_seconds,
            "occupancy": self.occupancy,
            "timed_out": self.timed_out,
            "overflowed": self.overflowed,
            "self_service": self.self_service,
            "abandoned_in_ivr": self.abandoned_in_ivr,
        }


_COUNTERS = tuple(f.name for f in fields(Figures))


@dataclass(slots=True)
class _Entry:
    """One interaction's stay in one queue."""

    queue: str
    entered: float
    slot: int


@dataclass(slots=True)
class _Tracked:
    first_queued: float
    first_slot: int
    first_threshold: float
    entry: _Entry
    answered_at: float = 0.0
    talk: float | None = None
    in_totals: bool = True


@dataclass(slots=True)
class _AgentClock:
    """What the projection remembers of an agent: the interaction they work on, since when."""

    queue: str | None = None
    interaction: str | None = None
    working_since: float = 0.0
    counted_in: tuple[str, ...] = ()


@dataclass(slots=True)
class _Headcount:
    """How many agents are logged in, in one scope; integrated over time into the scope's
    logged-in time whenever the count changes (`mark` is when that was last done)."""

    intervals: list[Figures]
    logged_in: int = 0
    mark: float = 0.0


@dataclass
class Report:
    """Figures for the whole period, per queue, and per interval (whole and per queue)."""

    start: float
    interval: float
    totals: Figures
    queues: dict[str, Figures]
    intervals: list[Figures]
    queue_intervals: dict[str, list[Figures]] = field(default_factory=dict)


class KpiProjection:
    """Folds facts, in time order, into a `Report`.

    `start` and `interval` lay out the report's intervals (epoch seconds, seconds); `intervals`
    is how many; `thresholds` the service-level threshold per queue; `serving` which queues each
    agent serves (for per-queue occupancy). Agent time is counted only inside the report period.
    """

    def __init__(
        self,
        start: float,
        interval: float,
        intervals: int,
        thresholds: Mapping[str, float],
        serving: Mapping[str, Sequence[str]],
    ) -> None:
        if interval <= 0 or intervals <= 0:
            raise ValueError("a report needs a positive interval and at least one interval")
        self._start = start
        self._interval = interval
        self._count = intervals
        self._end = start + interval * intervals
        self._thresholds = dict(thresholds)
        self._serving = {agent: tuple(queues) for agent, queues in serving.items()}
        # Only interval figures are counted as facts arrive; whole-period figures are their
        # sums, made when a report is asked for. The whole center's intervals count each
        # interaction once; a queue's count each entry into it.
        self.intervals = [Figures() for _ in range(intervals)]
        self.queue_intervals = {q: [Figures() for _ in range(intervals)] for q in thresholds}
        self._tracked: dict[str, _Tracked] = {}
        self._ivr_legs: set[str] = set()
        self._agents: dict[str, _AgentClock] = {}
        self._everyone = _Headcount(self.intervals, mark=start)
        self._per_queue = {q: _Headcount(self.queue_intervals[q], mark=start) for q in thresholds}

    def reconfigure(self, thresholds: Mapping[str, float],
                    serving: Mapping[str, Sequence[str]]) -> None:
        """Queues or agents changed: new queues are counted from now on, new thresholds and
        skills apply to what happens next."""
        for queue in thresholds:
            if queue not in self.queue_intervals:
                self.queue_intervals[queue] = [Figures() for _ in range(self._count)]
                self._per_queue[queue] = _Headcount(self.queue_intervals[queue],
                                                    mark=self._start)
        self._thresholds.update(thresholds)
        self._serving = {agent: tuple(queues) for agent, queues in serving.items()}

    def slot(self, at: float) -> int:
        """The interval `at` falls in (times outside the period go to the first or last)."""
        index = int((at - self._start) // self._interval)
        return 0 if index < 0 else min(index, self._count - 1)

    def feed(self, facts: Iterable[Fact]) -> None:
        for fact in facts:
            if type(fact) is InteractionStateChanged:
                self._interaction(fact)
            elif type(fact) is AgentStateChanged:
                self._agent(fact)

    def _interaction(self, f: InteractionStateChanged) -> None:
        new = f.new
        if new is _QUEUED:
            if f.reason in _ENTRY_REASONS:
                self._entered(f)
            return
        tracked = self._tracked.get(f.interaction_id)
        if tracked is None:
            if new is _IN_IVR and f.reason == _TRANSFERRED:
                self._ivr_legs.add(f.interaction_id)  # a survey after a call, say
            elif f.old is _IN_IVR and new is _COMPLETED and f.interaction_id in self._ivr_legs:
                self._ivr_legs.discard(f.interaction_id)
            elif f.old is _IN_IVR and new is _COMPLETED:
                figures = self.intervals[self.slot(f.at)]
                if f.reason == _SELF_SERVICE:
                    figures.self_service += 1
                elif f.reason == _ABANDONED_IN_IVR:
                    figures.abandoned_in_ivr += 1
            return
        entry = tracked.entry
        if new is _IN_SERVICE:
            if f.old is _ON_HOLD:
                return  # back from hold: answered long ago
            tracked.answered_at = f.at
            self._answered(tracked, f.at)
        elif new is _COMPLETED:
            if f.reason == _ABANDONED:
                self._count_outcome(tracked, "abandoned")
            elif f.reason == _MAX_WAIT:
                self._count_outcome(tracked, "timed_out")
            elif f.old is _IN_SERVICE or f.old is _ON_HOLD:
                # Kept until the agent's wrap-up ends, which completes the handle time
                # (talk, hold and wrap-up).
                tracked.talk = f.at - tracked.answered_at
                return
            del self._tracked[f.interaction_id]
        elif new is _ROUTING and f.reason == _OVERFLOW:
            self.queue_intervals[entry.queue][entry.slot].overflowed += 1

    def _entered(self, f: InteractionStateChanged) -> None:
        assert f.queue is not None
        slot = self.slot(f.at)
        tracked = self._tracked.get(f.interaction_id)
        entry = _Entry(f.queue, f.at, slot)
        if tracked is None:
            in_totals = f.reason != _TRANSFERRED
            self._tracked[f.interaction_id] = _Tracked(f.at, slot, self._thresholds[f.queue],
                                                       entry, in_totals=in_totals)
            if in_totals:
                self.intervals[slot].offered += 1
        else:
            tracked.entry = entry
        self.queue_intervals[f.queue][slot].offered += 1

    def _answered(self, tracked: _Tracked, at: float) -> None:
        entry = tracked.entry
        wait_total = at - tracked.first_queued
        wait_here = at - entry.entered
        in_total = wait_total <= tracked.first_threshold
        in_here = wait_here <= self._thresholds[entry.queue]
        if tracked.in_totals:
            everyone = self.intervals[tracked.first_slot]
            everyone.answered += 1
            everyone.wait_answered += wait_total
            everyone.answered_in_threshold += in_total
        queue = self.queue_intervals[entry.queue][entry.slot]
        queue.answered += 1
        queue.wait_answered += wait_here
        queue.answered_in_threshold += in_here

    def _scopes(self, tracked: _Tracked) -> tuple[Figures, ...]:
        """The interval figures an interaction's outcome counts in."""
        entry = tracked.entry
        here = self.queue_intervals[entry.queue][entry.slot]
        return (self.intervals[tracked.first_slot], here) if tracked.in_totals else (here,)

    def _count_outcome(self, tracked: _Tracked, name: str) -> None:
        for figures in self._scopes(tracked):
            setattr(figures, name, getattr(figures, name) + 1)

    def _handled(self, tracked: _Tracked, handle_time: float) -> None:
        for figures in self._scopes(tracked):
            figures.handled += 1
            figures.handle_time += handle_time

    def _agent(self, f: AgentStateChanged) -> None:
        # Working time is added one whole busy-and-wrap-up span at a time, when it ends;
        # logged-in time by integrating head counts, which change only at log-in and log-out.
        clock = self._agents.get(f.agent_id)
        if clock is None:
            clock = self._agents[f.agent_id] = _AgentClock()
        old, new = f.old, f.new
        if old is _LOGGED_OUT or new is _LOGGED_OUT:
            # A log-out is counted off the queues its log-in was counted in, whatever the
            # configuration says by then.
            if old is _LOGGED_OUT:
                change, serving = 1, self._serving.get(f.agent_id, ())
                clock.counted_in = serving
            else:
                change, serving = -1, clock.counted_in
                clock.counted_in = ()
            if serving:  # supervisors who take no calls do not dilute occupancy
                self._change(self._everyone, f.at, change)
            for q in serving:
                self._change(self._per_queue[q], f.at, change)
        if new is _BUSY:
            if old is _BUSY:  # from a consultation onto the customer's call
                self._add_working(clock, f.at)
            tracked = self._tracked.get(f.interaction_id) if f.interaction_id else None
            clock.interaction = f.interaction_id
            clock.queue = tracked.entry.queue if tracked is not None else None
            clock.working_since = f.at
        elif old in _WORKING and new not in _WORKING:
            self._add_working(clock, f.at)
            self._finish_handling(clock, f.at)

    def _finish_handling(self, clock: _AgentClock, at: float) -> None:
        """The agent's handling (talk plus any wrap-up) is over. An agent who leaves a
        conference before its end leaves the interaction to the others."""
        key = clock.interaction
        tracked = self._tracked.get(key) if key is not None else None
        if key is not None and tracked is not None and tracked.talk is not None:
            del self._tracked[key]
            wrap = at - (tracked.answered_at + tracked.talk)
            self._handled(tracked, tracked.talk + wrap)
        clock.interaction = None
        clock.queue = None

    def _add_working(self, clock: _AgentClock, until: float) -> None:
        for begin, end, slot in self._spans(clock.working_since, until):
            span = end - begin
            self.intervals[slot].working_time += span
            if clock.queue is not None:
                self.queue_intervals[clock.queue][slot].working_time += span

    def _change(self, scope: _Headcount, at: float, logged_in: int) -> None:
        self._integrate(scope, at)
        scope.logged_in += logged_in

    def _integrate(self, scope: _Headcount, until: float) -> None:
        """Add the scope's logged-in time since its mark."""
        if scope.logged_in:
            for begin, end, slot in self._spans(scope.mark, until):
                scope.intervals[slot].logged_in_time += (end - begin) * scope.logged_in
        scope.mark = max(scope.mark, until)

    def _spans(self, begin: float, end: float) -> list[tuple[float, float, int]]:
        """[begin, end) clipped to the report period and cut at interval boundaries."""
        begin = max(begin, self._start)
        end = min(end, self._end)
        spans: list[tuple[float, float, int]] = []
        while begin < end:
            slot = self.slot(begin)
            boundary = min(end, self._start + (slot + 1) * self._interval)
            spans.append((begin, boundary, slot))
            begin = boundary
        return spans

    def close(self, at: float) -> Report:
        """Count agent time up to `at` and return the report."""
        self._integrate(self._everyone, at)
        for scope in self._per_queue.values():
            self._integrate(scope, at)
        for clock in self._agents.values():
            if clock.interaction is not None:
                self._add_working(clock, at)
                clock.working_since = at
        return self.report()

    def report(self) -> Report:
        """The figures so far (agent time as of the last fact or `close`)."""
        return Report(
            self._start, self._interval,
            totals=Figures.total(self.intervals),
            queues={q: Figures.total(parts) for q, parts in self.queue_intervals.items()},
            intervals=self.intervals,
            queue_intervals=self.queue_intervals,
        )


def interval_label(start: float, offset: float) -> str:
    """`HH:MM` of a time `offset` seconds after local midnight of the first day, with
    `day N ` in front from the second day on."""
    total = start + offset
    day = math.floor(total / 86400)
    second = round(total - day * 86400)
    hhmm = f"{second // 3600:02d}:{second % 3600 // 60:02d}"
    return hhmm if day == 0 else f"day {day + 1} {hhmm}"
