"""RTCP reception statistics and SR/RR packets (RFC 3550 §6.4, A.1, A.3, A.8)."""

from __future__ import annotations

import contextlib
import struct

import pytest
from hypothesis import given
from hypothesis import strategies as st

from hotline.switch.media.rtcp import (
    ReceiverReport,
    ReceptionStatistics,
    ReportBlock,
    RtcpParseError,
    SenderReport,
    is_rtcp,
    ntp_timestamp,
    parse_rtcp,
    serialise_rtcp,
)
from hotline.switch.media.rtp import RtpParseError


def feed(stats: ReceptionStatistics, sequences: list[int], spacing: float = 0.02) -> None:
    for index, sequence in enumerate(sequences):
        stats.receive(sequence % 65536, (sequence * 160) % 2**32, index * spacing)


def test_a_perfect_stream_reports_no_loss_and_no_jitter() -> None:
    stats = ReceptionStatistics(ssrc=7)
    feed(stats, list(range(100, 200)))
    block = stats.report_block(now=2.0)
    assert block.ssrc == 7
    assert block.fraction_lost == 0 and block.cumulative_lost == 0
    assert block.extended_highest_sequence == 199
    assert block.jitter == 0


def test_the_first_packet_is_on_probation() -> None:
    stats = ReceptionStatistics(ssrc=1)
    assert stats.receive(10, 0, 0.0) is False
    assert stats.receive(11, 160, 0.02) is True
    assert stats.expected == 1 and stats.received == 1


def test_losses_give_fraction_and_cumulative_lost() -> None:
    stats = ReceptionStatistics(ssrc=1)
    # 0 is probation; 1..101 expected, every fourth (4..100) missing: 25 lost of 101.
    feed(stats, [0] + [s for s in range(1, 102) if s % 4])
    block = stats.report_block(now=2.0)
    assert block.cumulative_lost == 25
    assert block.fraction_lost == (25 << 8) // 101 == 63
    assert block.fraction_lost_ratio == pytest.approx(63 / 256)
    again = stats.report_block(now=3.0)
    assert again.fraction_lost == 0 and again.cumulative_lost == 25  # new interval, no traffic


def test_duplicates_can_make_cumulative_loss_negative() -> None:
    stats = ReceptionStatistics(ssrc=1)
    feed(stats, [0, 1, 2, 3, 3, 3])
    block = stats.report_block(now=1.0)
    assert block.cumulative_lost == -2 and block.fraction_lost == 0


def test_sequence_wrap_counts_a_cycle() -> None:
    stats = ReceptionStatistics(ssrc=1)
    feed(stats, list(range(65530, 65546)))
    block = stats.report_block(now=1.0)
    assert block.extended_highest_sequence == 65536 + 9
    assert block.cumulative_lost == 0


def test_a_big_jump_needs_two_packets_to_restart_the_source() -> None:
    stats = ReceptionStatistics(ssrc=1)
    feed(stats, [0, 1, 2])
    assert stats.receive(40000, 0, 1.0) is False
    assert stats.receive(40001, 160, 1.02) is True
    assert stats.extended_highest_sequence == 40001 and stats.expected == 1


def test_jitter_follows_the_a8_estimator() -> None:
    stats = ReceptionStatistics(ssrc=1)
    arrivals = [0.0, 0.0, 0.025, 0.038, 0.060, 0.085]
    for index, arrival in enumerate(arrivals):
        stats.receive(index, index * 160, arrival)
    expected = 0.0
    for index in range(2, len(arrivals)):  # packet 0 is probation, 1 starts the estimate
        spread = abs((arrivals[index] - arrivals[index - 1]) * 8000 - 160)
        expected += (spread - expected) / 16
    assert stats.jitter == pytest.approx(expected)
    assert stats.report_block(now=1.0).jitter == int(expected)


def test_lsr_and_dlsr_come_from_the_last_sender_report() -> None:
    stats = ReceptionStatistics(ssrc=1)
    sr = SenderReport(1, 0x1122334455667788, 0, 0, 0)
    stats.receive_sender_report(sr, arrival=10.0)
    block = stats.report_block(now=10.5)
    assert block.last_sender_report == 0x33445566
    assert block.delay_since_last_sender_report == 32768


