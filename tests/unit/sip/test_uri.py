"""SIP, SIPS, tel and other URIs: parsing, printing and the comparison rules of RFC 3261 §19.1.4."""

from __future__ import annotations

import pytest

from hotline.switch.sip import AbsoluteUri, SipSyntaxError, SipUri, TelUri, parse_uri


@pytest.mark.parametrize(
    "text",
    [
        "sip:alice@atlanta.example.com",
        "sip:alice:secretword@atlanta.example.com;transport=tcp",
        "sips:alice@atlanta.example.com?subject=project%20x&priority=urgent",
        "sip:+1-212-555-1212:1234@gateway.example.com;user=phone",
        "sips:1212@gateway.example.com",
        "sip:alice@192.0.2.4",
        "sip:atlanta.example.com;method=REGISTER?to=alice%40atlanta.example.com",
        "sip:alice;day=tuesday@atlanta.example.com",
        "sip:[2001:db8::10]:5070;maddr=[2001:db8::1];lr",
        "sip:user@host.example.:5060",
        "sip:%61lice@example.com",
        "sip:example.com;lr;ttl=15",
        "tel:+1-201-555-0123;phone-context=example.com",
        "urn:service:sos",
        "http://www.example.com/a?b=c",
    ],
)
def test_uri_prints_as_it_was_written(text: str) -> None:
    assert str(parse_uri(text)) == text


def test_components_of_a_full_sip_uri() -> None:
    uri = parse_uri("sips:alice:pw@[2001:db8::10]:5061;transport=TLS;lr?subject=hi&x=y")
    assert uri == SipUri(
        "[2001:db8::10]", "sips", "alice", "pw", 5061,
        (("transport", "TLS"), ("lr", None)), (("subject", "hi"), ("x", "y")),
    )
    assert isinstance(uri, SipUri)
    assert uri.secure and uri.transport == "tls" and uri.loose_route
    assert uri.param("LR") == "" and uri.param("maddr") is None


def test_user_part_may_hold_semicolons_and_escaped_at_signs() -> None:
    uri = parse_uri("sip:user;par=u%40example.net@example.com;p=1")
    assert isinstance(uri, SipUri)
    assert uri.user == "user;par=u%40example.net"
    assert uri.host == "example.com" and uri.params == (("p", "1"),)


def test_scheme_is_case_insensitive_and_printed_lower_case() -> None:
    uri = parse_uri("SIP:Bob@Biloxi.Example.COM")
    assert str(uri) == "sip:Bob@Biloxi.Example.COM"


def test_tel_and_unknown_schemes() -> None:
    tel = parse_uri("tel:+1-201-555-0123;ext=1")
    assert isinstance(tel, TelUri) and tel.is_global and tel.digits == "+12015550123"
    assert tel.param("ext") == "1"
    assert parse_uri("mailto:alice@example.com") == AbsoluteUri("mailto", "alice@example.com")


def test_address_of_record_unescapes_and_lowercases_the_host() -> None:
    uri = parse_uri("sip:%31001@PBX.example.com:5060;transport=tcp")
    assert isinstance(uri, SipUri)
    assert uri.address_of_record == "sip:1001@pbx.example.com"


EQUIVALENT = [
    ("sip:%61lice@atlanta.example.com;transport=TCP",
     "sip:alice@ATLANTA.example.com;Transport=tcp"),
    ("sip:carol@chicago.example.com", "sip:carol@chicago.example.com;newparam=5"),
    ("sip:carol@chicago.example.com;security=on", "sip:carol@chicago.example.com;newparam=5"),
    ("sip:biloxi.example.com;transport=tcp;method=REGISTER?to=sip:bob%40biloxi.example.com",
     "sip:biloxi.example.com;method=REGISTER;transport=tcp?to=sip:bob%40biloxi.example.com"),
    ("sip:alice@atlanta.example.com?subject=project%20x&priority=urgent",
     "sip:alice@atlanta.example.com?priority=urgent&subject=project%20x"),
    ("sip:bob@example.com;maddr=239.255.255.1", "sip:bob@example.com;MADDR=239.255.255.1"),
]

NOT_EQUIVALENT = [
    ("SIP:ALICE@AtLanTa.example.com;Transport=udp", "sip:alice@AtLanTa.example.com;Transport=UDP"),
    ("sip:bob@biloxi.example.com", "sip:bob@biloxi.example.com:5060"),
    ("sip:bob@biloxi.example.com", "sip:bob@biloxi.example.com;transport=udp;user=phone"),
    ("sip:bob@biloxi.example.com", "sips:bob@biloxi.example.com"),
    ("sip:bob@192.0.2.4", "sip:bob@phone21.boxesbybob.example.com"),
    ("sip:carol@chicago.example.com", "sip:carol@chicago.example.com?Subject=next%20meeting"),
    ("sip:bob@example.com", "sip:bob@example.com;maddr=239.255.255.1"),
    ("sip:bob@example.com;ttl=1", "sip:bob@example.com;ttl=2"),
    ("sip:bob:pw@example.com", "sip:bob:PW@example.com"),
    ("sip:a%3Bb@example.com", "sip:a;b@example.com"),
    ("sip:bob@example.com", "tel:+15555550100"),
]


@pytest.mark.parametrize(("left", "right"), EQUIVALENT)
def test_equivalent_uris(left: str, right: str) -> None:
    a, b = parse_uri(left), parse_uri(right)
    assert a.equivalent(b) and b.equivalent(a)


@pytest.mark.parametrize(("left", "right"), NOT_EQUIVALENT)
def test_uris_that_differ(left: str, right: str) -> None:
    a, b = parse_uri(left), parse_uri(right)
    assert not a.equivalent(b) and not b.equivalent(a)


def test_tel_uri_comparison_ignores_visual_separators_and_parameter_order() -> None:
    a = parse_uri("tel:+1-201-555-0123;a=1;b=2")
    assert a.equivalent(parse_uri("tel:+1(201)5550123;B=2;a=1"))
    assert not a.equivalent(parse_uri("tel:+1-201-555-0124;a=1;b=2"))


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("alice@example.com", "no scheme"),
        ("sip:", "empty"),
        ("sip:@example.com", "empty user"),
        ("sip:alice@", "bad host"),
        ("sip:alice@exa mple.com", "spaces"),
        ("sip:alice@<example.com>", "'<'"),
        ("sip:alice@example.com:99999", "bad port"),
        ("sip:alice@example.com:50x", "bad port"),
        ("sip:alice@[2001:db8::10", "IPv6"),
        ("sip:alice@[2001:db8::10]x", "after IPv6"),
        ("sip:al%2ice@example.com", "escape"),
        ("sip:alice@example.com;=x", "parameter name"),
        ("sip:alice@example.com?subject", "name=value"),
        ("sip:alice@ex..ample.com", "bad host"),
        ("tel:", "empty"),
    ],
)
def test_malformed_uris_are_refused_with_a_reason(text: str, problem: str) -> None:
    with pytest.raises(SipSyntaxError, match=problem):
        parse_uri(text)
