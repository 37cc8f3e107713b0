"""Expressions and templates: the only computation a flow may do, and it never calls `eval`.

An *expression* (set_variable, var_compare, play_number, access_db parameters, transfer
targets) is one of:

- a literal: a number (`42`, `12.50`) or a quoted string (`'gold'`, `"A-1"`);
- a variable: a user variable or a macro (`account`, `ANI`, `DATE`);
- arithmetic on numbers: `+ - * /`, unary minus and parentheses (`count + 1`, `usage * 3.2`);
- concatenation with `&`, which binds loosest (`'A-' & account`), so `'n=' & n + 1` joins
  `n + 1` to the text.

Every value is a string, as the interaction's attributes are; arithmetic reads its operands as
decimal numbers (exact, so `12.50 + 1` is `13.50`) and fails with `ExpressionFault` on text.
A variable that no node has set yet reads as the empty string; `validate` reports flows where
that can happen on some path.

A *template* (text to speak, webhook URLs and bodies) is text with `${name}` placeholders that
are replaced by variables' values; there is nothing else to evaluate in one.

Both are parsed when a flow is loaded, so a typo is a load error with the path to the key.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal, DivisionByZero, InvalidOperation

NAME_PATTERN = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
"""What a variable name looks like."""


class ExpressionSyntaxError(ValueError):
    """Text that is not an expression or template; the message says where it went wrong."""


class ExpressionFault(ValueError):
    """An expression that parsed but cannot be computed with these values (text in
    arithmetic, division by zero)."""


Lookup = Callable[[str], str]
"""Gives a variable's current value (the empty string when unset)."""


@dataclass(frozen=True, slots=True)
class Literal:
    """A constant."""

    value: str


@dataclass(frozen=True, slots=True)
class Variable:
    """A user variable or macro, read when the expression is evaluated."""

    name: str


@dataclass(frozen=True, slots=True)
class Negate:
    """Unary minus."""

    operand: Expression


@dataclass(frozen=True, slots=True)
class Binary:
    """`left op right` with `op` one of `+ - * / &`."""

    op: str
    left: Expression
    right: Expression


Expression = Literal | Variable | Negate | Binary

_TOKEN = re.compile(
    r"\s*(?:(?P<number>\d+(?:\.\d+)?)|(?P<name>[A-Za-z_][A-Za-z0-9_]*)"
    r"|'(?P<single>[^']*)'|\"(?P<double>[^\"]*)\"|(?P<op>[-+*/&()]))"
)


def _tokens(text: str) -> list[tuple[str, str]]:
    tokens: list[tuple[str, str]] = []
    position = 0
    while position < len(text):
        if text[position:].strip() == "":
            break
        match = _TOKEN.match(text, position)
        if match is None:
            raise ExpressionSyntaxError(
                f"cannot read {text!r} at position {position}: {text[position:]!r}"
            )
        kind = match.lastgroup
        assert kind is not None
        value = match.group(kind)
        tokens.append(("string" if kind in ("single", "double") else kind, value))
        position = match.end()
    return tokens


