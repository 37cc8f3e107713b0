"""Whether a tenant's configuration holds together, and the core tenant it describes.

`config_schemas` checks each value on its own; this module checks a whole `TenantConfig`:
names are unique in each list, every name used refers to something the tenant has (the skills
of queues and agents, the queues of overflows, DNIS routes and routing defaults, agents' teams,
teams' supervisors, the IVR flows that routing runs), that each flow loads and passes the
IVR's `validate`, and then the core's own `tenant_problems` (overflow rings, ...). Problems
are located by a path into the configuration document, `("queues", 2, "overflow", "to")`, which
an import file shows as `queues[2].overflow.to` and a single change as
`queue 'delivery' overflow.to`. A refused change raises `ConfigError` with every problem.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from types import MappingProxyType, NoneType, UnionType
from typing import Annotated, Any, Union, get_args, get_origin

from pydantic import BaseModel, ValidationError
from pydantic_core import ErrorDetails

from hotline.core.hours import BusinessHours
from hotline.core.model import Agent, Overflow, Queue, ServiceLevelGoal, Team, Tenant
from hotline.core.tenant_check import tenant_problems
from hotline.ivr import FlowLoadError, validate
from hotline.store.config_schemas import WEEKDAYS, CallerList, FlowDocument, TenantConfig
from hotline.store.ivr_documents import load_document

Loc = tuple[str | int, ...]
"""Where in a configuration document: keys and list positions, outermost first."""

COLLECTIONS: dict[str, tuple[str, str]] = {
    "skills": ("skill", "name"),
    "teams": ("team", "name"),
    "queues": ("queue", "name"),
    "agents": ("agent", "id"),
    "dnis_routes": ("DNIS route", "dnis"),
    "not_ready_reasons": ("not-ready reason", "code"),
    "caller_lists": ("caller list entry", "number"),
    "flows": ("flow", "name"),
}
"""Each list of a `TenantConfig`: what one item is called and the field naming it."""

_PLAIN_KEY = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


@dataclass(frozen=True, slots=True)
class Problem:
    """One thing wrong: where (a path or an entity) and what, with what is allowed."""

    where: str
    message: str

    def __str__(self) -> str:
        return f"{self.where}: {self.message}" if self.where else self.message


class ConfigError(ValueError):
    """A configuration change or file was refused and nothing was changed; `problems` holds
    each thing wrong with it."""

    def __init__(self, problems: Sequence[Problem] | str) -> None:
        self.problems = (Problem("", problems),) if isinstance(problems, str) else tuple(problems)
        super().__init__("; ".join(str(problem) for problem in self.problems))


class ConfigNotFound(ConfigError):
    """The tenant, or the entity in it, that a change or a read names does not exist."""


def document_path(loc: Loc) -> str:
    """`("queues", 2, "overflow", "to")` as `queues[2].overflow.to`."""
    text = ""
    for step in loc:
        if isinstance(step, int):
            text += f"[{step}]"
        elif _PLAIN_KEY.fullmatch(step):
            text += f".{step}" if text else step
        else:
            text += f"[{step!r}]"
    return text


def entity_path(config: TenantConfig, loc: Loc) -> str:
    """`("queues", 2, "overflow", "to")` as `queue 'delivery' overflow.to`, naming the item
    of `config` at that position."""
    if len(loc) >= 2 and isinstance(loc[0], str) and loc[0] in COLLECTIONS:
        label, key = COLLECTIONS[loc[0]]
        position = loc[1]
        if isinstance(position, int):
            item = getattr(config, loc[0])[position]
            rest = document_path(loc[2:])
            return f"{label} {getattr(item, key)!r}" + (f" {rest}" if rest else "")
    rest = document_path(loc)
    return f"tenant {config.name!r}" + (f" {rest}" if rest else "")


def validation_problems(
    error: ValidationError, model: type[BaseModel], where: Callable[[Loc], str]
) -> list[Problem]:
    """Pydantic's complaints about data for `model`, each placed by `where` and worded as
    what is wrong and what is allowed."""
    problems = []
    for detail in error.errors(include_url=False):
        loc = tuple(step for step in detail["loc"] if step != "[key]")
        problems.append(Problem(where(loc), _message(detail, model)))
    return problems


def _message(detail: ErrorDetails, model: type[BaseModel]) -> str:
    kind = detail["type"]
    if kind == "missing":
        return "is required"
    if kind == "extra_forbidden":
        fields = _fields_at(model, tuple(detail["loc"][:-1]))
        return "is not a field here" + (f" (fields: {', '.join(fields)})" if fields else "")
    if kind == "value_error":
        return detail["msg"].removeprefix("Value error, ")
    text = repr(detail["input"])
    shown = text if len(text) <= 60 else text[:57] + "..."
    return f"{detail['msg'].replace('Input should be', 'must be')} (got {shown})"


def _fields_at(model: type[BaseModel], loc: Loc) -> list[str]:
    """The fields of the schema found at `loc` inside `model`, if it is one."""
    current: Any = model
    for step in loc:
        current = _bare(current)
        if isinstance(current, type) and issubclass(current, BaseModel):
            if not isinstance(step, str) or step not in current.model_fields:
                return []
            current = current.model_fields[step].annotation
        elif get_origin(current) in (list, dict):
            current = get_args(current)[-1]
        else:
            return []
    current = _bare(current)
    if isinstance(current, type) and issubclass(current, BaseModel):
        return list(current.model_fields)
    return []


def _bare(annotation: Any) -> Any:
    """`annotation` without `Annotated[...]` and without `| None`."""
    while True:
        origin = get_origin(annotation)
        if origin is Annotated:
            annotation = get_args(annotation)[0]
        elif origin in (Union, UnionType):
            members = [arg for arg in get_args(annotation) if arg is not NoneType]
            if len(members) != 1:
                return annotation
            annotation = members[0]
        else:
            return annotation


def config_problems(config: TenantConfig) -> list[tuple[Loc, str]]:
    """Everything that does not hold together in `config`, each with its place; empty when
    the tenant is consistent."""
    problems = _duplicates(config)
    skills = [skill.name for skill in config.skills]
    queues = [queue.name for queue in config.queues]
    teams = [team.name for team in config.teams]
    agents = [agent.id for agent in config.agents]
    for i, queue in enumerate(config.queues):
        for skill in queue.skills:
            problems += _unknown(("queues", i, "skills", skill), skill, "skill", skills)
        if queue.overflow is not None:
            where: Loc = ("queues", i, "overflow", "to")
            if queue.overflow.to == queue.name:
                problems.append((where, f"{queue.name!r} is the queue itself; an overflow "
                                        "moves calls to another queue"))
            else:
                problems += _unknown(where, queue.overflow.to, "queue", queues)
    for i, agent in enumerate(config.agents):
        for skill in agent.skills:
            problems += _unknown(("agents", i, "skills", skill), skill, "skill", skills)
        if agent.team is not None:
            problems += _unknown(("agents", i, "team"), agent.team, "team", teams)
    for i, team in enumerate(config.teams):
        if team.supervisor is not None:
            problems += _unknown(("teams", i, "supervisor"), team.supervisor, "agent", agents)
    flows = [flow.name for flow in config.flows]
    for i, route in enumerate(config.dnis_routes):
        problems += _unknown(("dnis_routes", i, "queue"), route.queue, "queue", queues)
        if route.flow is not None:
            problems += _unknown(("dnis_routes", i, "flow"), route.flow, "published flow", flows)
    for field in ("default_queue", "after_hours_queue"):
        target = getattr(config, field)
        if target is not None:
            problems += _unknown((field,), target, "queue", queues)
    if config.default_flow is not None:
        problems += _unknown(("default_flow",), config.default_flow, "published flow", flows)
    for i, flow in enumerate(config.flows):
        problems += _flow_problems(("flows", i), flow)
    if not problems:
        problems += [((), problem) for problem in tenant_problems(core_tenant(config))]
    return problems


def _flow_problems(where: Loc, flow: FlowDocument) -> list[tuple[Loc, str]]:
    """Why the flow document at `where` could not be published, if it could not."""
    try:
        _, loaded = load_document(flow.model_dump(mode="json"))
    except FlowLoadError as error:
        return [(where + _key_path(path), message) for path, message in error.errors]
    return [(where, problem.message) for problem in validate(loaded)]


def _key_path(path: str) -> Loc:
    """The IVR loader's `nodes.menu.prompts[0].tts` as a `Loc`."""
    loc: list[str | int] = []
    for part in path.split("."):
        key, *indexes = part.split("[")
        if key:
            loc.append(key)
        loc += [int(index.rstrip("]")) for index in indexes if index.rstrip("]").isdigit()]
    return tuple(loc)


