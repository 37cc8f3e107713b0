"""A jitter buffer: turns RTP packets arriving unevenly into one frame per 20 ms tick.

Theory
------
Packets leave the phone every 20 ms but cross the network with varying delay, sometimes out
of order, sometimes twice, sometimes not at all. The receiver holds each packet back for a
*target delay* so that late-comers still make their turn, then plays frames on its own steady
clock. Each packet's turn comes from its RTP timestamp (RFC 3550 §5.1: the sampling instant):
once playing, the buffer keeps a *playout timestamp* that advances one frame per tick, and a
packet plays at the tick whose slot its timestamp falls in. Sequence numbers decide order and
identity: the buffer only ever plays a packet whose (extended, wrap-safe) sequence number is
above the last one played, so nothing is played twice or out of order whatever the network did.

- **late**: a packet whose slot has passed, or whose successor was already played — dropped.
- **duplicate**: a packet already buffered or already played — dropped.
- **lost**: a sequence number skipped when a later packet plays.
- **concealed**: a tick with nothing to play; `pop` returns None and the caller fills the gap
  (silence, or repeating the last frame).
- **discarded**: packets thrown away to keep the delay near the target or the buffer bounded.

Playout starts `target_delay` after the first packet of a talkspurt arrives. After
`reset_after` empty ticks in a row the buffer stops and waits for the next talkspurt (senders
with silence suppression stop sending, and their timestamps jump), priming again from the next
arrival — which also recovers from a sender restarting its timestamps. With `adaptive=True`
the target follows the measured interarrival jitter `J` (the RFC 3550 §6.4.1 estimator, in
seconds): `target = frame + 4·J`, clamped to `[min_delay, max_delay]` and rounded up to whole
frames; it takes effect when playout (re)starts, and a buffer more than two frames deeper than
the target skips one frame per tick until it is back.

The buffer is sans-I/O: the caller passes arrival times and calls `pop(now)` once per frame
period from its media clock. It assumes one frame per packet (a packetisation time equal to
`frame_duration`).
"""

from __future__ import annotations

import math
from collections import deque
from dataclasses import dataclass

from hotline.switch.media.rtp import RtpPacket, extend_sequence, timestamp_delta


@dataclass(slots=True)
class JitterCounters:
    """What the buffer did with the packets it was given, since it was created."""

    received: int = 0
    played: int = 0
    concealed: int = 0
    late: int = 0
    lost: int = 0
    duplicate: int = 0
    discarded: int = 0


@dataclass(frozen=True, slots=True)
class _Buffered:
    timestamp: int  # extended
    arrival: float
    packet: RtpPacket


