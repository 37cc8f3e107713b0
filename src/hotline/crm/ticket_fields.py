"""Custom fields of a ticket type (C2): their definitions, and checking a ticket's values.

Theory of operation
-------------------
Each tenant says, per ticket type, which extra fields a ticket of that type carries: a repair
has a meter number and a floor, an appointment a date and a time slot. A definition is a
`FieldDefinition`: a `name` (an identifier, the key in the ticket's `custom_fields`), a
`label` shown to people, a `kind` (`FieldKind`), whether it is `required`, the `choices` of a
`choice` field and the `max_length` of a `text` field. The values a kind accepts, as JSON:

    text     a string of at most max_length characters (a required one not blank)
    number   a finite number (not a boolean)
    boolean  true or false
    choice   one of the field's choices, exactly
    date     an ISO date, YYYY-MM-DD

`parse_definitions` turns the stored or submitted JSON into definitions, and
`check_fields(definitions, values)` checks a ticket's values against them. Both look at
everything before answering: a `TicketFieldError` lists every problem found (each with the
field it is about, so that a form can show it beside that field), never only the first. A
null value means "not given": it is left out of the result, except in a partial check (a
change merged into existing values) where it clears an optional field.

Nothing here touches the database; `hotline.store.ticket_types` keeps the definitions.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from typing import Any

NAME = 64
LABEL = 100
CHOICE = 100
MAX_CHOICES = 100
MAX_TEXT = 1000
"""The longest text a text field may allow (and the default)."""
MAX_FIELDS = 50
"""Fields a type may define (as many as a ticket's `custom_fields` may hold)."""

_IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_KEYS = frozenset({"name", "label", "kind", "required", "choices", "max_length"})


class FieldKind(StrEnum):
    TEXT = "text"
    NUMBER = "number"
    BOOLEAN = "boolean"
    CHOICE = "choice"
    DATE = "date"


_KINDS = frozenset(kind.value for kind in FieldKind)


@dataclass(frozen=True)
class FieldDefinition:
    """One custom field of a ticket type."""

    name: str
    label: str
    kind: FieldKind
    required: bool = False
    choices: tuple[str, ...] = ()
    max_length: int | None = None

    def as_json(self) -> dict[str, Any]:
        """The definition as stored and shown: choices only for a choice field, max_length
        only for a text field (null otherwise)."""
        return {"name": self.name, "label": self.label, "kind": self.kind.value,
                "required": self.required, "choices": list(self.choices),
                "max_length": self.max_length}


@dataclass(frozen=True)
class FieldProblem:
    """What is wrong, and with which field (None: with the whole list or object)."""

    field: str | None
    message: str


class TicketFieldError(ValueError):
    """Custom field definitions or values that cannot be accepted: every problem found."""

    def __init__(self, problems: Sequence[FieldProblem]) -> None:
        self.problems = list(problems)
        super().__init__("; ".join(problem.message for problem in self.problems))


def parse_definitions(raw: object) -> tuple[FieldDefinition, ...]:
    """The field definitions in `raw` (a list of JSON objects), or `TicketFieldError` naming
    every problem: a malformed definition, a duplicate name, choices on a field that is not a
    choice, a choice field without choices, a max_length on a field that is not text..."""
    if not isinstance(raw, Sequence) or isinstance(raw, str | bytes):
        raise TicketFieldError([FieldProblem(None, "the fields must be a list of definitions")])
    problems: list[FieldProblem] = []
    if len(raw) > MAX_FIELDS:
        problems.append(FieldProblem(None, f"a type may have at most {MAX_FIELDS} fields, "
                                           f"not {len(raw)}"))
    definitions: list[FieldDefinition] = []
    seen: set[str] = set()
    for position, item in enumerate(raw, start=1):
        name = item.get("name") if isinstance(item, Mapping) else None
        if isinstance(name, str) and name in seen:
            problems.append(FieldProblem(name, f"field {name!r} is defined twice"))
        if isinstance(name, str):
            seen.add(name)
        definition = _definition(position, item, problems)
        if definition is not None:
            definitions.append(definition)
    if problems:
        raise TicketFieldError(problems)
    return tuple(definitions)


def _definition(position: int, item: object,
                problems: list[FieldProblem]) -> FieldDefinition | None:
    """One definition, or None with its problems noted."""
    where = f"field {position}"
    if not isinstance(item, Mapping):
        problems.append(FieldProblem(None, f"{where} must be an object"))
        return None
    found = len(problems)
    name = item.get("name")
    if not isinstance(name, str) or len(name) > NAME or not _IDENTIFIER.fullmatch(name):
        problems.append(FieldProblem(None, f"{where}: name {name!r} is not an identifier "
                                           f"(letters, digits and _, at most {NAME}, not "
                                           "starting with a digit)"))
        name = None
    else:
        where = f"field {name!r}"
    about = name
    for key in sorted(set(item) - _KEYS, key=str):
        problems.append(FieldProblem(about, f"{where}: unknown key {key!r} (allowed: "
                                            f"{', '.join(sorted(_KEYS))})"))
    label = item.get("label")
    if not isinstance(label, str) or not label.strip() or len(label) > LABEL:
        problems.append(FieldProblem(about, f"{where}: the label must be text of 1 to {LABEL} "
                                            "characters"))
    raw_kind = item.get("kind")
    kind = FieldKind(raw_kind) if isinstance(raw_kind, str) and raw_kind in _KINDS else None
    if kind is None:
        problems.append(FieldProblem(about, f"{where}: kind {raw_kind!r} is not one of "
                                            f"{', '.join(FieldKind)}"))
    required = item.get("required", False)
    if not isinstance(required, bool):
        problems.append(FieldProblem(about, f"{where}: required must be true or false"))
    choices = _choices(where, about, kind, item.get("choices"), problems)
    max_length = _max_length(where, about, kind, item.get("max_length"), problems)
    if len(problems) > found or name is None or kind is None or not isinstance(label, str):
        return None
    return FieldDefinition(name=name, label=label.strip(), kind=kind, required=bool(required),
                           choices=choices, max_length=max_length)


def _choices(where: str, about: str | None, kind: FieldKind | None, raw: object,
             problems: list[FieldProblem]) -> tuple[str, ...]:
    """A choice field's choices; any other kind may only leave them out (null or empty)."""
    if kind is not FieldKind.CHOICE:
        if raw not in (None, [], ()):
            problems.append(FieldProblem(about, f"{where}: only a choice field has choices"))
        return ()
    if (not isinstance(raw, Sequence) or isinstance(raw, str | bytes) or not raw
            or len(raw) > MAX_CHOICES):
        problems.append(FieldProblem(about, f"{where}: a choice field needs a list of 1 to "
                                            f"{MAX_CHOICES} choices"))
        return ()
    if not all(isinstance(choice, str) and choice.strip() and len(choice) <= CHOICE
               for choice in raw):
        problems.append(FieldProblem(about, f"{where}: each choice must be text of 1 to "
                                            f"{CHOICE} characters"))
        return ()
    if len(set(raw)) != len(raw):
        problems.append(FieldProblem(about, f"{where}: a choice is listed twice"))
    return tuple(raw)


def _max_length(where: str, about: str | None, kind: FieldKind | None, raw: object,
                problems: list[FieldProblem]) -> int | None:
    """A text field's longest value (MAX_TEXT when not given); other kinds have none."""
    if kind is not FieldKind.TEXT:
        if raw is not None:
            problems.append(FieldProblem(about, f"{where}: only a text field has a "
                                                "max_length"))
        return None
    if raw is None:
        return MAX_TEXT
    if isinstance(raw, bool) or not isinstance(raw, int) or not 1 <= raw <= MAX_TEXT:
        problems.append(FieldProblem(about, f"{where}: max_length must be a whole number "
                                            f"from 1 to {MAX_TEXT}"))
        return None
    return raw


def check_fields(definitions: Iterable[FieldDefinition], values: object,
                 partial: bool = False) -> dict[str, Any]:
    """`values` (a ticket's custom fields) checked against `definitions`: the accepted values
    (dates as YYYY-MM-DD), or `TicketFieldError` naming every unknown field, missing required
    field, value of the wrong kind, value not among the choices, bad date and text too long.
    A partial check (a change to merge into a ticket's values) does not ask for the required
    fields, and keeps a null as "clear this optional field"."""
    defined = {definition.name: definition for definition in definitions}
    if not isinstance(values, Mapping):
        raise TicketFieldError([FieldProblem(None, "the custom fields must be an object of "
                                                   "field names to values")])
    problems: list[FieldProblem] = []
    accepted: dict[str, Any] = {}
    for name, value in values.items():
        definition = defined.get(name) if isinstance(name, str) else None
        if definition is None:
            known = ", ".join(defined) or "none"
            problems.append(FieldProblem(str(name), f"unknown field {name!r} (this type has: "
                                                    f"{known})"))
        elif value is None or _blank(definition, value):
            if definition.required:
                problems.append(FieldProblem(name, f"{definition.label} ({name}) is required"))
            elif partial:
                accepted[name] = None
        else:
            message = _wrong(definition, value)
            if message is None:
                accepted[name] = date.fromisoformat(value).isoformat() if (
                    definition.kind is FieldKind.DATE) else value
            else:
                problems.append(FieldProblem(name, f"{definition.label} ({name}): {message}"))
    if not partial:
        for name, definition in defined.items():
            if definition.required and name not in accepted and not _named(name, problems):
                problems.append(FieldProblem(name, f"{definition.label} ({name}) is required"))
    if problems:
        raise TicketFieldError(problems)
    return accepted


def _blank(definition: FieldDefinition, value: object) -> bool:
    """A text field left empty (only spaces) counts as not given."""
    return definition.kind is FieldKind.TEXT and isinstance(value, str) and not value.strip()


def _named(name: str, problems: Sequence[FieldProblem]) -> bool:
    return any(problem.field == name for problem in problems)


def _wrong(definition: FieldDefinition, value: object) -> str | None:
    """What is wrong with a non-null value of the field, or None."""
    match definition.kind:
        case FieldKind.TEXT:
            if not isinstance(value, str):
                return "must be text"
            limit = definition.max_length or MAX_TEXT
            if len(value) > limit:
                return f"is {len(value)} characters long, at most {limit} allowed"
        case FieldKind.NUMBER:
            if (isinstance(value, bool) or not isinstance(value, int | float)
                    or not math.isfinite(value)):
                return "must be a number"
        case FieldKind.BOOLEAN:
            if not isinstance(value, bool):
                return "must be true or false"
        case FieldKind.CHOICE:
            if not isinstance(value, str) or value not in definition.choices:
                return f"{value!r} is not one of {', '.join(definition.choices)}"
        case FieldKind.DATE:
            if not isinstance(value, str) or not _is_date(value):
                return f"{value!r} is not a date like 2024-05-31"
    return None


def _is_date(value: str) -> bool:
    if not _ISO_DATE.fullmatch(value):
        return False
    try:
        date.fromisoformat(value)
    except ValueError:
        return False
    return True


_TRUE = frozenset({"true", "yes", "y", "1"})
_FALSE = frozenset({"false", "no", "n", "0"})


def values_from_text(definitions: Iterable[FieldDefinition],
                     texts: Mapping[str, str]) -> dict[str, Any]:
    """Values given as text (an IVR flow's variables) read as their fields' kinds, ready for
    `check_fields`: numbers parsed, yes/no words as booleans, an empty text as not given.
    Text that does not read as its kind (or a field the type does not have) is passed on
    unchanged, for `check_fields` to name the problem."""
    kinds = {definition.name: definition.kind for definition in definitions}
    values: dict[str, Any] = {}
    for name, text in texts.items():
        kind = kinds.get(name)
        stripped = text.strip()
        if kind is not None and kind is not FieldKind.TEXT and not stripped:
            continue
        if kind is FieldKind.NUMBER:
            try:
                number = float(stripped)
            except ValueError:
                values[name] = text
                continue
            values[name] = int(number) if number.is_integer() and "." not in stripped \
                else number
        elif kind is FieldKind.BOOLEAN and stripped.lower() in _TRUE | _FALSE:
            values[name] = stripped.lower() in _TRUE
        elif kind is FieldKind.TEXT and not stripped:
            continue
        else:
            values[name] = text
    return values
