"""Typed values of the header fields the transaction, dialog and auth layers read.

Addresses (From, To, Contact, Route) live in `address`; this module holds the rest:

- **Via** (§20.42, §18.2.1): `SIP/2.0/UDP host:port;branch=z9hG4bK...;received=..;rport=..`.
  The sent-protocol may have whitespace around its slashes (SLASH = SWS "/" SWS). `branch`
  identifies the transaction (§17.2.3, magic cookie `z9hG4bK`); `received` and `rport`
  (RFC 3581) record where a request really came from so the response can get back through NAT.
- **CSeq** (§20.16): a sequence number below 2**31 and the method it counts.
- **Digest challenges and credentials** (§22.4, RFC 7616/8760): `WWW-Authenticate` and
  `Proxy-Authenticate` carry a `Challenge`, `Authorization` and `Proxy-Authorization` carry
  `Credentials`. Both are a scheme followed by comma-separated `name=value` pairs whose values
  may be quoted strings holding commas — which is why these headers are never split on commas
  like list headers are. Parameter names are case-insensitive and kept lower-cased; values are
  unquoted. On output, the RFC's unquoted parameters (`algorithm`, `stale` in challenges;
  `algorithm`, `qop`, `nc` in credentials) are written bare and everything else quoted.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from .syntax import (
    QUOTED_STRING,
    TOKEN,
    Param,
    SipSyntaxError,
    format_params,
    is_token,
    param_value,
    parse_params,
    quote,
    split_top_level,
    unquote_value,
)
from .uri import check_host, parse_port

_VIA = re.compile(
    r"([^\s/]+)[ \t]*/[ \t]*([^\s/]+)[ \t]*/[ \t]*([^\s/;:]+)[ \t]+"
    r"(\[[^\]\s]*\]|[^\s:;\[]+)(?:[ \t]*:[ \t]*([^\s;]*))?"
)
_CSEQ = re.compile(r"([0-9]+)[ \t]+(" + TOKEN.pattern + r")")
_CSEQ_LIMIT = 2**31
_AUTH_START = re.compile(r"(" + TOKEN.pattern + r")(?:[ \t]+|$)")


@dataclass(frozen=True, slots=True)
class Via:
    """One Via entry: where a request has been and where its response must go."""

    transport: str
    host: str
    port: int | None = None
    params: tuple[Param, ...] = ()
    protocol: str = "SIP/2.0"

    def __str__(self) -> str:
        port = "" if self.port is None else f":{self.port}"
        return f"{self.protocol}/{self.transport} {self.host}{port}{format_params(self.params)}"

    def param(self, name: str) -> str | None:
        """The value of parameter `name`: None if absent, "" for a flag such as `rport`."""
        return param_value(self.params, name)

    @property
    def sent_by(self) -> str:
        """`host[:port]` as the sender wrote it (§18.2.2 compares it to the source address)."""
        return self.host if self.port is None else f"{self.host}:{self.port}"

    @property
    def branch(self) -> str | None:
        """The transaction identifier; RFC 3261 ones start with `z9hG4bK` (§8.1.1.7)."""
        return self.param("branch")

    @property
    def received(self) -> str | None:
        """The source address a server saw, when it differed from the sent-by host."""
        return self.param("received")

    @property
    def rport(self) -> int | None:
        """The source port a server filled in (RFC 3581 §4); None when absent or empty."""
        value = self.param("rport")
        return int(value) if value else None

    @property
    def wants_rport(self) -> bool:
        """Whether the client asked for symmetric response routing (`;rport`, RFC 3581 §3)."""
        return self.param("rport") is not None


def parse_via(text: str) -> Via:
    """Parse one via-parm (not a comma-separated list; see `parse_via_list`)."""
    value = text.strip(" \t")
    match = _VIA.match(value)
    if match is None:
        raise SipSyntaxError(f"Via must read 'SIP/2.0/transport host[:port]': {value[:60]!r}")
    name, version, transport, host, port_text = match.groups()
    check_host(host, value)
    port = parse_port(port_text, value)
    params = parse_params(value[match.end():], "a Via header")
    via = Via(transport, host, port, params, f"{name}/{version}")
    received = via.received
    if received is not None:
        check_host(received, value)
    rport = via.param("rport")
    if rport and parse_port(rport, value) is None:
        raise SipSyntaxError(f"bad rport in Via {value[:60]!r}")
    if via.branch == "":
        raise SipSyntaxError(f"empty branch in Via {value[:60]!r}")
    return via


def parse_via_list(text: str) -> list[Via]:
    """Parse a Via header line, which may hold several comma-separated entries (§7.3.1)."""
    return [parse_via(part) for part in split_top_level(text, ",")]


@dataclass(frozen=True, slots=True)
class CSeq:
    """The command sequence: orders requests within a dialog and names their method (§8.1.1.5)."""

    number: int
    method: str

    def __str__(self) -> str:
        return f"{self.number} {self.method}"


def parse_cseq(text: str) -> CSeq:
    """Parse `number method`; the number must be below 2**31 (§8.1.1.5)."""
    value = text.strip(" \t")
    match = _CSEQ.fullmatch(value)
    if match is None:
        raise SipSyntaxError(f"CSeq must read 'number METHOD': {value[:60]!r}")
    number = int(match.group(1))
    if number >= _CSEQ_LIMIT:
        raise SipSyntaxError(f"CSeq number {match.group(1)[:20]} is not below 2**31")
    return CSeq(number, match.group(2))


@dataclass(slots=True)
class Challenge:
    """An authentication challenge (`WWW-Authenticate`, `Proxy-Authenticate`, §22.1)."""

    scheme: str
    params: dict[str, str] = field(default_factory=dict)

    bare = frozenset({"algorithm", "stale"})

    def __str__(self) -> str:
        return _format_auth(self.scheme, self.params, self.bare)

    @property
    def realm(self) -> str | None:
        """The protection space the credentials must be for."""
        return self.params.get("realm")

    @property
    def nonce(self) -> str | None:
        """The server's one-time value the response hash must include."""
        return self.params.get("nonce")

    @property
    def algorithm(self) -> str:
        """The hash algorithm (MD5 when absent, RFC 2617; SHA-256 per RFC 8760)."""
        return self.params.get("algorithm", "MD5")

    @property
    def qop_options(self) -> list[str]:
        """The qualities of protection offered (`auth`, `auth-int`), empty when none."""
        return [q.strip() for q in self.params.get("qop", "").split(",") if q.strip()]

    @property
    def stale(self) -> bool:
        """Whether the previous nonce merely expired (retry without asking the user)."""
        return self.params.get("stale", "").lower() == "true"


