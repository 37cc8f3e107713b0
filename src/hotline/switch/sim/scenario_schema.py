"""The scenario file's grammar: what each key accepts, checked one value at a time.

Pydantic models mirror the YAML layout; `scenario.py` turns a validated `ScenarioSpec` into
the simulator's and the core's objects and checks how the parts refer to each other.

Every rejection here is a `PydanticCustomError` whose type starts with `hotline_` and whose
message reads "got <value> — allowed: <what>", so `scenario.py` can print it after the key
path unchanged. Two habits of the file format are deliberate:

* Unknown keys are errors that list the allowed keys: a misspelt optional key would otherwise
  be silently ignored and the run would quietly use a default.
* Leaf values are parsed by our own validators rather than pydantic's lax coercion, which
  would, for instance, accept `true` as the agent count 1.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Mapping
from datetime import date, datetime
from difflib import get_close_matches
from enum import StrEnum
from typing import Annotated, Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import (
    AliasChoices,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    model_validator,
)
from pydantic_core import ErrorDetails, PydanticCustomError

from hotline.core.model import AgentType, Strategy

DAY = 86400.0
DEFAULT_DATE = date(2024, 3, 4)
DURATION_HELP = "a duration such as 30s, 5m, 12h, 1h30m, 2d or plain seconds"
TIME_OF_DAY_HELP = 'a time of day in quotes, "HH:MM" or "HH:MM:SS", from "00:00" to "24:00"'
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
DISTRIBUTIONS = ("exponential", "lognormal", "gamma", "constant", "uniform")

_DURATION = re.compile(
    r"(?:(?P<d>\d+(?:\.\d*)?)d)?(?:(?P<h>\d+(?:\.\d*)?)h)?"
    r"(?:(?P<m>\d+(?:\.\d*)?)m)?(?:(?P<s>\d+(?:\.\d*)?)s)?"
)
_SECONDS_PER_UNIT = {"d": DAY, "h": 3600.0, "m": 60.0, "s": 1.0}
_TIME_OF_DAY = re.compile(r"(\d{1,2}):(\d{2})(?::(\d{2}))?")


def show(value: object) -> str:
    """A value as an error message quotes it: repr, cut short when long."""
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def rejected(value: object, allowed: str, key: str | int | None = None) -> PydanticCustomError:
    """The error for a bad value; `key` names a sub-key the message is about, if any."""
    context: dict[str, Any] = {"value": show(value), "allowed": allowed}
    if key is not None:
        context["key"] = key
    return PydanticCustomError("hotline_value", "got {value} — allowed: {allowed}", context)


def _as_float(value: object) -> float | None:
    """A YAML number as a float; None for anything else, booleans included."""
    return float(value) if isinstance(value, int | float) and not isinstance(value, bool) else None


def parse_duration(value: object) -> float:
    """Seconds in `value`: a number of seconds, or text like "30s", "5m", "1h30m", "2d".

    Raises ValueError, naming the accepted forms, for anything else (negative included).
    """
    number = _as_float(value)
    if number is not None:
        seconds = number
    elif isinstance(value, str):
        text = value.strip().replace(" ", "").lower()
        match = _DURATION.fullmatch(text)
        if re.fullmatch(r"\d+(?:\.\d*)?", text):
            seconds = float(text)
        elif text and match:
            seconds = sum(
                float(amount) * _SECONDS_PER_UNIT[unit]
                for unit, amount in match.groupdict().items()
                if amount is not None
            )
        else:
            raise ValueError(f"got {show(value)} — allowed: {DURATION_HELP}")
    else:
        raise ValueError(f"got {show(value)} — allowed: {DURATION_HELP}")
    if not math.isfinite(seconds) or seconds < 0:
        raise ValueError(f"got {show(value)} — allowed: {DURATION_HELP}, not negative")
    return seconds


def parse_time_of_day(value: object) -> float:
    """Seconds after midnight in "HH:MM" or "HH:MM:SS" text, "24:00" included."""
    match = _TIME_OF_DAY.fullmatch(value.strip()) if isinstance(value, str) else None
    if match is None:
        raise ValueError(f"got {show(value)} — allowed: {TIME_OF_DAY_HELP}")
    hours, minutes, seconds = (int(part) if part else 0 for part in match.groups())
    total = hours * 3600.0 + minutes * 60.0 + seconds
    if minutes > 59 or seconds > 59 or total > DAY:
        raise ValueError(f"got {show(value)} — allowed: {TIME_OF_DAY_HELP}")
    return total


def clock(seconds: float) -> str:
    """Seconds after midnight as "HH:MM", or "HH:MM:SS" when not on a whole minute."""
    minutes, second = divmod(round(seconds), 60)
    text = f"{minutes // 60:02d}:{minutes % 60:02d}"
    return f"{text}:{second:02d}" if second else text


def _wrap(parse: Callable[[object], float]) -> Callable[[object], float]:
    def validate(value: object) -> float:
        try:
            return parse(value)
        except ValueError as error:
            context = {"message": str(error)}
            raise PydanticCustomError("hotline_value", "{message}", context) from None

    return validate


def _positive_duration(value: object) -> float:
    seconds = parse_duration(value)
    if seconds <= 0:
        raise ValueError(f"got {show(value)} — allowed: {DURATION_HELP}, more than zero")
    return seconds


def _time_before_midnight(value: object) -> float:
    seconds = parse_time_of_day(value)
    if seconds >= DAY:
        raise ValueError(f'got {show(value)} — allowed: a time of day from "00:00" to "23:59"')
    return seconds


Duration = Annotated[float, BeforeValidator(_wrap(parse_duration))]
PositiveDuration = Annotated[float, BeforeValidator(_wrap(_positive_duration))]
TimeOfDay = Annotated[float, BeforeValidator(_wrap(parse_time_of_day))]
StartTime = Annotated[float, BeforeValidator(_wrap(_time_before_midnight))]


def _whole(minimum: int | None) -> Callable[[object], int]:
    allowed = "a whole number" + ("" if minimum is None else f" >= {minimum}")

    def validate(value: object) -> int:
        number = _as_float(value)
        if number is not None and number.is_integer() and (minimum is None or number >= minimum):
            return int(number)
        raise rejected(value, allowed)

    return validate


def _number(low: float, high: float = math.inf) -> Callable[[object], float]:
    bounds = f">= {low:g}" + ("" if high == math.inf else f" and <= {high:g}")

    def validate(value: object) -> float:
        number = _as_float(value)
        if number is not None and math.isfinite(number) and low <= number <= high:
            return number
        raise rejected(value, f"a number {bounds}")

    return validate


def _fraction(value: object) -> float:
    """A share such as 0.8 or "80%"; more than 0 and at most 1."""
    number = _as_float(value)
    if isinstance(value, str) and re.fullmatch(r"\s*\d+(?:\.\d*)?\s*%\s*", value):
        number = float(value.strip().rstrip("%")) / 100
    if number is not None and 0 < number <= 1:
        return number
    raise rejected(value, 'a fraction more than 0 and at most 1, such as 0.8 or "80%"')


def _name(value: object) -> str:
    if isinstance(value, str) and value.strip() == value and value:
        return value
    raise rejected(value, "a non-empty name without leading or trailing spaces")


def _text(value: object) -> str:
    if isinstance(value, str):
        return value
    raise rejected(value, "text")


def _phone_number(value: object) -> str:
    if isinstance(value, str) and value.strip():
        return value.strip()
    raise rejected(value, 'a called number in quotes, such as "95158"')


def _choice(values: tuple[str, ...]) -> Callable[[object], str]:
    def validate(value: object) -> str:
        if isinstance(value, str) and value.strip().lower() in values:
            return value.strip().lower()
        raise rejected(value, ", ".join(values))

    return validate


def _enum_choice(enum: type[StrEnum]) -> Callable[[object], str]:
    return _choice(tuple(member.value for member in enum))


def _skills(value: object) -> dict[str, int]:
    """{skill: level} with whole levels 1 to 10 (the core's range), or a list of skill names
    meaning level 1."""
    allowed = "a mapping of skill name to a whole level from 1 to 10, such as {general: 5}"
    if isinstance(value, list) and all(isinstance(item, str) and item for item in value):
        return dict.fromkeys(value, 1)
    if not isinstance(value, dict):
        raise rejected(value, allowed)
    for skill, level in value.items():
        if not isinstance(skill, str) or not skill:
            raise rejected(skill, "a skill name", key=str(skill))
        if isinstance(level, bool) or not isinstance(level, int) or not 1 <= level <= 10:
            raise rejected(level, "a whole level from 1 to 10", key=skill)
    return value


def _weekdays(value: object) -> frozenset[int]:
    """Day names (mon..sun, or in full) and ranges such as "mon-fri", as a list or one text."""
    allowed = f"day names {', '.join(WEEKDAYS)} or ranges such as mon-fri"
    items = [value] if isinstance(value, str) else value
    if not isinstance(items, list) or not items:
        raise rejected(value, allowed)
    days: set[int] = set()
    for item in items:
        ends = [part.strip() for part in item.lower().split("-")] if isinstance(item, str) else []
        if not 1 <= len(ends) <= 2 or any(end not in _DAY_NUMBERS for end in ends):
            raise rejected(item, allowed)
        first, last = _DAY_NUMBERS[ends[0]], _DAY_NUMBERS[ends[-1]]
        wrapped = [*range(first, 7), *range(last + 1)]  # "sat-mon" runs over the week's end
        days.update(range(first, last + 1) if first <= last else wrapped)
    return frozenset(days)


_DAY_NUMBERS = {
    **{name: number for number, name in enumerate(WEEKDAYS)},
    **{
        name: number
        for number, name in enumerate(
            ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
        )
    },
}


def _dates(value: object) -> frozenset[date]:
    allowed = "a list of dates YYYY-MM-DD"
    if not isinstance(value, list):
        raise rejected(value, allowed)
    days: set[date] = set()
    for item in value:
        if isinstance(item, date) and not isinstance(item, datetime):
            days.add(item)
            continue
        try:
            days.add(date.fromisoformat(item) if isinstance(item, str) else date.fromisoformat(""))
        except ValueError:
            raise rejected(item, "a date YYYY-MM-DD") from None
    return frozenset(days)


def _date(value: object) -> date:
    if isinstance(value, date) and not isinstance(value, datetime):
        return value
    try:
        return date.fromisoformat(value) if isinstance(value, str) else date.fromisoformat("")
    except ValueError:
        raise rejected(value, "a date YYYY-MM-DD") from None


def _timezone(value: object) -> str:
    allowed = "an IANA time-zone name such as UTC, Asia/Shanghai or America/Sao_Paulo"
    if not isinstance(value, str) or not value:
        raise rejected(value, allowed)
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError):
        raise rejected(value, allowed) from None
    return value


def _names(value: object) -> list[str]:
    items = [value] if isinstance(value, str) else value
    if isinstance(items, list) and all(isinstance(item, str) and item for item in items):
        return items
    raise rejected(value, "a group name or a list of group names")


def _numbers_at_least_zero(value: object) -> list[float]:
    allowed = "a non-empty list of calls per report interval, each a number >= 0"
    if not isinstance(value, list) or not value:
        raise rejected(value, allowed)
    for index, item in enumerate(value):
        number = _as_float(item)
        if number is None or not 0 <= number < math.inf:
            raise rejected(item, "a number of calls >= 0", key=index)
    return [float(item) for item in value]


def _list_of_mappings(what: str) -> Callable[[object], object]:
    def validate(value: object) -> object:
        if isinstance(value, list) and value:
            return value
        raise rejected(value, f"a non-empty list of {what}")

    return validate


Name = Annotated[str, BeforeValidator(_name)]
Whole = Annotated[int, BeforeValidator(_whole(0))]
Positive = Annotated[int, BeforeValidator(_whole(1))]
Skills = Annotated[dict[str, int], BeforeValidator(_skills)]


class Section(BaseModel):
    """A mapping in the file: rejects keys it does not know, naming those it does."""

    model_config = ConfigDict(frozen=True, extra="forbid", populate_by_name=False)

    @classmethod
    def allowed_keys(cls) -> tuple[str, ...]:
        keys: list[str] = []
        for name, field in cls.model_fields.items():
            alias = field.validation_alias
            if isinstance(alias, AliasChoices):
                keys.extend(str(choice) for choice in alias.choices)
            else:
                keys.append(field.alias or name)
        return tuple(keys)

    @model_validator(mode="before")
    @classmethod
    def _known_keys(cls, data: object) -> object:
        allowed = cls.allowed_keys()
        if not isinstance(data, dict):
            raise rejected(data, f"a mapping with keys {', '.join(allowed)}")
        for key in data:
            if key not in allowed:
                close = get_close_matches(str(key), allowed, n=1)
                hint = f" (did you mean {close[0]!r}?)" if close else ""
                raise PydanticCustomError(
                    "hotline_unknown_key",
                    "unknown key{hint} — allowed: {allowed}",
                    {"key": str(key), "hint": hint, "allowed": ", ".join(allowed)},
                )
        return data


# Distributions: `dist` picks the model; the others are the distribution's own parameters.


class ExponentialSpec(Section):
    dist: Literal["exponential"]
    mean: PositiveDuration


class LogNormalSpec(Section):
    dist: Literal["lognormal"]
    mean: PositiveDuration
    sd: PositiveDuration


class GammaSpec(Section):
    dist: Literal["gamma"]
    mean: PositiveDuration
    sd: PositiveDuration


class ConstantSpec(Section):
    dist: Literal["constant"]
    value: Duration = Field(validation_alias=AliasChoices("value", "mean"))


class UniformSpec(Section):
    dist: Literal["uniform"]
    low: Duration = Field(alias="min")
    high: Duration = Field(alias="max")

    @model_validator(mode="after")
    def _ordered(self) -> UniformSpec:
        if self.low > self.high:
            allowed = f"a duration of at least min ({self.low:g}s)"
            raise rejected(f"{self.high:g}s", allowed, key="max")
        return self


def _distribution_tag(scalar_is_constant: bool) -> Callable[[object], object]:
    example = "{dist: exponential, mean: 300s}"

    def validate(value: object) -> object:
        if scalar_is_constant and (_as_float(value) is not None or isinstance(value, str)):
            return {"dist": "constant", "value": _wrap(parse_duration)(value)}
        if not isinstance(value, dict):
            extra = f"{DURATION_HELP}, or " if scalar_is_constant else ""
            raise rejected(value, f"{extra}a mapping such as {example}")
        if "dist" not in value:
            raise PydanticCustomError(
                "hotline_missing",
                "required key is missing — allowed: {allowed}",
                {"key": "dist", "allowed": ", ".join(DISTRIBUTIONS)},
            )
        if value["dist"] not in DISTRIBUTIONS:
            raise rejected(value["dist"], ", ".join(DISTRIBUTIONS), key="dist")
        return value

    return validate


_Distributions = ExponentialSpec | LogNormalSpec | GammaSpec | ConstantSpec | UniformSpec
DistributionSpec = Annotated[
    _Distributions, Field(discriminator="dist"), BeforeValidator(_distribution_tag(False))
]
WrapUpSpec = Annotated[
    _Distributions, Field(discriminator="dist"), BeforeValidator(_distribution_tag(True))
]


class ServiceLevelSpec(Section):
    threshold: Duration = 20.0
    target: Annotated[float, BeforeValidator(_fraction)] = 0.8


class OverflowSpec(Section):
    after: Duration
    to: Name


class QueueSpec(Section):
    name: Name
    skills: Skills = Field(default_factory=dict)
    priority: Annotated[int, BeforeValidator(_whole(None))] = 0
    strategy: Annotated[str, BeforeValidator(_enum_choice(Strategy))] | None = None
    service_level: ServiceLevelSpec = ServiceLevelSpec()
    max_wait: PositiveDuration | None = None
    overflow: OverflowSpec | None = None
    ring_timeout: PositiveDuration = 20.0


class ShiftSpec(Section):
    start: StartTime
    end: TimeOfDay

    @model_validator(mode="after")
    def _not_empty(self) -> ShiftSpec:
        if self.end == self.start:
            raise rejected(
                clock(self.end),
                "a time other than the start (an end before the start means the next day)",
                key="end",
            )
        return self


class AgentGroupSpec(Section):
    group: Name
    count: Positive
    skills: Skills = Field(default_factory=dict)
    type: Annotated[str, BeforeValidator(_enum_choice(AgentType))] = AgentType.STANDARD.value
    wrap_up: WrapUpSpec = ConstantSpec(dist="constant", value=0.0)
    team: Name | None = None
    team_size: Positive | None = None
    supervises: Annotated[list[str], BeforeValidator(_names)] = Field(default_factory=list)
    shift: ShiftSpec | None = None


class TrafficSpec(Section):
    queue: Name
    calls_per_hour: Annotated[float, BeforeValidator(_number(0))] | None = None
    profile: Annotated[list[float], BeforeValidator(_numbers_at_least_zero)] | None = None
    handle_time: DistributionSpec
    patience: DistributionSpec | None = None
    vip_share: Annotated[float, BeforeValidator(_number(0, 1))] = 0.0
    dnis: Annotated[str, BeforeValidator(_phone_number)] | None = None

    @model_validator(mode="after")
    def _one_rate(self) -> TrafficSpec:
        if self.calls_per_hour is not None and self.profile is not None:
            raise PydanticCustomError(
                "hotline_value",
                "got both calls_per_hour and profile — allowed: one of them",
                {"key": "profile"},
            )
        if self.calls_per_hour is None and self.profile is None:
            raise PydanticCustomError(
                "hotline_missing",
                "required key is missing — allowed: calls_per_hour (a number) or profile "
                "(calls per report interval)",
                {"key": "calls_per_hour"},
            )
        return self


class BusinessHoursSpec(Section):
    weekdays: Annotated[frozenset[int], BeforeValidator(_weekdays)] = frozenset(range(7))
    opens: StartTime = Field(default=0.0, alias="open")
    closes: TimeOfDay = Field(alias="close")
    holidays: Annotated[frozenset[date], BeforeValidator(_dates)] = frozenset()

    @model_validator(mode="after")
    def _ordered(self) -> BusinessHoursSpec:
        if self.closes <= self.opens:
            allowed = f"a time after open ({clock(self.opens)})"
            raise rejected(clock(self.closes), allowed, key="close")
        return self


class IvrCallersSpec(Section):
    keys: dict[str, dict[str, Annotated[float, BeforeValidator(_number(0, 1))]]] = Field(
        default_factory=dict)
    hang_up: Annotated[float, BeforeValidator(_number(0, 1))] = 0.0
    think_seconds: PositiveDuration = 2.0


class IvrSpec(Section):
    flow: Annotated[str, BeforeValidator(_text)]
    callers: IvrCallersSpec = Field(default_factory=IvrCallersSpec)
    databases: dict[str, Annotated[str, BeforeValidator(_text)]] = Field(default_factory=dict)


class ScenarioSpec(Section):
    name: Name
    description: Annotated[str, BeforeValidator(_text)] = ""
    seed: Whole = 0
    start_date: Annotated[date, BeforeValidator(_date)] = DEFAULT_DATE
    start: StartTime = 0.0
    duration: PositiveDuration
    interval: PositiveDuration = 1800.0
    timezone: Annotated[str, BeforeValidator(_timezone)] = "UTC"
    strategy: Annotated[str, BeforeValidator(_enum_choice(Strategy))] | None = None
    queues: Annotated[list[QueueSpec], BeforeValidator(_list_of_mappings("queues"))]
    agents: Annotated[list[AgentGroupSpec], BeforeValidator(_list_of_mappings("agent groups"))]
    traffic: Annotated[list[TrafficSpec], BeforeValidator(_list_of_mappings("traffic entries"))]
    business_hours: BusinessHoursSpec | None = None
    after_hours_queue: Name | None = None
    sticky_wait: Duration | None = None
    vip_priority: Whole = 10
    ivr: IvrSpec | None = None


def explain(detail: ErrorDetails, data: object) -> tuple[tuple[str | int, ...], str]:
    """One pydantic error as (key path in the file, "got ... — allowed: ...")."""
    path = _file_path(detail["loc"], data)
    context = detail.get("ctx") or {}
    kind = detail["type"]
    if kind.startswith("hotline_"):
        key = context.get("key")
        return ((*path, key) if key is not None else path), detail["msg"]
    if kind == "missing":
        return path, "required key is missing"
    allowed = {"list_type": "a list", "string_type": "text", "dict_type": "a mapping"}
    return path, f"got {show(detail['input'])} — allowed: {allowed.get(kind, detail['msg'])}"


def _file_path(loc: tuple[int | str, ...], data: object) -> tuple[str | int, ...]:
    """The location as keys of the file. Pydantic adds the name of the union member it
    tried (a distribution's `dist`), which is not a key of the file: drop it."""
    path: list[str | int] = []
    node = data
    for part in loc:
        if isinstance(node, Mapping) and part not in node and node.get("dist") == part:
            continue
        path.append(part)
        in_mapping = isinstance(node, Mapping) and part in node
        in_list = isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node)
        node = node[part] if in_mapping or in_list else None  # type: ignore[index]
    return tuple(path)
