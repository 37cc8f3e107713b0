"""The jitter buffer: order, lateness, duplicates, gaps, priming and adaptation."""

from __future__ import annotations

import random

import pytest
from hypothesis import given
from hypothesis import strategies as st

from hotline.switch.media.jitter import JitterBuffer
from hotline.switch.media.rtp import RtpPacket

FRAME = 0.02


def packet(sequence: int, ssrc: int = 1, timestamp: int | None = None) -> RtpPacket:
    stamp = sequence * 160 if timestamp is None else timestamp
    return RtpPacket(0, sequence % 65536, stamp % 2**32, ssrc, bytes([sequence % 256]))


def ticks(buffer: JitterBuffer, start: float, count: int) -> list[int | None]:
    """Pop `count` frames at 20 ms intervals; the sequence numbers played (None = conceal)."""
    played = []
    for index in range(count):
        frame = buffer.pop(start + index * FRAME)
        played.append(None if frame is None else frame.sequence)
    return played


def test_nothing_plays_before_the_target_delay() -> None:
    buffer = JitterBuffer(target_delay=0.06)
    buffer.push(packet(0), 0.0)
    assert buffer.pop(0.04) is None and buffer.counters.concealed == 0
    frame = buffer.pop(0.06)
    assert frame is not None and frame.sequence == 0


def test_an_empty_buffer_plays_nothing() -> None:
    assert JitterBuffer().pop(1.0) is None


def test_packets_arriving_out_of_order_play_in_order() -> None:
    buffer = JitterBuffer(target_delay=0.06)
    for sequence, arrival in [(0, 0.0), (2, 0.01), (1, 0.02), (4, 0.05), (3, 0.06), (5, 0.1)]:
        buffer.push(packet(sequence), arrival)
    assert ticks(buffer, 0.06, 6) == [0, 1, 2, 3, 4, 5]
    assert buffer.counters.played == 6 and buffer.counters.lost == 0


def test_a_missing_packet_is_concealed_and_counted_lost() -> None:
    buffer = JitterBuffer(target_delay=0.04)
    for sequence in (0, 1, 3, 4):
        buffer.push(packet(sequence), sequence * FRAME)
    assert ticks(buffer, 0.04, 5) == [0, 1, None, 3, 4]
    assert buffer.counters.lost == 1 and buffer.counters.concealed == 1


def test_a_packet_after_its_slot_is_late_and_dropped() -> None:
    buffer = JitterBuffer(target_delay=0.04)
    for sequence in (0, 1, 3):
        buffer.push(packet(sequence), sequence * FRAME)
    assert ticks(buffer, 0.04, 3) == [0, 1, None]
    buffer.push(packet(2), 0.09)  # its slot was the tick at 0.08
    assert ticks(buffer, 0.10, 1) == [3]
    assert buffer.counters.late == 1


def test_duplicates_are_dropped_whether_buffered_or_played() -> None:
    buffer = JitterBuffer(target_delay=0.04)
    buffer.push(packet(0), 0.0)
    buffer.push(packet(0), 0.001)
    buffer.push(packet(1), 0.02)
    assert ticks(buffer, 0.04, 1) == [0]
    buffer.push(packet(0), 0.05)
    assert ticks(buffer, 0.06, 2) == [1, None]
    assert buffer.counters.duplicate == 2


def test_sequence_numbers_wrap() -> None:
    buffer = JitterBuffer(target_delay=0.04)
    for offset, sequence in enumerate((65534, 65535, 0, 1)):
        stamp = (2**32 - 320 + offset * 160) % 2**32
        buffer.push(packet(sequence, timestamp=stamp), offset * FRAME)
    assert ticks(buffer, 0.04, 4) == [65534, 65535, 0, 1]


def test_silence_suppression_restarts_playout_on_the_next_talkspurt() -> None:
    buffer = JitterBuffer(target_delay=0.04, reset_after=3)
    for sequence in range(3):
        buffer.push(packet(sequence), sequence * FRAME)
    assert ticks(buffer, 0.04, 6) == [0, 1, 2, None, None, None]
    assert not buffer.playing
    # The sender was silent for 2 s: next sequence number, timestamp 2 s later.
    buffer.push(packet(3, timestamp=3 * 160 + 16000), 2.0)
    buffer.push(packet(4, timestamp=4 * 160 + 16000), 2.02)
    assert ticks(buffer, 2.0, 4) == [None, None, 3, 4]
    assert buffer.counters.lost == 0


def test_a_new_ssrc_starts_a_new_stream() -> None:
    buffer = JitterBuffer(target_delay=0.02)
    buffer.push(packet(500, ssrc=1), 0.0)
    buffer.push(packet(501, ssrc=1), 0.02)
    assert ticks(buffer, 0.02, 1) == [500]
    buffer.push(packet(10, ssrc=2), 0.03)
    assert buffer.counters.discarded == 1
    assert ticks(buffer, 0.06, 1) == [10]


def test_capacity_bounds_the_buffer() -> None:
    buffer = JitterBuffer(target_delay=0.04, capacity=4)
    for sequence in range(10):
        buffer.push(packet(sequence), 0.0)
    assert len(buffer) == 4 and buffer.counters.discarded == 6
    assert ticks(buffer, 0.04, 4) == [6, 7, 8, 9]


def test_adaptive_target_grows_with_jitter_and_drains_excess_delay() -> None:
    rng = random.Random(3)
    buffer = JitterBuffer(adaptive=True, max_delay=0.2)
    assert buffer.target_delay == pytest.approx(0.02)
    for sequence in range(200):
        buffer.push(packet(sequence), sequence * FRAME + rng.uniform(0, 0.03))
    assert buffer.jitter > 0.005
    assert FRAME * 2 <= buffer.target_delay <= 0.2
    assert round(buffer.target_delay / FRAME, 6).is_integer()
    calm = JitterBuffer(adaptive=True)
    for sequence in range(20):
        calm.push(packet(sequence), 0.0)  # a burst: 400 ms of audio at once
    played = [s for s in ticks(calm, 0.02, 20) if s is not None]
    assert played == sorted(played) and calm.counters.discarded > 0


def test_bad_settings_are_refused() -> None:
    with pytest.raises(ValueError, match="positive"):
        JitterBuffer(capacity=0)


@given(
    st.integers(0, 65535),
    st.lists(st.tuples(st.integers(0, 120), st.floats(0.0, 0.5)), max_size=150),
    st.booleans(),
    st.integers(1, 8),
)
def test_never_out_of_order_and_never_twice(
    first: int, arrivals: list[tuple[int, float]], adaptive: bool, reset_after: int
) -> None:
    """Whatever the network does (reorder, repeat, delay, lose), playout order is sequence order."""
    buffer = JitterBuffer(
        target_delay=0.06, adaptive=adaptive, reset_after=reset_after, capacity=20
    )
    events = sorted((offset * FRAME + delay, offset) for offset, delay in arrivals)
    played: list[int] = []
    now = 0.0

    def tick() -> None:
        nonlocal now
        frame = buffer.pop(now)
        if frame is not None:
            played.append((frame.sequence - first) % 65536)  # offset from the first packet
        now += FRAME

    for arrival, offset in events:
        while now <= arrival:
            tick()
        buffer.push(packet(first + offset), arrival)
    for _ in range(200):
        tick()
    assert played == sorted(set(played))
    counters = buffer.counters
    assert counters.played == len(played) and counters.received == len(events)
    assert len(buffer) == 0
    dropped = counters.late + counters.duplicate + counters.discarded
    assert counters.played + dropped == len(events)
