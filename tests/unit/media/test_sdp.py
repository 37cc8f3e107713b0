"""SDP parsing (RFC 4566) and offer/answer (RFC 3264) as phones and trunks use them."""

from __future__ import annotations

import contextlib

import pytest
from hypothesis import given
from hypothesis import strategies as st

from hotline.switch.media.sdp import (
    Connection,
    Direction,
    LocalMedia,
    MediaDescription,
    Origin,
    RtpMap,
    SdpError,
    SessionDescription,
    accepted_stream,
    answer,
    make_offer,
    parse_sdp,
    serialise_sdp,
)

# What a desk phone sends (a Yealink-style offer), LF line ends as some phones do.
PHONE_OFFER = """v=0
o=- 20518 0 IN IP4 192.168.1.50
s=SDP data
c=IN IP4 192.168.1.50
t=0 0
m=audio 11796 RTP/AVP 9 0 8 18 101
a=rtpmap:9 G722/8000
a=rtpmap:0 PCMU/8000
a=rtpmap:8 PCMA/8000
a=rtpmap:18 G729/8000
a=fmtp:18 annexb=no
a=ptime:20
a=sendrecv
a=rtpmap:101 telephone-event/8000
a=fmtp:101 0-15
a=rtcp:11797
"""

LOCAL = LocalMedia(address="10.0.0.1", port=40000, session_id="42", session_version=1)


def offer_with(media_lines: str, session: str = "") -> SessionDescription:
    text = "v=0\r\no=- 1 1 IN IP4 192.0.2.1\r\ns=-\r\nc=IN IP4 192.0.2.1\r\nt=0 0\r\n"
    return parse_sdp(text + session + media_lines)


def test_a_phone_offer_parses() -> None:
    sdp = parse_sdp(PHONE_OFFER)
    assert sdp.origin == Origin("-", "20518", 0, "192.168.1.50")
    assert sdp.connection == Connection("192.168.1.50")
    (audio,) = sdp.media
    assert (audio.media, audio.port, audio.protocol) == ("audio", 11796, "RTP/AVP")
    assert audio.formats == ("9", "0", "8", "18", "101")
    assert audio.rtpmap(101) == RtpMap(101, "telephone-event", 8000)
    assert audio.fmtp(101) == "0-15" and audio.fmtp(18) == "annexb=no"
    assert audio.ptime == 20 and audio.direction is Direction.SENDRECV and audio.rtcp == "11797"


def test_static_payload_types_need_no_rtpmap() -> None:
    media = offer_with("m=audio 5000 RTP/AVP 8 0\r\n").media[0]
    assert media.rtpmap(8) == RtpMap(8, "PCMA", 8000)
    assert media.rtpmap(0) == RtpMap(0, "PCMU", 8000) and media.rtpmap(3) is None


def test_serialise_writes_rfc_order_with_crlf_and_round_trips() -> None:
    sdp = parse_sdp(PHONE_OFFER)
    text = serialise_sdp(sdp)
    assert text.startswith("v=0\r\no=- 20518 0 IN IP4 192.168.1.50\r\ns=SDP data\r\nc=")
    assert text.endswith("a=sendrecv\r\n") and "\n\n" not in text
    assert parse_sdp(text) == sdp


def test_unused_lines_are_tolerated_and_unknown_attributes_kept() -> None:
    sdp = offer_with(
        "m=audio 5000/2 RTP/AVP 0\r\ni=voice\r\nb=AS:64\r\na=rtcp-mux\r\na=label:1\r\n",
        session="a=group:BUNDLE 0\r\nu=http://x\r\nb=CT:128\r\n",
    )
    media = sdp.media[0]
    assert media.port_count == 2 and media.bandwidths == ("AS:64",)
    assert media.attributes == (("rtcp-mux", None), ("label", "1"))
    assert sdp.attributes == (("group", "BUNDLE 0"),) and sdp.bandwidths == ("CT:128",)
    assert parse_sdp(serialise_sdp(sdp)) == sdp


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("", "must start with 'v=0'"),
        ("v=1\r\n", "must start with 'v=0'"),
        ("v=0\r\ns=-\r\nt=0 0\r\n", "no 'o=' line"),
        ("v=0\r\no=- 1 1 IN IP4 h\r\nt=0 0\r\n", "no 's=' line"),
        ("v=0\r\no=- 1 1 IN IP4 h\r\ns=-\r\n", "no 't=' line"),
        ("v=0\r\no=- 1 IN IP4 h\r\ns=-\r\nt=0 0\r\n", "line 2 .*expected 'o="),
        ("v=0\r\no=- 1 x IN IP4 h\r\ns=-\r\nt=0 0\r\n", "session version must be an integer"),
        ("v=0\r\no=- 1 1 IN IP4 h\r\ns=-\r\nt=0\r\n", "line 4 .*expected 't=<start> <stop>'"),
        ("v=0\r\nhello\r\n", "line 2 .*expected '<letter>=<value>'"),
        ("v=0\r\no=- 1 1 IN IP4 h\r\ns=-\r\nc=IN IP4\r\nt=0 0\r\n", "line 4 .*'c=<nettype>"),
    ],
)
def test_malformed_sessions_raise_sdp_error_with_a_reason(text: str, reason: str) -> None:
    with pytest.raises(SdpError, match=reason):
        parse_sdp(text)