class _Parser:
    """Recursive descent over the grammar: concat := sum ('&' sum)*;
    sum := product (('+'|'-') product)*; product := unary (('*'|'/') unary)*;
    unary := '-' unary | atom; atom := number | string | name | '(' concat ')'."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.tokens = _tokens(text)
        self.index = 0

    def parse(self) -> Expression:
        if not self.tokens:
            raise ExpressionSyntaxError("empty expression")
        expression = self._concat()
        if self.index != len(self.tokens):
            raise ExpressionSyntaxError(
                f"unexpected {self.tokens[self.index][1]!r} in {self.text!r}"
            )
        return expression

    def _peek_op(self, ops: str) -> str | None:
        if self.index < len(self.tokens):
            kind, value = self.tokens[self.index]
            if kind == "op" and value in ops:
                return value
        return None

    def _concat(self) -> Expression:
        left = self._sum()
        while self._peek_op("&"):
            self.index += 1
            left = Binary("&", left, self._sum())
        return left

    def _sum(self) -> Expression:
        left = self._product()
        while (op := self._peek_op("+-")) is not None:
            self.index += 1
            left = Binary(op, left, self._product())
        return left

    def _product(self) -> Expression:
        left = self._unary()
        while (op := self._peek_op("*/")) is not None:
            self.index += 1
            left = Binary(op, left, self._unary())
        return left

    def _unary(self) -> Expression:
        if self._peek_op("-"):
            self.index += 1
            return Negate(self._unary())
        return self._atom()

    def _atom(self) -> Expression:
        if self.index >= len(self.tokens):
            raise ExpressionSyntaxError(f"{self.text!r} ends too early")
        kind, value = self.tokens[self.index]
        self.index += 1
        if kind in ("number", "string"):
            return Literal(value)
        if kind == "name":
            return Variable(value)
        if value == "(":
            inner = self._concat()
            if not self._peek_op(")"):
                raise ExpressionSyntaxError(f"missing ')' in {self.text!r}")
            self.index += 1
            return inner
        raise ExpressionSyntaxError(f"unexpected {value!r} in {self.text!r}")


def parse_expression(text: str) -> Expression:
    """Parse `text`; raises `ExpressionSyntaxError` saying what is wrong."""
    return _Parser(text).parse()


def literal(value: str) -> Expression:
    """An expression that is always `value` (for YAML numbers and booleans)."""
    return Literal(value)


def _number(value: str) -> Decimal:
    try:
        return Decimal(value.strip())
    except InvalidOperation:
        raise ExpressionFault(f"{value!r} is not a number") from None


def evaluate(expression: Expression, lookup: Lookup) -> str:
    """The value of `expression` with variables read through `lookup`."""
    match expression:
        case Literal(value):
            return value
        case Variable(name):
            return lookup(name)
        case Negate(operand):
            return str(-_number(evaluate(operand, lookup)))
        case Binary("&", left, right):
            return evaluate(left, lookup) + evaluate(right, lookup)
        case Binary(op, left, right):
            a, b = _number(evaluate(left, lookup)), _number(evaluate(right, lookup))
            try:
                if op == "+":
                    return str(a + b)
                if op == "-":
                    return str(a - b)
                if op == "*":
                    return str(a * b)
                return str(a / b)
            except (DivisionByZero, InvalidOperation):
                raise ExpressionFault(f"cannot compute {a} {op} {b}") from None
    raise AssertionError(f"not an expression: {expression!r}")


def variables_of(expression: Expression) -> frozenset[str]:
    """Names of the variables `expression` reads."""
    match expression:
        case Literal():
            return frozenset()
        case Variable(name):
            return frozenset((name,))
        case Negate(operand):
            return variables_of(operand)
        case Binary(_, left, right):
            return variables_of(left) | variables_of(right)
    raise AssertionError(f"not an expression: {expression!r}")


_PLACEHOLDER = re.compile(r"\$\{([^}]*)\}")


@dataclass(frozen=True, slots=True)
class Template:
    """Text with `${name}` placeholders: `parts` alternates text and variable names
    (even indexes are text, odd ones names)."""

    parts: tuple[str, ...]

    @property
    def variables(self) -> frozenset[str]:
        """Names the template reads."""
        return frozenset(self.parts[1::2])

    def render(self, lookup: Lookup, escape: Callable[[str], str] | None = None) -> str:
        """The text with each placeholder replaced by its value, passed through `escape`
        when given (URL templates quote the values they insert)."""
        out: list[str] = []
        for index, part in enumerate(self.parts):
            if index % 2 == 0:
                out.append(part)
            else:
                value = lookup(part)
                out.append(escape(value) if escape else value)
        return "".join(out)


def parse_template(text: str) -> Template:
    """Split `text` at its `${name}` placeholders; raises `ExpressionSyntaxError` for a
    placeholder that is not a variable name."""
    parts: list[str] = []
    position = 0
    for match in _PLACEHOLDER.finditer(text):
        name = match.group(1).strip()
        if not NAME_PATTERN.fullmatch(name):
            raise ExpressionSyntaxError(f"${{{match.group(1)}}} in {text!r} is not a variable name")
        parts.extend((text[position : match.start()], name))
        position = match.end()
    parts.append(text[position:])
    return Template(tuple(parts))


__all__ = [
    "Binary",
    "Expression",
    "ExpressionFault",
    "ExpressionSyntaxError",
    "Literal",
    "Lookup",
    "Negate",
    "Template",
    "Variable",
    "evaluate",
    "literal",
    "parse_expression",
    "parse_template",
    "variables_of",
]
