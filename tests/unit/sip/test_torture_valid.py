"""Valid but strange messages, in the spirit of RFC 4475 §3.1.1: all must parse, correctly.

The messages are our own, written for the same traps the RFC lists: odd whitespace and
folding, escapes, long values, unknown schemes and methods, several values per header,
UTF-8 text, and the framing liberties a datagram parser should allow.
"""

from __future__ import annotations

from textwrap import dedent

from hotline.switch.sip import (
    AbsoluteUri,
    Request,
    Response,
    SipUri,
    parse,
    parse_uri,
    serialize,
)

from .wire import framed, wire


def test_whitespace_folding_case_and_compact_forms() -> None:
    raw = wire(
        """
        OPTIONS   sip:queue.general@hotline.example.com   SIP/2.0
        v:  SIP / 2.0 / UDP\tlb.example.net ;
          branch = z9hG4bK.fold-1
        VIA:SIP/2.0/TCP 10.1.1.1:5080;branch=z9hG4bK.fold-0
        max-forwards\t:   68
        TO :
         "Queue\tGeneral"   <sip:queue.general@hotline.example.com>
        f: Caller   One<sip:caller@example.net>
            ;tag=fold-tag
        i:fold-call-1@lb.example.net
        cSeQ :   77
          OPTIONS
        Subject: Folded
        \tacross three
           lines
        X-Empty:
        l: 0

        """
    )
    message = parse(raw)
    assert isinstance(message, Request) and message.method == "OPTIONS"
    headers = message.headers
    assert [v.sent_by for v in headers.vias()] == ["lb.example.net", "10.1.1.1:5080"]
    assert headers.vias()[0].branch == "z9hG4bK.fold-1"
    assert headers.max_forwards() == 68
    to = headers.to_address()
    assert to is not None and to.display_name == "Queue\tGeneral"
    sender = headers.from_address()
    assert sender is not None and sender.display_name == "Caller One"
    assert sender.tag == "fold-tag"
    assert headers.call_id() == "fold-call-1@lb.example.net"
    cseq = headers.cseq()
    assert cseq is not None and (cseq.number, cseq.method) == (77, "OPTIONS")
    assert headers.get("Subject") == "Folded across three lines"
    assert headers.get("x-empty") == ""
    assert parse(serialize(message)) == message


def test_escapes_in_request_uri_and_addresses() -> None:
    raw = framed(
        """
        INVITE sip:sip%3Aagent%40hotline.example.com@gw.example.com;p=%22q%22 SIP/2.0
        Via: SIP/2.0/UDP gw.example.com;branch=z9hG4bK.esc
        To: <sip:%61gent%31@hotline.example.com>
        From: "\\H\\o\\t \\\\ \\"line\\"" <sip:ops@example.com>;tag=esc
        Call-ID: esc-1@gw.example.com
        CSeq: 1 INVITE
        Contact: <sip:null%00byte@gw.example.com>
        """
    )
    message = parse(raw)
    assert isinstance(message, Request) and isinstance(message.uri, SipUri)
    assert message.uri.user == "sip%3Aagent%40hotline.example.com"
    assert message.uri.param("p") == "%22q%22"
    to = message.headers.to_address()
    assert to is not None and to.uri.equivalent(parse_uri("sip:agent1@hotline.example.com"))
    sender = message.headers.from_address()
    assert sender is not None and sender.display_name == 'Hot \\ "line"'
    assert serialize(message) == raw


def test_semicolons_in_the_user_part_and_ipv6_everywhere() -> None:
    raw = framed(
        """
        INVITE sip:+1-555-0100;isub=12;postd=pp22@[2001:db8::5]:5070;user=phone SIP/2.0
        Via: SIP/2.0/UDP [2001:db8::9]:5062;branch=z9hG4bK.v6;received=[2001:db8::1];rport=5062
        To: <sip:+1-555-0100;isub=12@[2001:db8::5]:5070;user=phone>
        From: <sip:a@[2001:db8::9]>;tag=v6
        Call-ID: v6@[2001:db8::9]
        CSeq: 9 INVITE
        Contact: <sip:a@[2001:db8::9]:5062>
        """
    )
    message = parse(raw)
    assert isinstance(message, Request)
    assert message.uri == SipUri(
        "[2001:db8::5]", "sip", "+1-555-0100;isub=12;postd=pp22", None, 5070, (("user", "phone"),)
    )
    via = message.headers.via()
    assert via is not None and via.received == "[2001:db8::1]" and via.rport == 5062


