"""One call leg's media state: what it negotiated, what it sent us, and our RTP stream to it.

A *leg* is one RTP endpoint of the switch facing one phone or trunk. It holds

- the negotiation: G.711 law and its payload type, the telephone-event payload type, the
  remote address, and the direction (whether we send to it and accept media from it);
- the receive side: reception statistics (RFC 3550 A.1/A.8) for loss and jitter, a jitter
  buffer when someone needs its audio decoded, and an RFC 4733 digit receiver;
- the send side, `RtpSender`: our SSRC, next sequence number and timestamp, and whether the
  next packet starts a talkspurt (marker bit);
- RTCP (`rtcp.RtcpSession`): what the far end reports about our stream, and where its RTCP
  goes — the address its SDP gave in `a=rtcp`, else its RTP address with the port + 1, until
  RTCP arrives from somewhere else first (latched like RTP, see the engine).

`RtpSender` writes three kinds of packet into one stream: audio frames made at the tick
(timestamp advances one frame each), telephone events (timestamp fixed at the event start) and
packets *relayed* from another leg. A relayed packet keeps the source's payload and timing but
is rewritten into our stream: our SSRC, our next sequence number, and the source's timestamp
moved by an offset fixed when relaying from that source began — so the phone sees one steady
stream whichever way its packets were made, with the marker set at every switch.
"""

from __future__ import annotations

import ipaddress
import struct
from collections import deque
from dataclasses import dataclass
from typing import Final

import numpy as np

from hotline.switch.media.dtmf import DtmfReceiver, PlannedPacket
from hotline.switch.media.g711 import PCMA, PCMU, G711Codec, PcmArray
from hotline.switch.media.jitter import JitterBuffer
from hotline.switch.media.player import Player
from hotline.switch.media.rtcp import ReceptionStatistics, RtcpSession

CODECS: Final[dict[str, G711Codec]] = {"PCMU": PCMU, "PCMA": PCMA}
_HEADER: Final = struct.Struct("!BBHII")
_MASK32: Final = 0xFFFFFFFF


@dataclass(frozen=True, slots=True)
class LegStats:
    """What a leg received and sent since it was opened.

    `lost` counts sequence numbers never received (RFC 3550 A.3); `late` counts packets that
    arrived after their turn to play had passed (only for audio that was decoded, not for
    packets relayed untouched); `malformed` counts datagrams from the remote that were not RTP.

    The `rtcp_` counts are RTCP compound packets sent, received and dropped as garbage; the
    `remote_` fields are what the far end last reported about the stream we send it (fraction
    lost in its last interval, 0..1; cumulative lost; jitter), None until it reports; and
    `round_trip_ms` the round-trip time from its last block that answered one of our SRs.
    """

    packets_received: int
    packets_sent: int
    lost: int
    late: int
    jitter_ms: float
    malformed: int = 0
    rtcp_sent: int = 0
    rtcp_received: int = 0
    rtcp_malformed: int = 0
    remote_fraction_lost: float | None = None
    remote_lost: int | None = None
    remote_jitter_ms: float | None = None
    round_trip_ms: float | None = None


