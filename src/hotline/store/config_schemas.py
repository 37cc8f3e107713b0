"""The shapes of configuration data: what may be written, read and changed, field by field.

Each entity has three schemas: `...Create` (every field, with defaults), `...Update` (any
subset of the fields; a field left out keeps its value, and only the fields that may be empty
accept null) and `...Read` (what the store gives back). The API uses them as request and
response bodies; `config_repo` and `config_yaml` validate through them. `TenantConfig` is a
tenant with everything it configures: the document `hotline config export` writes.

These schemas check each value on its own (ranges, names, time zones, opening hours); whether
a value names something that exists (a skill, a queue, a team) is `config_check`'s business.
Durations are seconds, as in the core.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date
from enum import StrEnum
from functools import cache
from itertools import pairwise
from typing import Annotated, Any, ClassVar, Literal
from zoneinfo import available_timezones

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    ValidationInfo,
    field_validator,
)

from hotline.core.model import DEFAULT_STRATEGY, AgentType, Strategy

Weekday = Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
WEEKDAYS: tuple[Weekday, ...] = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
"""Weekday keys of business hours, Monday first (the core's weekday 0)."""

_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]*")
_NUMBER = re.compile(r"\+?[0-9]+")
_TIME = r"(?:[01][0-9]|2[0-3]):[0-5][0-9]"
_PERIOD = re.compile(rf"({_TIME})-({_TIME}|24:00)")


