"""RTCP reception statistics and SR/RR packets (RFC 3550 §6.4, A.1, A.3, A.8)."""

from __future__ import annotations

import contextlib
import random
import struct

import pytest
from hypothesis import given
from hypothesis import strategies as st

from hotline.switch.media.rtcp import (
    RTCP_BYE,
    RTCP_MIN_INTERVAL,
    RTCP_RR,
    RTCP_SDES,
    RTCP_SR,
    ReceiverReport,
    ReceptionStatistics,
    ReportBlock,
    RtcpParseError,
    RtcpSession,
    SenderReport,
    is_rtcp,
    ntp_middle,
    ntp_timestamp,
    packet_types,
    parse_rtcp,
    round_trip_time,
    rtcp_interval,
    serialise_bye,
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


# -- sessions: report building, round trip, interval ----------------------------------------


def test_report_is_a_receiver_report_until_we_send() -> None:
    stats = ReceptionStatistics(0xBEEF)
    feed(stats, [*range(10), *range(12, 20)])  # 18 of 20 after the probation
    session = RtcpSession()
    data = session.report(ssrc=7, packets_sent=0, octets_sent=0, rtp_timestamp=0,
                          reception=stats, now=1.0, wallclock=0.0, cname="c@h")
    assert packet_types(data) == [RTCP_RR, RTCP_SDES]
    (report,) = parse_rtcp(data)
    assert isinstance(report, ReceiverReport) and report.ssrc == 7
    (block,) = report.reports
    assert block.ssrc == 0xBEEF
    assert block.cumulative_lost == 2 and block.extended_highest_sequence == 19
    assert block.fraction_lost == (2 << 8) // 19  # 2 lost of 19 expected since sequence 1
    assert block.last_sender_report == 0 and block.delay_since_last_sender_report == 0
    assert session.sent == 1


def test_report_is_a_sender_report_when_we_sent_since_the_last() -> None:
    session = RtcpSession()
    data = session.report(ssrc=7, packets_sent=250, octets_sent=40000, rtp_timestamp=123,
                          reception=None, now=5.0, wallclock=1000.0, cname="c@h")
    assert packet_types(data) == [RTCP_SR, RTCP_SDES]
    assert parse_rtcp(data) == [SenderReport(7, ntp_timestamp(1000.0), 123, 250, 40000)]
    again = session.report(ssrc=7, packets_sent=250, octets_sent=40000, rtp_timestamp=123,
                           reception=None, now=10.0, wallclock=1005.0, cname="c@h")
    assert parse_rtcp(again) == [ReceiverReport(7)]  # nothing sent since: an RR


def test_report_block_answers_the_last_sender_report() -> None:
    stats = ReceptionStatistics(0xBEEF)
    feed(stats, list(range(10)))
    session = RtcpSession()
    theirs = serialise_rtcp([SenderReport(0xBEEF, 0x1122_3344_5566_7788, 0, 10, 1600)], "x")
    assert session.receive(theirs, ssrc=7, reception=stats, now=2.0, wallclock=0.0)
    data = session.report(ssrc=7, packets_sent=0, octets_sent=0, rtp_timestamp=0,
                          reception=stats, now=2.25, wallclock=0.0, cname="c@h")
    (block,) = parse_rtcp(data)[0].reports
    assert block.last_sender_report == 0x3344_5566
    assert block.delay_since_last_sender_report == 65536 // 4


def test_a_bye_ends_the_compound_packet() -> None:
    data = RtcpSession().report(ssrc=7, packets_sent=0, octets_sent=0, rtp_timestamp=0,
                                reception=None, now=0.0, wallclock=0.0, cname="c@h", bye=True)
    assert packet_types(data) == [RTCP_RR, RTCP_SDES, RTCP_BYE]
    assert data[-8:] == bytes([0x81, RTCP_BYE, 0, 1]) + struct.pack("!I", 7)
    assert packet_types(serialise_bye(7, "gone")) == [RTCP_BYE]
    assert len(serialise_bye(7, "gone")) % 4 == 0


def test_round_trip_from_lsr_and_dlsr_as_in_section_6_4_1() -> None:
    # The RFC's example: A = 46864.500 s, LSR = 46853.125 s, DLSR = 5.250 s -> 6.125 s.
    arrival = 0xB710_8000 << 16
    assert round_trip_time(arrival, 0xB705_2000, 0x0005_4000) == 6.125
    assert round_trip_time(arrival, 0, 0x0005_4000) is None  # no SR answered
    assert round_trip_time(arrival, 0xB710_8000, 1) == 0.0  # rounding, not a negative trip
    assert round_trip_time(arrival, 0xB710_8000, 0x0001_0000) is None  # a second negative
    assert round_trip_time(0x0000_0100 << 16, 0xFFFF_FF00, 0) == 512 / 65536  # wraps


def test_the_far_ends_report_on_our_stream_is_kept_with_the_round_trip() -> None:
    session = RtcpSession()
    lsr = ntp_middle(ntp_timestamp(100.0))
    block = ReportBlock(7, 64, 12, 5000, 80, lsr, 65536 // 2)
    other = ReportBlock(99, 255, 1000, 1, 1)
    data = serialise_rtcp([ReceiverReport(0xBEEF, (other, block))], "them")
    assert session.receive(data, ssrc=7, reception=None, now=0.0, wallclock=100.75)
    assert session.peer == block and session.received == 1
    assert session.round_trip is not None and abs(session.round_trip - 0.25) < 0.001


@pytest.mark.parametrize(
    "data",
    [b"", b"\x80", b"hello world!", bytes([0x80, 0, 0, 1]) + bytes(4), bytes(range(40))],
    ids=["empty", "short", "text", "not-an-rtcp-type", "noise"],
)
def test_garbage_is_counted_not_raised(data: bytes) -> None:
    session = RtcpSession()
    assert not session.receive(data, ssrc=7, reception=None, now=0.0, wallclock=0.0)
    assert session.malformed == 1 and session.received == 0 and session.peer is None


@given(st.binary(max_size=120))
def test_a_session_takes_any_bytes(data: bytes) -> None:
    session = RtcpSession()
    session.receive(data, ssrc=7, reception=ReceptionStatistics(1), now=0.0, wallclock=0.0)
    assert session.received + session.malformed == 1


def test_a_lone_app_packet_is_rtcp_without_a_report() -> None:
    session = RtcpSession()  # what baresip sends first: APP "PING" on its own
    assert session.receive(bytes.fromhex("80cc0003d6e6a5b150494e47504f4e47"), ssrc=7,
                           reception=None, now=0.0, wallclock=0.0)
    assert session.received == 1 and session.malformed == 0 and session.peer is None


def test_a_bye_from_the_far_end_is_noted() -> None:
    session = RtcpSession()
    data = serialise_rtcp([ReceiverReport(9)], "them") + serialise_bye(9)
    assert session.receive(data, ssrc=7, reception=None, now=0.0, wallclock=0.0)
    assert session.bye_received


def test_interval_is_randomised_between_half_and_one_and_a_half_times() -> None:
    rng = random.Random(3550)
    draws = [rtcp_interval(rng) for _ in range(2000)]
    assert all(2.5 <= draw <= 7.5 for draw in draws)
    assert min(draws) < 2.6 and max(draws) > 7.4
    assert abs(sum(draws) / len(draws) - RTCP_MIN_INTERVAL) < 0.1
    first = [rtcp_interval(rng, initial=True) for _ in range(2000)]
    assert all(1.25 <= draw <= 3.75 for draw in first)
    assert all(0.05 <= rtcp_interval(rng, 0.1) <= 0.15 for _ in range(100))
    assert rtcp_interval(random.Random(1)) == rtcp_interval(random.Random(1))