@pytest.mark.parametrize(
    ("media", "reason"),
    [
        ("m=audio 5000 RTP/AVP\r\n", "expected 'm=<media> <port> <proto> <format>"),
        ("m=audio x RTP/AVP 0\r\n", "port must be an integer"),
        ("m=audio 70000 RTP/AVP 0\r\n", "port must be an integer 0..65535"),
        ("m=audio 5000 RTP/AVP 0\r\na=rtpmap:0 PCMU\r\n", "expected 'a=rtpmap"),
        ("m=audio 5000 RTP/AVP 0\r\na=rtpmap:300 PCMU/8000\r\n", "payload type"),
        ("m=audio 5000 RTP/AVP 0\r\na=ptime:abc\r\n", "ptime"),
        ("m=audio 5000 RTP/AVP 0\r\na=rtcp:port\r\n", "RTCP port"),
        ("m=audio 5000 RTP/AVP 0\r\na=sendonly:1\r\n", "takes no value"),
        ("m=audio 5000 RTP/AVP 0\r\ns=again\r\n", "belongs once in the session part"),
    ],
)
def test_malformed_media_raise_sdp_error_with_a_reason(media: str, reason: str) -> None:
    with pytest.raises(SdpError, match=reason):
        offer_with(media)


def test_media_without_any_connection_is_refused() -> None:
    text = "v=0\r\no=- 1 1 IN IP4 h\r\ns=-\r\nt=0 0\r\nm=audio 5000 RTP/AVP 0\r\n"
    with pytest.raises(SdpError, match=r"media section 1 .* no 'c=' line"):
        parse_sdp(text)


def test_non_utf8_bytes_are_refused() -> None:
    with pytest.raises(SdpError, match="UTF-8"):
        parse_sdp(b"v=0\r\n\xff\r\n")


def test_answer_to_a_phone_picks_its_first_supported_codec_and_mirrors_events() -> None:
    result = answer(parse_sdp(PHONE_OFFER), LOCAL)
    (audio,) = result.sdp.media
    assert audio.port == 40000 and audio.formats == ("0", "101")
    assert audio.rtpmap(101) == RtpMap(101, "telephone-event", 8000)
    assert audio.fmtp(101) == "0-15" and audio.ptime == 20
    assert audio.direction is Direction.SENDRECV
    assert result.sdp.connection == Connection("10.0.0.1")
    assert result.sdp.origin == Origin("hotline", "42", 1, "10.0.0.1")
    stream = result.stream
    assert stream is not None
    assert (stream.codec, stream.payload_type, stream.telephone_event_payload_type) == (
        "PCMU",
        0,
        101,
    )
    assert (stream.remote_address, stream.remote_port) == ("192.168.1.50", 11796)
    assert parse_sdp(serialise_sdp(result.sdp)) == result.sdp


def test_offer_order_decides_the_codec() -> None:
    result = answer(offer_with("m=audio 5000 RTP/AVP 8 0\r\n"), LOCAL)
    assert result.sdp.media[0].formats == ("8",) and result.stream is not None
    assert result.stream.telephone_event_payload_type is None


def test_a_dynamic_payload_type_for_pcma_is_honoured() -> None:
    offer = offer_with(
        "m=audio 5000 RTP/AVP 97 96\r\na=rtpmap:97 pcma/8000\r\n"
        "a=rtpmap:96 telephone-event/8000\r\n"
    )
    result = answer(offer, LOCAL)
    assert result.sdp.media[0].formats == ("97", "96")
    assert result.sdp.media[0].fmtp(96) == "0-16"
    assert result.stream is not None and result.stream.codec == "PCMA"