class RtpSender:
    """Our outgoing RTP stream to one leg (RFC 3550 §5.1)."""

    __slots__ = ("_relay_offset", "_relay_ssrc", "marker", "octets", "sent", "sequence", "ssrc",
                 "timestamp")

    def __init__(self, ssrc: int, sequence: int, timestamp: int) -> None:
        self.ssrc = ssrc & _MASK32
        self.sequence = sequence & 0xFFFF
        self.timestamp = timestamp & _MASK32
        self.marker = True
        self.sent = 0
        self.octets = 0  # payload bytes sent, for the RTCP SR
        self._relay_ssrc: int | None = None
        self._relay_offset = 0

    def _header(self, payload_type: int, marker: bool, timestamp: int) -> bytes:
        header = _HEADER.pack(
            0x80, payload_type | (0x80 if marker else 0), self.sequence, timestamp, self.ssrc
        )
        self.sequence = (self.sequence + 1) & 0xFFFF
        self.sent += 1
        return header

    def interrupt(self) -> None:
        """The next packet starts a new talkspurt; relaying re-anchors its timestamps."""
        self.marker = True
        self._relay_ssrc = None

    def audio(self, payload_type: int, payload: bytes) -> bytes:
        """A packet for a frame made here; the timestamp advances by its sample count."""
        packet = self._header(payload_type, self.marker, self.timestamp) + payload
        self.octets += len(payload)
        self.marker = False
        self._relay_ssrc = None
        self.timestamp = (self.timestamp + len(payload)) & _MASK32
        return packet

    def event(self, payload_type: int, planned: PlannedPacket, base: int) -> bytes:
        """A telephone-event packet of a digit that started at our timestamp `base`."""
        timestamp = (base + planned.timestamp) & _MASK32
        self.octets += len(planned.payload)
        return self._header(payload_type, planned.marker, timestamp) + planned.payload

    def relay(self, payload_type: int, ssrc: int, timestamp: int, marker: bool,
              payload: bytes) -> bytes:
        """Another leg's packet rewritten into this stream, payload untouched."""
        if ssrc != self._relay_ssrc:
            self._relay_ssrc = ssrc
            self._relay_offset = (self.timestamp - timestamp) & _MASK32
            marker = True
        timestamp = (timestamp + self._relay_offset) & _MASK32
        packet = self._header(payload_type, marker or self.marker, timestamp) + payload
        self.octets += len(payload)
        self.marker = False
        self.timestamp = (timestamp + len(payload)) & _MASK32
        return packet


def check_remote(remote: tuple[str, int]) -> tuple[str, int]:
    """The remote address normalised as the socket layer reports sources, or `ValueError`."""
    try:
        host, port = remote
        address = ipaddress.ip_address(host)
    except (TypeError, ValueError):
        raise ValueError(
            f"remote must be (IP address, port) as given in SDP, got {remote!r}"
        ) from None
    if not isinstance(port, int) or not 0 < port < 65536:
        raise ValueError(f"remote port must be 1..65535, got {port!r}")
    return str(address), port


def check_payload_type(name: str, value: int) -> int:
    """`value` if it is an RTP payload type (0..127), else `ValueError` naming `name`."""
    if not isinstance(value, int) or isinstance(value, bool) or not 0 <= value <= 127:
        raise ValueError(f"{name} must be an RTP payload type 0..127, got {value!r}")
    return value


