"""SIP requests and responses: parsing, serialising and the responses a UAS builds (RFC 3261 §7).

A SIP message is a start line, header fields, an empty line and an optional body (§7)::

    INVITE sip:bob@biloxi.example SIP/2.0          SIP/2.0 200 OK
    Via: SIP/2.0/UDP pc33.atlanta.example;...       Via: ...
    ...                                             ...
    <CRLF>                                          <CRLF>
    body (Content-Length bytes)                     body

Parsing follows "be liberal in what you accept" (RFC 4475 collects the cases):

- Lines may end in CRLF or a bare LF; CRLFs before the start line are skipped (§7.5).
- A line starting with a space or tab continues the previous header (folding, §7.3.1); the
  line break and surrounding whitespace become one space.
- Header names are case-insensitive, may be compact (§7.3.3) and may have whitespace before
  the colon; values are UTF-8 (display names, reason phrases, Subject).
- Over UDP the datagram is the message: with Content-Length, a shorter body is an error and
  extra bytes are ignored (§18.3); without it, the body is the rest of the datagram. A stream
  transport frames messages by Content-Length (see `stream`).

What is *not* accepted is anything the layers above could act on wrongly: a request without
Via, From, To, Call-ID or CSeq (§8.1.1; Max-Forwards is not required, as many old peers omit
it), more than one of a single-valued header, a CSeq whose method is not the request's, bad
numbers, unterminated quotes or brackets, malformed URIs, control characters, and SIP
versions other than 2.0 (status 505). Each becomes a `SipParseError` whose `reason` names the
problem and whose `partial` holds what was read, so that `bad_request_for` can answer with a
`400 Bad Request` carrying the right Via, From, To, Call-ID and CSeq (§8.2.6) — or says that no
answer is possible (a malformed response, an ACK, no usable Via) and the message is dropped.

`serialize` writes the canonical form: full header names, CRLF line ends, and a
Content-Length that is always present and always right.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from .headers import Headers
from .status import reason_phrase
from .syntax import TOKEN, SipSyntaxError, is_token
from .uri import Uri, parse_uri

SIP_VERSION = "SIP/2.0"
REQUIRED_HEADERS = ("Via", "From", "To", "Call-ID", "CSeq")
SINGLE_VALUED_HEADERS = ("From", "To", "Call-ID", "CSeq", "Max-Forwards", "Content-Length")

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_BARE_CR = re.compile(r"\r(?!\n)")
_STATUS_LINE = re.compile(r"(\S+)[ \t]+(\S+)(?:[ \t]+(.*))?")
_FIELD_NAME = re.compile(r"(" + TOKEN.pattern + r")[ \t]*:")
_FOLD = re.compile(r"[ \t]*\n[ \t]+")
_REASON_LIMIT = 120


@dataclass(eq=True)
class Request:
    """A SIP request: method, Request-URI, header fields and body."""

    method: str
    uri: Uri
    headers: Headers = field(default_factory=Headers)
    body: bytes = b""


@dataclass(eq=True)
class Response:
    """A SIP response: status code, reason phrase, header fields and body."""

    status: int
    reason: str = ""
    headers: Headers = field(default_factory=Headers)
    body: bytes = b""


Message = Request | Response


@dataclass
class PartialMessage:
    """Whatever a failed parse could read: enough, sometimes, to answer with a 400."""

    method: str | None = None
    status: int | None = None
    headers: Headers = field(default_factory=Headers)

    @property
    def is_request(self) -> bool:
        """Whether the start line was recognisably a request (a method token first)."""
        return self.method is not None


class SipParseError(SipSyntaxError):
    """A message that cannot be accepted; `reason` says why, `partial` what was read.

    `status` is the response code a UAS should answer with: 400, or 505 for an unsupported
    SIP version.
    """

    def __init__(
        self, reason: str, partial: PartialMessage | None = None, status: int = 400
    ) -> None:
        super().__init__(reason)
        self.reason = reason
        self.partial = partial if partial is not None else PartialMessage()
        self.status = status


@dataclass
class MessageHead:
    """A parsed start line and header section, waiting for its body.

    `problem` is the first reason the message must be refused (None when it is fine),
    `content_length` the declared body size (None when absent or unreadable), and
    `framing_problem` why the body's end cannot be known (a stream must then be closed).
    """

    partial: PartialMessage
    uri: Uri | None = None
    reason: str = ""
    problem: tuple[str, int] | None = None
    content_length: int | None = None
    framing_problem: str | None = None

    def note(self, reason: str, status: int = 400) -> None:
        """Record a problem unless an earlier one was found first."""
        if self.problem is None:
            self.problem = (reason, status)

    def error(self) -> SipParseError | None:
        """The error to raise for this head, if any."""
        if self.problem is None:
            return None
        return SipParseError(self.problem[0], self.partial, self.problem[1])

    def complete(self, body: bytes, *, datagram: bool) -> Message:
        """Attach the body and build the message, or raise the head's `SipParseError`.

        For a datagram, `body` is everything after the empty line; for a stream it is exactly
        Content-Length bytes.
        """
        error = self.error()
        if error is not None:
            raise error
        declared = self.content_length
        if declared is not None:
            if len(body) < declared:
                raise SipParseError(
                    f"body is shorter than Content-Length ({len(body)} of {declared} bytes)",
                    self.partial,
                )
            body = body[:declared]
        elif not datagram:
            body = b""
        partial = self.partial
        if partial.method is not None and self.uri is not None:
            return Request(partial.method, self.uri, partial.headers, body)
        assert partial.status is not None
        return Response(partial.status, self.reason, partial.headers, body)


def parse(data: bytes) -> Message:
    """Parse one datagram's worth of bytes into a `Request` or `Response`.

    Raises `SipParseError` (and nothing else) for anything that is not an acceptable message.
    """
    start = len(data) - len(data.lstrip(b"\r\n"))
    end = find_head_end(data, start)
    if end is None:
        head, body = data[start:].rstrip(b"\r\n"), b""
    else:
        head, body = data[start:end[0]], data[end[1]:]
    return parse_head(head).complete(body, datagram=True)


def find_head_end(data: bytes | bytearray, start: int = 0) -> tuple[int, int] | None:
    """Where the empty line ending the header section is: (its first byte, the body's first).

    The end is a line break followed by an empty line, each break CRLF or a bare LF, so every
    form contains LF LF or LF CR LF; the earliest of the two marks it.
    """
    double = data.find(b"\n\n", start)
    spaced = data.find(b"\n\r\n", start, double + 3 if double >= 0 else len(data))
    if spaced >= 0:
        at, after = spaced, spaced + 3
    elif double >= 0:
        at, after = double, double + 2
    else:
        return None
    if at > 0 and data[at - 1] == 0x0D:
        at -= 1
    return at, after


def parse_head(head: bytes) -> MessageHead:
    """Read a start line and header fields (without the empty line that ends them)."""
    result = MessageHead(PartialMessage())
    try:
        text = head.decode("utf-8")
    except UnicodeDecodeError as error:
        text = head.decode("utf-8", "replace")
        line = head.count(b"\n", 0, error.start) + 1
        result.note(f"invalid UTF-8 on line {line} of the header section")
    control = _CONTROL.search(text)
    if control is None and text.count("\r") != text.count("\r\n"):
        control = _BARE_CR.search(text)
    if control is not None:
        line = text.count("\n", 0, control.start()) + 1
        result.note(f"control character {control.group()!r} on line {line} of the header section")
    if not text:
        result.note("empty message")
        return result
    start_line, _, fields = text.replace("\r\n", "\n").partition("\n")
    _read_start_line(start_line, result)
    _read_fields(fields, result)
    _check_fields(result)
    return result


def _read_start_line(line: str, result: MessageHead) -> None:
    partial = result.partial
    if line[:4].upper() == "SIP/":
        match = _STATUS_LINE.fullmatch(line)
        if match is None:
            result.note(f"status line must be 'SIP/2.0 code reason', got {line[:60]!r}")
            return
        version, code, reason = match.groups()
        if not (code.isdigit() and code.isascii() and len(code) == 3 and code[0] in "123456"):
            result.note(f"status code must be three digits from 100 to 699, got {code[:20]!r}")
        else:
            partial.status = int(code)
        if version.upper() != SIP_VERSION:
            result.note(f"unsupported SIP version {version[:20]!r}", 505)
        result.reason = (reason or "").strip(" \t")
        return
    parts = line.split()
    if parts and is_token(parts[0]):
        partial.method = parts[0]
    if len(parts) != 3:
        result.note(f"request line must be 'METHOD Request-URI SIP/2.0', got {line[:60]!r}")
        return
    method, uri_text, version = parts
    if partial.method is None:
        result.note(f"bad method {method[:30]!r} in request line")
    try:
        result.uri = parse_uri(uri_text)
    except SipSyntaxError as error:
        result.note(f"bad Request-URI: {error}")
    if version.upper() != SIP_VERSION:
        result.note(f"unsupported SIP version {version[:20]!r}", 505)


def _read_fields(text: str, result: MessageHead) -> None:
    """Unfold continuation lines (§7.3.1), then split each field line at its colon."""
    if text[:1] in (" ", "\t") and text:
        result.note("the line after the start line begins with whitespace")
        text = text.lstrip(" \t")
    if "\n " in text or "\n\t" in text:
        text = _FOLD.sub(" ", text)
    headers = result.partial.headers
    for line in text.split("\n"):
        match = _FIELD_NAME.match(line)
        if match is None:
            if line:
                result.note(f"malformed header line {line[:60]!r} (expected 'Name: value')")
            continue
        headers.append_unchecked(match.group(1), line[match.end():].strip(" \t"))


def _check_fields(result: MessageHead) -> None:
    """Check the headers every later layer relies on, recording the first problem."""
    headers = result.partial.headers
    counts = headers.field_counts()
    for name in SINGLE_VALUED_HEADERS:
        if counts.get(name.lower(), 0) > 1:
            result.note(f"more than one {name} header")
            if name == "Content-Length":
                result.framing_problem = "more than one Content-Length header"
    for name in REQUIRED_HEADERS:
        if name.lower() not in counts:
            result.note(f"missing {name} header")
    try:
        result.content_length = headers.content_length()
    except SipSyntaxError as error:
        result.note(f"bad Content-Length header: {error}")
        result.framing_problem = f"bad Content-Length header: {error}"
    checks = (
        ("Via", headers.vias),
        ("From", headers.from_address),
        ("To", headers.to_address),
        ("Call-ID", headers.call_id),
        ("Max-Forwards", headers.max_forwards),
        ("Contact", headers.contacts),
    )
    for name, read in checks:
        try:
            read()
        except SipSyntaxError as error:
            result.note(f"bad {name} header: {error}")
    try:
        cseq = headers.cseq()
    except SipSyntaxError as error:
        result.note(f"bad CSeq header: {error}")
        return
    method = result.partial.method
    if cseq is not None and method is not None and cseq.method != method:
        result.note(f"CSeq method {cseq.method!r} does not match request method {method!r}")


def serialize(message: Message) -> bytes:
    """The message in canonical form: full header names, CRLF, a correct Content-Length."""
    if isinstance(message, Request):
        lines = [f"{message.method} {message.uri} {SIP_VERSION}\r\n"]
    else:
        lines = [f"{SIP_VERSION} {message.status:03d} {message.reason}\r\n"]
    length = str(len(message.body))
    length_written = False
    for name, value in message.headers:
        if name == "Content-Length":
            if length_written:
                continue
            value, length_written = length, True
        lines.append(f"{name}: {value}\r\n")
    if not length_written:
        lines.append(f"Content-Length: {length}\r\n")
    lines.append("\r\n")
    return "".join(lines).encode("utf-8") + message.body


def make_response(
    request: Request,
    status: int,
    reason: str | None = None,
    *,
    to_tag: str | None = None,
    headers: Iterable[tuple[str, str]] = (),
    body: bytes = b"",
) -> Response:
    """A response to `request` per §8.2.6: Via, From, To, Call-ID and CSeq copied.

    The To tag is added when `to_tag` is given and the request's To has none (§8.2.6.2; a
    UAS must tag every response except 100 Trying). A 100 Trying echoes Timestamp
    (§8.2.6.1). Dialog-forming responses also copy Record-Route; that is the dialog layer's
    business (§12.1.1).
    """
    copied = _copy_identifying_headers(request.headers, to_tag, checked=False)
    if status == 100:
        for value in request.headers.get_all("Timestamp"):
            copied.append_unchecked("Timestamp", value)
    for name, value in headers:
        copied.add(name, value)
    return Response(status, reason or reason_phrase(status), copied, body)


def bad_request_for(error: SipParseError, *, to_tag: str | None = None) -> Response | None:
    """The 400 (or 505) to send for a malformed message, or None when none can be sent.

    No response is possible to a response, to an ACK (§17.2.1: ACK is never answered), or to
    a request without a readable Via (nowhere to send it). From, To, Call-ID and CSeq are
    copied when they parse, so a broken CSeq is not echoed back.
    """
    partial = error.partial
    if partial.method is None or partial.method == "ACK":
        return None
    try:
        if not partial.headers.vias():
            return None
    except SipSyntaxError:
        return None
    headers = _copy_identifying_headers(partial.headers, to_tag, checked=True)
    detail = "".join(c if c.isprintable() else "?" for c in error.reason)[:_REASON_LIMIT]
    return Response(error.status, f"{reason_phrase(error.status)} ({detail})", headers)


def _copy_identifying_headers(source: Headers, to_tag: str | None, *, checked: bool) -> Headers:
    """Via lines, then From, To (tagged if asked), Call-ID and CSeq from `source`."""
    copied = Headers()
    for value in source.get_all("Via"):
        copied.append_unchecked("Via", value)
    readers = {
        "From": source.from_address,
        "To": source.to_address,
        "Call-ID": source.call_id,
        "CSeq": source.cseq,
    }
    for name, read in readers.items():
        values = source.get_all(name)
        if len(values) != 1:
            continue
        value = values[0]
        if checked:
            try:
                read()
            except SipSyntaxError:
                continue
        if name == "To" and to_tag:
            to = source.to_address()
            if to is not None and to.tag is None:
                value = f"{value};tag={to_tag}"
        copied.append_unchecked(name, value)
    return copied
