"""Properties of the parser over generated input (hypothesis).

1. Whatever bytes arrive, `parse` either returns a message or raises `SipParseError` —
   never any other exception (the transport relies on this to stay up).
2. Any valid message survives serialise → parse unchanged.
3. A stream of messages cut at arbitrary points yields exactly the same messages.
"""

from __future__ import annotations

from itertools import pairwise

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from hotline.switch.sip import (
    AbsoluteUri,
    CSeq,
    Headers,
    Message,
    NameAddress,
    Request,
    Response,
    SipParseError,
    SipUri,
    StreamParser,
    TelUri,
    Uri,
    Via,
    bad_request_for,
    canonical_name,
    parse,
    parse_uri,
    serialize,
)
from hotline.switch.sip import uri as uri_module

ALNUM = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
ESCAPE = st.sampled_from(["%00", "%20", "%3B", "%40", "%61", "%C3%A9", "%7e"])


def chars(alphabet: str, min_size: int, max_size: int) -> st.SearchStrategy[str]:
    return st.text(alphabet=alphabet, min_size=min_size, max_size=max_size)


def escaped(alphabet: str, min_size: int, max_size: int) -> st.SearchStrategy[str]:
    return st.lists(st.sampled_from(alphabet) | ESCAPE, min_size=min_size,
                    max_size=max_size).map("".join)


TOKEN = chars(ALNUM + "-.!*_+`'~", 1, 12)
LABEL = st.tuples(st.sampled_from("abcdefghijklmnopqrstuvwxyz"),
                  chars("abcdefghijklmnopqrstuvwxyz0123456789-", 0, 9)).map("".join)
HOSTNAME = st.lists(LABEL, min_size=1, max_size=4).map(".".join)
IPV4 = st.tuples(*[st.integers(0, 255)] * 4).map(lambda t: ".".join(map(str, t)))
IPV6 = st.ip_addresses(v=6).map(lambda a: f"[{a}]")
HOST = st.one_of(HOSTNAME, IPV4, IPV6)
PORT = st.none() | st.integers(0, 65535)
USER = escaped(ALNUM + "-_.!~*'()&=+$,;?/", 1, 16)
PARAM_VALUE = st.none() | chars(ALNUM + "-_.!~*'()", 1, 12)
URI_PARAMS = st.lists(st.tuples(TOKEN, PARAM_VALUE), max_size=3).map(tuple)
URI_HEADERS = st.lists(st.tuples(TOKEN, escaped(ALNUM + ".", 0, 8)), max_size=2).map(tuple)

SIP_URI = st.builds(
    SipUri,
    host=HOST,
    scheme=st.sampled_from(["sip", "sips"]),
    user=st.none() | USER,
    password=st.none() | chars(ALNUM, 0, 8),
    port=PORT,
    params=URI_PARAMS,
    headers=URI_HEADERS,
).map(lambda u: u if u.user is not None or u.password is None else SipUri(u.host, u.scheme))
TEL_URI = st.builds(TelUri, chars("+0123456789-.()", 1, 15).filter(lambda n: n[0] != "-"),
                    URI_PARAMS)
ABSOLUTE_URI = st.builds(
    AbsoluteUri,
    LABEL.filter(lambda scheme: scheme not in ("sip", "sips", "tel")),
    chars(ALNUM + ":/?#@!$&'()*+,;=._~%-", 1, 20),
)
URI: st.SearchStrategy[Uri] = st.one_of(SIP_URI, SIP_URI, TEL_URI, ABSOLUTE_URI)

TEXT = st.text(
    st.characters(blacklist_categories=("Cc", "Cs"), blacklist_characters="\x85"), max_size=24
)
HEADER_PARAMS = st.lists(st.tuples(TOKEN, PARAM_VALUE), max_size=3).map(tuple)
ADDRESS = st.builds(NameAddress, URI, st.none() | TEXT, HEADER_PARAMS)
VIA = st.builds(
    Via,
    st.sampled_from(["UDP", "TCP", "TLS", "WS"]),
    HOST,
    PORT,
    st.tuples(st.tuples(st.just("branch"), TOKEN.map(lambda t: "z9hG4bK" + t))).map(tuple),
)
CHECKED = {"via", "from", "to", "call-id", "cseq", "max-forwards", "content-length", "contact"}
EXTRA_NAME = TOKEN.filter(lambda name: canonical_name(name).lower() not in CHECKED)
EXTRA_VALUE = TEXT.map(lambda text: text.strip(" \t"))
BODY = st.binary(max_size=200)


