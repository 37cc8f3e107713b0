"""RFC 4733 telephone-events: payload, the exactly-once receiver, the sender's packet plan."""

from __future__ import annotations

import random

import pytest
from hypothesis import given
from hypothesis import strategies as st

from hotline.switch.media.dtmf import (
    DtmfDigit,
    DtmfError,
    DtmfReceiver,
    PlannedPacket,
    TelephoneEvent,
    dtmf_packets,
    event_for_digit,
    parse_telephone_event,
    serialise_telephone_event,
)


def test_payload_layout_matches_section_2_3() -> None:
    payload = serialise_telephone_event(TelephoneEvent(11, end=True, volume=10, duration=800))
    assert payload == bytes([11, 0x80 | 10, 0x03, 0x20])
    assert parse_telephone_event(payload) == TelephoneEvent(11, True, 10, 800)


def test_the_reserved_bit_is_ignored_on_receipt() -> None:
    assert parse_telephone_event(bytes([5, 0x40 | 7, 0, 160])) == TelephoneEvent(5, False, 7, 160)


@pytest.mark.parametrize("payload", [b"", b"\x01\x02\x03", b"\x01\x02\x03\x04\x05"])
def test_payloads_that_are_not_four_bytes_are_refused(payload: bytes) -> None:
    with pytest.raises(DtmfError, match="4 bytes"):
        parse_telephone_event(payload)


def test_event_codes_for_digits() -> None:
    assert [event_for_digit(d) for d in "0159*#ABCDd"] == [0, 1, 5, 9, 10, 11, 12, 13, 14, 15, 15]
    assert TelephoneEvent(11).digit == "#" and TelephoneEvent(16).digit is None
    for bad in ("E", "", "12", "+"):
        with pytest.raises(DtmfError, match="not a DTMF digit"):
            event_for_digit(bad)


def test_out_of_range_fields_are_refused() -> None:
    with pytest.raises(DtmfError, match="volume"):
        TelephoneEvent(1, volume=64)
    with pytest.raises(DtmfError, match="duration"):
        TelephoneEvent(1, duration=70000)
    with pytest.raises(DtmfError, match="event"):
        TelephoneEvent(256)


def test_sender_plan_for_a_100_ms_digit() -> None:
    plan = dtmf_packets("5", timestamp=1000)
    events = [parse_telephone_event(p.payload) for p in plan]
    assert [p.marker for p in plan] == [True] + [False] * 6
    assert {p.timestamp for p in plan} == {1000}
    assert [e.duration for e in events] == [160, 320, 480, 640, 800, 800, 800]
    assert [e.end for e in events] == [False] * 4 + [True] * 3
    assert [round(p.offset, 3) for p in plan] == [0.0, 0.02, 0.04, 0.06, 0.08, 0.1, 0.12]


def test_a_very_short_digit_is_all_end_packets_and_still_marked() -> None:
    plan = dtmf_packets("#", timestamp=0, duration=0.01)
    assert len(plan) == 3 and plan[0].marker and not plan[1].marker
    assert all(parse_telephone_event(p.payload) == TelephoneEvent(11, True, 10, 80) for p in plan)


def test_sender_refuses_impossible_durations() -> None:
    with pytest.raises(DtmfError, match="duration"):
        dtmf_packets("1", 0, duration=9.0)
    with pytest.raises(DtmfError, match="duration"):
        dtmf_packets("1", 0, duration=0.0)


def play(receiver: DtmfReceiver, plan: list[PlannedPacket], start: float = 0.0) -> list[DtmfDigit]:
    digits: list[DtmfDigit] = []
    for packet in plan:
        digits += receiver.receive(packet.timestamp, packet.payload, start + packet.offset)
    return digits


def test_a_digit_with_three_end_packets_is_reported_once() -> None:
    receiver = DtmfReceiver()
    digits = play(receiver, dtmf_packets("7", timestamp=8000))
    assert digits == [DtmfDigit(7, "7", 8000, 800, ended=True)]


def test_the_same_digit_twice_is_two_presses() -> None:
    receiver = DtmfReceiver()
    digits = play(receiver, dtmf_packets("1", 0)) + play(receiver, dtmf_packets("1", 1600), 0.2)
    assert [d.digit for d in digits] == ["1", "1"]


def test_a_lost_start_packet_still_yields_the_digit() -> None:
    receiver = DtmfReceiver()
    assert [d.digit for d in play(receiver, dtmf_packets("9", 0)[1:])] == ["9"]


def test_lost_end_packets_are_closed_by_the_next_event() -> None:
    receiver = DtmfReceiver()
    first = [p for p in dtmf_packets("2", 0) if not parse_telephone_event(p.payload).end]
    assert play(receiver, first) == []
    digits = play(receiver, dtmf_packets("3", 1600), 0.2)
    assert [(d.digit, d.ended) for d in digits] == [("2", False), ("3", True)]
    assert digits[0].duration == 640


def test_lost_end_packets_are_closed_by_the_time_out() -> None:
    receiver = DtmfReceiver(timeout=0.5)
    play(receiver, [p for p in dtmf_packets("4", 0) if not parse_telephone_event(p.payload).end])
    assert receiver.next_deadline() == pytest.approx(0.56)
    assert receiver.expire(0.3) == []
    assert [d.digit for d in receiver.expire(0.6)] == ["4"]
    assert receiver.expire(1.0) == [] and receiver.next_deadline() is None


def test_stragglers_after_the_end_are_ignored() -> None:
    receiver = DtmfReceiver()
    plan = dtmf_packets("8", 0)
    digits = play(receiver, plan)
    assert play(receiver, plan[:2]) == []  # a reordered update arriving after the end
    assert len(digits) == 1


def test_a_late_packet_of_an_older_event_is_ignored() -> None:
    receiver = DtmfReceiver()
    old = dtmf_packets("1", 0)
    new = dtmf_packets("2", 1600)
    digits = play(receiver, new[:2]) + play(receiver, old[:1]) + play(receiver, new[2:])
    assert [d.digit for d in digits] == ["2"]


def test_a_malformed_payload_changes_nothing() -> None:
    receiver = DtmfReceiver()
    plan = dtmf_packets("6", 0)
    play(receiver, plan[:2])
    with pytest.raises(DtmfError):
        receiver.receive(0, b"\x00", 0.05)
    assert [d.digit for d in play(receiver, plan[2:])] == ["6"]


@given(
    st.lists(st.sampled_from("0123456789*#ABCD"), min_size=1, max_size=6),
    st.randoms(use_true_random=False),
    st.floats(0.0, 0.3),
)
def test_each_press_is_reported_exactly_once_despite_duplicates_and_loss(
    keys: list[str], rng: random.Random, loss: float
) -> None:
    """Drop some packets, repeat a third late, swap neighbours: every key comes out once."""
    receiver = DtmfReceiver()
    stream: list[PlannedPacket] = []
    for index, key in enumerate(keys):
        plan = dtmf_packets(key, timestamp=index * 2400, duration=0.1)
        ends = [p for p in plan if parse_telephone_event(p.payload).end]
        kept = [p for p in plan if rng.random() >= loss] or ends[:1]
        stream += [
            PlannedPacket(p.offset + index * 0.3, p.marker, p.timestamp, p.payload) for p in kept
        ]
    stream += stream[::3]
    for index in range(len(stream) - 1):
        if rng.random() < 0.2 and stream[index].timestamp == stream[index + 1].timestamp:
            stream[index], stream[index + 1] = stream[index + 1], stream[index]
    digits = play(receiver, stream) + receiver.expire(100.0)
    assert [d.digit for d in digits] == keys
