"""name-addr and addr-spec values (RFC 3261 §20.10): display names, brackets, header parameters."""

from __future__ import annotations

import pytest

from hotline.switch.sip import (
    AbsoluteUri,
    NameAddress,
    SipSyntaxError,
    SipUri,
    parse_address_list,
    parse_name_address,
)


def test_quoted_display_name_with_escapes() -> None:
    address = parse_name_address(r'"The \"Boss\" \\ Ops" <sip:boss@example.com>;tag=98asjd8')
    assert address.display_name == 'The "Boss" \\ Ops'
    assert address.tag == "98asjd8"
    assert str(address) == r'"The \"Boss\" \\ Ops" <sip:boss@example.com>;tag=98asjd8'


def test_token_display_name_whitespace_collapses() -> None:
    address = parse_name_address("Joe \t  Q.  Public   <sip:joe@example.com>")
    assert address.display_name == "Joe Q. Public"


def test_utf8_display_name() -> None:
    address = parse_name_address('"张三 Zhāng" <sip:zhang@example.cn>')
    assert address.display_name == "张三 Zhāng"
    assert parse_name_address(str(address)) == address


def test_display_name_may_hold_brackets_commas_and_semicolons_when_quoted() -> None:
    address = parse_name_address('"<sip:x@y>, a; b" <sip:real@example.com>;q=0.5')
    assert address.display_name == "<sip:x@y>, a; b"
    assert address.uri == SipUri("example.com", user="real")


def test_without_brackets_the_parameters_belong_to_the_header() -> None:
    address = parse_name_address("sip:bob@biloxi.example.com;tag=887s")
    assert address.uri == SipUri("biloxi.example.com", user="bob")
    assert address.params == (("tag", "887s"),)
    with_brackets = parse_name_address("<sip:bob@biloxi.example.com;transport=tcp>;tag=887s")
    assert with_brackets.uri == SipUri("biloxi.example.com", user="bob",
                                       params=(("transport", "tcp"),))
    assert str(with_brackets) == "<sip:bob@biloxi.example.com;transport=tcp>;tag=887s"


def test_whitespace_around_brackets_and_parameter_separators() -> None:
    address = parse_name_address('  "Bob"<sip:bob@example.com> ; tag = 1a ;  lr  ')
    assert address.display_name == "Bob"
    assert address.params == (("tag", "1a"), ("lr", None))


def test_empty_quoted_display_name_is_kept_distinct_from_none() -> None:
    address = parse_name_address('"" <sip:anonymous@anonymous.invalid>')
    assert address.display_name == ""
    assert parse_name_address(str(address)) == address


def test_quoted_parameter_values_are_unquoted_on_access() -> None:
    address = parse_name_address(
        '<sip:1001@198.51.100.7>;+sip.instance="<urn:uuid:f81d4fae-7dec-11d0-a765>";reg-id=1'
    )
    assert address.param("+sip.instance") == "<urn:uuid:f81d4fae-7dec-11d0-a765>"
    assert address.param("reg-id") == "1"


def test_unknown_scheme_in_an_address() -> None:
    address = parse_name_address("<urn:service:sos>;x=1")
    assert address.uri == AbsoluteUri("urn", "service:sos")


def test_with_param_replaces_case_insensitively() -> None:
    address = parse_name_address("<sip:a@example.com>;TAG=1;q=1")
    assert address.with_param("tag", "2").params == (("q", "1"), ("tag", "2"))


def test_lists_split_outside_quotes_and_brackets() -> None:
    addresses = parse_address_list(
        '"Smith, J." <sip:js@example.com;x=1,2>;q=0.7, <sip:b@example.com>,sip:c@example.com'
    )
    assert [a.display_name for a in addresses] == ["Smith, J.", None, None]
    assert addresses[0].uri == SipUri("example.com", user="js", params=(("x", "1,2"),))
    assert [str(a.uri) for a in addresses[1:]] == ["sip:b@example.com", "sip:c@example.com"]


def test_printing_always_uses_brackets() -> None:
    assert str(NameAddress(SipUri("example.com", user="a"), "A")) == '"A" <sip:a@example.com>'


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("", "empty address"),
        ('"Unterminated <sip:a@example.com>', "unterminated quoted string"),
        ('"Bob" sip:bob@example.com', "followed by <URI>"),
        ("Bob <sip:bob@example.com", "without a closing"),
        ("<sip:bob@example.com> tag=1", "parameters start with ';'"),
        ("<sip:bob@example.com>;tag=", "bad value"),
        ("<bob@example.com>", "no scheme"),
        ('Bo"b" <sip:bob@example.com>', "stray quote"),
        ('Bo"b <sip:bob@example.com>', "unterminated quoted string"),
        ("<sip:bob@example.com>;t@g=1", "parameter name"),
    ],
)
def test_malformed_addresses(text: str, problem: str) -> None:
    with pytest.raises(SipSyntaxError, match=problem):
        parse_name_address(text)