@st.composite
def headers_for(draw: st.DrawFn, method: str, body: bytes) -> Headers:
    fields = [("Via", ", ".join(map(str, vias))) for vias in
              draw(st.lists(st.lists(VIA, min_size=1, max_size=2), min_size=1, max_size=3))]
    fields += [
        ("From", str(draw(ADDRESS))),
        ("To", str(draw(ADDRESS))),
        ("Call-ID", draw(chars(ALNUM + "-.!%*_+`'~()<>:\\/[]?{}@", 1, 30))),
        ("CSeq", str(CSeq(draw(st.integers(0, 2**31 - 1)), method))),
    ]
    if draw(st.booleans()):
        fields.append(("Max-Forwards", str(draw(st.integers(0, 255)))))
    if draw(st.booleans()):
        fields.append(("Contact", ", ".join(map(str, draw(st.lists(ADDRESS, min_size=1,
                                                                       max_size=3))))))
    fields += draw(st.lists(st.tuples(EXTRA_NAME, EXTRA_VALUE), max_size=6))
    ordered = draw(st.permutations(fields))
    return Headers([*ordered, ("Content-Length", str(len(body)))])


@st.composite
def requests(draw: st.DrawFn) -> Request:
    method = draw(TOKEN)
    body = draw(BODY)
    return Request(method, draw(URI), draw(headers_for(method, body)), body)


@st.composite
def responses(draw: st.DrawFn) -> Response:
    body = draw(BODY)
    reason = draw(TEXT).strip(" \t")
    return Response(draw(st.integers(100, 699)), reason, draw(headers_for(draw(TOKEN), body)),
                    body)


MESSAGES: st.SearchStrategy[Message] = st.one_of(requests(), responses())


def parse_or_error(data: bytes) -> Message | SipParseError:
    try:
        return parse(data)
    except SipParseError as error:
        response = bad_request_for(error)
        if response is not None:
            serialize(response)
        return error


@settings(max_examples=400)
@given(st.binary(max_size=600))
def test_arbitrary_bytes_only_ever_raise_sip_parse_error(data: bytes) -> None:
    parse_or_error(data)


@st.composite
def mangled(draw: st.DrawFn) -> bytes:
    data = bytearray(serialize(draw(MESSAGES)))
    for _ in range(draw(st.integers(1, 6))):
        at = draw(st.integers(0, len(data)))
        edit = draw(st.sampled_from(["insert", "delete", "replace"]))
        piece = draw(st.sampled_from([b"\r\n", b" ", b":", b";", b",", b'"', b"<", b">", b"\x00",
                                      b"\xff", b"%", b"\t", b"@", b"[", b"=", b"9"]))
        if edit == "insert":
            data[at:at] = piece
        elif edit == "delete":
            del data[at:at + draw(st.integers(1, 8))]
        else:
            data[at:at + len(piece)] = piece
    return bytes(data)


@settings(max_examples=150, suppress_health_check=[HealthCheck.too_slow])
@given(mangled())
def test_mangled_messages_only_ever_raise_sip_parse_error(data: bytes) -> None:
    parse_or_error(data)


@settings(max_examples=150, suppress_health_check=[HealthCheck.too_slow])
@given(MESSAGES)
def test_serialise_then_parse_gives_the_same_message(message: Message) -> None:
    wire = serialize(message)
    assert parse(wire) == message
    assert serialize(parse(wire)) == wire


@settings(max_examples=60, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(st.tuples(MESSAGES, st.sampled_from([b"", b"\r\n", b"\r\n\r\n"])), min_size=1,
             max_size=4),
    st.lists(st.integers(0, 10_000), max_size=12),
)
def test_stream_cut_anywhere_yields_the_same_messages(
    items: list[tuple[Message, bytes]], cuts: list[int]
) -> None:
    stream = b"".join(keep_alive + serialize(message) for message, keep_alive in items)
    points = sorted({0, len(stream), *(cut % (len(stream) + 1) for cut in cuts)})
    parser = StreamParser()
    out: list[Message | SipParseError] = []
    for start, end in pairwise(points):
        out += parser.feed(stream[start:end])
    assert out == [message for message, _ in items]
    assert parser.buffered == 0


@settings(max_examples=200)
@given(SIP_URI)
def test_fast_and_general_sip_uri_parsers_agree(uri: SipUri) -> None:
    text = str(uri)
    scheme, rest = text.split(":", 1)
    assert parse_uri(text) == uri_module._parse_sip(scheme, rest, text) == uri