def _text(value: object) -> object:
    """Refuse numbers where text is wanted, with the likely cause: YAML reads unquoted digits
    (an agent id, a phone number) as a number and drops any leading zero."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        raise ValueError(f"{value!r} must be text: put it in quotes, '{value}' "
                         "(unquoted, YAML reads it as a number and drops leading zeros)")
    return value


def _name_check(what: str, max_length: int) -> Callable[[str], str]:
    def check(value: str) -> str:
        if not _NAME.fullmatch(value) or len(value) > max_length:
            raise ValueError(f"{value!r} is not a valid {what}: use 1 to {max_length} letters, "
                             "digits, '_', '.' or '-', starting with a letter or digit")
        return value

    return check


def _check_number(value: str) -> str:
    if not _NUMBER.fullmatch(value) or len(value) > 32:
        raise ValueError(f"{value!r} is not a phone number: use up to 32 digits, "
                         "optionally after a '+'")
    return value


def _pattern(regex: re.Pattern[str], max_length: int) -> Any:
    return Field(json_schema_extra={"pattern": f"^{regex.pattern}$", "maxLength": max_length})


Name = Annotated[str, BeforeValidator(_text), AfterValidator(_name_check("name", 64)),
                 _pattern(_NAME, 64)]
"""A name in a tenant: 1 to 64 letters, digits, '_', '.' and '-', starting with a letter or
digit."""
AgentId = Annotated[str, BeforeValidator(_text), AfterValidator(_name_check("agent id", 32)),
                    _pattern(_NAME, 32)]
PhoneNumber = Annotated[str, BeforeValidator(_text), AfterValidator(_check_number),
                        _pattern(_NUMBER, 32)]
Level = Annotated[int, Field(strict=True, ge=1, le=10)]
"""A skill level: 1 (lowest) to 10."""
Priority = Annotated[int, Field(strict=True, ge=0, le=100)]
Seconds = Annotated[float, Field(strict=True, ge=0, allow_inf_nan=False)]
PositiveSeconds = Annotated[float, Field(strict=True, gt=0, allow_inf_nan=False)]
SkillLevels = dict[Name, Level]


@cache
def _time_zones() -> frozenset[str]:
    return frozenset(available_timezones())


def _check_timezone(value: str) -> str:
    if value not in _time_zones():
        raise ValueError(f"unknown time zone {value!r}: use an IANA name such as "
                         "'Asia/Shanghai', 'Europe/Paris' or 'UTC'")
    return value


Timezone = Annotated[str, AfterValidator(_check_timezone)]


def _distinct_in_order(days: list[date]) -> list[date]:
    return sorted(set(days))


Holidays = Annotated[list[date], AfterValidator(_distinct_in_order)]


def _check_period(value: str) -> str:
    match = _PERIOD.fullmatch(value)
    if match is None or match[1] >= match[2]:
        raise ValueError(f"{value!r} is not an opening period: write 'HH:MM-HH:MM' (00:00 to "
                         "24:00) opening before closing, e.g. '08:00-20:00'; a period past "
                         "midnight is two periods, one on each day")
    return value


def _check_day(periods: list[str]) -> list[str]:
    ordered = sorted(periods)
    for before, after in pairwise(ordered):
        if after[:5] < before[6:]:
            raise ValueError(f"periods {before!r} and {after!r} overlap")
    return ordered


def _week_in_order(week: dict[str, list[str]]) -> dict[str, list[str]]:
    return {day: week[day] for day in WEEKDAYS if week.get(day)}


Period = Annotated[str, AfterValidator(_check_period), Field(examples=["08:00-20:00"])]
WeeklyHours = Annotated[
    dict[Weekday, Annotated[list[Period], AfterValidator(_check_day)]],
    AfterValidator(_week_in_order),
]


class _Schema(BaseModel):
    model_config = ConfigDict(extra="forbid")


def _document_update(schema: dict[str, Any], model: type[_Update]) -> None:
    """In the API documentation, an update schema's field reads as the same field of the
    schema it changes (description, examples), and offers null only where null is allowed."""
    for name, field_schema in schema.get("properties", {}).items():
        field = model.changes.model_fields[name]
        if field.description:
            field_schema.setdefault("description", field.description)
        if field.examples:
            field_schema.setdefault("examples", field.examples)
        options = field_schema.get("anyOf", [])
        if name not in model.nullable and {"type": "null"} in options:
            options.remove({"type": "null"})
            if len(options) == 1:
                field_schema.update(options.pop())
                del field_schema["anyOf"]
        if name not in model.nullable:
            field_schema.pop("default", None)


class _Update(_Schema):
    """A change to some fields of a `changes` schema: those left out keep their values; null
    is accepted only by the fields listed in `nullable` (null there means "none")."""

    model_config = ConfigDict(json_schema_extra=_document_update)

    changes: ClassVar[type[BaseModel]]
    nullable: ClassVar[frozenset[str]] = frozenset()

    @field_validator("*")
    @classmethod
    def _null_only_where_allowed(cls, value: object, info: ValidationInfo) -> object:
        if value is None and info.field_name not in cls.nullable:
            raise ValueError("may not be null: leave the field out to keep its value")
        return value


# Tenants


class TenantCreate(_Schema):
    """A tenant: one organisation's contact center, with its time zone and routing defaults."""

    model_config = ConfigDict(json_schema_extra={"examples": [{
        "name": "demo", "timezone": "Asia/Shanghai",
        "business_hours": {day: ["08:00-20:00"] for day in WEEKDAYS},
        "holidays": ["2024-02-10"], "after_hours_queue": "repair",
    }]})

    name: Name = Field(description="The tenant's name, unique; users give it when they log in.",
                       examples=["demo"])
    timezone: Timezone = Field(
        "UTC", description="IANA time zone of business hours, holidays and reports.",
        examples=["Asia/Shanghai"])
    business_hours: WeeklyHours | None = Field(
        None, description="Opening periods per weekday ('mon' to 'sun'), 'HH:MM-HH:MM' in the "
        "tenant's time zone; a weekday left out is closed. Null: open round the clock.",
        examples=[{"mon": ["08:00-12:00", "13:00-20:00"], "sat": ["09:00-13:00"]}])
    holidays: Holidays = Field(
        default_factory=list, description="Dates the center is closed all day (ISO dates).",
        examples=[["2024-02-10", "2024-02-11"]])
    default_queue: Name | None = Field(
        None, description="Queue for calls that neither name a queue nor match a DNIS route.",
        examples=["inquiry"])
    after_hours_queue: Name | None = Field(
        None, description="Queue for calls outside business hours (duty agents); null: such "
        "calls are rejected as closed.", examples=["repair"])
    vip_priority: Priority = Field(
        10, description="Added to the queue priority of callers on the VIP list.")
    sticky_wait: Seconds | None = Field(
        None, description="Seconds a returning caller's call is kept for their last agent; "
        "null: no sticky routing.", examples=[30])
    sticky_memory: PositiveSeconds = Field(
        7 * 86400.0, description="Seconds a caller's last agent is remembered.")
    default_flow: Name | None = Field(
        None, description="Published IVR flow that calls to a number without a DNIS route "
        "run first; null: such calls go straight to routing.", examples=["gas_utility"])


class TenantUpdate(_Update):
    """A change to a tenant's settings (its name cannot change: the journal is kept by it)."""

    changes = TenantCreate
    nullable = frozenset({"business_hours", "default_queue", "after_hours_queue", "sticky_wait",
                          "default_flow"})

    timezone: Timezone | None = None
    business_hours: WeeklyHours | None = None
    holidays: Holidays | None = None
    default_queue: Name | None = None
    after_hours_queue: Name | None = None
    vip_priority: Priority | None = None
    sticky_wait: Seconds | None = None
    sticky_memory: PositiveSeconds | None = None
    default_flow: Name | None = None