def _duplicates(config: TenantConfig) -> list[tuple[Loc, str]]:
    problems: list[tuple[Loc, str]] = []
    for collection, (_, key) in COLLECTIONS.items():
        seen: dict[str, int] = {}
        for i, item in enumerate(getattr(config, collection)):
            value = getattr(item, key)
            if value in seen:
                problems.append(((collection, i, key), f"{value!r} is defined twice (also "
                                                       f"{collection}[{seen[value]}])"))
            seen.setdefault(value, i)
    return problems


def _unknown(where: Loc, name: str, kind: str, known: Sequence[str]) -> list[tuple[Loc, str]]:
    """A problem at `where` if `name` is not among the `known` names of `kind`."""
    if name in known:
        return []
    article = "an" if kind[0] in "aeiou" else "a"
    return [(where, f"{name!r} is not {article} {kind} ({choices(kind, known)})")]


def choices(kind: str, names: Sequence[str]) -> str:
    """`queues: repair, delivery` (the first dozen), or `no queues defined`."""
    if not names:
        return f"no {kind}s defined"
    more = f" and {len(names) - 12} more" if len(names) > 12 else ""
    return f"{kind}s: {', '.join(names[:12])}{more}"


def core_tenant(config: TenantConfig) -> Tenant:
    """The core's `Tenant` that `config` describes (not checked: see `config_problems`)."""
    hours = None
    if config.business_hours is not None or config.holidays:
        # No weekly hours but holidays: open round the clock except on those days.
        week = config.business_hours or {day: ["00:00-24:00"] for day in WEEKDAYS}
        hours = BusinessHours(
            timezone=config.timezone,
            weekly=MappingProxyType({WEEKDAYS.index(day): tuple(map(_seconds, periods))
                                     for day, periods in week.items()}),
            holidays=frozenset(config.holidays),
        )
    return Tenant(
        name=config.name,
        timezone=config.timezone,
        queues=tuple(
            Queue(
                name=queue.name,
                skills=MappingProxyType(dict(queue.skills)),
                priority=queue.priority,
                strategy=queue.strategy,
                service_level=ServiceLevelGoal(queue.service_level.threshold,
                                               queue.service_level.target),
                max_wait=queue.max_wait,
                overflow=(None if queue.overflow is None
                          else Overflow(queue.overflow.after, queue.overflow.to)),
                ring_timeout=queue.ring_timeout,
            )
            for queue in config.queues
        ),
        agents=tuple(
            Agent(id=agent.id, name=agent.name, type=agent.type,
                  skills=MappingProxyType(dict(agent.skills)), team=agent.team,
                  wrap_up=agent.wrap_up)
            for agent in config.agents
        ),
        teams=tuple(Team(team.name, team.supervisor) for team in config.teams),
        not_ready_reasons=tuple(reason.code for reason in config.not_ready_reasons),
        dnis_routes=MappingProxyType({route.dnis: route.queue for route in config.dnis_routes}),
        dnis_flows=MappingProxyType({route.dnis: route.flow for route in config.dnis_routes
                                     if route.flow is not None}),
        default_flow=config.default_flow,
        default_queue=config.default_queue,
        blacklist=frozenset(entry.number for entry in config.caller_lists
                            if entry.list is CallerList.BLACKLIST),
        vip_numbers=frozenset(entry.number for entry in config.caller_lists
                              if entry.list is CallerList.VIP),
        vip_priority=config.vip_priority,
        business_hours=hours,
        after_hours_queue=config.after_hours_queue,
        sticky_wait=config.sticky_wait,
        sticky_memory=config.sticky_memory,
    )


def _seconds(period: str) -> tuple[float, float]:
    """'08:00-20:00' as (28800.0, 72000.0): seconds after local midnight."""
    start, end = (int(time[:2]) * 3600.0 + int(time[3:]) * 60.0 for time in period.split("-"))
    return start, end
