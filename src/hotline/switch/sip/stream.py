"""Framing SIP messages on a byte stream (TCP, TLS) — RFC 3261 §7.5, §18.3; RFC 5626 §3.5.1.

On a stream there are no datagram boundaries: a message ends after its header section (ended
by an empty line) plus exactly Content-Length bytes of body, and the next one starts right
after. Bytes arrive in arbitrary chunks, so `StreamParser` buffers them and hands out each
message once it is complete, whatever the cut points were.

- CRLFs between messages are skipped: §7.5 asks for it, and RFC 5626 keep-alives are a
  double CRLF ("ping") answered by a single one ("pong").
- A missing Content-Length counts as 0 (§18.3 requires the header on streams; treating its
  absence as "no body" is the liberal reading, and a stray body would then fail to parse as
  the next start line).
- The header section and the body have hard size limits, so a peer cannot make us buffer
  without bound.

Errors come in two kinds. A message that is framed correctly but malformed (say, a bad CSeq)
is returned as a `SipParseError` in the output, in its place among the messages, and parsing
goes on: the stream is still in step. When the framing itself is lost — an oversized header
section or body, a missing or unreadable Content-Length — a `SipFramingError` is returned
and the parser stops; the transport should answer if it can and close the connection.
Feeding a stopped parser is a programming error and raises `RuntimeError`.
"""

from __future__ import annotations

from .message import (
    Message,
    MessageHead,
    PartialMessage,
    SipParseError,
    find_head_end,
    parse_head,
)

_LONGEST_HEAD_END = 4

DEFAULT_MAX_HEADER_SIZE = 64 * 1024
DEFAULT_MAX_BODY_SIZE = 1024 * 1024


class SipFramingError(SipParseError):
    """The stream can no longer be split into messages; the connection must be closed."""


class StreamParser:
    """Turns a byte stream, fed in chunks of any size, into SIP messages."""

    def __init__(
        self,
        *,
        max_header_size: int = DEFAULT_MAX_HEADER_SIZE,
        max_body_size: int = DEFAULT_MAX_BODY_SIZE,
    ) -> None:
        self.max_header_size = max_header_size
        self.max_body_size = max_body_size
        self._buffer = bytearray()
        self._scan_from = 0
        self._head: MessageHead | None = None
        self._body_size = 0
        self._failure: SipFramingError | None = None

    @property
    def failure(self) -> SipFramingError | None:
        """The framing error that stopped the parser, if one did."""
        return self._failure

    @property
    def buffered(self) -> int:
        """How many received bytes are not yet part of a returned message."""
        return len(self._buffer)

    def feed(self, data: bytes) -> list[Message | SipParseError]:
        """Add received bytes; return the messages (or errors) they complete, in order."""
        if self._failure is not None:
            raise RuntimeError(f"stream parser stopped after a framing error: {self._failure}")
        buffer = self._buffer
        buffer += data
        out: list[Message | SipParseError] = []
        while True:
            if self._head is None and not self._read_head(out):
                return out
            if len(buffer) < self._body_size:
                return out
            body = bytes(buffer[: self._body_size])
            del buffer[: self._body_size]
            head, self._head, self._body_size = self._head, None, 0
            assert head is not None
            try:
                out.append(head.complete(body, datagram=False))
            except SipParseError as error:
                out.append(error)

    def _read_head(self, out: list[Message | SipParseError]) -> bool:
        """Take a complete header section off the buffer; False when more bytes are needed."""
        buffer = self._buffer
        skipped = 0
        while skipped < len(buffer) and buffer[skipped] in b"\r\n":
            skipped += 1
        if skipped:
            del buffer[:skipped]
            self._scan_from = 0
        if not buffer:
            return False
        end = find_head_end(buffer, self._scan_from)
        if end is None or end[0] > self.max_header_size:
            if len(buffer) > self.max_header_size:
                reason = f"header section longer than {self.max_header_size} bytes"
                self._fail(reason, out, status=513)
            else:
                self._scan_from = max(0, len(buffer) - _LONGEST_HEAD_END + 1)
            return False
        head = parse_head(bytes(buffer[: end[0]]))
        del buffer[: end[1]]
        self._scan_from = 0
        if head.framing_problem is not None:
            self._fail(head.framing_problem, out, head.partial)
            return False
        size = head.content_length or 0
        if size > self.max_body_size:
            reason = f"body of {size} bytes is over the {self.max_body_size}-byte limit"
            self._fail(reason, out, head.partial, status=413)
            return False
        self._head, self._body_size = head, size
        return True

    def _fail(
        self,
        reason: str,
        out: list[Message | SipParseError],
        partial: PartialMessage | None = None,
        *,
        status: int = 400,
    ) -> None:
        self._failure = SipFramingError(reason, partial, status)
        out.append(self._failure)