@pytest.mark.parametrize(
    ("offered", "wanted", "answered"),
    [
        ("sendrecv", Direction.SENDRECV, Direction.SENDRECV),
        ("sendonly", Direction.SENDRECV, Direction.RECVONLY),
        ("recvonly", Direction.SENDRECV, Direction.SENDONLY),
        ("inactive", Direction.SENDRECV, Direction.INACTIVE),
        ("sendrecv", Direction.SENDONLY, Direction.SENDONLY),
        ("sendonly", Direction.SENDONLY, Direction.INACTIVE),
        ("recvonly", Direction.INACTIVE, Direction.INACTIVE),
    ],
)
def test_direction_answers_follow_rfc_3264(
    offered: str, wanted: Direction, answered: Direction
) -> None:
    local = LocalMedia("10.0.0.1", 40000, direction=wanted)
    result = answer(offer_with(f"m=audio 5000 RTP/AVP 0\r\na={offered}\r\n"), local)
    assert result.sdp.media[0].direction is answered
    assert result.stream is not None and result.stream.direction is answered


def test_session_level_direction_applies_to_media() -> None:
    result = answer(offer_with("m=audio 5000 RTP/AVP 0\r\n", session="a=sendonly\r\n"), LOCAL)
    assert result.sdp.media[0].direction is Direction.RECVONLY


def test_old_style_hold_with_zero_address_is_answered_recvonly() -> None:
    text = (
        "v=0\r\no=- 1 2 IN IP4 h\r\ns=-\r\nc=IN IP4 0.0.0.0\r\nt=0 0\r\nm=audio 5000 RTP/AVP 0\r\n"
    )
    assert answer(parse_sdp(text), LOCAL).sdp.media[0].direction is Direction.RECVONLY


def test_unsupported_streams_are_rejected_with_port_zero_in_place() -> None:
    offer = offer_with(
        "m=video 6000 RTP/AVP 96\r\na=rtpmap:96 H264/90000\r\n"
        "m=audio 5000 RTP/AVP 9 18\r\n"
        "m=audio 5002 RTP/SAVP 0\r\n"
        "m=audio 0 RTP/AVP 0\r\n"
        "m=audio 5004 RTP/AVP 0\r\n"
        "m=audio 5006 RTP/AVP 8\r\n"
    )
    result = answer(offer, LOCAL)
    ports = [media.port for media in result.sdp.media]
    assert ports == [0, 0, 0, 0, 40000, 0]  # only one audio stream is taken
    assert result.sdp.media[0].formats == ("96",) and result.sdp.media[0].media == "video"
    assert result.stream is not None and result.stream.media_index == 4


def test_an_offer_with_nothing_we_support_is_rejected_entirely() -> None:
    result = answer(offer_with("m=audio 5000 RTP/AVP 9 18\r\n"), LOCAL)
    assert result.stream is None and result.sdp.media[0].port == 0


def test_our_offer_and_the_peers_answer() -> None:
    offer = make_offer(LocalMedia("10.0.0.1", 40000, codecs=("PCMA", "PCMU")))
    assert offer.media[0].formats == ("8", "0", "101")
    text = serialise_sdp(offer)
    assert "a=rtpmap:101 telephone-event/8000\r\na=fmtp:101 0-16\r\n" in text
    peer = LocalMedia("192.0.2.9", 7000, direction=Direction.RECVONLY)
    reply = answer(parse_sdp(text), peer)
    stream = accepted_stream(offer, parse_sdp(serialise_sdp(reply.sdp)))
    assert stream is not None
    assert (stream.codec, stream.payload_type, stream.telephone_event_payload_type) == (
        "PCMA",
        8,
        101,
    )
    assert stream.direction is Direction.SENDONLY  # the peer only receives
    assert (stream.remote_address, stream.remote_port) == ("192.0.2.9", 7000)
    with pytest.raises(SdpError, match="media sections"):
        accepted_stream(offer, offer_with(""))
    with pytest.raises(ValueError, match="no supported codec"):
        make_offer(LocalMedia("10.0.0.1", 1, codecs=("G729",)))