@dataclass(slots=True)
class Credentials:
    """An authentication answer (`Authorization`, `Proxy-Authorization`, §22.2)."""

    scheme: str
    params: dict[str, str] = field(default_factory=dict)

    bare = frozenset({"algorithm", "qop", "nc"})

    def __str__(self) -> str:
        return _format_auth(self.scheme, self.params, self.bare)

    @property
    def username(self) -> str | None:
        """The user the credentials are for."""
        return self.params.get("username")

    @property
    def realm(self) -> str | None:
        """The realm the credentials answer."""
        return self.params.get("realm")

    @property
    def response(self) -> str | None:
        """The digest the server recomputes and compares."""
        return self.params.get("response")


def parse_challenge(text: str) -> Challenge:
    """Parse a WWW-Authenticate / Proxy-Authenticate value."""
    scheme, params = _parse_auth(text)
    return Challenge(scheme, params)


def parse_credentials(text: str) -> Credentials:
    """Parse an Authorization / Proxy-Authorization value."""
    scheme, params = _parse_auth(text)
    return Credentials(scheme, params)


def _parse_auth(text: str) -> tuple[str, dict[str, str]]:
    value = text.strip(" \t")
    match = _AUTH_START.match(value)
    if match is None:
        raise SipSyntaxError(f"authentication header must start with a scheme: {value[:60]!r}")
    params: dict[str, str] = {}
    rest = value[match.end():]
    if not rest.strip(" \t"):
        return match.group(1), params
    for piece in split_top_level(rest, ","):
        name, equals, item = piece.partition("=")
        name = name.strip(" \t")
        item = item.strip(" \t")
        if not equals or not is_token(name):
            raise SipSyntaxError(f"authentication parameter must be name=value: {piece[:40]!r}")
        if not (is_token(item) or QUOTED_STRING.fullmatch(item)):
            raise SipSyntaxError(f"bad value for authentication parameter {name!r}")
        params[name.lower()] = unquote_value(item)
    return match.group(1), params


def _format_auth(scheme: str, params: dict[str, str], bare: frozenset[str]) -> str:
    items = [
        f"{name}={value}" if name in bare and is_token(value) else f"{name}={quote(value)}"
        for name, value in params.items()
    ]
    return f"{scheme} {', '.join(items)}" if items else scheme
