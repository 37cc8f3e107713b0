"""Typical SIP traffic parses into the right fields and serialises back unchanged."""

from __future__ import annotations

import pytest

from hotline.switch.sip import (
    Headers,
    Request,
    Response,
    SipUri,
    make_response,
    parse,
    serialize,
)

from .wire import framed

SDP = (
    b"v=0\r\no=alice 2890844526 2890844526 IN IP4 192.0.2.10\r\ns=-\r\n"
    b"c=IN IP4 192.0.2.10\r\nt=0 0\r\nm=audio 49170 RTP/AVP 0 8 101\r\n"
    b"a=rtpmap:101 telephone-event/8000\r\na=fmtp:101 0-16\r\n"
)

INVITE = framed(
    """
    INVITE sip:4001@pbx.example.com SIP/2.0
    Via: SIP/2.0/UDP 192.0.2.10:5060;branch=z9hG4bK-inv-1;rport
    Max-Forwards: 70
    From: "Alice Caller" <sip:alice@example.com>;tag=a73kszlfl
    To: <sip:4001@pbx.example.com>
    Call-ID: 1j9FpLxk3uxtm8tn@192.0.2.10
    CSeq: 1 INVITE
    Contact: <sip:alice@192.0.2.10:5060;transport=udp>
    Allow: INVITE, ACK, CANCEL, BYE, OPTIONS, REFER, INFO
    Supported: replaces, timer
    User-Agent: Example Phone 1.0
    Content-Type: application/sdp
    """,
    SDP,
)

REGISTER = framed(
    """
    REGISTER sip:pbx.example.com SIP/2.0
    Via: SIP/2.0/TCP 198.51.100.7:49152;branch=z9hG4bK-reg-2;rport
    Max-Forwards: 70
    From: <sip:1001@pbx.example.com>;tag=reg77
    To: <sip:1001@pbx.example.com>
    Call-ID: reg-8833@198.51.100.7
    CSeq: 2 REGISTER
    Contact: <sip:1001@198.51.100.7:49152;transport=tcp>;expires=3600;q=0.8
    Authorization: Digest username="1001", realm="pbx.example.com", nonce="b7c9036dbf357f7683f054aea940e00c", uri="sip:pbx.example.com", response="7e0c3c0b7f7f9a3d2b0e36e1b4b0c1aa", algorithm=MD5, cnonce="0a4f113b", qop=auth, nc=00000001
    Expires: 3600
    """  # noqa: E501
)

OK_WITH_SDP = framed(
    """
    SIP/2.0 200 OK
    Via: SIP/2.0/UDP 192.0.2.10:5060;branch=z9hG4bK-inv-1;rport=5060;received=192.0.2.10
    From: "Alice Caller" <sip:alice@example.com>;tag=a73kszlfl
    To: <sip:4001@pbx.example.com>;tag=hl-5f2a
    Call-ID: 1j9FpLxk3uxtm8tn@192.0.2.10
    CSeq: 1 INVITE
    Contact: <sip:4001@203.0.113.5:5060>
    Content-Type: application/sdp
    """,
    SDP,
)

UNAUTHORIZED = framed(
    """
    SIP/2.0 401 Unauthorized
    Via: SIP/2.0/TCP 198.51.100.7:49152;branch=z9hG4bK-reg-1;rport=49152
    From: <sip:1001@pbx.example.com>;tag=reg77
    To: <sip:1001@pbx.example.com>;tag=hl-81
    Call-ID: reg-8833@198.51.100.7
    CSeq: 1 REGISTER
    WWW-Authenticate: Digest realm="pbx.example.com", nonce="b7c9036dbf357f7683f054aea940e00c", qop="auth,auth-int", algorithm=SHA-256, opaque="x,y", stale=FALSE
    WWW-Authenticate: Digest realm="pbx.example.com", nonce="b7c9036dbf357f7683f054aea940e00c", qop="auth", algorithm=MD5
    """  # noqa: E501
)

OPTIONS = framed(
    """
    OPTIONS sip:pbx.example.com SIP/2.0
    Via: SIP/2.0/UDP 192.0.2.99:5070;branch=z9hG4bK-opt-9
    Max-Forwards: 70
    From: <sip:monitor@example.net>;tag=m1
    To: <sip:pbx.example.com>
    Call-ID: ping-1@192.0.2.99
    CSeq: 100 OPTIONS
    Accept: application/sdp
    """
)