def test_a_rtcp_gives_the_far_ends_rtcp_address_and_we_write_none() -> None:
    phone = answer(parse_sdp(PHONE_OFFER), LOCAL)
    assert phone.stream is not None
    assert phone.stream.remote_rtcp == ("192.168.1.50", 11797)
    assert "a=rtcp" not in serialise_sdp(phone.sdp)  # ours is on port + 1, the default
    offer = make_offer(LOCAL)
    assert offer.media[0].rtcp is None and "a=rtcp" not in serialise_sdp(offer)
    plain = answer(offer_with("m=audio 5000 RTP/AVP 0\r\n"), LOCAL).stream
    assert plain is not None and plain.remote_rtcp is None  # default: 5001 at 192.0.2.1
    elsewhere = offer_with("m=audio 5000 RTP/AVP 0\r\na=rtcp:6001 IN IP4 198.51.100.7\r\n")
    stream = answer(elsewhere, LOCAL).stream
    assert stream is not None and stream.remote_rtcp == ("198.51.100.7", 6001)
    named = offer_with("m=audio 5000 RTP/AVP 0\r\na=rtcp:6001 IN IP4 rtcp.example\r\n")
    stream = answer(named, LOCAL).stream
    assert stream is not None and stream.remote_rtcp == ("192.0.2.1", 6001)
    reply = offer_with("m=audio 7000 RTP/AVP 0\r\na=rtcp:7003\r\n")
    accepted = accepted_stream(offer, reply)
    assert accepted is not None and accepted.remote_rtcp == ("192.0.2.1", 7003)


CODEC_NAMES = ["PCMU", "PCMA", "G722", "G729", "opus", "telephone-event", "iLBC"]


@st.composite
def offers(draw: st.DrawFn) -> tuple[SessionDescription, list[tuple[int, str]]]:
    names = draw(st.lists(st.sampled_from(CODEC_NAMES), min_size=1, max_size=6))
    formats = [(96 + index, name) for index, name in enumerate(names)]
    if draw(st.booleans()):
        formats.append((draw(st.sampled_from([0, 8, 3, 9])), "static"))
    rtpmaps = tuple(
        RtpMap(pt, name, 48000 if name == "opus" else 8000)
        for pt, name in formats
        if name != "static"
    )
    media = MediaDescription(
        "audio",
        draw(st.integers(0, 65535)),
        draw(st.sampled_from(["RTP/AVP", "RTP/SAVP"])),
        tuple(str(pt) for pt, _ in formats),
        rtpmaps=rtpmaps,
        direction=draw(st.none() | st.sampled_from(list(Direction))),
    )
    sdp = SessionDescription(
        Origin("-", "1", 1, "192.0.2.1"), "-", Connection("192.0.2.1"), media=(media,)
    )
    return sdp, formats


@given(offers(), st.sampled_from([("PCMU", "PCMA"), ("PCMA",), ("PCMU",)]))
def test_the_answer_picks_a_codec_both_sides_support_or_rejects(
    drawn: tuple[SessionDescription, list[tuple[int, str]]], codecs: tuple[str, ...]
) -> None:
    offer, _ = drawn
    offer = parse_sdp(serialise_sdp(offer))
    result = answer(offer, LocalMedia("10.0.0.1", 40000, codecs=codecs))
    (offered,) = offer.media
    (answered,) = result.sdp.media
    if result.stream is None:
        assert answered.port == 0 and answered.formats == offered.formats
        return
    assert answered.port == 40000 and answered.formats[0] in offered.formats
    chosen = offered.rtpmap(int(answered.formats[0]))
    assert chosen is not None and chosen.encoding.upper() in codecs
    # And it is the first such codec in the offer's order.
    supported = [
        f
        for f in offered.formats
        if (m := offered.rtpmap(int(f))) is not None
        and m.encoding.upper() in codecs
        and m.clock_rate == 8000
    ]
    assert answered.formats[0] == supported[0]
    assert set(answered.formats) <= set(offered.formats)


@given(
    st.text(alphabet=st.sampled_from(list("vosctma=:/ 0123456789RTP/AVPIN4\r\n²x")), max_size=300)
)
def test_arbitrary_text_raises_nothing_but_sdp_error(text: str) -> None:
    with contextlib.suppress(SdpError):
        sdp = parse_sdp("v=0\r\n" + text)
        answer(sdp, LOCAL)


@given(st.binary(max_size=300))
def test_arbitrary_bytes_raise_nothing_but_sdp_error(data: bytes) -> None:
    with contextlib.suppress(SdpError):
        answer(parse_sdp(data), LOCAL)


@given(
    st.lists(
        st.tuples(st.integers(0, len(PHONE_OFFER) - 1), st.sampled_from(list(" :/=x0²\n-"))),
        max_size=4,
    )
)
def test_a_damaged_phone_offer_is_answered_or_refused_with_sdp_error(
    damage: list[tuple[int, str]],
) -> None:
    text = list(PHONE_OFFER)
    for position, character in damage:
        text[position] = character
    with contextlib.suppress(SdpError):
        answer(parse_sdp("".join(text)), LOCAL)
