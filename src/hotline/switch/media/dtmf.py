"""RFC 4733 telephone-events: DTMF digits carried as RTP packets instead of audio.

Theory
------
A key press travels as a series of RTP packets of the `telephone-event` payload type
(negotiated dynamically in SDP, commonly 101), all with the **same RTP timestamp** — the
moment the event began — and increasing sequence numbers (RFC 4733 §2.5). Each payload is
four bytes (§2.3):

     0                   1                   2                   3
    |     event     |E|R| volume    |          duration             |

- `event`: 0–9 the digits, 10 `*`, 11 `#`, 12–15 `A`–`D`, 16 flash (§3.2).
- `E`: the event has ended. `R` is reserved. `volume`: the power level as −dBm0, 0–63.
- `duration`: how long the event has lasted so far, in timestamp units (8,000 per second).

The sender marks the first packet (`M` bit), sends an update every packetisation interval
(20 ms) with the growing duration, and at the end sends the final packet with `E` set three
times (§2.5.1.4), because a lost end would otherwise leave the digit unfinished. A receiver
must therefore recognise an event by its timestamp, report it **exactly once**, and ignore the
redundant end packets and any stragglers that arrive after them. A lost start packet is
harmless — any packet with a new timestamp starts the event — and if all the end packets are
lost, the next event (or a time-out) closes it.

`DtmfReceiver` reports a digit when its event ends (so the duration is known), when a newer
event starts before the old one ended, or when `expire(now)` finds it silent for too long.
`dtmf_packets` produces the sender's packet plan; the shell stamps sequence numbers and sends
each packet at its offset.
"""

from __future__ import annotations

import struct
from collections import deque
from dataclasses import dataclass
from typing import Final

from hotline.switch.media.rtp import timestamp_delta

EVENT_CODES: Final = "0123456789*#ABCD"
FLASH: Final = 16
_PAYLOAD: Final = struct.Struct("!BBH")
_REMEMBERED_EVENTS: Final = 16


class DtmfError(ValueError):
    """A telephone-event payload or digit that RFC 4733 does not allow; the message says why."""


@dataclass(frozen=True, slots=True)
class TelephoneEvent:
    """One RFC 4733 payload (§2.3)."""

    event: int
    end: bool = False
    volume: int = 10
    duration: int = 0

    def __post_init__(self) -> None:
        if not 0 <= self.event <= 255:
            raise DtmfError(f"event must be 0..255, got {self.event}")
        if not 0 <= self.volume <= 63:
            raise DtmfError(f"volume must be 0..63 (−dBm0), got {self.volume}")
        if not 0 <= self.duration <= 0xFFFF:
            raise DtmfError(f"duration must be 0..65535 timestamp units, got {self.duration}")

    @property
    def digit(self) -> str | None:
        """The DTMF character for this event, or None for other events (e.g. flash)."""
        return EVENT_CODES[self.event] if self.event < len(EVENT_CODES) else None


def event_for_digit(digit: str) -> int:
    """The RFC 4733 event code for a DTMF character (`0`–`9`, `*`, `#`, `A`–`D`)."""
    index = EVENT_CODES.find(digit.upper()) if len(digit) == 1 else -1
    if index < 0:
        raise DtmfError(f"{digit!r} is not a DTMF digit; expected one of {EVENT_CODES}")
    return index


def parse_telephone_event(payload: bytes) -> TelephoneEvent:
    """The event in an RTP payload, or `DtmfError` if it is not exactly four bytes."""
    if len(payload) != _PAYLOAD.size:
        raise DtmfError(f"a telephone-event payload is 4 bytes, got {len(payload)}")
    event, flags, duration = _PAYLOAD.unpack(payload)
    return TelephoneEvent(event, bool(flags & 0x80), flags & 0x3F, duration)


def serialise_telephone_event(event: TelephoneEvent) -> bytes:
    """The four-byte payload for `event` (the reserved bit is sent as zero)."""
    return _PAYLOAD.pack(event.event, (0x80 if event.end else 0) | event.volume, event.duration)