BYE = framed(
    """
    BYE sip:alice@192.0.2.10:5060;transport=udp SIP/2.0
    Via: SIP/2.0/UDP 203.0.113.5:5060;branch=z9hG4bK-bye-3
    Max-Forwards: 70
    From: <sip:4001@pbx.example.com>;tag=hl-5f2a
    To: "Alice Caller" <sip:alice@example.com>;tag=a73kszlfl
    Call-ID: 1j9FpLxk3uxtm8tn@192.0.2.10
    CSeq: 1 BYE
    """
)

CANCEL = framed(
    """
    CANCEL sip:4001@pbx.example.com SIP/2.0
    Via: SIP/2.0/UDP 192.0.2.10:5060;branch=z9hG4bK-inv-1;rport
    Max-Forwards: 70
    From: "Alice Caller" <sip:alice@example.com>;tag=a73kszlfl
    To: <sip:4001@pbx.example.com>
    Call-ID: 1j9FpLxk3uxtm8tn@192.0.2.10
    CSeq: 1 CANCEL
    """
)

ACK = framed(
    """
    ACK sip:4001@203.0.113.5:5060 SIP/2.0
    Via: SIP/2.0/UDP 192.0.2.10:5060;branch=z9hG4bK-ack-4;rport
    Max-Forwards: 70
    From: "Alice Caller" <sip:alice@example.com>;tag=a73kszlfl
    To: <sip:4001@pbx.example.com>;tag=hl-5f2a
    Call-ID: 1j9FpLxk3uxtm8tn@192.0.2.10
    CSeq: 1 ACK
    """
)

REFER = framed(
    """
    REFER sip:alice@192.0.2.10:5060 SIP/2.0
    Via: SIP/2.0/UDP 203.0.113.5:5060;branch=z9hG4bK-ref-5
    Max-Forwards: 70
    From: <sip:4001@pbx.example.com>;tag=hl-5f2a
    To: "Alice Caller" <sip:alice@example.com>;tag=a73kszlfl
    Call-ID: 1j9FpLxk3uxtm8tn@192.0.2.10
    CSeq: 2 REFER
    Refer-To: <sip:1002@pbx.example.com?Replaces=abc%40host%3Bto-tag%3D1%3Bfrom-tag%3D2>
    Referred-By: <sip:1001@pbx.example.com>
    Contact: <sip:4001@203.0.113.5:5060>
    """
)

DTMF = b"Signal=5\r\nDuration=160\r\n"
INFO = framed(
    """
    INFO sip:4001@203.0.113.5:5060 SIP/2.0
    Via: SIP/2.0/UDP 192.0.2.10:5060;branch=z9hG4bK-info-6
    Max-Forwards: 70
    From: "Alice Caller" <sip:alice@example.com>;tag=a73kszlfl
    To: <sip:4001@pbx.example.com>;tag=hl-5f2a
    Call-ID: 1j9FpLxk3uxtm8tn@192.0.2.10
    CSeq: 3 INFO
    Content-Type: application/dtmf-relay
    """,
    DTMF,
)

TYPICAL = {
    "INVITE": INVITE,
    "REGISTER": REGISTER,
    "200 OK": OK_WITH_SDP,
    "401": UNAUTHORIZED,
    "OPTIONS": OPTIONS,
    "BYE": BYE,
    "CANCEL": CANCEL,
    "ACK": ACK,
    "REFER": REFER,
    "INFO": INFO,
}


@pytest.mark.parametrize("raw", TYPICAL.values(), ids=TYPICAL.keys())
def test_typical_message_serialises_back_byte_for_byte(raw: bytes) -> None:
    assert serialize(parse(raw)) == raw


@pytest.mark.parametrize("raw", TYPICAL.values(), ids=TYPICAL.keys())
def test_typical_message_survives_a_round_trip(raw: bytes) -> None:
    message = parse(raw)
    assert parse(serialize(message)) == message


def test_invite_fields() -> None:
    invite = parse(INVITE)
    assert isinstance(invite, Request)
    assert invite.method == "INVITE"
    assert invite.uri == SipUri("pbx.example.com", user="4001")
    assert invite.body == SDP
    via = invite.headers.via()
    assert via is not None
    assert (via.transport, via.sent_by, via.branch, via.wants_rport) == (
        "UDP", "192.0.2.10:5060", "z9hG4bK-inv-1", True
    )
    sender = invite.headers.from_address()
    assert sender is not None and sender.display_name == "Alice Caller"
    assert sender.tag == "a73kszlfl"
    cseq = invite.headers.cseq()
    assert cseq is not None and (cseq.number, cseq.method) == (1, "INVITE")
    assert invite.headers.values("Allow") == [
        "INVITE", "ACK", "CANCEL", "BYE", "OPTIONS", "REFER", "INFO"
    ]
    assert invite.headers.max_forwards() == 70


