"""The header multi-map (RFC 3261 §7.3) and the typed header values."""

from __future__ import annotations

import pytest

from hotline.switch.sip import (
    COMPACT_FORMS,
    Challenge,
    Credentials,
    CSeq,
    Headers,
    SipSyntaxError,
    Via,
    canonical_name,
    parse_challenge,
    parse_credentials,
    parse_cseq,
    parse_via,
)


def test_names_are_case_insensitive_and_canonically_spelled() -> None:
    headers = Headers([("call-id", "x@y"), ("CSEQ", "1 INVITE"), ("www-authenticate", "Digest")])
    assert [name for name, _ in headers] == ["Call-ID", "CSeq", "WWW-Authenticate"]
    assert headers.get("CALL-ID") == "x@y" and "cseq" in headers


@pytest.mark.parametrize(("letter", "full"), sorted(COMPACT_FORMS.items()))
def test_compact_forms_expand(letter: str, full: str) -> None:
    headers = Headers([(letter.upper(), "v")])
    assert list(headers) == [(full, "v")]
    assert headers.get(letter) == "v" and headers.get(full) == "v"


def test_the_rfc_3261_compact_forms_are_all_known() -> None:
    assert {letter: canonical_name(letter) for letter in "icemlfsktv"} == {
        "i": "Call-ID", "c": "Content-Type", "e": "Content-Encoding", "m": "Contact",
        "l": "Content-Length", "f": "From", "s": "Subject", "k": "Supported", "t": "To",
        "v": "Via",
    }
    assert [canonical_name(x) for x in "ourbx"] == [
        "Event", "Allow-Events", "Refer-To", "Referred-By", "Session-Expires"
    ]


def test_unknown_names_keep_their_spelling() -> None:
    headers = Headers([("X-Hotline-Queue", "general")])
    assert list(headers) == [("X-Hotline-Queue", "general")]
    assert headers.get("x-hotline-queue") == "general"


def test_order_of_same_named_fields_is_kept() -> None:
    headers = Headers([("Route", "<sip:p1>"), ("To", "<sip:a@b>"), ("Route", "<sip:p2>")])
    assert headers.get_all("route") == ["<sip:p1>", "<sip:p2>"]
    assert headers.get("Route") == "<sip:p1>"


def test_set_replaces_in_place_and_remove_counts() -> None:
    headers = Headers([("X-A", "1"), ("Via", "x"), ("X-B", "2"), ("Via", "y")])
    headers.set("v", "z")
    assert list(headers) == [("X-A", "1"), ("Via", "z"), ("X-B", "2")]
    assert headers.remove("via") == 1 and headers.remove("via") == 0
    headers.set("Expires", "60")
    assert list(headers)[-1] == ("Expires", "60")


def test_equality_ignores_name_case_but_not_order_or_values() -> None:
    assert Headers([("x-a", "1")]) == Headers([("X-A", "1")])
    assert Headers([("X-A", "1"), ("X-B", "2")]) != Headers([("X-B", "2"), ("X-A", "1")])
    assert Headers([("X-A", "1")]) != Headers([("X-A", "2")])


def test_copy_is_independent() -> None:
    headers = Headers([("X-A", "1")])
    clone = headers.copy()
    clone.add("X-B", "2")
    assert len(headers) == 1 and len(clone) == 2


def test_add_refuses_bad_names_and_line_breaks() -> None:
    with pytest.raises(SipSyntaxError, match="header name"):
        Headers().add("Bad Name", "x")
    with pytest.raises(SipSyntaxError, match="CR or LF"):
        Headers().add("Subject", "a\r\nVia: injected")


def test_list_headers_split_on_top_level_commas_only() -> None:
    headers = Headers([
        ("Contact", '"Doe, J" <sip:j@example.com;a=1,2>;q=0.1, <sip:k@example.com>'),
        ("Contact", "<sip:l@example.com>"),
        ("Supported", "timer ,  replaces,,path"),
    ])
    assert headers.values("m") == [
        '"Doe, J" <sip:j@example.com;a=1,2>;q=0.1', "<sip:k@example.com>", "<sip:l@example.com>"
    ]
    assert headers.values("Supported") == ["timer", "replaces", "path"]


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("WWW-Authenticate", 'Digest realm="a", nonce="b"'),
        ("Authorization", 'Digest username="a", response="b"'),
        ("Proxy-Authenticate", 'Digest realm="a", qop="auth,auth-int"'),
        ("Proxy-Authorization", 'Digest username="a", nc=00000001'),
        ("Date", "Sat, 13 Nov 2010 23:29:00 GMT"),
        ("X-Unknown", "a, b"),
        ("Subject", "Hello, world"),
    ],
)
def test_headers_that_are_not_lists_are_never_split(name: str, value: str) -> None:
    assert Headers([(name, value)]).values(name) == [value]


def test_via_entries_in_one_line_and_across_lines() -> None:
    headers = Headers([
        ("Via", "SIP/2.0/UDP first.example.com;branch=z9hG4bK1, SIP/2.0/TCP 10.0.0.1:5080"),
        ("v", "SIP/2.0/TLS [2001:db8::9]:5061;branch=z9hG4bK3;received=[2001:db8::1]"),
    ])
    vias = headers.vias()
    assert [v.sent_by for v in vias] == [
        "first.example.com", "10.0.0.1:5080", "[2001:db8::9]:5061"
    ]
    assert [v.transport for v in vias] == ["UDP", "TCP", "TLS"]
    assert vias[2].received == "[2001:db8::1]"
    assert headers.via() == vias[0]


