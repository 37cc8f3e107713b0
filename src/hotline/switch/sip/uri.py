"""SIP, SIPS and tel URIs (RFC 3261 §19.1, RFC 3966) and any other absolute URI.

A SIP URI (§19.1.1) reads::

    sip:user:password@host:port;uri-parameters?headers
    sips:alice@[2001:db8::10]:5061;transport=tcp;lr?subject=project%20x&priority=urgent

- *userinfo* (`user[:password]@`) is optional; the user part may itself contain `;`, `?`, `/`
  and escapes (a telephone-subscriber such as `+1-212-555-0101;isub=12` is a legal user), so
  the URI is split at the first `@` before anything else. `@` is never legal unescaped later on.
- *host* is a hostname, an IPv4 address or an IPv6 reference in brackets; it keeps its
  brackets here, as in the grammar's `host` production. *port* is optional and distinct from
  5060: a URI with `:5060` is a different URI from one without a port (§19.1.4).
- *uri-parameters* (`;name[=value]`, e.g. `transport`, `user`, `method`, `ttl`, `maddr`, `lr`)
  and *headers* (`?name=value&...`) close the URI.

Components are kept exactly as written (escapes included), so `str(parse_uri(s)) == s` for
the URIs Hotline forwards, and `equivalent` implements the comparison rules of §19.1.4:
scheme and userinfo case-sensitive after undoing escapes outside the reserved set; host,
parameter names and values case-insensitive; `user`, `ttl`, `method` and `maddr` must match
when either URI has them; other parameters only when both do; URI headers always.

Schemes other than sip/sips/tel (e.g. `urn:service:sos`, `http://...`) are legal in SIP
(§19.1.1 *absoluteURI*) and kept as an `AbsoluteUri`; whether they are acceptable somewhere
(a 416 Unsupported URI Scheme) is for the layer above to decide.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .syntax import (
    Param,
    SipSyntaxError,
    canonical_escapes,
    check_escapes,
    find_param,
    format_params,
    param_value,
)

_SCHEME = re.compile(r"([A-Za-z][A-Za-z0-9+.\-]*):")
_HOSTNAME = re.compile(r"[A-Za-z0-9_\-]+(?:\.[A-Za-z0-9_\-]+)*\.?")
_IPV6 = re.compile(r"\[[0-9A-Fa-f:.]+(?:%[A-Za-z0-9_.\-]+)?\]")
_URI_TEXT = re.compile(r"[^\s<>\"\x00-\x1f\x7f]+")
_TEL_VISUAL = str.maketrans("", "", "-.()")
_PLAIN = r"[A-Za-z0-9\-_.!~*'()&=+$,]"
_PARAM_CHARS = r"[A-Za-z0-9\-_.!~*'()\[\]/:&+$]"
# The everyday shape — no escapes, no URI headers, nothing odd in the user part — in one match;
# everything else takes the general path, which accepts a superset and gives the same result.
_COMMON_SIP = re.compile(
    rf"(sips?):(?:({_PLAIN}+)(?::({_PLAIN}*))?@)?"
    r"([A-Za-z0-9_\-]+(?:\.[A-Za-z0-9_\-]+)*\.?|\[[0-9A-Fa-f:.]+\])(?::([0-9]{1,5}))?"
    rf"((?:;{_PARAM_CHARS}+(?:={_PARAM_CHARS}*)?)*)"
)
_PORT_MAX = 65535


@dataclass(frozen=True, slots=True)
class SipUri:
    """A `sip:` or `sips:` URI; every component as written (escapes kept)."""

    host: str
    scheme: str = "sip"
    user: str | None = None
    password: str | None = None
    port: int | None = None
    params: tuple[Param, ...] = ()
    headers: tuple[tuple[str, str], ...] = ()

    def __str__(self) -> str:
        parts = [self.scheme, ":"]
        if self.user is not None:
            parts.append(self.user)
            if self.password is not None:
                parts += [":", self.password]
            parts.append("@")
        parts.append(self.host)
        if self.port is not None:
            parts += [":", str(self.port)]
        parts.append(format_params(self.params))
        if self.headers:
            parts += ["?", "&".join(f"{name}={value}" for name, value in self.headers)]
        return "".join(parts)

    @property
    def secure(self) -> bool:
        """Whether this is a SIPS URI (TLS on every hop, §19.1)."""
        return self.scheme == "sips"

    def param(self, name: str) -> str | None:
        """The value of URI parameter `name`: None if absent, "" for a flag such as `lr`."""
        return param_value(self.params, name)

    @property
    def transport(self) -> str | None:
        """The `transport` parameter, lower-cased (udp, tcp, tls, sctp, ws, wss...)."""
        value = self.param("transport")
        return value.lower() if value else None

    @property
    def loose_route(self) -> bool:
        """Whether the URI carries `lr` (a loose router, §19.1.1)."""
        return find_param(self.params, "lr") is not None

    @property
    def address_of_record(self) -> str:
        """`scheme:user@host` — the key a registrar files bindings under (§10.3 step 5)."""
        host = self.host.lower()
        if self.user is None:
            return f"{self.scheme}:{host}"
        return f"{self.scheme}:{canonical_escapes(self.user)}@{host}"

    def equivalent(self, other: Uri) -> bool:
        """URI equality by the rules of RFC 3261 §19.1.4 (not the dataclass's field equality)."""
        if not isinstance(other, SipUri) or self.scheme != other.scheme:
            return False
        if _canonical(self.user) != _canonical(other.user):
            return False
        if _canonical(self.password) != _canonical(other.password):
            return False
        if self.host.lower() != other.host.lower() or self.port != other.port:
            return False
        mine, theirs = _param_map(self.params), _param_map(other.params)
        for name in mine.keys() | theirs.keys():
            if name in mine and name in theirs:
                if mine[name] != theirs[name]:
                    return False
            elif name in ("user", "ttl", "method", "maddr"):
                return False
        return _header_set(self.headers) == _header_set(other.headers)


@dataclass(frozen=True, slots=True)
class TelUri:
    """A `tel:` URI (RFC 3966): a global (`+...`) or local number and its parameters."""

    number: str
    params: tuple[Param, ...] = ()

    def __str__(self) -> str:
        return f"tel:{self.number}{format_params(self.params)}"

    @property
    def is_global(self) -> bool:
        """Whether the number is in global (E.164, `+`) form."""
        return self.number.startswith("+")

    @property
    def digits(self) -> str:
        """The number without visual separators (`-`, `.`, `(`, `)`), RFC 3966 §5.1.1."""
        return self.number.translate(_TEL_VISUAL)

    def param(self, name: str) -> str | None:
        """The value of parameter `name`: None if absent, "" for a flag."""
        return param_value(self.params, name)

    def equivalent(self, other: Uri) -> bool:
        """RFC 3966 §4: same digits ignoring separators, same parameters in any order."""
        return (
            isinstance(other, TelUri)
            and self.digits.lower() == other.digits.lower()
            and _param_map(self.params) == _param_map(other.params)
        )


@dataclass(frozen=True, slots=True)
class AbsoluteUri:
    """A URI of any other scheme (§19.1.1 absoluteURI), kept opaque after the colon."""

    scheme: str
    opaque: str

    def __str__(self) -> str:
        return f"{self.scheme}:{self.opaque}"

    def equivalent(self, other: Uri) -> bool:
        """Same scheme (case-insensitive) and the same text after it."""
        return (
            isinstance(other, AbsoluteUri)
            and self.scheme.lower() == other.scheme.lower()
            and self.opaque == other.opaque
        )


Uri = SipUri | TelUri | AbsoluteUri


def parse_uri(text: str) -> Uri:
    """Parse a Request-URI or addr-spec; raises `SipSyntaxError` naming the faulty part."""
    common = _COMMON_SIP.fullmatch(text)
    if common is not None:
        scheme, user, password, host, port_text, param_text = common.groups()
        port = int(port_text) if port_text is not None else None
        if port is None or port <= _PORT_MAX:
            params = tuple(
                (name, value if equals else None)
                for name, equals, value in (p.partition("=") for p in param_text.split(";")[1:])
            )
            return SipUri(host, scheme, user, password, port, params)
    match = _SCHEME.match(text)
    if match is None:
        raise SipSyntaxError(f"not a URI (no scheme): {text[:60]!r}")
    rest = text[match.end():]
    if _URI_TEXT.fullmatch(rest) is None:
        raise SipSyntaxError(f"URI contains spaces, quotes, '<' or '>' or is empty: {text[:60]!r}")
    scheme = match.group(1).lower()
    if scheme in ("sip", "sips"):
        return _parse_sip(scheme, rest, text)
    if scheme == "tel":
        return _parse_tel(rest, text)
    return AbsoluteUri(match.group(1), rest)


def _parse_sip(scheme: str, rest: str, text: str) -> SipUri:
    user = password = None
    at = rest.find("@")
    if at >= 0:
        userinfo, rest = rest[:at], rest[at + 1:]
        user, colon, secret = userinfo.partition(":")
        if not user:
            raise SipSyntaxError(f"empty user part before '@' in {text[:60]!r}")
        check_escapes(userinfo, "the URI user part")
        password = secret if colon else None
    rest, question, header_text = rest.partition("?")
    hostport, *param_texts = rest.split(";")
    host, port = _parse_hostport(hostport, text)
    params: list[Param] = []
    for piece in param_texts:
        name, equals, value = piece.partition("=")
        if not name:
            raise SipSyntaxError(f"empty URI parameter name in {text[:60]!r}")
        check_escapes(piece, "a URI parameter")
        params.append((name, value if equals else None))
    headers: list[tuple[str, str]] = []
    if question:
        for piece in header_text.split("&"):
            name, equals, value = piece.partition("=")
            if not name or not equals:
                raise SipSyntaxError(f"URI header {piece!r} is not name=value in {text[:60]!r}")
            check_escapes(piece, "a URI header")
            headers.append((name, value))
    return SipUri(host, scheme, user, password, port, tuple(params), tuple(headers))


def _parse_hostport(hostport: str, text: str) -> tuple[str, int | None]:
    """Split `host[:port]`, checking the host's shape and the port's range."""
    if hostport.startswith("["):
        close = hostport.find("]")
        host, after = hostport[:close + 1], hostport[close + 1:]
        if close < 0 or _IPV6.fullmatch(host) is None:
            raise SipSyntaxError(f"bad IPv6 reference in {text[:60]!r}")
        if after and after[0] != ":":
            raise SipSyntaxError(f"unexpected {after!r} after IPv6 reference in {text[:60]!r}")
        port_text = after[1:] if after else None
    else:
        host, colon, port = hostport.partition(":")
        port_text = port if colon else None
        check_host(host, text)
    return host, parse_port(port_text, text)


def check_host(host: str, where: str) -> None:
    """A host must be a hostname, an IPv4 address or a bracketed IPv6 reference (§25.1)."""
    if _HOSTNAME.fullmatch(host) is None and _IPV6.fullmatch(host) is None:
        raise SipSyntaxError(f"bad host {host[:40]!r} in {where[:60]!r}")


def parse_port(port_text: str | None, where: str) -> int | None:
    """A port number 0–65535, or None when there is no port."""
    if port_text is None:
        return None
    if not port_text.isdigit() or not port_text.isascii() or int(port_text) > _PORT_MAX:
        raise SipSyntaxError(f"bad port {port_text[:20]!r} in {where[:60]!r}")
    return int(port_text)


def _parse_tel(rest: str, text: str) -> TelUri:
    number, *param_texts = rest.split(";")
    if not number:
        raise SipSyntaxError(f"tel URI without a number: {text[:60]!r}")
    params: list[Param] = []
    for piece in param_texts:
        name, equals, value = piece.partition("=")
        if not name:
            raise SipSyntaxError(f"empty parameter name in {text[:60]!r}")
        params.append((name, value if equals else None))
    return TelUri(number, tuple(params))


def _canonical(text: str | None) -> str | None:
    return None if text is None else canonical_escapes(text)


def _param_map(params: tuple[Param, ...]) -> dict[str, str | None]:
    return {
        canonical_escapes(name).lower(): None if value is None else canonical_escapes(value).lower()
        for name, value in params
    }


def _header_set(headers: tuple[tuple[str, str], ...]) -> set[tuple[str, str]]:
    return {(canonical_escapes(name).lower(), canonical_escapes(value)) for name, value in headers}