BLOCK = ReportBlock(0xCAFE, 64, -3, 70000, 12, 0x33445566, 32768)


def test_sender_report_round_trips_with_cname() -> None:
    sr = SenderReport(0x1234, ntp_timestamp(0.0), 8000, 50, 8000, (BLOCK,))
    data = serialise_rtcp([sr], cname="hotline@example")
    assert len(data) % 4 == 0 and is_rtcp(data)
    assert parse_rtcp(data) == [sr]
    assert b"hotline@example" in data


def test_receiver_report_layout_matches_section_6_4_2() -> None:
    data = serialise_rtcp([ReceiverReport(9, (BLOCK,))])
    assert data[:4] == bytes([0x81, 201, 0, 7])  # V=2, RC=1; 8 words − 1
    assert struct.unpack_from("!I", data, 4)[0] == 9
    assert data[12] == 64 and data[13:16] == b"\xff\xff\xfd"  # fraction, −3 in 24 bits
    assert parse_rtcp(data) == [ReceiverReport(9, (BLOCK,))]


def test_ntp_timestamp_counts_from_1900() -> None:
    assert ntp_timestamp(0.0) == 2_208_988_800 << 32
    assert ntp_timestamp(0.5) & 0xFFFFFFFF == 1 << 31


def test_other_rtcp_types_are_skipped() -> None:
    bye = bytes([0x81, 203, 0, 1]) + struct.pack("!I", 9)
    rr = serialise_rtcp([ReceiverReport(9)])
    assert parse_rtcp(rr + bye) == [ReceiverReport(9)]


def test_rtp_is_not_mistaken_for_rtcp() -> None:
    assert not is_rtcp(b"\x80\x00" + bytes(10)) and not is_rtcp(b"\x80\xe5" + bytes(10))


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b"\x80", "shorter than its 4-byte header"),
        (bytes([0x40, 201, 0, 1]) + bytes(4), "version"),
        (bytes([0x80, 201, 0, 5]) + bytes(4), "claims 24 bytes"),
        (bytes([0x81, 201, 0, 1]) + bytes(4), "RR with 1 report blocks"),
        (bytes([0x80, 200, 0, 1]) + bytes(4), "SR with 0 report blocks"),
        (bytes([0xA0, 201, 0, 1]) + bytes(3) + b"\x09", "padding 9"),
        (bytes([0x80, 201, 0, 1]) + bytes(4) + b"\x80\xc9", "stray bytes"),
    ],
)
def test_malformed_rtcp_raises_a_parse_error(data: bytes, reason: str) -> None:
    with pytest.raises(RtcpParseError, match=reason):
        parse_rtcp(data)


@given(st.binary(max_size=120))
def test_arbitrary_bytes_raise_nothing_but_a_parse_error(data: bytes) -> None:
    with contextlib.suppress(RtpParseError):
        parse_rtcp(data)


blocks = st.builds(
    ReportBlock,
    st.integers(0, 2**32 - 1),
    st.integers(0, 255),
    st.integers(-(2**23), 2**23 - 1),
    st.integers(0, 2**32 - 1),
    st.integers(0, 2**32 - 1),
    st.integers(0, 2**32 - 1),
    st.integers(0, 2**32 - 1),
)
reports = st.builds(
    SenderReport,
    st.integers(0, 2**32 - 1),
    st.integers(0, 2**64 - 1),
    st.integers(0, 2**32 - 1),
    st.integers(0, 2**32 - 1),
    st.integers(0, 2**32 - 1),
    st.lists(blocks, max_size=4).map(tuple),
) | st.builds(ReceiverReport, st.integers(0, 2**32 - 1), st.lists(blocks, max_size=4).map(tuple))


@given(st.lists(reports, min_size=1, max_size=3), st.none() | st.text(max_size=30))
def test_parse_of_serialise_is_identity(
    items: list[SenderReport | ReceiverReport], cname: str | None
) -> None:
    if cname is not None and len(cname.encode()) > 255:
        return
    assert parse_rtcp(serialise_rtcp(items, cname)) == items
