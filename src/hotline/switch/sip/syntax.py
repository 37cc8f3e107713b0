"""Lexical rules shared by SIP URIs and header fields (RFC 3261 §25.1).

SIP borrows HTTP's notation but adds a few rules that every header parser needs, so they live
here once:

- **token** — the characters allowed in header names, methods, parameter names and most
  unquoted values (`alphanum / "-" / "." / "!" / "%" / "*" / "_" / "+" / "`" / "'" / "~"`).
- **quoted-string** (§25.1) — `"` ... `"` with `\\` escaping the next character (quoted-pair).
  Commas, semicolons and angle brackets inside a quoted string are plain text.
- **generic-param** (§25.1, §20) — `;name` or `;name=value` after a header value, the value
  being a token, a host or a quoted string; whitespace is allowed around `;` and `=` (SEMI and
  EQUAL are defined with SWS on both sides).
- **escaped** (§19.1.2) — `%` HEX HEX inside URIs. Characters outside the *reserved* set
  (`; / ? : @ & = + $ ,`) are equivalent to their escaped form when URIs are compared
  (§19.1.4), so comparison works on a canonical spelling made by `canonical_escapes`.

Splitting a header value on `,` or `;` must ignore separators inside quoted strings and inside
`<...>` (a URI's own parameters and headers), which `split_top_level` does.

Values are kept as the sender wrote them (a parameter value keeps its quotes); parsers hand out
unquoted text through `param_value` so that re-serialising a value never changes its meaning.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

Param = tuple[str, str | None]
"""A parameter as written: its name and its value (None for a flag such as `;lr`)."""


class SipSyntaxError(ValueError):
    """A URI or header field value breaks the SIP grammar; the message names what and where."""


TOKEN = re.compile(r"[A-Za-z0-9\-.!%*_+`'~]+")
QUOTED_STRING = re.compile(r'"((?:[^"\\\r\n]|\\[^\r\n])*)"')
_QUOTED_PAIR = re.compile(r"\\(.)", re.S)
# gen-value = token / host / quoted-string; hosts add ':' '[' ']' (IPv6) to the token set.
_GEN_VALUE = re.compile(r'[^\s";,<>]+|"(?:[^"\\\r\n]|\\[^\r\n])*"')
_ESCAPE = re.compile(r"%([0-9A-Fa-f]{2})")
_BAD_ESCAPE = re.compile(r"%(?![0-9A-Fa-f]{2})")
_RESERVED = frozenset(";/?:@&=+$,")


def is_token(text: str) -> bool:
    """Whether `text` is a non-empty RFC 3261 token (a method, header or parameter name)."""
    return TOKEN.fullmatch(text) is not None


def quote(text: str) -> str:
    """`text` as a quoted-string: `"` and `\\` escaped; CR and LF cannot be carried at all."""
    if "\r" in text or "\n" in text:
        raise SipSyntaxError(f"a quoted string cannot contain CR or LF: {text[:40]!r}")
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def read_quoted(text: str, start: int) -> tuple[str, int]:
    """Read the quoted string that opens at `text[start]`: (its content unescaped, end index)."""
    match = QUOTED_STRING.match(text, start)
    if match is None:
        raise SipSyntaxError(f"unterminated quoted string: {text[start:start + 40]!r}")
    content = match.group(1)
    return _QUOTED_PAIR.sub(r"\1", content) if "\\" in content else content, match.end()


def unquote_value(value: str) -> str:
    """A parameter value without its quotes (and quoted-pairs undone) when it is quoted."""
    if len(value) >= 2 and value[0] == '"' and value[-1] == '"':
        return _QUOTED_PAIR.sub(r"\1", value[1:-1])
    return value


def split_top_level(text: str, separator: str) -> list[str]:
    """Split on `separator` except inside quoted strings and `<...>`; parts are not stripped."""
    if '"' not in text and "<" not in text:
        return text.split(separator)
    parts: list[str] = []
    start = index = 0
    length = len(text)
    while index < length:
        char = text[index]
        if char == '"':
            match = QUOTED_STRING.match(text, index)
            if match is None:
                raise SipSyntaxError(f"unterminated quoted string: {text[index:index + 40]!r}")
            index = match.end()
            continue
        if char == "<":
            close = text.find(">", index)
            if close < 0:
                raise SipSyntaxError(f"'<' without a closing '>': {text[index:index + 40]!r}")
            index = close + 1
            continue
        if char == separator:
            parts.append(text[start:index])
            start = index + 1
        index += 1
    parts.append(text[start:])
    return parts


def parse_params(text: str, where: str) -> tuple[Param, ...]:
    """Parse `*( SEMI generic-param )`: `text` is empty or starts (after spaces) with `;`."""
    text = text.strip(" \t")
    if not text:
        return ()
    if text[0] != ";":
        raise SipSyntaxError(f"unexpected text {text[:40]!r} in {where}; parameters start with ';'")
    params: list[Param] = []
    for piece in split_top_level(text[1:], ";"):
        name, equals, value = piece.partition("=")
        name = name.strip(" \t")
        if not is_token(name):
            raise SipSyntaxError(f"bad parameter name {name!r} in {where}")
        if not equals:
            params.append((name, None))
            continue
        value = value.strip(" \t")
        if _GEN_VALUE.fullmatch(value) is None:
            raise SipSyntaxError(f"bad value {value[:40]!r} for parameter {name!r} in {where}")
        params.append((name, value))
    return tuple(params)


def format_params(params: Sequence[Param]) -> str:
    """`;name` / `;name=value` for each parameter, in order."""
    return "".join(f";{name}" if value is None else f";{name}={value}" for name, value in params)


def find_param(params: Sequence[Param], name: str) -> Param | None:
    """The first parameter called `name` (case-insensitive, §7.3.1), or None."""
    wanted = name.lower()
    for param in params:
        if param[0].lower() == wanted:
            return param
    return None


def param_value(params: Sequence[Param], name: str) -> str | None:
    """The unquoted value of parameter `name`: None if absent, "" if it is a bare flag."""
    param = find_param(params, name)
    if param is None:
        return None
    return "" if param[1] is None else unquote_value(param[1])


def check_escapes(text: str, where: str) -> None:
    """Every `%` in a URI component must start a `%` HEX HEX escape (§19.1.2)."""
    if "%" in text and _BAD_ESCAPE.search(text):
        raise SipSyntaxError(f"bad %-escape in {where}: {text[:60]!r}")


def canonical_escapes(text: str) -> str:
    """Unescape everything outside the reserved set and upper-case the remaining escapes.

    Two URI components are equal under §19.1.4 exactly when their canonical spellings are.
    """
    if "%" not in text:
        return text

    def canonical(match: re.Match[str]) -> str:
        code = int(match.group(1), 16)
        char = chr(code)
        # Non-ASCII stays escaped: a URI may not carry it unescaped, so there is no other form.
        if code >= 0x80 or char in _RESERVED or char == "%":
            return match.group(0).upper()
        return char

    return _ESCAPE.sub(canonical, text)