def test_long_values() -> None:
    long_tag = "t" * 300
    long_name = " ".join(["Long"] * 200)
    lines = [
        "MESSAGE sip:agent@hotline.example.com SIP/2.0",
        *(
            f"Via: SIP/2.0/TCP proxy{n}.example.com:{5000 + n};branch=z9hG4bK.long{n}"
            for n in range(80)
        ),
        "To: <sip:agent@hotline.example.com>",
        f'From: "{long_name}" <sip:{"u" * 500}@example.com>;tag={long_tag}',
        f"Call-ID: {'c' * 1000}@example.com",
        "CSeq: 2147483647 MESSAGE",
        f"X-Long: {'x' * 5000}",
        "Contact: " + ", ".join(f"<sip:c{n}@example.com>;q=0.{n % 10}" for n in range(60)),
        "Content-Type: text/plain",
    ]
    raw = framed("\n".join(lines), b"z" * 20_000)
    message = parse(raw)
    assert len(message.headers.vias()) == 80
    sender = message.headers.from_address()
    assert sender is not None and sender.tag == long_tag
    contacts = message.headers.contacts()
    assert contacts != "*" and len(contacts) == 60
    cseq = message.headers.cseq()
    assert cseq is not None and cseq.number == 2**31 - 1
    assert len(message.body) == 20_000
    assert serialize(message) == raw


def test_unknown_schemes_methods_and_headers() -> None:
    raw = framed(
        """
        NEWMETHOD urn:service:sos SIP/2.0
        Via: SIP/2.0/SCTP carrier.example.com;branch=z9hG4bK.unknown;newparam=value
        To: <http://www.example.com/help>
        From: <mailto:caller@example.com>;tag=u1
        Call-ID: unknown@carrier.example.com
        CSeq: 3 NEWMETHOD
        Contact: <im:caller@example.com>
        NewFangledHeader:   newfangled value
         continued newfangled value
        UnknownHeaderWithUnusualValue: ;;,,;;,;
        """
    )
    message = parse(raw)
    assert isinstance(message, Request)
    assert message.method == "NEWMETHOD" and message.uri == AbsoluteUri("urn", "service:sos")
    to = message.headers.to_address()
    assert to is not None and to.uri == AbsoluteUri("http", "//www.example.com/help")
    assert message.headers.get("newfangledheader") == "newfangled value continued newfangled value"
    assert message.headers.get("UnknownHeaderWithUnusualValue") == ";;,,;;,;"


def test_method_names_are_case_sensitive() -> None:
    raw = framed(
        """
        invite sip:a@example.com SIP/2.0
        Via: SIP/2.0/UDP h.example.com;branch=z9hG4bK.lc
        To: <sip:a@example.com>
        From: <sip:b@example.com>;tag=lc
        Call-ID: lc@h.example.com
        CSeq: 1 invite
        """
    )
    message = parse(raw)
    assert isinstance(message, Request) and message.method == "invite"


def test_several_values_in_one_header_and_across_headers() -> None:
    raw = framed(
        """
        INVITE sip:a@example.com SIP/2.0
        Via: SIP/2.0/UDP p1.example.com;branch=z9hG4bK.m1, SIP/2.0/UDP p2.example.com;branch=z9hG4bK.m2
        Via: SIP/2.0/UDP p3.example.com;branch=z9hG4bK.m3
        Route: <sip:r1.example.com;lr>, <sip:r2.example.com;lr>
        Route: <sip:r3.example.com;lr>
        To: <sip:a@example.com>
        From: "Comma, Semicolon; <Angle>" <sip:b@example.com>;tag=m
        Call-ID: multi@example.com
        CSeq: 1 INVITE
        Supported: timer,replaces
        Supported: path
        """  # noqa: E501
    )
    message = parse(raw)
    assert [v.branch for v in message.headers.vias()] == [
        "z9hG4bK.m1", "z9hG4bK.m2", "z9hG4bK.m3"
    ]
    assert [str(r.uri) for r in message.headers.addresses("Route")] == [
        "sip:r1.example.com;lr", "sip:r2.example.com;lr", "sip:r3.example.com;lr"
    ]
    assert message.headers.values("k") == ["timer", "replaces", "path"]
    sender = message.headers.from_address()
    assert sender is not None and sender.display_name == "Comma, Semicolon; <Angle>"