class Leg:
    """One RTP endpoint and everything the mixer knows about it."""

    def __init__(self, leg_id: str, sender: RtpSender, frame_samples: int) -> None:
        self.id = leg_id
        self.frame_samples = frame_samples
        self.sender = sender
        self.codec: G711Codec | None = None
        self.payload_type = 0
        self.event_payload_type: int | None = None
        self.remote: tuple[str, int] | None = None
        self.latched = False
        """Whether media has come from `remote` since it was set (see the engine's latching)."""
        self.send = True
        self.receive = True
        # Receive side.
        self.received = 0
        self.malformed = 0
        self._lost_before = 0  # from earlier SSRCs of the remote
        self._late_before = 0  # from earlier jitter buffers
        self.reception: ReceptionStatistics | None = None
        self.jitter: JitterBuffer | None = None
        self.dtmf = DtmfReceiver()
        # RTCP: the far end's a=rtcp address if it gave one, and the source we latched to.
        self.rtcp = RtcpSession()
        self.rtcp_remote: tuple[str, int] | None = None
        self.rtcp_latched: tuple[str, int] | None = None
        # Graph and plan (see mixer): whom it hears, and how its audio travels this tick.
        self.hears: tuple[Leg, ...] = ()
        self.player: Player | None = None
        self.player_frame: PcmArray | None = None
        self.relay_to: tuple[Leg, ...] = ()  # legs that get our packets as they arrive
        self.relay_from: Leg | None = None  # the leg whose packets we forward to this one
        self.last_relayed = 0.0
        self.decoded = False  # someone needs this leg's audio as samples
        self.frame_payload: bytes | None = None  # this tick's received payload
        self._frame: PcmArray | None = None
        self.talking = False  # the last frame we sent carried audio
        # Digits going out: planned packets of the current digit, digits waiting.
        self.digits_waiting: deque[str] = deque()
        self.digit_packets: deque[PlannedPacket | None] = deque()
        self.digit_base = 0

    @property
    def connected(self) -> bool:
        return self.remote is not None

    @property
    def rtcp_destination(self) -> tuple[str, int] | None:
        """Where our RTCP goes: the latched source, else `a=rtcp`, else RTP's port + 1."""
        if self.rtcp_latched is not None:
            return self.rtcp_latched
        if self.rtcp_remote is not None:
            return self.rtcp_remote
        remote = self.remote
        if remote is None or remote[1] >= 65535:
            return None
        return remote[0], remote[1] + 1

    @property
    def sending(self) -> bool:
        return self.remote is not None and self.send

    def connect(self, remote: tuple[str, int], codec: G711Codec, payload_type: int,
                event_payload_type: int | None) -> None:
        if self.codec is not codec and self.jitter is not None:
            self.drop_jitter_buffer()
        if remote != self.remote:
            self.latched = False
        self.remote = remote
        self.codec = codec
        self.payload_type = payload_type
        self.event_payload_type = event_payload_type

    def account(self, ssrc: int, sequence: int, timestamp: int, now: float) -> None:
        """Count a received packet for the loss and jitter statistics."""
        self.received += 1
        reception = self.reception
        if reception is None or reception.ssrc != ssrc:
            if reception is not None:
                self._lost_before += max(0, reception.cumulative_lost)
            reception = self.reception = ReceptionStatistics(ssrc)
        reception.receive(sequence, timestamp, now)

    def ensure_jitter_buffer(self) -> JitterBuffer:
        if self.jitter is None:
            self.jitter = JitterBuffer(0.04, adaptive=True, min_delay=0.04,
                                       frame_duration=self.frame_samples / 8000)
        return self.jitter

    def drop_jitter_buffer(self) -> None:
        if self.jitter is not None:
            self._late_before += self.jitter.counters.late
            self.jitter = None
        self.frame_payload = None
        self._frame = None

    def set_frame(self, payload: bytes | None) -> None:
        self.frame_payload = payload
        self._frame = None

    def frame(self) -> PcmArray | None:
        """This tick's received audio as samples (decoded once), or None if there is none."""
        if self._frame is None and self.frame_payload is not None and self.codec is not None:
            frame = self.codec.decode(self.frame_payload)
            size = self.frame_samples
            if len(frame) != size:  # a packetisation other than ours: cut or pad to a frame
                frame = frame[:size] if len(frame) > size else _pad(frame, size)
            self._frame = frame
        return self._frame

    def stats(self) -> LegStats:
        reception = self.reception
        lost = self._lost_before + (max(0, reception.cumulative_lost) if reception else 0)
        late = self._late_before + (self.jitter.counters.late if self.jitter else 0)
        jitter_ms = reception.jitter / 8 if reception else 0.0
        rtcp = self.rtcp
        peer = rtcp.peer
        clock_ms = (self.codec.clock_rate if self.codec else 8000) / 1000
        return LegStats(
            self.received, self.sender.sent, lost, late, jitter_ms, self.malformed,
            rtcp_sent=rtcp.sent,
            rtcp_received=rtcp.received,
            rtcp_malformed=rtcp.malformed,
            remote_fraction_lost=None if peer is None else peer.fraction_lost_ratio,
            remote_lost=None if peer is None else peer.cumulative_lost,
            remote_jitter_ms=None if peer is None else peer.jitter / clock_ms,
            round_trip_ms=None if rtcp.round_trip is None else rtcp.round_trip * 1000,
        )


def _pad(frame: PcmArray, size: int) -> PcmArray:
    padded: PcmArray = np.zeros(size, dtype=np.int16)
    padded[: len(frame)] = frame
    return padded