class TenantRead(TenantCreate):
    """A tenant as stored; `id` is what users' `tenant_id` refers to."""

    id: int = Field(description="The tenant's key in the database.")


# Skills, teams


class SkillCreate(_Schema):
    """A skill that queues require and agents hold, each at a level from 1 to 10."""

    name: Name = Field(description="The skill's name, unique in the tenant.", examples=["repair"])
    description: str = Field("", max_length=256, description="What the skill covers.",
                             examples=["Gas leaks and faults: takes repair reports"])


class SkillUpdate(_Update):
    """A change to a skill; renaming it renames it in every queue and agent."""

    changes = SkillCreate

    name: Name | None = None
    description: str | None = Field(None, max_length=256)


class SkillRead(SkillCreate):
    """A skill as stored."""


class TeamCreate(_Schema):
    """A team of agents led by a supervisor."""

    name: Name = Field(description="The team's name, unique in the tenant.",
                       examples=["booking-1"])
    supervisor: AgentId | None = Field(
        None, description="Agent id of the team's supervisor.", examples=["1019"])


class TeamUpdate(_Update):
    """A change to a team; renaming it moves its agents along."""

    changes = TeamCreate
    nullable = frozenset({"supervisor"})

    name: Name | None = None
    supervisor: AgentId | None = None


class TeamRead(TeamCreate):
    """A team as stored."""


# Queues


class ServiceLevel(_Schema):
    """Answer `target` (a fraction) of the calls within `threshold` seconds: 80/20 is
    {threshold: 20, target: 0.8}."""

    threshold: Seconds = Field(20.0, description="Seconds.", examples=[20])
    target: float = Field(0.8, strict=True, gt=0, le=1, description="Fraction in (0, 1].",
                          examples=[0.8])


class Overflow(_Schema):
    """After waiting `after` seconds, a call moves to queue `to`."""

    after: Seconds = Field(description="Seconds of waiting before the move.", examples=[45])
    to: Name = Field(description="The queue the call moves to.", examples=["delivery_expert"])


class QueueCreate(_Schema):
    """A queue that calls wait in until an agent with the required skills takes them."""

    model_config = ConfigDict(json_schema_extra={"examples": [{
        "name": "delivery", "skills": {"delivery": 2}, "priority": 0,
        "service_level": {"threshold": 20, "target": 0.8},
        "overflow": {"after": 45, "to": "delivery_expert"},
    }]})

    name: Name = Field(description="The queue's name, unique in the tenant.",
                       examples=["repair"])
    skills: SkillLevels = Field(
        default_factory=dict, description="Skills an agent needs, each at least at this level "
        "(1 to 10), to serve the queue.", examples=[{"repair": 1}])
    priority: Priority = Field(
        0, description="0 to 100; an agent serving several queues takes the highest first.")
    strategy: Strategy = Field(DEFAULT_STRATEGY,
                               description="How the queue picks among its ready agents.")
    service_level: ServiceLevel = Field(
        default_factory=lambda: ServiceLevel(threshold=20.0, target=0.8),
        description="The queue's service-level goal.")
    max_wait: PositiveSeconds | None = Field(
        None, description="Seconds after which a waiting call leaves the queue; null: no limit.")
    overflow: Overflow | None = Field(None, description="Where long waits move to; null: none.")
    ring_timeout: PositiveSeconds = Field(
        20.0, description="Seconds an offered call rings an agent before going to the next.")


class QueueUpdate(_Update):
    """A change to a queue (`service_level` and `overflow` are replaced whole); renaming it
    renames it in overflows, DNIS routes and the tenant's routing."""

    changes = QueueCreate
    nullable = frozenset({"max_wait", "overflow"})

    name: Name | None = None
    skills: SkillLevels | None = None
    priority: Priority | None = None
    strategy: Strategy | None = None
    service_level: ServiceLevel | None = None
    max_wait: PositiveSeconds | None = None
    overflow: Overflow | None = None
    ring_timeout: PositiveSeconds | None = None


class QueueRead(QueueCreate):
    """A queue as stored."""


# Agents


class AgentCreate(_Schema):
    """An agent: who takes calls, with which skills, in which team."""

    model_config = ConfigDict(json_schema_extra={"examples": [{
        "id": "1001", "name": "Chen Jing", "type": "standard", "team": "booking-1",
        "skills": {"delivery": 3}, "wrap_up": 10,
    }]})

    id: AgentId = Field(description="The agent's id, unique in the tenant: what they log in "
                        "as on the CTI API.", examples=["1001"])
    name: str = Field("", max_length=128, description="The agent's full name.",
                      examples=["Chen Jing"])
    type: AgentType = Field(AgentType.STANDARD, description="standard, expert or supervisor.")
    team: Name | None = Field(None, description="The agent's team; null: none.",
                              examples=["booking-1"])
    skills: SkillLevels = Field(default_factory=dict,
                                description="Skills the agent holds, each at a level 1 to 10.",
                                examples=[{"delivery": 3}])
    wrap_up: Seconds | None = Field(
        0.0, description="Seconds of after-call work before the agent is ready again; null: "
        "until the agent ends it.", examples=[10])