@dataclass(frozen=True, slots=True)
class DtmfDigit:
    """A key press, reported once: its character (or None for a non-DTMF event) and length."""

    event: int
    digit: str | None
    timestamp: int  # RTP timestamp of the event's start
    duration: int  # timestamp units, as last reported by the sender
    ended: bool  # False when closed by a newer event or a time-out, not by its end packet


class DtmfReceiver:
    """Turns a stream of telephone-event packets into key presses, each exactly once.

    Feed `receive` every packet of the negotiated telephone-event payload type; it returns
    the presses completed by that packet (zero, one, or two when a new event also closes an
    unfinished one). Call `expire(now)` from the shell's timer to close an event whose end
    packets were all lost.
    """

    def __init__(self, timeout: float = 0.5) -> None:
        self.timeout = timeout
        self._current: TelephoneEvent | None = None
        self._current_timestamp = 0
        self._last_packet_time = 0.0
        self._finished: deque[int] = deque(maxlen=_REMEMBERED_EVENTS)

    def _close(self, ended: bool) -> DtmfDigit:
        event = self._current
        assert event is not None
        self._current = None
        self._finished.append(self._current_timestamp)
        return DtmfDigit(event.event, event.digit, self._current_timestamp, event.duration, ended)

    def receive(self, timestamp: int, payload: bytes, now: float) -> list[DtmfDigit]:
        """Account for one packet; malformed payloads raise `DtmfError` and change nothing."""
        event = parse_telephone_event(payload)
        if timestamp in self._finished:
            return []  # a redundant end packet, or a straggler after the end
        done: list[DtmfDigit] = []
        if self._current is not None and timestamp != self._current_timestamp:
            if timestamp_delta(self._current_timestamp, timestamp) < 0:
                return []  # a late packet of an event older than the one in progress
            done.append(self._close(ended=False))
        if self._finished and timestamp_delta(self._finished[-1], timestamp) < 0:
            return done  # older than an event already reported
        if self._current is None or event.duration >= self._current.duration:
            self._current = event
        self._current_timestamp = timestamp
        self._last_packet_time = now
        if event.end:
            done.append(self._close(ended=True))
        return done

    def expire(self, now: float) -> list[DtmfDigit]:
        """Close the event in progress if no packet came for `timeout` seconds."""
        if self._current is not None and now - self._last_packet_time >= self.timeout:
            return [self._close(ended=False)]
        return []

    def next_deadline(self) -> float | None:
        """When `expire` next has something to do, or None."""
        return None if self._current is None else self._last_packet_time + self.timeout


@dataclass(frozen=True, slots=True)
class PlannedPacket:
    """One packet of a digit: when to send it (seconds after the start) and what it holds."""

    offset: float
    marker: bool
    timestamp: int
    payload: bytes


def dtmf_packets(
    digit: str,
    timestamp: int,
    duration: float = 0.1,
    volume: int = 10,
    interval: float = 0.02,
    clock_rate: int = 8000,
    end_repeats: int = 3,
) -> list[PlannedPacket]:
    """The packets that send `digit` for `duration` seconds starting at RTP `timestamp`.

    The first packet has the marker bit; one update follows every `interval`, each reporting
    the duration up to the end of its interval; then the end packet `end_repeats` times, one
    interval apart, all with the event's start timestamp (RFC 4733 §2.5.1).
    """
    event = event_for_digit(digit)
    total = round(duration * clock_rate)
    step = round(interval * clock_rate)
    if not 0 < total <= 0xFFFF:
        raise DtmfError(f"duration must be above 0 and at most {0xFFFF / clock_rate:.3f} s")
    if step <= 0 or end_repeats < 1:
        raise DtmfError("the interval must be positive and the end sent at least once")
    packets: list[PlannedPacket] = []
    elapsed = 0
    while elapsed + step < total:
        elapsed += step
        body = serialise_telephone_event(TelephoneEvent(event, False, volume, elapsed))
        offset = (elapsed - step) / clock_rate
        packets.append(PlannedPacket(offset, not packets, timestamp, body))
    end = serialise_telephone_event(TelephoneEvent(event, True, volume, total))
    first_end = len(packets) * step / clock_rate
    for repeat in range(end_repeats):
        packets.append(PlannedPacket(first_end + repeat * interval, not packets, timestamp, end))
    return packets