class JitterBuffer:
    """Reorders RTP packets of one stream and plays them out one frame per `pop`."""

    def __init__(
        self,
        target_delay: float = 0.06,
        *,
        adaptive: bool = False,
        frame_duration: float = 0.02,
        clock_rate: int = 8000,
        min_delay: float = 0.02,
        max_delay: float = 0.3,
        capacity: int = 50,
        reset_after: int = 5,
    ) -> None:
        if frame_duration <= 0 or capacity < 1 or reset_after < 1:
            raise ValueError("frame_duration, capacity and reset_after must be positive")
        self.adaptive = adaptive
        self.frame_duration = frame_duration
        self.frame_samples = round(frame_duration * clock_rate)
        self.clock_rate = clock_rate
        self.min_delay = min_delay
        self.max_delay = max_delay
        self.capacity = capacity
        self.reset_after = reset_after
        self.counters = JitterCounters()
        self._fixed_target = target_delay
        self._buffer: dict[int, _Buffered] = {}
        self._ssrc: int | None = None
        self._sequence_reference: int | None = None
        self._timestamp_reference = 0
        self._last_played: int | None = None
        self._played_recently: deque[int] = deque(maxlen=64)
        self._start_at: float | None = None
        self._playout_timestamp: int | None = None  # None while not playing
        self._misses = 0
        self._jitter = 0.0
        self._previous: tuple[float, int] | None = None  # arrival, extended timestamp

    @property
    def jitter(self) -> float:
        """Interarrival jitter estimate in seconds (RFC 3550 §6.4.1 estimator)."""
        return self._jitter

    @property
    def target_delay(self) -> float:
        """The delay playout aims for, in seconds."""
        if not self.adaptive:
            return self._fixed_target
        wanted = min(self.max_delay, max(self.min_delay, self.frame_duration + 4 * self._jitter))
        return math.ceil(wanted / self.frame_duration - 1e-9) * self.frame_duration

    @property
    def playing(self) -> bool:
        return self._playout_timestamp is not None

    def __len__(self) -> int:
        return len(self._buffer)

    def _reset_stream(self, ssrc: int) -> None:
        self.counters.discarded += len(self._buffer)
        self._buffer.clear()
        self._ssrc = ssrc
        self._sequence_reference = None
        self._last_played = None
        self._played_recently.clear()
        self._start_at = None
        self._playout_timestamp = None
        self._misses = 0
        self._previous = None

    def push(self, packet: RtpPacket, arrival: float) -> None:
        """Accept a packet that arrived at `arrival` (seconds, the caller's clock)."""
        counters = self.counters
        counters.received += 1
        if packet.ssrc != self._ssrc:
            self._reset_stream(packet.ssrc)
        if self._sequence_reference is None:
            sequence = packet.sequence
            timestamp = packet.timestamp
        else:
            sequence = extend_sequence(packet.sequence, self._sequence_reference)
            timestamp = self._timestamp_reference + timestamp_delta(
                self._timestamp_reference & 0xFFFFFFFF, packet.timestamp
            )
        if self._last_played is not None and sequence <= self._last_played:
            if sequence in self._played_recently:
                counters.duplicate += 1
            else:
                counters.late += 1
            return
        if sequence in self._buffer:
            counters.duplicate += 1
            return
        playout = self._playout_timestamp
        if playout is not None and timestamp < playout - self.frame_samples // 2:
            counters.late += 1
            return
        if len(self._buffer) >= self.capacity:
            del self._buffer[min(self._buffer)]
            counters.discarded += 1
        self._buffer[sequence] = _Buffered(timestamp, arrival, packet)
        self._sequence_reference = sequence
        self._timestamp_reference = timestamp
        if self._start_at is None:
            self._start_at = arrival + self.target_delay
        if self._previous is not None:
            last_arrival, last_timestamp = self._previous
            spread = (arrival - last_arrival) - (timestamp - last_timestamp) / self.clock_rate
            self._jitter += (abs(spread) - self._jitter) / 16
        self._previous = (arrival, timestamp)

    def pop(self, now: float) -> RtpPacket | None:
        """The packet to play for the tick at `now`, or None to conceal (or not started)."""
        if self._playout_timestamp is None:
            if not self._buffer or self._start_at is None or now < self._start_at:
                return None
            self._playout_timestamp = self._buffer[min(self._buffer)].timestamp
        playout = self._playout_timestamp
        if self.adaptive and self._buffer:
            depth = (self._buffer[max(self._buffer)].timestamp - playout) / self.clock_rate
            if depth > self.target_delay + 2 * self.frame_duration:
                playout += self.frame_samples  # skip a slot to bring the delay down
                self._drop_passed(playout)
        packet = None
        if self._buffer:
            first = min(self._buffer)
            entry = self._buffer[first]
            if entry.timestamp <= playout + self.frame_samples // 2:
                del self._buffer[first]
                packet = entry.packet
                if self._last_played is not None:
                    self.counters.lost += max(0, first - self._last_played - 1)
                self._last_played = first
                self._played_recently.append(first)
                self.counters.played += 1
        self._playout_timestamp = playout + self.frame_samples
        if packet is not None:
            self._misses = 0
            return packet
        self.counters.concealed += 1
        self._misses += 1
        if self._misses >= self.reset_after:
            self._misses = 0
            self._playout_timestamp = None
            self._start_at = (
                min(item.arrival for item in self._buffer.values()) + self.target_delay
                if self._buffer
                else None
            )
        return None

    def _drop_passed(self, playout: int) -> None:
        """Discard packets, oldest first, while their slot comes before `playout`."""
        limit = playout - self.frame_samples // 2
        while self._buffer:
            first = min(self._buffer)
            if self._buffer[first].timestamp >= limit:
                return
            del self._buffer[first]
            self._last_played = first  # passed over on purpose: neither lost nor playable
            self.counters.discarded += 1
