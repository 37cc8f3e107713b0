"""Dialling permissions (T10): how a dialled number is classed for a tenant, and which
classes an extension of each dial class may reach."""

from __future__ import annotations

import pytest

from hotline.core.dial_permissions import DialClass, classify, may_dial, number_problem

EXTENSIONS = frozenset({"1001", "1002", "0800"})


@pytest.mark.parametrize(("number", "expected"), [
    ("1001", DialClass.INTERNAL),
    ("0800", DialClass.INTERNAL),  # an extension before any prefix rule
    ("+862083330000", DialClass.INTERNATIONAL),
    ("0033142685300", DialClass.INTERNATIONAL),
    ("02083330000", DialClass.NATIONAL),
    ("0", DialClass.NATIONAL),
    ("83330000", DialClass.LOCAL),
    ("1003", DialClass.LOCAL),  # not an extension of this tenant
    ("110", DialClass.LOCAL),
])
def test_a_number_is_classed_internal_international_national_or_local(
    number: str, expected: DialClass
) -> None:
    assert classify(number, EXTENSIONS) is expected


def test_the_classes_are_ordered_from_internal_to_international() -> None:
    assert [c.rank for c in DialClass] == [0, 1, 2, 3]
    assert list(DialClass) == [DialClass.INTERNAL, DialClass.LOCAL, DialClass.NATIONAL,
                               DialClass.INTERNATIONAL]


@pytest.mark.parametrize("number", ["", "+", "12a4", "1 234", "++86", "8+6", "1" * 21,
                                    "+" + "1" * 20, "１２３"])
def test_anything_but_digits_with_an_optional_plus_is_not_a_number(number: str) -> None:
    problem = number_problem(number)
    assert problem is not None and "digits with an optional leading '+'" in problem
    with pytest.raises(ValueError, match="is not a number to dial"):
        classify(number, EXTENSIONS)
    assert may_dial("international", number, EXTENSIONS) == problem


def test_twenty_characters_is_the_longest_number() -> None:
    assert number_problem("1" * 20) is None
    assert number_problem("+" + "1" * 19) is None


@pytest.mark.parametrize(("dial_class", "allowed"), [
    ("internal", {"1002"}),
    ("local", {"1002", "83330000"}),
    ("national", {"1002", "83330000", "02083330000"}),
    ("international", {"1002", "83330000", "02083330000", "+33142685300", "0033142685300"}),
])
def test_an_extension_dials_up_to_its_class_and_no_further(
    dial_class: str, allowed: set[str]
) -> None:
    numbers = ["1002", "83330000", "02083330000", "+33142685300", "0033142685300"]
    reached = {n for n in numbers if may_dial(dial_class, n, EXTENSIONS) is None}
    assert reached == allowed


def test_the_reason_names_the_class_of_the_number_and_of_the_extension() -> None:
    assert may_dial("national", "+33142685300", EXTENSIONS, extension="1003") == (
        "international calls are not allowed for extension 1003 (its class is national)")
    assert may_dial("internal", "83330000", EXTENSIONS) == (
        "local calls are not allowed for this extension (its class is internal)")


def test_an_unknown_dial_class_is_a_configuration_error() -> None:
    with pytest.raises(ValueError, match="galactic"):
        may_dial("galactic", "1002", EXTENSIONS)
