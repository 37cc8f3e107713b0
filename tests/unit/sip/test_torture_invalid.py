"""Invalid messages, in the spirit of RFC 4475 §3.1.2: each is refused with a reason naming the
problem, and answered with a 400 (or 505) carrying what could be read — or not answered at
all when no response is possible.
"""

from __future__ import annotations

from textwrap import dedent

import pytest

from hotline.switch.sip import SipParseError, bad_request_for, parse, serialize

from .wire import framed, wire

VIA = "SIP/2.0/UDP client.example.com:5060;branch=z9hG4bK.bad"
GOOD = dedent(f"""
    INVITE sip:4001@hotline.example.com SIP/2.0
    Via: {VIA}
    Max-Forwards: 70
    To: <sip:4001@hotline.example.com>
    From: "Caller" <sip:caller@example.com>;tag=bad-1
    Call-ID: bad-call@client.example.com
    CSeq: 8 INVITE
    Contact: <sip:caller@client.example.com>
    Content-Type: text/plain
    """)


def variant(old: str, new: str, body: bytes = b"") -> bytes:
    """The good message with one line changed (`old` must occur), framed with `body`."""
    assert old in GOOD
    return framed(GOOD.replace(old, new), body)


def refuse(raw: bytes, problem: str) -> SipParseError:
    with pytest.raises(SipParseError) as caught:
        parse(raw)
    assert problem in caught.value.reason
    return caught.value


def test_the_unchanged_message_is_fine() -> None:
    assert parse(framed(GOOD, b"x")).body == b"x"


# (old line, new line, words the reason must contain)
ANSWERABLE = [
    ("CSeq: 8 INVITE", "CSeq: eight INVITE", "bad CSeq header"),
    ("CSeq: 8 INVITE", "CSeq: 4294967296 INVITE", "not below 2**31"),
    ("CSeq: 8 INVITE", "CSeq: 8 BYE", "does not match request method"),
    ("CSeq: 8 INVITE", "CSeq: 8", "bad CSeq header"),
    ("CSeq: 8 INVITE", "CSeq: -8 INVITE", "bad CSeq header"),
    ("CSeq: 8 INVITE\n", "", "missing CSeq header"),
    ("Call-ID: bad-call@client.example.com\n", "", "missing Call-ID header"),
    ("Call-ID: bad-call@client.example.com", "Call-ID: two words", "bad Call-ID header"),
    ("To: <sip:4001@hotline.example.com>\n", "", "missing To header"),
    ('From: "Caller" <sip:caller@example.com>;tag=bad-1\n', "", "missing From header"),
    ('From: "Caller" <sip:caller@example.com>;tag=bad-1',
     'From: "Caller <sip:caller@example.com>;tag=bad-1', "unterminated quoted string"),
    ("To: <sip:4001@hotline.example.com>", "To: <sip:4001@hotline.example.com",
     "without a closing '>'"),
    ("To: <sip:4001@hotline.example.com>",
     "To: <sip:4001@hotline.example.com>\nTo: <sip:4002@hotline.example.com>",
     "more than one To header"),
    ("Call-ID: bad-call@client.example.com",
     "Call-ID: bad-call@client.example.com\ni: other@client.example.com",
     "more than one Call-ID header"),
    ("Max-Forwards: 70", "Max-Forwards: seventy", "bad Max-Forwards header"),
    ("Max-Forwards: 70", "Max-Forwards: 300", "above 255"),
    ("Contact: <sip:caller@client.example.com>", "Contact: <sip:caller@client.example.com:0x50>",
     "bad port"),
    ("Contact: <sip:caller@client.example.com>", "Contact: *, <sip:caller@client.example.com>",
     "only Contact"),
    ("INVITE sip:4001@hotline.example.com SIP/2.0", "INVITE <sip:4001@hotline.example.com> SIP/2.0",
     "bad Request-URI"),
    ("INVITE sip:4001@hotline.example.com SIP/2.0", "INVITE sip:4001@hotline.example.com",
     "request line must be"),
    ("INVITE sip:4001@hotline.example.com SIP/2.0",
     "INVITE sip:4001 @hotline.example.com SIP/2.0", "request line must be"),
    ("INVITE sip:4001@hotline.example.com SIP/2.0",
     "INVITE sip:4001@hot%zzline.example.com SIP/2.0", "bad Request-URI"),
    ("INVITE sip:4001@hotline.example.com SIP/2.0",
     "INVITE sip:4001@hotline.example.com:70000 SIP/2.0", "bad port"),
    ("Content-Type: text/plain", "Content-Type text/plain", "malformed header line"),
    ("Content-Type: text/plain", "Content Type: text/plain", "malformed header line"),
    ("Content-Type: text/plain", ": text/plain", "malformed header line"),
    ("Content-Type: text/plain", "Content-Type: text/pl\x00ain", "control character"),
    ("Content-Type: text/plain", "Content-Type: text/pl\rain", "control character"),
]


@pytest.mark.parametrize(("old", "new", "problem"), ANSWERABLE)
def test_malformed_request_gets_a_400_naming_the_problem(old: str, new: str, problem: str) -> None:
    error = refuse(variant(old, new), problem)
    response = bad_request_for(error, to_tag="hl-err")
    assert response is not None
    assert response.status == 400 and response.reason.startswith("Bad Request (")
    assert problem in response.reason
    assert response.headers.get_all("Via") == [VIA]
    for name in ("From", "To", "Call-ID", "CSeq"):
        values = response.headers.get_all(name)
        assert len(values) <= 1
        assert not values or name.lower() not in problem.lower()
    to = response.headers.to_address()
    if to is not None:
        assert to.tag == "hl-err"
    if all(name in response.headers for name in ("From", "To", "Call-ID", "CSeq")):
        assert serialize(parse(serialize(response))) == serialize(response)


