"""Addresses in From, To, Contact, Route, Refer-To...: name-addr and addr-spec (RFC 3261 §20.10).

An address header value has two forms (§25.1)::

    name-addr = [ display-name ] "<" addr-spec ">"   "Bob \\"B\\" Smith" <sip:bob@b.example>;tag=9
    addr-spec = SIP-URI / SIPS-URI / absoluteURI     sip:bob@b.example;tag=9

followed by header parameters (`tag`, `expires`, `q`, ...). The display name is either a run of
tokens separated by whitespace or a quoted string with `\\` escapes; it may hold UTF-8.

The catch is in §20.10: without angle brackets the URI cannot have parameters of its own,
because everything after the first `;` belongs to the header (`sip:b@h;tag=1` has a `tag`
*header* parameter). `NameAddress.__str__` therefore always writes the bracketed form, which
carries any URI unambiguously.

Lists (Contact, Route, Record-Route) are split on commas outside quotes and brackets.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

from .syntax import (
    Param,
    SipSyntaxError,
    format_params,
    param_value,
    parse_params,
    quote,
    read_quoted,
    split_top_level,
)
from .uri import Uri, parse_uri

_SPACES = re.compile(r"[ \t]+")


@dataclass(frozen=True, slots=True)
class NameAddress:
    """A URI with an optional display name and header parameters."""

    uri: Uri
    display_name: str | None = None
    params: tuple[Param, ...] = ()

    def __str__(self) -> str:
        name = "" if self.display_name is None else quote(self.display_name) + " "
        return f"{name}<{self.uri}>{format_params(self.params)}"

    def param(self, name: str) -> str | None:
        """The unquoted value of header parameter `name`: None if absent, "" for a flag."""
        return param_value(self.params, name)

    @property
    def tag(self) -> str | None:
        """The `tag` parameter of a From or To header (§19.3), if any."""
        return self.param("tag")

    def with_param(self, name: str, value: str | None) -> NameAddress:
        """A copy with parameter `name` set (replacing any of the same name, §7.3.1 case rules)."""
        kept = tuple(param for param in self.params if param[0].lower() != name.lower())
        return replace(self, params=(*kept, (name, value)))


def parse_name_address(text: str) -> NameAddress:
    """Parse one name-addr or addr-spec with its header parameters."""
    value = text.strip(" \t")
    if not value:
        raise SipSyntaxError("empty address")
    if value[0] == '"':
        display, end = read_quoted(value, 0)
        rest = value[end:].lstrip(" \t")
        if not rest.startswith("<"):
            raise SipSyntaxError(f"a quoted display name must be followed by <URI>: {value[:60]!r}")
        return _bracketed(display, rest, value)
    open_at = _angle_outside_quotes(value)
    if open_at is None or ";" in value[:open_at]:
        uri_text, semicolon, params = value.partition(";")
        uri_text = uri_text.rstrip(" \t")
        return NameAddress(
            _uri(uri_text, value), None, parse_params(semicolon + params, "an address")
        )
    display_text = _SPACES.sub(" ", value[:open_at].strip(" \t"))
    if '"' in display_text:
        raise SipSyntaxError(f"stray quote in display name: {value[:60]!r}")
    return _bracketed(display_text or None, value[open_at:], value)


def parse_address_list(text: str) -> list[NameAddress]:
    """Parse a comma-separated list of addresses (Contact, Route, Record-Route...)."""
    return [parse_name_address(part) for part in split_top_level(text, ",")]


def _bracketed(display: str | None, rest: str, whole: str) -> NameAddress:
    close = rest.find(">")
    if close < 0:
        raise SipSyntaxError(f"'<' without a closing '>' in address {whole[:60]!r}")
    uri = _uri(rest[1:close].strip(" \t"), whole)
    return NameAddress(uri, display, parse_params(rest[close + 1:], "an address"))


def _uri(text: str, whole: str) -> Uri:
    try:
        return parse_uri(text)
    except SipSyntaxError as error:
        raise SipSyntaxError(f"{error} (in address {whole[:60]!r})") from None


def _angle_outside_quotes(text: str) -> int | None:
    if '"' not in text:
        found = text.find("<")
        return None if found < 0 else found
    index = 0
    while index < len(text):
        char = text[index]
        if char == "<":
            return index
        if char == '"':
            index = read_quoted(text, index)[1]
            continue
        index += 1
    return None
