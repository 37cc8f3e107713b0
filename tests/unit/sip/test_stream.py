"""Framing messages on a byte stream (RFC 3261 §18.3): chunks, keep-alives, limits, errors."""

from __future__ import annotations

import pytest

from hotline.switch.sip import (
    Request,
    SipFramingError,
    SipParseError,
    StreamParser,
    bad_request_for,
    parse,
)
from hotline.switch.sip.message import find_head_end

from .wire import framed


def message(n: int, body: bytes = b"") -> bytes:
    return framed(
        f"""
        MESSAGE sip:agent@hotline.example.com SIP/2.0
        Via: SIP/2.0/TCP client.example.com:49152;branch=z9hG4bK.s{n}
        To: <sip:agent@hotline.example.com>
        From: <sip:c@example.com>;tag=s{n}
        Call-ID: stream-{n}@client.example.com
        CSeq: {n} MESSAGE
        """,
        body,
    )


FIRST, SECOND, THIRD = message(1, b"hello"), message(2), message(3, b"\r\n\r\nbody with blank")


def test_several_messages_in_one_chunk() -> None:
    parser = StreamParser()
    assert parser.feed(FIRST + SECOND + THIRD) == [parse(FIRST), parse(SECOND), parse(THIRD)]
    assert parser.buffered == 0


def test_one_byte_at_a_time() -> None:
    parser = StreamParser()
    out = []
    for byte in FIRST + THIRD:
        out += parser.feed(bytes([byte]))
    assert out == [parse(FIRST), parse(THIRD)]


def test_keep_alive_crlfs_between_messages_are_skipped() -> None:
    parser = StreamParser()
    assert parser.feed(b"\r\n\r\n") == []
    assert parser.feed(FIRST + b"\r\n" + b"\r\n\r\n" + SECOND[:10]) == [parse(FIRST)]
    assert parser.feed(SECOND[10:] + b"\r\n") == [parse(SECOND)]
    assert parser.buffered == 0


def test_body_is_framed_by_content_length_not_by_blank_lines() -> None:
    parser = StreamParser()
    [got] = parser.feed(THIRD)
    assert got.body == b"\r\n\r\nbody with blank"


def test_missing_content_length_means_no_body() -> None:
    raw = message(4).replace(b"Content-Length: 0\r\n", b"")
    parser = StreamParser()
    [got] = parser.feed(raw + FIRST)[:1]
    assert isinstance(got, Request) and got.body == b""


def test_malformed_but_framed_message_is_reported_in_place_and_parsing_goes_on() -> None:
    bad = message(5, b"abc").replace(b"CSeq: 5 MESSAGE", b"CSeq: 5 INVITE")
    parser = StreamParser()
    first, error, third = parser.feed(FIRST + bad + THIRD)
    assert first == parse(FIRST) and third == parse(THIRD)
    assert isinstance(error, SipParseError) and "does not match" in error.reason
    response = bad_request_for(error)
    assert response is not None and response.status == 400
    assert parser.failure is None


def test_oversized_header_section_stops_the_parser() -> None:
    parser = StreamParser(max_header_size=200)
    [error] = parser.feed(b"INVITE sip:a@example.com SIP/2.0\r\nX-Long: " + b"x" * 300)
    assert isinstance(error, SipFramingError)
    assert error.reason == "header section longer than 200 bytes" and error.status == 513
    assert parser.failure is error
    with pytest.raises(RuntimeError, match="framing error"):
        parser.feed(FIRST)


def test_oversized_header_section_is_caught_even_when_complete() -> None:
    parser = StreamParser(max_header_size=100)
    [error] = parser.feed(FIRST)
    assert isinstance(error, SipFramingError)


def test_oversized_body_stops_the_parser_before_it_arrives() -> None:
    parser = StreamParser(max_body_size=1000)
    raw = message(6, b"x" * 1001)
    head = raw[: raw.index(b"\r\n\r\n") + 4]
    out = parser.feed(FIRST + head)
    assert out[0] == parse(FIRST)
    error = out[1]
    assert isinstance(error, SipFramingError) and error.status == 413
    assert "1001 bytes is over the 1000-byte limit" in error.reason
    assert error.partial.method == "MESSAGE"


@pytest.mark.parametrize(
    ("old", "new", "problem"),
    [
        (b"Content-Length: 5", b"Content-Length: five", "bad Content-Length"),
        (b"Content-Length: 5", b"Content-Length: 5\r\nl: 5", "more than one Content-Length"),
    ],
)
def test_unreadable_content_length_loses_the_framing(old: bytes, new: bytes, problem: str) -> None:
    parser = StreamParser()
    [error] = parser.feed(FIRST.replace(old, new))
    assert isinstance(error, SipFramingError) and problem in error.reason
    assert bad_request_for(error) is not None


def test_bare_lf_messages_on_a_stream() -> None:
    raw = FIRST.replace(b"\r\n", b"\n")
    assert StreamParser().feed(raw + raw) == [parse(FIRST), parse(FIRST)]


@pytest.mark.parametrize(
    ("data", "end"),
    [
        (b"A: 1\r\n\r\nbody\n\n", (4, 8)),
        (b"A: 1\n\nbody\r\n\r\n", (4, 6)),
        (b"A: 1\r\n\nbody", (4, 7)),
        (b"A: 1\n\r\nbody", (4, 7)),
        (b"A: 1\r\n\r\n\n", (4, 8)),
        (b"A: 1\r\nB: 2\r\n", None),
    ],
)
def test_the_header_section_ends_at_the_first_empty_line(
    data: bytes, end: tuple[int, int] | None
) -> None:
    assert find_head_end(data) == end