def test_400_copies_the_headers_that_parsed() -> None:
    error = refuse(variant("CSeq: 8 INVITE", "CSeq: 8 BYE"), "does not match")
    response = bad_request_for(error)
    assert response is not None
    assert response.headers.get("Call-ID") == "bad-call@client.example.com"
    assert response.headers.get("CSeq") == "8 BYE"
    sender = response.headers.from_address()
    assert sender is not None and sender.tag == "bad-1"


def test_unsupported_version_gets_505() -> None:
    error = refuse(
        variant("INVITE sip:4001@hotline.example.com SIP/2.0",
                "INVITE sip:4001@hotline.example.com SIP/7.0"),
        "unsupported SIP version 'SIP/7.0'",
    )
    response = bad_request_for(error)
    assert response is not None and response.status == 505
    assert response.reason.startswith("Version Not Supported")


def test_body_shorter_than_content_length() -> None:
    raw = framed(GOOD, b"0123456789").replace(b"Content-Length: 10", b"Content-Length: 9999")
    error = refuse(raw, "body is shorter than Content-Length (10 of 9999 bytes)")
    assert bad_request_for(error) is not None


@pytest.mark.parametrize(
    ("length", "problem"),
    [("-1", "non-negative integer"), ("ten", "non-negative integer"),
     ("99999999999999999999", "non-negative integer"), ("1 0", "non-negative integer")],
)
def test_bad_content_length(length: str, problem: str) -> None:
    raw = framed(GOOD, b"x").replace(b"Content-Length: 1", b"Content-Length: " + length.encode())
    error = refuse(raw, problem)
    assert "Content-Length" in error.reason
    assert bad_request_for(error) is not None


def test_several_content_lengths() -> None:
    raw = framed(GOOD + "Content-Length: 1\n", b"x")
    refuse(raw, "more than one Content-Length header")


def test_missing_via_cannot_be_answered() -> None:
    error = refuse(variant(f"Via: {VIA}\n", ""), "missing Via header")
    assert bad_request_for(error) is None


def test_unreadable_via_cannot_be_answered() -> None:
    error = refuse(variant(f"Via: {VIA}", "Via: SIP/2.0/UDP client.example.com:99999"), "bad Via")
    assert bad_request_for(error) is None


def test_malformed_ack_is_never_answered() -> None:
    raw = variant("CSeq: 8 INVITE", "CSeq: 8 ACK").replace(b"INVITE sip:", b"ACK sip:")
    error = refuse(raw.replace(b"Call-ID: bad-call@client.example.com\r\n", b""), "Call-ID")
    assert error.partial.method == "ACK"
    assert bad_request_for(error) is None


def test_garbage_start_line_cannot_be_answered() -> None:
    raw = variant("INVITE sip:4001@hotline.example.com SIP/2.0", "\x01\x02 what is this")
    error = refuse(raw, "control character")
    assert bad_request_for(error) is None


def test_folded_start_line() -> None:
    raw = variant("Via: ", " Via: ")
    refuse(raw, "begins with whitespace")


def test_invalid_utf8_in_a_header() -> None:
    raw = variant("Content-Type: text/plain", "Subject: caf<bad>").replace(b"<bad>", b"\xc3(")
    error = refuse(raw, "invalid UTF-8 on line 9")
    response = bad_request_for(error)
    assert response is not None and response.headers.get("Call-ID") == "bad-call@client.example.com"


@pytest.mark.parametrize(
    ("status_line", "problem"),
    [
        ("SIP/2.0 2000 OK", "three digits"),
        ("SIP/2.0 20x OK", "three digits"),
        ("SIP/2.0 099 Low", "three digits"),
        ("SIP/2.0 700 High", "three digits"),
        ("SIP/2.0", "status line must be"),
        ("SIP/3.0 200 OK", "unsupported SIP version"),
    ],
)
def test_malformed_responses_are_refused_and_never_answered(status_line: str, problem: str) -> None:
    raw = framed(
        f"""
        {status_line}
        Via: {VIA}
        To: <sip:4001@hotline.example.com>;tag=x
        From: <sip:caller@example.com>;tag=y
        Call-ID: r@client.example.com
        CSeq: 8 INVITE
        """
    )
    error = refuse(raw, problem)
    assert bad_request_for(error) is None


def test_response_missing_cseq() -> None:
    raw = framed(
        f"""
        SIP/2.0 200 OK
        Via: {VIA}
        To: <sip:4001@hotline.example.com>;tag=x
        From: <sip:caller@example.com>;tag=y
        Call-ID: r@client.example.com
        """
    )
    error = refuse(raw, "missing CSeq header")
    assert error.partial.status == 200 and not error.partial.is_request


@pytest.mark.parametrize("raw", [b"", b"\r\n\r\n", b"\n"])
def test_empty_datagrams(raw: bytes) -> None:
    refuse(raw, "empty message")


def test_error_is_a_value_error_with_the_reason_as_message() -> None:
    error = refuse(wire("INVITE\n\n"), "request line must be")
    assert isinstance(error, ValueError) and str(error) == error.reason
