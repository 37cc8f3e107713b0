"""Header fields: a case-insensitive, order-keeping multi-map with typed accessors (RFC 3261 §7.3).

Theory (§7.3.1): header names are case-insensitive; the order of fields with *different* names
does not matter, but the order of fields with the *same* name does (Via, Route, Record-Route
describe a path). A header whose grammar is a comma-separated list may arrive as several lines
or as one line with commas, and the two are equivalent — so `values(name)` splits list headers
into their elements, while the field lines themselves are kept exactly as received (a proxy
must not rewrite what it forwards).

Splitting is only done for headers known to be lists, and never inside quoted strings or
`<...>`. Some headers contain commas without being lists — `WWW-Authenticate`,
`Authorization`, `Proxy-Authenticate`, `Proxy-Authorization` (comma-separated parameters of a
single challenge) and `Date` (`Sat, 13 Nov 2010 ...`) — and unknown headers may be anything, so
those are never split.

Compact forms (§7.3.3 plus the extensions that define one, e.g. `o` Event in RFC 6665, `r`
Refer-To in RFC 3515, `x` Session-Expires in RFC 4028) are expanded on the way in, and known
headers get their conventional spelling (`Call-ID`, `CSeq`, `WWW-Authenticate`), so a message
is always serialised with full, canonical names. Unknown names keep the sender's spelling.

Typed accessors parse on demand and raise `SipSyntaxError` for a malformed value; they return
None (or an empty list) when the header is absent.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Literal

from .address import NameAddress, parse_address_list, parse_name_address
from .fields import (
    Challenge,
    Credentials,
    CSeq,
    Via,
    parse_challenge,
    parse_credentials,
    parse_cseq,
    parse_via_list,
)
from .syntax import SipSyntaxError, is_token, split_top_level

COMPACT_FORMS: dict[str, str] = {
    "a": "Accept-Contact",
    "b": "Referred-By",
    "c": "Content-Type",
    "d": "Request-Disposition",
    "e": "Content-Encoding",
    "f": "From",
    "i": "Call-ID",
    "j": "Reject-Contact",
    "k": "Supported",
    "l": "Content-Length",
    "m": "Contact",
    "o": "Event",
    "r": "Refer-To",
    "s": "Subject",
    "t": "To",
    "u": "Allow-Events",
    "v": "Via",
    "x": "Session-Expires",
    "y": "Identity",
}
"""Single-letter header names and the full names they stand for."""

_KNOWN_NAMES = (
    "Accept", "Accept-Contact", "Accept-Encoding", "Accept-Language", "Alert-Info", "Allow",
    "Allow-Events", "Authentication-Info", "Authorization", "Call-ID", "Call-Info", "Contact",
    "Content-Disposition", "Content-Encoding", "Content-Language", "Content-Length",
    "Content-Type", "CSeq", "Date", "Error-Info", "Event", "Expires", "From", "History-Info",
    "Identity", "In-Reply-To", "Max-Forwards", "MIME-Version", "Min-Expires", "Min-SE",
    "Organization", "P-Asserted-Identity", "P-Preferred-Identity", "Path", "Priority",
    "Privacy", "Proxy-Authenticate", "Proxy-Authorization", "Proxy-Require", "RAck", "Reason",
    "Record-Route", "Refer-To", "Referred-By", "Reject-Contact", "Replaces", "Reply-To",
    "Request-Disposition", "Require", "Retry-After", "Route", "RSeq", "Security-Client",
    "Security-Server", "Security-Verify", "Server", "Service-Route", "Session-Expires",
    "SIP-ETag", "SIP-If-Match", "Subject", "Subscription-State", "Supported", "Timestamp", "To",
    "Unsupported", "User-Agent", "Via", "Warning", "WWW-Authenticate",
)
# lower-cased name or compact form -> (conventional spelling, lookup key)
_CANONICAL: dict[str, tuple[str, str]] = {
    name.lower(): (name, name.lower()) for name in _KNOWN_NAMES
}
_CANONICAL.update({letter: (full, full.lower()) for letter, full in COMPACT_FORMS.items()})

LIST_HEADERS = frozenset(
    name.lower()
    for name in (
        "Accept", "Accept-Contact", "Accept-Encoding", "Accept-Language", "Alert-Info",
        "Allow", "Allow-Events", "Call-Info", "Contact", "Content-Encoding", "Content-Language",
        "Error-Info", "History-Info", "In-Reply-To", "P-Asserted-Identity",
        "P-Preferred-Identity", "Path", "Privacy", "Proxy-Require", "Reason", "Record-Route",
        "Reject-Contact", "Require", "Route", "Security-Client", "Security-Server",
        "Security-Verify", "Service-Route", "Supported", "Unsupported", "Via", "Warning",
    )
)
"""Headers whose grammar is a comma-separated list, split by `Headers.values`."""


def canonical_name(name: str) -> str:
    """The full, conventionally spelled name of a header (`i` → `Call-ID`, `cseq` → `CSeq`)."""
    known = _CANONICAL.get(name.lower())
    return name if known is None else known[0]


def _key(name: str) -> str:
    """The lookup key of a header name: its full name, lower-cased."""
    lower = name.lower()
    known = _CANONICAL.get(lower)
    return lower if known is None else known[1]


class Headers:
    """Header fields in order; names compare case-insensitively and compact forms expand."""

    __slots__ = ("_fields",)

    def __init__(self, fields: Iterable[tuple[str, str]] = ()) -> None:
        self._fields: list[tuple[str, str, str]] = []
        for name, value in fields:
            self.add(name, value)

    def add(self, name: str, value: str) -> None:
        """Append a field line; the value is stripped and may not contain CR or LF."""
        if not is_token(name):
            raise SipSyntaxError(f"bad header name {name!r}")
        if "\r" in value or "\n" in value:
            raise SipSyntaxError(f"header {name} value contains CR or LF")
        self.append_unchecked(name, value.strip(" \t"))

    def append_unchecked(self, name: str, value: str) -> None:
        """Append a field the parser has already checked (a token name, a one-line value)."""
        lower = name.lower()
        known = _CANONICAL.get(lower)
        if known is None:
            self._fields.append((lower, name, value))
        else:
            self._fields.append((known[1], known[0], value))

    def set(self, name: str, value: str) -> None:
        """Replace every `name` field by one, in the place of the first (or at the end)."""
        key = _key(name)
        position = next((i for i, f in enumerate(self._fields) if f[0] == key), None)
        self.remove(name)
        self.add(name, value)
        if position is not None:
            self._fields.insert(position, self._fields.pop())

    def remove(self, name: str) -> int:
        """Remove every `name` field; returns how many there were."""
        key = _key(name)
        before = len(self._fields)
        self._fields = [f for f in self._fields if f[0] != key]
        return before - len(self._fields)

    def get(self, name: str) -> str | None:
        """The value of the first `name` field line, or None."""
        key = _key(name)
        for field_key, _, value in self._fields:
            if field_key == key:
                return value
        return None

    def get_all(self, name: str) -> list[str]:
        """The values of every `name` field line, in order (lists not split)."""
        key = _key(name)
        return [value for field_key, _, value in self._fields if field_key == key]

    def values(self, name: str) -> list[str]:
        """The elements of `name`: list headers split on top-level commas, others per line."""
        lines = self.get_all(name)
        if _key(name) not in LIST_HEADERS:
            return lines
        return [
            part.strip(" \t") for line in lines for part in split_top_level(line, ",")
            if part.strip(" \t")
        ]

    def field_counts(self) -> dict[str, int]:
        """How many field lines each header has, keyed by lower-cased full name."""
        counts: dict[str, int] = {}
        for key, _, _ in self._fields:
            counts[key] = counts.get(key, 0) + 1
        return counts

    def copy(self) -> Headers:
        """An independent copy."""
        clone = Headers()
        clone._fields = list(self._fields)
        return clone

    def __contains__(self, name: object) -> bool:
        return isinstance(name, str) and self.get(name) is not None

    def __iter__(self) -> Iterator[tuple[str, str]]:
        return ((name, value) for _, name, value in self._fields)

    def __len__(self) -> int:
        return len(self._fields)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Headers):
            return NotImplemented
        return [(k, v) for k, _, v in self._fields] == [(k, v) for k, _, v in other._fields]

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return f"Headers({list(self)!r})"

    # Typed accessors -----------------------------------------------------------------------

    def vias(self) -> list[Via]:
        """Every Via entry, top (most recent hop) first."""
        return [via for line in self.get_all("Via") for via in parse_via_list(line)]

    def via(self) -> Via | None:
        """The top Via: the hop the response goes back to."""
        line = self.get("Via")
        return None if line is None else parse_via_list(line)[0]

    def from_address(self) -> NameAddress | None:
        """The From address (with its tag)."""
        return self._address("From")

    def to_address(self) -> NameAddress | None:
        """The To address (with its tag once a dialog exists)."""
        return self._address("To")

    def call_id(self) -> str | None:
        """The Call-ID, which groups the messages of a call or registration (§8.1.1.4)."""
        value = self.get("Call-ID")
        if value is not None and (not value or any(c in value for c in " \t")):
            raise SipSyntaxError(f"Call-ID must be one word, got {value[:60]!r}")
        return value

    def cseq(self) -> CSeq | None:
        """The CSeq number and method."""
        value = self.get("CSeq")
        return None if value is None else parse_cseq(value)

    def contacts(self) -> list[NameAddress] | Literal["*"]:
        """Every Contact address, or `"*"` for the wildcard that removes all bindings (§10.2.2)."""
        parts = self.values("Contact")
        if "*" in parts:
            if len(parts) > 1:
                raise SipSyntaxError("Contact '*' must be the only Contact value")
            return "*"
        return [parse_name_address(part) for part in parts]

    def addresses(self, name: str) -> list[NameAddress]:
        """Every address of a list header such as Route, Record-Route or Path, in order."""
        return [address for line in self.get_all(name) for address in parse_address_list(line)]

    def max_forwards(self) -> int | None:
        """Max-Forwards: how many more hops the request may take (0–255, §20.22)."""
        return self._integer("Max-Forwards", 255)

    def content_length(self) -> int | None:
        """Content-Length: the body size in bytes (§20.14)."""
        return self._integer("Content-Length", None)

    def expires(self) -> int | None:
        """Expires in delta-seconds (§20.19)."""
        return self._integer("Expires", 2**32 - 1)

    def challenges(self, name: str = "WWW-Authenticate") -> list[Challenge]:
        """Every challenge in `WWW-Authenticate` (or `Proxy-Authenticate`), one per line."""
        return [parse_challenge(line) for line in self.get_all(name)]

    def credentials(self, name: str = "Authorization") -> list[Credentials]:
        """Every credential in `Authorization` (or `Proxy-Authorization`), one per line."""
        return [parse_credentials(line) for line in self.get_all(name)]

    def _address(self, name: str) -> NameAddress | None:
        value = self.get(name)
        return None if value is None else parse_name_address(value)

    def _integer(self, name: str, limit: int | None) -> int | None:
        value = self.get(name)
        if value is None:
            return None
        if not value.isdigit() or not value.isascii() or len(value) > 12:
            raise SipSyntaxError(f"{name} must be a non-negative integer, got {value[:40]!r}")
        number = int(value)
        if limit is not None and number > limit:
            raise SipSyntaxError(f"{name} {number} is above {limit}")
        return number