def test_register_carries_digest_credentials_and_contact_parameters() -> None:
    register = parse(REGISTER)
    [credentials] = register.headers.credentials()
    assert credentials.scheme == "Digest"
    assert credentials.username == "1001"
    assert credentials.params["uri"] == "sip:pbx.example.com"
    assert credentials.params["qop"] == "auth"
    assert credentials.params["nc"] == "00000001"
    contacts = register.headers.contacts()
    assert contacts != "*"
    [contact] = contacts
    assert contact.param("expires") == "3600" and contact.param("q") == "0.8"
    assert register.headers.expires() == 3600
    assert str(credentials).startswith('Digest username="1001", realm="pbx.example.com"')
    assert "algorithm=MD5" in str(credentials) and "qop=auth," in str(credentials)


def test_401_challenges_are_not_split_on_their_commas() -> None:
    response = parse(UNAUTHORIZED)
    assert isinstance(response, Response)
    assert (response.status, response.reason) == (401, "Unauthorized")
    first, second = response.headers.challenges()
    assert first.realm == "pbx.example.com"
    assert first.qop_options == ["auth", "auth-int"]
    assert first.algorithm == "SHA-256" and second.algorithm == "MD5"
    assert first.params["opaque"] == "x,y"
    assert not first.stale
    assert len(response.headers.values("WWW-Authenticate")) == 2


def test_200_ok_carries_received_and_rport() -> None:
    response = parse(OK_WITH_SDP)
    via = response.headers.via()
    assert via is not None and via.received == "192.0.2.10" and via.rport == 5060
    assert response.body == SDP
    to = response.headers.to_address()
    assert to is not None and to.tag == "hl-5f2a"


def test_refer_to_keeps_its_escaped_replaces_header() -> None:
    refer = parse(REFER)
    [target] = refer.headers.addresses("Refer-To")
    assert isinstance(target.uri, SipUri)
    assert target.uri.headers == (("Replaces", "abc%40host%3Bto-tag%3D1%3Bfrom-tag%3D2"),)


def test_info_body_is_the_dtmf_payload() -> None:
    info = parse(INFO)
    assert info.body == DTMF
    assert info.headers.get("content-type") == "application/dtmf-relay"


def test_make_response_copies_the_identifying_headers_and_adds_a_to_tag() -> None:
    invite = parse(INVITE)
    assert isinstance(invite, Request)
    ringing = make_response(invite, 180, to_tag="hl-77")
    assert ringing.reason == "Ringing"
    assert [name for name, _ in ringing.headers] == ["Via", "From", "To", "Call-ID", "CSeq"]
    assert ringing.headers.get("Via") == invite.headers.get("Via")
    to = ringing.headers.to_address()
    assert to is not None and to.tag == "hl-77"
    assert ringing.headers.cseq() == invite.headers.cseq()


def test_make_response_keeps_an_existing_to_tag_and_adds_extra_headers() -> None:
    bye = parse(BYE)
    assert isinstance(bye, Request)
    ok = make_response(bye, 200, to_tag="other", headers=[("Server", "Hotline")])
    to = ok.headers.to_address()
    assert to is not None and to.tag == "a73kszlfl"
    assert ok.headers.get("server") == "Hotline"
    assert serialize(ok).endswith(b"Server: Hotline\r\nContent-Length: 0\r\n\r\n")


def test_trying_echoes_timestamp() -> None:
    invite = parse(INVITE)
    assert isinstance(invite, Request)
    invite.headers.add("Timestamp", "54")
    assert make_response(invite, 100).headers.get("Timestamp") == "54"
    assert make_response(invite, 180).headers.get("Timestamp") is None


def test_serialize_fixes_a_wrong_content_length_and_adds_a_missing_one() -> None:
    request = Request(
        "MESSAGE", SipUri("example.com", user="bob"),
        Headers([("Content-Length", "99"), ("Content-Type", "text/plain")]), b"hello",
    )
    assert b"Content-Length: 5\r\nContent-Type: text/plain\r\n\r\nhello" in serialize(request)
    request.headers.remove("Content-Length")
    assert serialize(request).endswith(b"Content-Length: 5\r\n\r\nhello")


def test_serialize_writes_full_header_names() -> None:
    compact = INVITE.replace(b"Via:", b"v:").replace(b"Call-ID:", b"i:").replace(b"From:", b"f:")
    assert serialize(parse(compact)) == INVITE
