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

On it, imported by module path (they are layers, not the message vocabulary):

- `timers`, `transaction`, `client_transaction`, `server_transaction`, `transaction_table` —
  the four transaction state machines of §17 and the matching of messages to them;
- `dialog` — dialogs (§12) and in-dialog requests; `answer` — resending a 2xx until its ACK
  (§13.3.1.4);
- `digest` — digest authentication, server and client (§22, RFC 8760);
- `guard` — lockout of sources that fail authentication, rate limits, scanner detection;
- `registrar` — REGISTER applied to the bindings of an address of record (§10.3).

Still to come for the switch: the user-agent layer on these, the asyncio transports, and the
B2BUA that ties calls to the interaction server.
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
