"""Hotline's own SIP stack, built as a sans-I/O protocol library (RFC 3261).

This package owns SIP for the embedded switch. Like h11 for HTTP, its core never touches a
socket or a clock: bytes go in, messages come out, and time (for transactions) is passed in.
The asyncio transports that carry the bytes are a thin shell beside it.

The foundation is the message layer:

- `syntax` — the lexical rules (tokens, quoted strings, parameters, escapes) of §25.1;
- `uri` — SIP/SIPS/tel URIs and their comparison rules (§19.1);
- `address` — name-addr / addr-spec values of From, To, Contact, Route (§20.10);
- `fields` — typed Via, CSeq and digest challenge/credential values;
- `headers` — the case-insensitive, order-keeping header multi-map with compact forms (§7.3);
- `message` — `Request`, `Response`, `parse`, `serialize`, `make_response`, `bad_request_for`;
- `stream` — framing messages on TCP by Content-Length (§18.3);
- `status` — default reason phrases (§21).
"""

from .address import NameAddress, parse_address_list, parse_name_address
from .fields import (
    Challenge,
    Credentials,
    CSeq,
    Via,
    parse_challenge,
    parse_credentials,
    parse_cseq,
    parse_via,
    parse_via_list,
)
from .headers import COMPACT_FORMS, Headers, canonical_name
from .message import (
    Message,
    PartialMessage,
    Request,
    Response,
    SipParseError,
    bad_request_for,
    make_response,
    parse,
    serialize,
)
from .status import reason_phrase
from .stream import SipFramingError, StreamParser
from .syntax import SipSyntaxError
from .uri import AbsoluteUri, SipUri, TelUri, Uri, parse_uri

__all__ = [
    "COMPACT_FORMS",
    "AbsoluteUri",
    "CSeq",
    "Challenge",
    "Credentials",
    "Headers",
    "Message",
    "NameAddress",
    "PartialMessage",
    "Request",
    "Response",
    "SipFramingError",
    "SipParseError",
    "SipSyntaxError",
    "SipUri",
    "StreamParser",
    "TelUri",
    "Uri",
    "Via",
    "bad_request_for",
    "canonical_name",
    "make_response",
    "parse",
    "parse_address_list",
    "parse_challenge",
    "parse_credentials",
    "parse_cseq",
    "parse_name_address",
    "parse_uri",
    "parse_via",
    "parse_via_list",
    "reason_phrase",
    "serialize",
]
