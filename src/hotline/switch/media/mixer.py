"""The mixer: who hears whom, and the RTP each leg gets — sans-I/O, with time passed in.

Theory of operation
-------------------
The mixer owns every leg (`leg.Leg`), a *hearing graph* — for each leg, the legs whose audio
it hears — each leg's player, and the recordings. It does no I/O: the shell passes each
received datagram to `receive(leg_id, data, now)` and calls `tick(now)` every 20 ms; both hand
back the datagrams to send, as `(leg_id, remote, bytes)`, and leave what happened for the
application in `events` (`DigitReceived`, `PlayFinished`).

At each tick every leg that needs its audio as samples gives up one frame from its jitter
buffer; then every leg we send to gets the saturating sum of the frames of the legs it hears
plus its player's next frame, encoded in its own law. A leg that hears nothing still gets
silence while it is connected, which keeps NAT bindings and the phone's RTP timers alive.

Most calls are two legs bridged, and decoding, mixing and re-encoding every frame of them
would cost most of the switch's time for nothing. So `_plan` looks for the *fast path*: leg B
hears exactly leg A, in the same law, with no player and no digits going out on B, and nobody
else needs A as samples (no recording of A, no leg mixing A with something else). Then A's
packets are relayed to B the moment they arrive, payload untouched, rewritten into B's stream
(`RtpSender.relay`), and A needs no jitter buffer at all — the phone's own buffer absorbs the
network's jitter once instead of twice. If A falls silent (hold, packet loss) B gets silence
from the tick after three frame times, so its stream never stops. The plan is recomputed on
every change to the graph, players, recordings, digits or negotiation, never per packet.

Telephone events (RFC 4733) received on a leg become one `DigitReceived` per key press; they
are not forwarded to other legs — the application decides whether to regenerate them with
`send_digits`, which sends RFC 4733 packets (never in-band tones) in place of the leg's audio
for the length of each digit.
"""

from __future__ import annotations

import random
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from hotline.switch.media.dtmf import DtmfError, dtmf_packets, event_for_digit
from hotline.switch.media.g711 import PcmArray
from hotline.switch.media.leg import (
    CODECS,
    Leg,
    LegStats,
    RtpSender,
    check_payload_type,
    check_remote,
)
from hotline.switch.media.player import Player
from hotline.switch.media.recorder import StereoRecording
from hotline.switch.media.rtp import RtpParseError, parse_rtp

Datagram = tuple[str, tuple[str, int], bytes]
"""A packet to send: the leg's id, its remote address, the bytes."""

DIGIT_GAP_FRAMES = 5  # 100 ms of ordinary audio between two digits sent
RELAY_SILENCE_FRAMES = 3  # a relayed stream quiet this long gets silence from the tick


@dataclass(frozen=True, slots=True)
class DigitReceived:
    """A key pressed on the phone of `leg_id`, reported once (RFC 4733 event)."""

    leg_id: str
    digit: str


@dataclass(frozen=True, slots=True)
class PlayFinished:
    """The one-shot clip that player `player_id` was playing to `leg_id` has played through."""

    leg_id: str
    player_id: int


MediaEvent = DigitReceived | PlayFinished


def mix(frames: list[PcmArray]) -> PcmArray:
    """The saturating sum of equal-length frames (clipped to int16, never wrapped)."""
    if len(frames) == 1:
        return frames[0]
    total: NDArray[np.int32] = frames[0].astype(np.int32)
    for frame in frames[1:]:
        total += frame
    mixed: PcmArray = np.clip(total, -32768, 32767).astype(np.int16)
    return mixed