def test_utf8_reason_phrase_subject_and_display_name() -> None:
    raw = framed(
        """
        SIP/2.0 486 忙碌 — Occupé
        Via: SIP/2.0/UDP h.example.com;branch=z9hG4bK.utf
        To: "Agent Wang 王" <sip:1001@hotline.example.com>;tag=x
        From: <sip:b@example.com>;tag=y
        Call-ID: utf@example.com
        CSeq: 5 INVITE
        Subject: 燃气报修 — gas repair
        """
    )
    message = parse(raw)
    assert isinstance(message, Response)
    assert (message.status, message.reason) == (486, "忙碌 — Occupé")
    assert message.headers.get("Subject") == "燃气报修 — gas repair"
    to = message.headers.to_address()
    assert to is not None and to.display_name == "Agent Wang 王"
    assert serialize(message) == raw


def test_empty_reason_phrase_and_unusual_codes() -> None:
    for status_line, code in (("SIP/2.0 699", 699), ("SIP/2.0 199 ", 199), ("sip/2.0 399 x", 399)):
        raw = framed(
            f"""
            {status_line}
            Via: SIP/2.0/UDP h.example.com;branch=z9hG4bK.c
            To: <sip:a@example.com>;tag=1
            From: <sip:b@example.com>;tag=2
            Call-ID: code@example.com
            CSeq: 1 INVITE
            """
        )
        message = parse(raw)
        assert isinstance(message, Response) and message.status == code


PLAIN = """
    MESSAGE sip:agent@hotline.example.com SIP/2.0
    Via: SIP/2.0/UDP h.example.com;branch=z9hG4bK.dg
    To: <sip:agent@hotline.example.com>
    From: <sip:b@example.com>;tag=dg
    Call-ID: dg@example.com
    CSeq: 1 MESSAGE
    """


def test_bare_lf_line_ends_and_leading_crlfs() -> None:
    raw = b"\r\n\r\n" + wire(dedent(PLAIN) + "Content-Length: 5\n\nhello", line_end="\n")
    message = parse(raw)
    assert message.body == b"hello"
    assert serialize(message) == framed(PLAIN, b"hello")


def test_datagram_without_content_length_takes_the_rest_as_body() -> None:
    raw = wire(dedent(PLAIN) + "\n") + b"\x00binary\xff\xfe body"
    assert parse(raw).body == b"\x00binary\xff\xfe body"


def test_datagram_bytes_after_the_declared_body_are_ignored() -> None:
    raw = framed(PLAIN, b"hello") + b"trailing junk \r\n\r\n"
    assert parse(raw).body == b"hello"


def test_max_forwards_may_be_missing_and_headers_may_end_without_blank_line() -> None:
    raw = wire(PLAIN)
    message = parse(raw)
    assert message.headers.max_forwards() is None and message.body == b""


def test_contact_wildcard_in_register() -> None:
    raw = framed(
        """
        REGISTER sip:hotline.example.com SIP/2.0
        Via: SIP/2.0/UDP h.example.com;branch=z9hG4bK.star
        To: <sip:1001@hotline.example.com>
        From: <sip:1001@hotline.example.com>;tag=star
        Call-ID: star@h.example.com
        CSeq: 9 REGISTER
        Contact: *
        Expires: 0
        """
    )
    message = parse(raw)
    assert message.headers.contacts() == "*" and message.headers.expires() == 0