class AgentUpdate(_Update):
    """A change to an agent; a new id follows into the team they supervise."""

    changes = AgentCreate
    nullable = frozenset({"team", "wrap_up"})

    id: AgentId | None = None
    name: str | None = Field(None, max_length=128)
    type: AgentType | None = None
    team: Name | None = None
    skills: SkillLevels | None = None
    wrap_up: Seconds | None = None


class AgentRead(AgentCreate):
    """An agent as stored."""


# Routing and lists


class DnisRouteCreate(_Schema):
    """Calls to a dialled number run an IVR flow, or go straight to a queue."""

    dnis: PhoneNumber = Field(description="The number dialled.", examples=["96777"])
    queue: Name = Field(description="The queue its calls go to when no flow sends them "
                        "elsewhere.", examples=["inquiry"])
    flow: Name | None = Field(
        None, description="Published IVR flow its calls run first; null: no IVR, its calls "
        "go straight to the queue (the tenant's default_flow is for numbers without a "
        "route).", examples=["gas_utility"])


class DnisRouteUpdate(_Update):
    """A change to a DNIS route."""

    changes = DnisRouteCreate
    nullable = frozenset({"flow"})

    dnis: PhoneNumber | None = None
    queue: Name | None = None
    flow: Name | None = None


class DnisRouteRead(DnisRouteCreate):
    """A DNIS route as stored."""


class NotReadyReasonCreate(_Schema):
    """A reason an agent gives for not being ready, e.g. lunch."""

    code: Name = Field(description="What the CTI API's not_ready command names.",
                       examples=["lunch"])
    label: str = Field(min_length=1, max_length=128, description="What people read.",
                       examples=["Lunch break"])


class NotReadyReasonUpdate(_Update):
    """A change to a not-ready reason."""

    changes = NotReadyReasonCreate

    code: Name | None = None
    label: str | None = Field(None, min_length=1, max_length=128)


class NotReadyReasonRead(NotReadyReasonCreate):
    """A not-ready reason as stored."""


class CallerList(StrEnum):
    """The lists a caller's number can be on: the blacklist is refused (busy), VIPs go
    ahead in the queue by the tenant's `vip_priority`."""

    BLACKLIST = "blacklist"
    VIP = "vip"


class CallerListEntryCreate(_Schema):
    """A caller's number on the blacklist or the VIP list (on one of them at most)."""

    number: PhoneNumber = Field(description="The caller's number (ANI).",
                                examples=["13800138000"])
    list: CallerList = Field(description="blacklist or vip.", examples=["blacklist"])
    note: str = Field("", max_length=256, description="Why the number is on the list.",
                      examples=["Abusive calls, reported 2024-02-01"])


class CallerListEntryUpdate(_Update):
    """A change to a caller list entry (moving a number to the other list is a change)."""

    changes = CallerListEntryCreate

    number: PhoneNumber | None = None
    list: CallerList | None = None
    note: str | None = Field(None, max_length=256)


class CallerListEntryRead(CallerListEntryCreate):
    """A caller list entry as stored."""


class FlowDocument(BaseModel):
    """An IVR flow as a flow file holds it (`docs/ivr.md`): its `name`, then `start`,
    `nodes`... Only the name is checked here; `config_check` has the IVR load and validate
    the rest."""

    model_config = ConfigDict(extra="allow")

    name: Name = Field(description="The flow's name, unique in the tenant.",
                       examples=["gas_utility"])


class TenantConfig(TenantCreate):
    """A tenant with everything it configures: what `hotline config export` writes and
    `hotline config import` reads. Names within each list are unique. `flows` are the
    published versions of the tenant's IVR flows."""

    skills: list[SkillCreate] = Field(default_factory=list)
    teams: list[TeamCreate] = Field(default_factory=list)
    queues: list[QueueCreate] = Field(default_factory=list)
    agents: list[AgentCreate] = Field(default_factory=list)
    dnis_routes: list[DnisRouteCreate] = Field(default_factory=list)
    not_ready_reasons: list[NotReadyReasonCreate] = Field(default_factory=list)
    caller_lists: list[CallerListEntryCreate] = Field(default_factory=list)
    flows: list[FlowDocument] = Field(default_factory=list)