class Mixer:
    """Every leg's media, the hearing graph, players and recordings; see the module doc."""

    def __init__(self, *, frame_samples: int = 160, rng: random.Random | None = None) -> None:
        self.frame_samples = frame_samples
        self.legs: dict[str, Leg] = {}
        self.recordings: dict[str, StereoRecording] = {}
        self.events: list[MediaEvent] = []
        self._rng = rng or random.Random()
        self._decoding: list[Leg] = []
        self._recorded: list[tuple[StereoRecording, Leg, Leg]] = []
        self._silence: dict[str, bytes] = {
            name: codec.silence_frame(frame_samples) for name, codec in CODECS.items()
        }

    # -- legs and negotiation ---------------------------------------------------------------

    def leg(self, leg_id: str) -> Leg:
        """The leg, or `KeyError` saying it does not exist."""
        try:
            return self.legs[leg_id]
        except KeyError:
            raise KeyError(f"no media leg {leg_id!r} (open it first, or it was closed)") from None

    def add_leg(self, leg_id: str) -> Leg:
        if not isinstance(leg_id, str) or not leg_id:
            raise ValueError(f"a leg id must be a non-empty string, got {leg_id!r}")
        if leg_id in self.legs:
            raise ValueError(f"media leg {leg_id!r} is already open")
        rng = self._rng
        sender = RtpSender(rng.getrandbits(32), rng.getrandbits(16), rng.getrandbits(32))
        leg = self.legs[leg_id] = Leg(leg_id, sender, self.frame_samples)
        return leg

    def remove_leg(self, leg_id: str) -> list[StereoRecording]:
        """Forget the leg, take it out of everyone's hearing; the recordings it ended."""
        leg = self.leg(leg_id)
        del self.legs[leg_id]
        for other in self.legs.values():
            if leg in other.hears:
                other.hears = tuple(source for source in other.hears if source is not leg)
        ended = [rec for rec in self.recordings.values() if leg_id in (rec.left, rec.right)]
        for recording in ended:
            del self.recordings[recording.id]
        self._plan()
        return ended

    def connect(self, leg_id: str, remote: tuple[str, int], *, codec: str, payload_type: int,
                event_payload_type: int | None) -> None:
        leg = self.leg(leg_id)
        law = CODECS.get(codec.upper()) if isinstance(codec, str) else None
        if law is None:
            raise ValueError(f"codec must be one of {', '.join(CODECS)}, got {codec!r}")
        address = check_remote(remote)
        check_payload_type("payload_type", payload_type)
        if event_payload_type is not None:
            check_payload_type("event_payload_type", event_payload_type)
            if event_payload_type == payload_type:
                raise ValueError(
                    f"telephone-event and audio cannot share payload type {payload_type}"
                )
        leg.connect(address, law, payload_type, event_payload_type)
        leg.sender.interrupt()
        self._plan()

    def set_direction(self, leg_id: str, *, send: bool, receive: bool) -> None:
        leg = self.leg(leg_id)
        leg.send, leg.receive = bool(send), bool(receive)
        self._plan()

    # -- players, hearing, digits, recordings -------------------------------------------------

    def play(self, leg_id: str, samples: PcmArray, *, loop: bool = False) -> Player:
        leg = self.leg(leg_id)
        leg.player = Player(samples, loop=loop, frame_samples=self.frame_samples)
        self._plan()
        return leg.player

    def stop_play(self, leg_id: str) -> None:
        leg = self.leg(leg_id)
        if leg.player is not None:
            leg.player = None
            self._plan()

    def hear(self, leg_id: str, sources: Iterable[str]) -> None:
        leg = self.leg(leg_id)
        if isinstance(sources, str):
            raise ValueError(f"sources must be a collection of leg ids, got the string {sources!r}")
        heard = tuple(dict.fromkeys(self.leg(source) for source in sources))
        if leg in heard:
            raise ValueError(f"leg {leg_id!r} cannot hear itself")
        leg.hears = heard
        self._plan()

    def send_digits(self, leg_id: str, digits: str) -> None:
        leg = self.leg(leg_id)
        if leg.event_payload_type is None:
            raise ValueError(f"leg {leg_id!r} has no telephone-event payload type negotiated")
        try:
            for digit in digits:
                event_for_digit(digit)
        except DtmfError as error:
            raise ValueError(str(error)) from None
        leg.digits_waiting.extend(digits)
        self._plan()

    def start_recording(self, recording_id: str, left: str, right: str) -> StereoRecording:
        self.leg(left)
        self.leg(right)
        if recording_id in self.recordings:
            raise ValueError(f"recording {recording_id!r} is already running")
        if left == right:
            raise ValueError(f"a recording needs two different legs, got {left!r} twice")
        recording = StereoRecording(recording_id, left, right, self.frame_samples)
        self.recordings[recording_id] = recording
        self._plan()
        return recording

    def stop_recording(self, recording_id: str) -> StereoRecording:
        try:
            recording = self.recordings.pop(recording_id)
        except KeyError:
            raise KeyError(f"no running recording {recording_id!r}") from None
        self._plan()
        return recording

    def stats(self, leg_id: str) -> LegStats:
        return self.leg(leg_id).stats()

    # -- the plan ---------------------------------------------------------------------------

    def _plan(self) -> None:
        """Decide, for the graph as it now is, which legs relay and which are decoded."""
        recorded: set[Leg] = set()
        self._recorded = []
        for recording in self.recordings.values():
            left, right = self.legs[recording.left], self.legs[recording.right]
            recorded.update((left, right))
            self._recorded.append((recording, left, right))
        needed: set[Leg] = set(recorded)
        candidates: dict[Leg, Leg] = {}
        for leg in self.legs.values():
            if not leg.sending or not leg.hears:
                continue
            source = leg.hears[0]
            if (len(leg.hears) == 1 and leg.player is None and not leg.digits_waiting
                    and not leg.digit_packets and source.codec is leg.codec):
                candidates[leg] = source
            else:
                needed.update(leg.hears)
        relay_to: dict[Leg, list[Leg]] = {}
        for leg, source in candidates.items():
            if source in needed:
                continue
            relay_to.setdefault(source, []).append(leg)
        decoding = []
        for leg in self.legs.values():
            relay_from = None
            if leg in candidates and candidates[leg] not in needed:
                relay_from = candidates[leg]
            if relay_from is not leg.relay_from:
                leg.sender.interrupt()
                leg.relay_from = relay_from
            leg.relay_to = tuple(relay_to.get(leg, ()))
            decoded = leg in needed
            if decoded:
                leg.ensure_jitter_buffer()
                decoding.append(leg)
            elif leg.decoded:
                leg.drop_jitter_buffer()
            leg.decoded = decoded
        self._decoding = decoding

    # -- packets in -------------------------------------------------------------------------

    def receive(self, leg_id: str, data: bytes, now: float) -> list[Datagram]:
        """A datagram from the leg's remote; the packets it makes us relay at once."""
        leg = self.legs[leg_id]
        if len(data) >= 2 and 192 <= data[1] <= 223:
            return []  # RTCP multiplexed on the RTP port (RFC 5761): not used here
        try:
            packet = parse_rtp(data)
        except RtpParseError:
            leg.malformed += 1
            return []
        if not leg.receive:
            return []
        leg.account(packet.ssrc, packet.sequence, packet.timestamp, now)
        payload_type = packet.payload_type
        if payload_type == leg.payload_type:
            out: list[Datagram] = []
            for target in leg.relay_to:
                if target.remote is not None:
                    relayed = target.sender.relay(target.payload_type, packet.ssrc,
                                                  packet.timestamp, packet.marker, packet.payload)
                    target.last_relayed = now
                    out.append((target.id, target.remote, relayed))
            if leg.jitter is not None:
                leg.jitter.push(packet, now)
            return out
        if payload_type == leg.event_payload_type:
            try:
                digits = leg.dtmf.receive(packet.timestamp, packet.payload, now)
            except DtmfError:
                leg.malformed += 1
                return []
            for pressed in digits:
                if pressed.digit is not None:
                    self.events.append(DigitReceived(leg.id, pressed.digit))
        return []

    # -- the tick ---------------------------------------------------------------------------

    def tick(self, now: float) -> list[Datagram]:
        """One frame period at `now`: the packets every leg gets."""
        for leg in self._decoding:
            jitter = leg.jitter
            packet = jitter.pop(now) if jitter is not None else None
            leg.set_frame(None if packet is None else packet.payload)
        replan = False
        out: list[Datagram] = []
        quiet_since = now - RELAY_SILENCE_FRAMES * self.frame_samples / 8000
        for leg in self.legs.values():
            remote = leg.remote
            if remote is None:
                continue
            if leg.player is not None:
                leg.player_frame = leg.player.next_frame()
                if leg.player_frame is None:
                    self.events.append(PlayFinished(leg.id, leg.player.id))
                    leg.player = None
                    replan = True
            if leg.dtmf.next_deadline() is not None:
                for pressed in leg.dtmf.expire(now):
                    if pressed.digit is not None:
                        self.events.append(DigitReceived(leg.id, pressed.digit))
            if not leg.send:
                continue
            if leg.relay_from is not None:
                if leg.last_relayed < quiet_since:
                    out.append((leg.id, remote, self._silence_packet(leg)))
                continue
            if leg.digit_packets or leg.digits_waiting:
                data = self._digit_packet(leg)
                if data is not None:
                    out.append((leg.id, remote, data))
                    if not leg.digit_packets and not leg.digits_waiting:
                        replan = True
                    continue
            out.append((leg.id, remote, self._audio_packet(leg)))
        for recording, left, right in self._recorded:
            recording.add(left.frame(), right.frame())
        if replan:
            self._plan()
        return out

    def _silence_packet(self, leg: Leg) -> bytes:
        assert leg.codec is not None
        leg.talking = False
        return leg.sender.audio(leg.payload_type, self._silence[leg.codec.name])

    def _audio_packet(self, leg: Leg) -> bytes:
        """The leg's frame: what it hears plus its player, in its law."""
        codec = leg.codec
        assert codec is not None
        sources = [source for source in leg.hears if source.frame_payload is not None]
        player_frame, leg.player_frame = leg.player_frame, None
        if not sources and player_frame is None:
            return self._silence_packet(leg)
        first = sources[0].frame_payload if sources else None
        if (len(sources) == 1 and player_frame is None and sources[0].codec is codec
                and first is not None and len(first) == self.frame_samples):
            payload = first  # one source in our law: its payload as it came
        else:
            frames = [source.frame() for source in sources]
            if player_frame is not None:
                frames.append(player_frame)
            payload = codec.encode(mix([frame for frame in frames if frame is not None])).tobytes()
        if not leg.talking:
            leg.sender.marker = True
            leg.talking = True
        return leg.sender.audio(leg.payload_type, payload)

    def _digit_packet(self, leg: Leg) -> bytes | None:
        """The next packet of the digits going out, or None for a frame of audio between."""
        if not leg.digit_packets:
            digit = leg.digits_waiting.popleft()
            leg.digit_base = leg.sender.timestamp
            leg.digit_packets.extend(dtmf_packets(digit, 0, interval=self.frame_samples / 8000))
            if leg.digits_waiting:
                leg.digit_packets.extend([None] * DIGIT_GAP_FRAMES)
        planned = leg.digit_packets.popleft()
        if planned is None:
            return None
        assert leg.event_payload_type is not None
        data = leg.sender.event(leg.event_payload_type, planned, leg.digit_base)
        leg.sender.timestamp = (leg.sender.timestamp + self.frame_samples) & 0xFFFFFFFF
        leg.sender.interrupt()  # audio after the digit starts a new talkspurt
        leg.talking = False
        return data