def test_via_with_spaces_in_the_sent_protocol_and_around_parameters() -> None:
    via = parse_via("SIP / 2.0 / UDP  host.example.com : 5062 ; branch = z9hG4bKx ;rport=5070")
    assert via == Via("UDP", "host.example.com", 5062,
                      (("branch", "z9hG4bKx"), ("rport", "5070")))
    assert via.rport == 5070 and via.wants_rport
    assert str(via) == "SIP/2.0/UDP host.example.com:5062;branch=z9hG4bKx;rport=5070"


def test_via_without_rport() -> None:
    via = parse_via("SIP/2.0/UDP h.example.com;branch=z9hG4bK9")
    assert via.rport is None and not via.wants_rport and via.received is None


@pytest.mark.parametrize(
    ("value", "problem"),
    [
        ("SIP/2.0/UDP", "must read"),
        ("SIP/2.0 UDP host", "must read"),
        ("SIP/2.0/UDP host:70000", "bad port"),
        ("SIP/2.0/UDP host;branch=", "bad value"),
        ("SIP/2.0/UDP host;received=not a host", "bad value"),
        ("SIP/2.0/UDP host;received=b@d", "bad host"),
        ("SIP/2.0/UDP host;rport=abc", "bad port"),
        ("SIP/2.0/UDP host;branch", "empty branch"),
        ("SIP/2.0/UDP [::1;branch=x", "must read|bad host"),
    ],
)
def test_malformed_via(value: str, problem: str) -> None:
    with pytest.raises(SipSyntaxError, match=problem):
        parse_via(value)


def test_cseq() -> None:
    assert parse_cseq("  4711   INVITE ") == CSeq(4711, "INVITE")
    assert str(CSeq(2**31 - 1, "BYE")) == "2147483647 BYE"
    for bad in ("INVITE", "1", "-1 INVITE", "1 INV ITE", "2147483648 INVITE", "1.5 ACK"):
        with pytest.raises(SipSyntaxError):
            parse_cseq(bad)


def test_contact_wildcard() -> None:
    assert Headers([("Contact", "*")]).contacts() == "*"
    with pytest.raises(SipSyntaxError, match="only Contact"):
        Headers([("Contact", "*"), ("Contact", "<sip:a@example.com>")]).contacts()
    assert Headers().contacts() == []


def test_integer_headers() -> None:
    headers = Headers([("Max-Forwards", "70"), ("l", "0"), ("Expires", "3600")])
    assert (headers.max_forwards(), headers.content_length(), headers.expires()) == (70, 0, 3600)
    assert Headers().max_forwards() is None
    bad_values = [
        ("Max-Forwards", "256", Headers.max_forwards),
        ("Max-Forwards", "-1", Headers.max_forwards),
        ("Content-Length", "1e3", Headers.content_length),
        ("Content-Length", "٣", Headers.content_length),
        ("Expires", "Thu, 01 Dec 1994 16:00:00 GMT", Headers.expires),
    ]
    for name, bad, read in bad_values:
        with pytest.raises(SipSyntaxError, match=name):
            read(Headers([(name, bad)]))


def test_call_id_must_be_one_word() -> None:
    assert Headers([("i", "abc@host")]).call_id() == "abc@host"
    with pytest.raises(SipSyntaxError, match="Call-ID"):
        Headers([("Call-ID", "abc def")]).call_id()


def test_challenge_round_trip_and_quoting_rules() -> None:
    challenge = parse_challenge(
        'Digest  realm = "pbx", nonce="n,1", qop="auth", algorithm=SHA-256 ,stale=true'
    )
    assert challenge == Challenge(
        "Digest",
        {"realm": "pbx", "nonce": "n,1", "qop": "auth", "algorithm": "SHA-256", "stale": "true"},
    )
    assert challenge.stale
    assert str(challenge) == (
        'Digest realm="pbx", nonce="n,1", qop="auth", algorithm=SHA-256, stale=true'
    )
    assert parse_challenge(str(challenge)) == challenge


def test_credentials_round_trip_and_quoting_rules() -> None:
    credentials = parse_credentials(
        'Digest USERNAME="bob", realm="pbx", uri="sip:pbx", qop=auth, nc=00000002, '
        'response="abc", escaped="a\\"b"'
    )
    assert credentials.username == "bob" and credentials.response == "abc"
    assert credentials.params["escaped"] == 'a"b'
    assert str(credentials) == (
        'Digest username="bob", realm="pbx", uri="sip:pbx", qop=auth, nc=00000002, '
        'response="abc", escaped="a\\"b"'
    )
    assert parse_credentials(str(credentials)) == credentials
    assert parse_credentials("Digest") == Credentials("Digest", {})


@pytest.mark.parametrize(
    "value", ['realm="x"', 'Digest realm="x', "Digest realm", 'Digest realm=a b', ""]
)
def test_malformed_authentication_headers(value: str) -> None:
    with pytest.raises(SipSyntaxError):
        parse_challenge(value)


def test_unknown_authentication_scheme_is_still_read() -> None:
    credentials = parse_credentials("NoOneKnowsThisScheme opaque-data=here, more=\"x y\"")
    assert credentials.scheme == "NoOneKnowsThisScheme"
    assert credentials.params == {"opaque-data": "here", "more": "x y"}
