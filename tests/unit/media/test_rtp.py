"""RTP packets (RFC 3550 §5.1) and wrap-around arithmetic."""

from __future__ import annotations

import contextlib
import struct

import pytest
from hypothesis import given
from hypothesis import strategies as st

from hotline.switch.media.rtp import (
    RtpExtension,
    RtpPacket,
    RtpParseError,
    extend_sequence,
    parse_rtp,
    sequence_after,
    sequence_delta,
    serialise_rtp,
    timestamp_delta,
)

HEADER = bytes.fromhex("80 00 30 39 00 00 03 e8 de ad be ef".replace(" ", ""))


def test_a_plain_pcmu_packet_parses_field_by_field() -> None:
    packet = parse_rtp(HEADER + b"\xff" * 160)
    assert packet == RtpPacket(0, 12345, 1000, 0xDEADBEEF, b"\xff" * 160)


def test_marker_and_payload_type_share_the_second_byte() -> None:
    packet = parse_rtp(b"\x80\xe5" + HEADER[2:] + b"\x01\x02\x03\x04")
    assert packet.marker and packet.payload_type == 101
    assert serialise_rtp(packet)[1] == 0xE5


def test_csrcs_are_read_before_the_payload() -> None:
    data = b"\x82\x08" + HEADER[2:] + struct.pack("!II", 1, 2) + b"abc"
    packet = parse_rtp(data)
    assert packet.csrcs == (1, 2) and packet.payload == b"abc" and packet.payload_type == 8
    assert serialise_rtp(packet) == data


def test_header_extension_is_skipped_and_kept() -> None:
    extension = struct.pack("!HH", 0xBEDE, 2) + b"12345678"
    data = b"\x90\x00" + HEADER[2:] + extension + b"payload"
    packet = parse_rtp(data)
    assert packet.payload == b"payload"
    assert packet.extension == RtpExtension(0xBEDE, b"12345678")
    assert serialise_rtp(packet) == data


def test_padding_is_stripped_from_the_payload() -> None:
    data = b"\xa0\x00" + HEADER[2:] + b"voice" + b"\x00\x00\x03"
    assert parse_rtp(data).payload == b"voice"


def test_an_empty_payload_is_allowed() -> None:
    assert parse_rtp(HEADER).payload == b""


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b"", "shorter than the 12-byte header"),
        (HEADER[:11], "shorter than the 12-byte header"),
        (b"\x40" + HEADER[1:], "version is 1"),
        (b"\x00" + HEADER[1:], "version is 0"),
        (b"\x83" + HEADER[1:] + b"\x00" * 8, "3 CSRCs"),
        (b"\x90" + HEADER[1:] + b"\x00\x00", "extension header"),
        (b"\x90" + HEADER[1:] + b"\x00\x00\x00\x02abcd", "extension of 2 words"),
        (b"\xa0" + HEADER[1:] + b"ab\x00", "padding count 0"),
        (b"\xa0" + HEADER[1:] + b"ab\x09", "padding count 9"),
        (b"\xa0" + HEADER[1:], "padding count 239"),
    ],
)
def test_malformed_packets_raise_rtp_parse_error_with_a_reason(data: bytes, reason: str) -> None:
    with pytest.raises(RtpParseError, match=reason):
        parse_rtp(data)


def test_out_of_range_fields_are_refused_on_serialise() -> None:
    with pytest.raises(ValueError, match="payload type"):
        serialise_rtp(RtpPacket(128, 0, 0, 0))
    with pytest.raises(ValueError, match="out of range"):
        serialise_rtp(RtpPacket(0, 65536, 0, 0))
    with pytest.raises(ValueError, match="15 CSRCs"):
        serialise_rtp(RtpPacket(0, 0, 0, 0, csrcs=tuple(range(16))))
    with pytest.raises(ValueError, match="32-bit words"):
        serialise_rtp(RtpPacket(0, 0, 0, 0, extension=RtpExtension(1, b"abc")))


def test_sequence_arithmetic_wraps() -> None:
    assert sequence_delta(65535, 0) == 1
    assert sequence_delta(0, 65535) == -1
    assert sequence_delta(100, 100) == 0
    assert sequence_after(65530, 3) and not sequence_after(3, 65530)
    assert timestamp_delta(0xFFFFFF60, 0x00000000) == 160
    assert timestamp_delta(160, 0) == -160


def test_extended_sequence_numbers_count_cycles() -> None:
    assert extend_sequence(0, 65535) == 65536
    assert extend_sequence(65535, 65536) == 65535  # a late packet keeps the old cycle
    assert extend_sequence(5, 3 * 65536 + 65530) == 4 * 65536 + 5
    assert extend_sequence(7, 7) == 7


packets = st.builds(
    RtpPacket,
    payload_type=st.integers(0, 127),
    sequence=st.integers(0, 65535),
    timestamp=st.integers(0, 2**32 - 1),
    ssrc=st.integers(0, 2**32 - 1),
    payload=st.binary(max_size=200),
    marker=st.booleans(),
    csrcs=st.lists(st.integers(0, 2**32 - 1), max_size=15).map(tuple),
    extension=st.none()
    | st.builds(
        RtpExtension,
        st.integers(0, 65535),
        st.binary(max_size=40).map(lambda b: b[: len(b) - len(b) % 4]),
    ),
)


@given(packets)
def test_parse_of_serialise_is_identity(packet: RtpPacket) -> None:
    assert parse_rtp(serialise_rtp(packet)) == packet


@given(st.binary(max_size=100))
def test_arbitrary_bytes_raise_nothing_but_rtp_parse_error(data: bytes) -> None:
    with contextlib.suppress(RtpParseError):
        parse_rtp(data)


@given(st.binary(min_size=12, max_size=100))
def test_bytes_with_a_version_2_header_raise_nothing_but_rtp_parse_error(data: bytes) -> None:
    with contextlib.suppress(RtpParseError):
        parse_rtp(bytes([0x80 | (data[0] & 0x3F)]) + data[1:])


@given(st.integers(0, 65535), st.integers(-32768, 32767))
def test_sequence_delta_inverts_addition(start: int, step: int) -> None:
    assert sequence_delta(start, (start + step) % 65536) == step


@given(st.integers(0, 2**40), st.integers(-32768, 32767))
def test_extend_sequence_recovers_nearby_numbers(reference: int, offset: int) -> None:
    target = reference + offset
    if target >= 0:
        assert extend_sequence(target % 65536, reference) == target
