"""Expressions compute with literals, variables, arithmetic and `&` — and nothing else."""

from __future__ import annotations

import pytest

from hotline.ivr.expressions import (
    ExpressionFault,
    ExpressionSyntaxError,
    evaluate,
    parse_expression,
    parse_template,
    variables_of,
)

VALUES = {"n": "4", "price": "3.45", "name": "Wang"}


def calc(text: str) -> str:
    return evaluate(parse_expression(text), lambda name: VALUES.get(name, ""))


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("42", "42"),
        ("'gold'", "gold"),
        ('"A-1"', "A-1"),
        ("n", "4"),
        ("n + 1", "5"),
        ("n - 6", "-2"),
        ("-n * 2", "-8"),
        ("(n + 1) * 2", "10"),
        ("n + 1 * 2", "6"),
        ("price * 10", "34.50"),
        ("12.50 + 1", "13.50"),
        ("n / 8", "0.5"),
        ("'Mr ' & name", "Mr Wang"),
        ("'n=' & n + 1", "n=5"),
        ("unset & 'x'", "x"),
    ],
)
def test_expression_values(text: str, value: str) -> None:
    assert calc(text) == value


@pytest.mark.parametrize(
    "text", ["", "n +", "(n", "n n", "__import__('os')", "n ** 2", "a.b", "n; 1", "'open"]
)
def test_anything_else_is_a_syntax_error(text: str) -> None:
    with pytest.raises(ExpressionSyntaxError):
        parse_expression(text)


@pytest.mark.parametrize("text", ["name + 1", "n / 0", "-name"])
def test_impossible_arithmetic_is_a_fault(text: str) -> None:
    with pytest.raises(ExpressionFault):
        calc(text)


def test_variables_of_an_expression() -> None:
    assert variables_of(parse_expression("(a + b) * 2 & 'c' & DATE")) == {"a", "b", "DATE"}


def test_templates_replace_placeholders_and_escape_on_request() -> None:
    template = parse_template("Hello ${name}, ${ n }!")
    assert template.variables == {"name", "n"}
    assert template.render(lambda v: VALUES[v]) == "Hello Wang, 4!"
    assert template.render(lambda v: "a/b", str.upper) == "Hello A/B, A/B!"
    assert parse_template("no placeholders").render(lambda v: "") == "no placeholders"


def test_a_placeholder_must_name_a_variable() -> None:
    with pytest.raises(ExpressionSyntaxError):
        parse_template("Hello ${na me}")
