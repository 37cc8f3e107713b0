"""Scenario files: a day (or many) of a contact center to simulate, in YAML.

A scenario names the queues (the core's `Queue`), the agent groups who staff them, and the
traffic offered to each queue: how many calls per report interval, how long they take, how
long callers wait before hanging up. `load_scenario` reads and checks a file;
`parse_scenario` checks a mapping already in memory. Both return a frozen `Scenario`, from
which `Scenario.tenant()` builds the core's `Tenant`. The file format, with the shipped
examples in `examples/scenarios/`::

    name: example
    seed: 1
    start: "08:00"          # local time the first simulated day starts (default 00:00)
    duration: 12h           # 30s, 5m, 12h, 1h30m, 2d or plain seconds; may span many days
    interval: 30m           # report interval (default 30m)
    queues:
      - name: general
        skills: {general: 1}                       # skill: minimum level
        service_level: {threshold: 20s, target: 0.8}
    agents:
      - group: tier1
        count: 50
        skills: {general: 5}
        wrap_up: 0s                                # a duration or a distribution
    traffic:
      - queue: general
        calls_per_hour: 500                        # or profile: [calls per interval, ...]
        handle_time: {dist: exponential, mean: 300s}
        patience: {dist: exponential, mean: 180s}  # optional: no abandonment without it

Traffic: `profile` lists expected calls per report interval, the first entry for the interval
starting at `start`. A profile shorter than the run repeats from its first entry, so a
daily profile for a run of several days must cover the whole 24 hours.

Optional keys — top level: `description`, `start_date` (local date of the first day, default
2024-03-04, a Monday), `timezone` (IANA, default UTC), `strategy` (default for queues),
`business_hours: {weekdays: [mon-fri, sat], open, close, holidays: [YYYY-MM-DD]}`,
`after_hours_queue`, `sticky_wait`, `vip_priority`. Queue: `priority`, `strategy`, `max_wait`,
`overflow: {after, to}`, `ring_timeout`. Agent group: `type` (standard, expert, supervisor),
`team` or `team_size` (teams named group-1, group-2...), `supervises` (supervisor groups:
the groups whose teams they lead, round-robin), `shift: {start, end}` (log in at start, out at
end, every day; an end before the start means the next day; absent: the whole run).
Traffic: `vip_share` (fraction of callers marked VIP), `dnis` (the called number; becomes a
DNIS route to the queue). `ivr` (see `scenario_ivr`): callers walk an IVR flow first, and the
flow's transfers, not the traffic entry's queue, decide where they wait; those it serves
itself count as self-service.

Every problem is reported with the file, the key path, the value and what is allowed, e.g.
``gas.yaml: traffic[1].handle_time.dist: got 'expo' — allowed: exponential, lognormal, ...``.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime, time, timedelta
from pathlib import Path
from types import MappingProxyType
from typing import Any
from zoneinfo import ZoneInfo

import numpy as np
from pydantic import ValidationError

from hotline.core.hours import BusinessHours
from hotline.core.model import (
    DEFAULT_STRATEGY,
    Agent,
    AgentType,
    Overflow,
    Queue,
    ServiceLevelGoal,
    Strategy,
    Team,
    Tenant,
)
from hotline.switch.sim import scenario_schema as schema
from hotline.switch.sim.distributions import (
    Constant,
    Distribution,
    Exponential,
    FloatArray,
    Gamma,
    LogNormal,
    Uniform,
    arrival_times,
)
from hotline.switch.sim.scenario_ivr import ScenarioIvr, build_ivr
from hotline.switch.sim.scenario_schema import DAY, parse_duration, parse_time_of_day, show
from hotline.switch.sim.scenario_yaml import KeyPath, YamlProblem, format_path, read_yaml

__all__ = [
    "DEFAULT_DATE",
    "AgentGroup",
    "Scenario",
    "ScenarioError",
    "Shift",
    "Traffic",
    "load_scenario",
    "parse_duration",
    "parse_scenario",
    "parse_time_of_day",
]

DEFAULT_DATE = schema.DEFAULT_DATE
"""The first simulated day when a scenario gives no `start_date`: a Monday without holidays."""

_NO_WRAP_UP = Constant(0.0)


class ScenarioError(ValueError):
    """A scenario that cannot be used. `problems` holds one line per problem, each naming the
    key path, the bad value and what is allowed; the message prefixes each with the source."""

    def __init__(self, source: str, problems: Sequence[str]) -> None:
        self.source = source
        self.problems = tuple(problems)
        super().__init__("\n".join(f"{source}: {problem}" for problem in self.problems))


@dataclass(frozen=True, slots=True)
class Shift:
    """Working hours repeated every day: seconds after local midnight. An `end` at or before
    `start` means the shift ends the next day (a night shift)."""

    start: float
    end: float

    @property
    def length(self) -> float:
        return self.end - self.start if self.end > self.start else self.end + DAY - self.start

    def periods(self, run_start: float, duration: float) -> tuple[tuple[float, float], ...]:
        """(log-in, log-out) offsets from the run's start, in seconds, for every day of a run
        that starts `run_start` seconds after local midnight and lasts `duration`. A shift
        already under way at the start (a night shift begun the evening before) counts from 0."""
        periods: list[tuple[float, float]] = []
        day = math.floor((run_start - self.length - self.start) / DAY)
        while (login := day * DAY + self.start - run_start) < duration:
            begin, end = max(login, 0.0), min(login + self.length, duration)
            if begin < end:
                if periods and periods[-1][1] == begin:
                    begin = periods.pop()[0]
                periods.append((begin, end))
            day += 1
        return tuple(periods)


@dataclass(frozen=True, slots=True)
class AgentGroup:
    """`count` agents alike in skills, type, wrap-up and shift, with ids `group-0001`...

    Agents are split into `teams` in order, `team_size` to a team (the last may be smaller);
    with one team and no `team_size` they all belong to it. `supervises` names the groups
    whose teams this (supervisor) group leads.
    """

    group: str
    count: int
    skills: Mapping[str, int]
    type: AgentType = AgentType.STANDARD
    wrap_up: Distribution = _NO_WRAP_UP
    teams: tuple[str, ...] = ()
    team_size: int | None = None
    shift: Shift | None = None
    supervises: tuple[str, ...] = ()

    def agent_ids(self) -> tuple[str, ...]:
        width = max(4, len(str(self.count)))
        return tuple(f"{self.group}-{number:0{width}d}" for number in range(1, self.count + 1))

    def team_of(self, index: int) -> str | None:
        """The team of the group's `index`-th agent (from 0), if any."""
        if not self.teams:
            return None
        return self.teams[0] if self.team_size is None else self.teams[index // self.team_size]

    @property
    def timed_wrap_up(self) -> float | None:
        """The core's `Agent.wrap_up`: the fixed wrap-up time, or None when it varies from
        call to call — then the agent ends wrap-up, which the simulator does after a draw."""
        return self.wrap_up.value if isinstance(self.wrap_up, Constant) else None


@dataclass(frozen=True, slots=True)
class Traffic:
    """Calls offered to `queue`: a Poisson process whose expected count in report interval i
    is `calls_per_interval[i % len(calls_per_interval)]`, intervals counted from the start."""

    queue: str
    calls_per_interval: tuple[float, ...]
    interval: float
    handle_time: Distribution
    patience: Distribution | None = None
    vip_share: float = 0.0
    dnis: str | None = None

    def rate_at(self, elapsed: float) -> float:
        """Calls per second `elapsed` seconds after the start."""
        index = int(elapsed // self.interval) % len(self.calls_per_interval)
        return self.calls_per_interval[index] / self.interval

    def expected_calls(self, duration: float) -> float:
        """Expected calls in the first `duration` seconds."""
        whole, rest = divmod(duration, self.interval)
        period = len(self.calls_per_interval)
        cycles, extra = divmod(int(whole), period)
        total = cycles * sum(self.calls_per_interval) + sum(self.calls_per_interval[:extra])
        return total + self.calls_per_interval[extra % period] * rest / self.interval

    def arrivals(self, rng: np.random.Generator, duration: float) -> FloatArray:
        """Sorted arrival offsets (seconds from the start) for a run of `duration`."""
        return arrival_times(self.calls_per_interval, self.interval, duration, rng)


@dataclass(frozen=True, slots=True)
class Scenario:
    """A checked scenario. Times of day are seconds after local midnight in `timezone`;
    durations are seconds. Queues are the core's, with defaults applied."""

    name: str
    seed: int
    start: float
    duration: float
    interval: float
    timezone: str
    queues: tuple[Queue, ...]
    agent_groups: tuple[AgentGroup, ...]
    traffic: tuple[Traffic, ...]
    teams: tuple[Team, ...] = ()
    start_date: date = DEFAULT_DATE
    description: str = ""
    business_hours: BusinessHours | None = None
    after_hours_queue: str | None = None
    sticky_wait: float | None = None
    vip_priority: int = 10
    ivr: ScenarioIvr | None = None

    @property
    def start_epoch(self) -> float:
        """The run's first instant as Unix time: `start_date` at `start`, local time."""
        midnight = datetime.combine(self.start_date, time(), ZoneInfo(self.timezone))
        return (midnight + timedelta(seconds=self.start)).timestamp()

    def agents(self) -> tuple[Agent, ...]:
        """Every agent, group by group. A supervisor without a team of their own belongs to
        the first team they lead."""
        led: dict[str, str] = {}
        for team in self.teams:
            if team.supervisor is not None:
                led.setdefault(team.supervisor, team.name)
        return tuple(
            Agent(
                id=agent_id,
                type=group.type,
                skills=group.skills,
                team=group.team_of(index) or led.get(agent_id),
                wrap_up=group.timed_wrap_up,
            )
            for group in self.agent_groups
            for index, agent_id in enumerate(group.agent_ids())
        )

    def tenant(self) -> Tenant:
        """The core's tenant: queues, agents, teams, DNIS routes and routing rules."""
        return Tenant(
            name=self.name,
            timezone=self.timezone,
            queues=self.queues,
            agents=self.agents(),
            teams=self.teams,
            dnis_routes=MappingProxyType(
                {traffic.dnis: traffic.queue for traffic in self.traffic if traffic.dnis}
            ),
            vip_priority=self.vip_priority,
            business_hours=self.business_hours,
            after_hours_queue=self.after_hours_queue,
            sticky_wait=self.sticky_wait,
            default_flow=self.ivr.flow.name if self.ivr is not None else None,
        )


def load_scenario(path: str | Path) -> Scenario:
    """Read, check and build the scenario in the YAML file at `path`."""
    source = str(path)
    try:
        text = Path(path).read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ScenarioError(source, ["no such file"]) from None
    except (OSError, UnicodeDecodeError) as error:
        raise ScenarioError(source, [f"cannot read the file: {error}"]) from None
    try:
        data, lines = read_yaml(text)
    except YamlProblem as error:
        raise ScenarioError(source, error.problems) from None
    return _parse(data, source, lines)


def parse_scenario(mapping: Mapping[str, Any], source: str = "<scenario>") -> Scenario:
    """Check and build a scenario from a mapping shaped like the YAML file."""
    return _parse(mapping, source, {})


# Checking and building.


@dataclass(frozen=True, slots=True)
class _Problem:
    path: KeyPath
    text: str


def _parse(data: Any, source: str, lines: Mapping[KeyPath, int]) -> Scenario:
    if not isinstance(data, Mapping):
        allowed = ", ".join(schema.ScenarioSpec.allowed_keys())
        raise ScenarioError(source, [f"got {show(data)} — allowed: a mapping with keys {allowed}"])
    try:
        spec = schema.ScenarioSpec.model_validate(dict(data))
    except ValidationError as error:
        invalid = [_Problem(*schema.explain(detail, data)) for detail in error.errors()]
        raise ScenarioError(source, _describe(invalid, lines)) from None
    problems: list[_Problem] = []
    scenario = _build(spec, problems)
    if spec.ivr is not None and scenario is not None:
        ivr = build_ivr(spec.ivr, Path(source).parent, {q.name for q in scenario.queues},
                        lambda path, text: problems.append(_Problem(path, text)))
        scenario = replace(scenario, ivr=ivr)
    if problems or scenario is None:
        raise ScenarioError(source, _describe(problems, lines))
    return scenario


def _describe(problems: list[_Problem], lines: Mapping[KeyPath, int]) -> list[str]:
    described = []
    for problem in problems:
        line = next(
            (
                lines[problem.path[:end]]
                for end in range(len(problem.path), 0, -1)
                if problem.path[:end] in lines
            ),
            None,
        )
        suffix = f" (line {line})" if line is not None else ""
        described.append(f"{format_path(problem.path)}: {problem.text}{suffix}")
    return described


def _build(spec: schema.ScenarioSpec, problems: list[_Problem]) -> Scenario | None:
    queue_names = _unique(
        [queue.name for queue in spec.queues], "queues", "name", "a queue", problems
    )
    group_names = _unique(
        [group.group for group in spec.agents], "agents", "group", "an agent group", problems
    )
    queues = tuple(_queue(queue, spec.strategy) for queue in spec.queues)
    _check_overflow(spec, queue_names, problems)
    _check_queue_references(spec, queue_names, problems)
    groups = tuple(_agent_group(index, group, problems) for index, group in enumerate(spec.agents))
    _check_service(queues, groups, problems)
    teams = _teams(spec, groups, group_names, problems)
    traffic = tuple(_traffic(entry, spec.interval) for entry in spec.traffic)
    if problems:
        return None
    return Scenario(
        name=spec.name,
        description=spec.description,
        seed=spec.seed,
        start_date=spec.start_date,
        start=spec.start,
        duration=spec.duration,
        interval=spec.interval,
        timezone=spec.timezone,
        queues=queues,
        agent_groups=groups,
        teams=teams,
        traffic=traffic,
        business_hours=_business_hours(spec),
        after_hours_queue=spec.after_hours_queue,
        sticky_wait=spec.sticky_wait,
        vip_priority=spec.vip_priority,
    )


def _unique(
    names: list[str], section: str, key: str, what: str, problems: list[_Problem]
) -> dict[str, int]:
    """Index of each name; a repeated name is a problem at its second use."""
    index: dict[str, int] = {}
    for position, name in enumerate(names):
        if name in index:
            problems.append(
                _Problem(
                    (section, position, key),
                    f"got {show(name)} — allowed: {what} name not already used "
                    f"({section}[{index[name]}] has it)",
                )
            )
        else:
            index[name] = position
    return index


def _queue(spec: schema.QueueSpec, default_strategy: str | None) -> Queue:
    strategy = spec.strategy or default_strategy
    return Queue(
        name=spec.name,
        skills=MappingProxyType(dict(spec.skills)),
        priority=spec.priority,
        strategy=Strategy(strategy) if strategy else DEFAULT_STRATEGY,
        service_level=ServiceLevelGoal(spec.service_level.threshold, spec.service_level.target),
        max_wait=spec.max_wait,
        overflow=Overflow(spec.overflow.after, spec.overflow.to) if spec.overflow else None,
        ring_timeout=spec.ring_timeout,
    )


def _check_overflow(
    spec: schema.ScenarioSpec, queue_names: Mapping[str, int], problems: list[_Problem]
) -> None:
    targets = {queue.name: queue.overflow.to for queue in spec.queues if queue.overflow}
    reported: set[str] = set()
    for index, queue in enumerate(spec.queues):
        if queue.overflow is None:
            continue
        path = ("queues", index, "overflow", "to")
        target = queue.overflow.to
        if target not in queue_names:
            problems.append(
                _Problem(path, f"got {show(target)} — allowed: {_listing(queue_names)}")
            )
        elif target == queue.name:
            problems.append(
                _Problem(path, f"got {show(target)} — allowed: a queue other than itself")
            )
        elif queue.name not in reported:
            chain = [queue.name, target]
            while chain[-1] in targets and chain[-1] != queue.name and len(chain) <= len(targets):
                chain.append(targets[chain[-1]])
            if chain[-1] == queue.name:
                reported.update(chain)
                problems.append(
                    _Problem(
                        path,
                        f"got {show(target)} — allowed: a queue whose overflow does not lead "
                        f"back here ({' → '.join(chain)})",
                    )
                )


def _check_queue_references(
    spec: schema.ScenarioSpec, queue_names: Mapping[str, int], problems: list[_Problem]
) -> None:
    for index, entry in enumerate(spec.traffic):
        if entry.queue not in queue_names:
            problems.append(
                _Problem(
                    ("traffic", index, "queue"),
                    f"got {show(entry.queue)} — allowed: {_listing(queue_names)}",
                )
            )
    if spec.after_hours_queue is not None and spec.after_hours_queue not in queue_names:
        problems.append(
            _Problem(
                ("after_hours_queue",),
                f"got {show(spec.after_hours_queue)} — allowed: {_listing(queue_names)}",
            )
        )
    routes: dict[str, tuple[int, str]] = {}
    for index, entry in enumerate(spec.traffic):
        if entry.dnis is None:
            continue
        earlier = routes.setdefault(entry.dnis, (index, entry.queue))
        if earlier[1] != entry.queue:
            problems.append(
                _Problem(
                    ("traffic", index, "dnis"),
                    f"got {show(entry.dnis)} — allowed: a number not already routed to another "
                    f"queue (traffic[{earlier[0]}] routes it to {earlier[1]!r})",
                )
            )


def _listing(names: Mapping[str, int]) -> str:
    return "one of the queues " + ", ".join(names) if names else "a queue (none are defined)"


def _distribution(spec: schema._Distributions) -> Distribution:
    if isinstance(spec, schema.ExponentialSpec):
        return Exponential(spec.mean)
    if isinstance(spec, schema.LogNormalSpec):
        return LogNormal(spec.mean, spec.sd)
    if isinstance(spec, schema.GammaSpec):
        return Gamma(spec.mean, spec.sd)
    if isinstance(spec, schema.ConstantSpec):
        return Constant(spec.value)
    return Uniform(spec.low, spec.high)


def _agent_group(index: int, spec: schema.AgentGroupSpec, problems: list[_Problem]) -> AgentGroup:
    if spec.team is not None and spec.team_size is not None:
        problems.append(
            _Problem(
                ("agents", index, "team_size"),
                f"got {spec.team_size} together with team {spec.team!r} — allowed: one of "
                "team (all in one team) or team_size (split into teams of that size)",
            )
        )
    if spec.team_size is not None:
        teams = tuple(
            f"{spec.group}-{number}" for number in range(1, -(-spec.count // spec.team_size) + 1)
        )
    else:
        teams = (spec.team,) if spec.team is not None else ()
    return AgentGroup(
        group=spec.group,
        count=spec.count,
        skills=MappingProxyType(dict(spec.skills)),
        type=AgentType(spec.type),
        wrap_up=_distribution(spec.wrap_up),
        teams=teams,
        team_size=spec.team_size,
        shift=Shift(spec.shift.start, spec.shift.end) if spec.shift else None,
        supervises=tuple(spec.supervises),
    )


def _check_service(
    queues: tuple[Queue, ...], groups: tuple[AgentGroup, ...], problems: list[_Problem]
) -> None:
    """Someone must be able to serve every queue, or its calls could only wait."""
    for index, queue in enumerate(queues):
        if any(Agent(id="", skills=group.skills).serves(queue) for group in groups):
            continue
        needs = ", ".join(f"{skill} >= {level}" for skill, level in queue.skills.items())
        problems.append(
            _Problem(
                ("queues", index, "skills"),
                f"no agent group serves queue {queue.name!r}: none has {needs} — allowed: "
                "minimum levels that at least one agent group meets",
            )
        )


def _teams(
    spec: schema.ScenarioSpec,
    groups: tuple[AgentGroup, ...],
    group_names: Mapping[str, int],
    problems: list[_Problem],
) -> tuple[Team, ...]:
    """Every team in order of first mention, each with the supervisor who leads it."""
    names = list(dict.fromkeys(team for group in groups for team in group.teams))
    leaders: dict[str, str] = {}
    for index, group in enumerate(groups):
        if not group.supervises:
            continue
        path: KeyPath = ("agents", index, "supervises")
        if group.type is not AgentType.SUPERVISOR:
            problems.append(
                _Problem(
                    path,
                    f"set on a group of type {group.type.value!r} — allowed: only groups of "
                    "type supervisor lead teams",
                )
            )
            continue
        led: list[str] = []
        for name in group.supervises:
            if name not in group_names:
                allowed = f"agent groups {', '.join(group_names)}"
                problems.append(_Problem(path, f"got {show(name)} — allowed: {allowed}"))
            elif not groups[group_names[name]].teams:
                problems.append(
                    _Problem(
                        path,
                        f"got {show(name)} — allowed: groups with team or team_size "
                        f"(group {name!r} has no teams)",
                    )
                )
            else:
                led.extend(team for team in groups[group_names[name]].teams if team not in led)
        if led and group.count > len(led):
            problems.append(
                _Problem(
                    ("agents", index, "count"),
                    f"got {group.count} supervisors for {len(led)} teams — allowed: at most one "
                    "supervisor per team (a supervisor may lead several)",
                )
            )
        for position, team in enumerate(led):
            supervisor = group.agent_ids()[position % group.count]
            if leaders.setdefault(team, supervisor) != supervisor:
                problems.append(
                    _Problem(
                        path,
                        f"team {team!r} already has supervisor {leaders[team]!r} — allowed: "
                        "one supervisor group per team",
                    )
                )
    return tuple(Team(name, leaders.get(name)) for name in names)


def _traffic(spec: schema.TrafficSpec, interval: float) -> Traffic:
    if spec.profile is not None:
        calls = tuple(spec.profile)
    else:
        calls = ((spec.calls_per_hour or 0.0) * interval / 3600,)
    return Traffic(
        queue=spec.queue,
        calls_per_interval=calls,
        interval=interval,
        handle_time=_distribution(spec.handle_time),
        patience=_distribution(spec.patience) if spec.patience else None,
        vip_share=spec.vip_share,
        dnis=spec.dnis,
    )


def _business_hours(spec: schema.ScenarioSpec) -> BusinessHours | None:
    hours = spec.business_hours
    if hours is None:
        return None
    period = ((hours.opens, hours.closes),)
    return BusinessHours(
        timezone=spec.timezone,
        weekly=MappingProxyType(dict.fromkeys(sorted(hours.weekdays), period)),
        holidays=hours.holidays,
    )
