"""Custom fields of ticket types: each kind accepts its values and refuses others, every
problem is named (with its field) at once, definition lists that do not hold together are
refused; and, for any definitions and any values, `check_fields` either returns known fields
or raises `TicketFieldError` (hypothesis)."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hotline.crm.ticket_fields import (
    MAX_TEXT,
    FieldDefinition,
    FieldKind,
    TicketFieldError,
    check_fields,
    parse_definitions,
)

K = FieldKind
DEFINITIONS = (
    FieldDefinition("meter", "Meter number", K.TEXT, required=True, max_length=8),
    FieldDefinition("floor", "Floor", K.NUMBER),
    FieldDefinition("smell", "Gas smell", K.BOOLEAN, required=True),
    FieldDefinition("area", "Area", K.CHOICE, choices=("north", "south")),
    FieldDefinition("since", "Since", K.DATE),
)
GOOD = {"meter": "GZ-1", "floor": 3.5, "smell": False, "area": "south", "since": "2024-02-29"}


def problems(values: object, partial: bool = False) -> list[tuple[str | None, str]]:
    with pytest.raises(TicketFieldError) as raised:
        check_fields(DEFINITIONS, values, partial=partial)
    return [(problem.field, problem.message) for problem in raised.value.problems]


def test_good_values_are_accepted_as_given() -> None:
    assert check_fields(DEFINITIONS, GOOD) == GOOD
    assert check_fields(DEFINITIONS, {"meter": "x", "smell": True, "floor": -2}) == {
        "meter": "x", "smell": True, "floor": -2}


def test_optional_fields_may_be_null_or_left_out_and_are_then_not_kept() -> None:
    assert check_fields(DEFINITIONS, {"meter": "x", "smell": True, "floor": None,
                                      "since": None}) == {"meter": "x", "smell": True}
    assert check_fields((), {}) == {}


def test_an_unknown_field_is_named_with_the_fields_the_type_has() -> None:
    assert problems({**GOOD, "colour": "red"}) == [
        ("colour", "unknown field 'colour' (this type has: meter, floor, smell, area, since)")]
    assert problems({"x": 1}, partial=True)[0][1] == (
        "unknown field 'x' (this type has: meter, floor, smell, area, since)")
    with pytest.raises(TicketFieldError, match="this type has: none"):
        check_fields((), {"x": 1})


@pytest.mark.parametrize("values", [
    {"smell": True},
    {"meter": None, "smell": True},
    {"meter": "   ", "smell": True},
])
def test_a_missing_required_field_is_named(values: dict[str, Any]) -> None:
    assert problems(values) == [("meter", "Meter number (meter) is required")]


@pytest.mark.parametrize(("field", "value", "message"), [
    ("meter", 12, "must be text"),
    ("meter", "123456789", "is 9 characters long, at most 8 allowed"),
    ("floor", "3", "must be a number"),
    ("floor", True, "must be a number"),
    ("floor", float("nan"), "must be a number"),
    ("floor", float("inf"), "must be a number"),
    ("smell", "yes", "must be true or false"),
    ("smell", 1, "must be true or false"),
    ("area", "east", "'east' is not one of north, south"),
    ("area", "North", "'North' is not one of north, south"),
    ("area", 1, "1 is not one of north, south"),
    ("since", "2024-02-30", "'2024-02-30' is not a date like 2024-05-31"),
    ("since", "31/05/2024", "is not a date"),
    ("since", "20240531", "is not a date"),
    ("since", "2024-05-31T10:00", "is not a date"),
    ("since", 20240531, "is not a date"),
])
def test_a_value_of_the_wrong_kind_is_named_with_what_is_wrong(field: str, value: object,
                                                               message: str) -> None:
    found = problems({**GOOD, field: value})
    assert len(found) == 1 and found[0][0] == field
    assert message in found[0][1]


def test_every_problem_is_named_at_once() -> None:
    found = problems({"floor": "x", "area": "east", "colour": 1})
    assert sorted(field or "" for field, _ in found) == [
        "area", "colour", "floor", "meter", "smell"]
    with pytest.raises(TicketFieldError) as raised:
        check_fields(DEFINITIONS, {"floor": "x", "area": "east", "colour": 1})
    assert "Floor (floor): must be a number" in str(raised.value)
    assert "Gas smell (smell) is required" in str(raised.value)


def test_values_must_be_an_object() -> None:
    assert problems(["meter"]) == [
        (None, "the custom fields must be an object of field names to values")]


def test_a_partial_check_skips_absent_required_fields_and_keeps_nulls_to_clear() -> None:
    assert check_fields(DEFINITIONS, {"floor": None, "area": "north"}, partial=True) == {
        "floor": None, "area": "north"}
    assert problems({"meter": None}, partial=True) == [
        ("meter", "Meter number (meter) is required")]
    assert problems({"floor": "x"}, partial=True)[0][0] == "floor"


def test_a_text_field_without_max_length_takes_up_to_the_maximum() -> None:
    (note,) = parse_definitions([{"name": "note", "label": "Note", "kind": "text"}])
    assert note.max_length == MAX_TEXT
    assert check_fields([note], {"note": "x" * MAX_TEXT}) == {"note": "x" * MAX_TEXT}
    with pytest.raises(TicketFieldError, match="at most 1000"):
        check_fields([note], {"note": "x" * (MAX_TEXT + 1)})


def test_definitions_round_trip_through_json() -> None:
    stored = [definition.as_json() for definition in DEFINITIONS]
    assert parse_definitions(stored) == DEFINITIONS
    assert stored[1] == {"name": "floor", "label": "Floor", "kind": "number",
                         "required": False, "choices": [], "max_length": None}


@pytest.mark.parametrize(("raw", "message"), [
    ("meter", "must be a list of definitions"),
    ([1], "field 1 must be an object"),
    ([{"label": "A", "kind": "text"}], "field 1: name None is not an identifier"),
    ([{"name": "a b", "label": "A", "kind": "text"}], "is not an identifier"),
    ([{"name": "_ok", "label": "", "kind": "text"}], "the label must be text of 1 to 100"),
    ([{"name": "a", "label": "x" * 101, "kind": "text"}], "the label must be text"),
    ([{"name": "a", "label": "A"}], "kind None is not one of text, number, boolean, choice"),
    ([{"name": "a", "label": "A", "kind": ["text"]}], "is not one of"),
    ([{"name": "a", "label": "A", "kind": "text", "required": "yes"}],
     "required must be true or false"),
    ([{"name": "a", "label": "A", "kind": "date", "choices": ["x"]}],
     "only a choice field has choices"),
    ([{"name": "a", "label": "A", "kind": "choice", "choices": "xy"}], "needs a list of 1"),
    ([{"name": "a", "label": "A", "kind": "choice", "choices": [1]}], "each choice must be"),
    ([{"name": "a", "label": "A", "kind": "choice", "choices": ["x"] * 101}],
     "needs a list of 1 to 100"),
    ([{"name": "a", "label": "A", "kind": "choice", "choices": ["x", "y", "x"]}],
     "a choice is listed twice"),
    ([{"name": "a", "label": "A", "kind": "boolean", "max_length": 3}],
     "only a text field has a max_length"),
    ([{"name": "a", "label": "A", "kind": "text", "max_length": 0}],
     "max_length must be a whole number from 1 to 1000"),
    ([{"name": "a", "label": "A", "kind": "text", "max_length": True}], "max_length must be"),
    ([{"name": "a", "label": "A", "kind": "text", "hint": "x"}], "unknown key 'hint'"),
    ([{"name": "a", "label": "A", "kind": "text"}, {"name": "a", "label": "B", "kind": "date"}],
     "field 'a' is defined twice"),
    ([{"name": f"f{i}", "label": "F", "kind": "text"} for i in range(51)],
     "at most 50 fields, not 51"),
])
def test_a_definition_list_that_does_not_hold_together_is_refused(raw: object,
                                                                  message: str) -> None:
    with pytest.raises(TicketFieldError) as raised:
        parse_definitions(raw)
    assert message in str(raised.value)


def test_choices_and_max_length_may_be_left_empty_on_other_kinds() -> None:
    (flag,) = parse_definitions([{"name": "a", "label": " A ", "kind": "boolean",
                                  "choices": [], "max_length": None}])
    assert flag == FieldDefinition("a", "A", K.BOOLEAN)


NAMES = st.sampled_from(["meter", "floor", "smell", "area", "since", "note", "x"])
DEFINITION = st.builds(
    lambda name, label, kind, required, choices, length: {
        "name": name, "label": label, "kind": kind, "required": required,
        "choices": choices if kind == "choice" else [],
        "max_length": length if kind == "text" else None},
    NAMES, st.text(min_size=1, max_size=10).filter(str.strip), st.sampled_from(list(K)),
    st.booleans(), st.lists(st.text(min_size=1, max_size=5).filter(str.strip), min_size=1,
                            max_size=4, unique=True),
    st.integers(min_value=1, max_value=MAX_TEXT))
JSON_SCALAR = (st.none() | st.booleans() | st.integers() | st.floats()
               | st.text(max_size=12) | st.dates().map(str) | st.sampled_from(["north", "a"]))
JSON_VALUE = st.recursive(JSON_SCALAR, lambda inner: st.lists(inner, max_size=3)
                          | st.dictionaries(st.text(max_size=4), inner, max_size=3),
                          max_leaves=6)


@settings(max_examples=300, deadline=None)
@given(raw=st.lists(DEFINITION, max_size=5, unique_by=lambda item: item["name"]),
       values=st.dictionaries(NAMES | st.text(max_size=6), JSON_VALUE, max_size=6)
       | JSON_VALUE, partial=st.booleans())
def test_check_fields_returns_known_fields_or_raises_ticket_field_error(
    raw: list[dict[str, Any]], values: object, partial: bool
) -> None:
    definitions = parse_definitions(raw)
    try:
        accepted = check_fields(definitions, values, partial=partial)
    except TicketFieldError as error:
        assert error.problems and all(problem.message for problem in error.problems)
        return
    known = {definition.name: definition for definition in definitions}
    assert isinstance(accepted, dict) and set(accepted) <= set(known)
    if not partial:
        assert {name for name, item in known.items() if item.required} <= set(accepted)
        assert None not in accepted.values()
