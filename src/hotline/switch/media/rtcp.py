"""RTCP receiver statistics and sender/receiver reports (RFC 3550 §6.4, A.1, A.3, A.8).

Theory
------
Each RTP receiver tells the sender how the stream arrives, once every few seconds, in a report
block (§6.4.1) per source:

- **extended highest sequence number**: the highest sequence number seen, with the count of
  wraps in the top 16 bits (A.1). A source is validated first: it must send `MIN_SEQUENTIAL`
  packets in sequence before it counts ("probation"); a jump of more than `MAX_DROPOUT` ahead
  or `MAX_MISORDER` behind is treated as a restart only when the next packet confirms it.
- **cumulative lost**: packets expected (`extended highest − base + 1`) minus packets received,
  a signed 24-bit number — duplicates can make it negative (A.3).
- **fraction lost**: lost ÷ expected since the previous report, as a fixed-point fraction with
  the binary point at the left of 8 bits; 0 when more arrived than were expected.
- **interarrival jitter**: the mean deviation of the difference in packet spacing at the
  receiver compared with the sender, in timestamp units, smoothed with gain 1/16:
  `D(i−1, i) = (R_i − R_{i−1}) − (S_i − S_{i−1})`, `J += (|D| − J) / 16` (§6.4.1, A.8).
- **LSR / DLSR**: the middle 32 bits of the last sender report's NTP timestamp, and the delay
  since it arrived in units of 1/65536 s, from which the sender computes the round-trip time.

A sender report (SR, PT 200) adds the sender's NTP wall-clock time, the matching RTP timestamp
and its packet and octet counts; a receiver report (RR, PT 201) carries only report blocks.
RTCP travels as a compound packet (§6.1) — several RTCP packets back to back, each with a
length in 32-bit words minus one. `parse_rtcp` returns the SRs and RRs of a compound packet and
skips the other types (SDES, BYE, APP, feedback); `serialise_rtcp` writes reports followed by
the SDES CNAME item that §6.1 requires in every compound packet.

`ReceptionStatistics` is sans-I/O: the caller passes each packet's sequence number, RTP
timestamp and arrival time, and asks for a report block at the time it sends one.

Sessions
--------
`RtcpSession` is one leg's RTCP, also sans-I/O: `report` writes the compound packet to send
(an SR when we sent RTP since the previous report, else an RR; a report block on the stream we
receive; SDES CNAME; a BYE when the leg closes), and `receive` takes the far end's compound
packet: its SR's NTP time goes to the reception statistics for our LSR/DLSR, and its report
block on *our* stream is kept with the round-trip time it implies (§6.4.1: `A − LSR − DLSR`,
all in NTP's middle 32 bits). Garbage is counted, never raised. `rtcp_interval` gives the time
to the next report: for a two-party session at G.711's bandwidth the RFC's deterministic
interval is its 5 s minimum (halved before the first report, §6.2), randomised ×[0.5, 1.5]
(§6.3.1) so that reports from many legs opened together spread out. Timer reconsideration
(§6.3.3, which matters only when membership changes fast) is not done.
"""

from __future__ import annotations

import random
import struct
from dataclasses import dataclass, field
from typing import Final

from hotline.switch.media.rtp import RtpParseError, timestamp_delta

MIN_SEQUENTIAL: Final = 2
MAX_DROPOUT: Final = 3000
MAX_MISORDER: Final = 100
RTCP_SR: Final = 200
RTCP_RR: Final = 201
RTCP_SDES: Final = 202
RTCP_BYE: Final = 203
RTCP_MIN_INTERVAL: Final = 5.0  # seconds (RFC 3550 §6.2)
_SEQ_MOD: Final = 1 << 16
_NTP_EPOCH_OFFSET: Final = 2_208_988_800  # seconds from 1900-01-01 to 1970-01-01
_COMMON_HEADER: Final = struct.Struct("!BBH")
_SENDER_INFO: Final = struct.Struct("!IQIII")  # SSRC, NTP, RTP timestamp, packets, octets
_REPORT_BLOCK: Final = struct.Struct("!IIIIII")


class RtcpParseError(RtpParseError):
    """A datagram that is not a well-formed RTCP compound packet; the message says why."""


@dataclass(frozen=True, slots=True)
class ReportBlock:
    """Reception statistics for one source (RFC 3550 §6.4.1)."""

    ssrc: int
    fraction_lost: int  # lost/expected since the last report, × 256
    cumulative_lost: int  # signed 24-bit
    extended_highest_sequence: int
    jitter: int  # timestamp units
    last_sender_report: int = 0  # LSR: middle 32 bits of the last SR's NTP timestamp
    delay_since_last_sender_report: int = 0  # DLSR: 1/65536 s

    @property
    def fraction_lost_ratio(self) -> float:
        """The fraction lost as a number between 0 and 255/256."""
        return self.fraction_lost / 256


@dataclass(frozen=True, slots=True)
class SenderReport:
    """An RTCP SR: the sender's clock and counts, and reports on what it receives."""

    ssrc: int
    ntp_timestamp: int  # 64-bit NTP: seconds since 1900 in the top 32 bits, fraction below
    rtp_timestamp: int
    packet_count: int
    octet_count: int
    reports: tuple[ReportBlock, ...] = field(default=())


@dataclass(frozen=True, slots=True)
class ReceiverReport:
    """An RTCP RR: reports on what a participant that does not send receives."""

    ssrc: int
    reports: tuple[ReportBlock, ...] = field(default=())


RtcpReport = SenderReport | ReceiverReport


def ntp_timestamp(unix_time: float) -> int:
    """The 64-bit NTP timestamp for a Unix time in seconds."""
    return round((unix_time + _NTP_EPOCH_OFFSET) * (1 << 32)) & 0xFFFF_FFFF_FFFF_FFFF


def ntp_middle(ntp: int) -> int:
    """The middle 32 bits of a 64-bit NTP timestamp (the LSR form, units of 1/65536 s)."""
    return (ntp >> 16) & 0xFFFFFFFF


def round_trip_time(arrival_ntp: int, last_sender_report: int,
                    delay_since_last_sender_report: int) -> float | None:
    """Seconds from our SR to the report block answering it (RFC 3550 §6.4.1), or None.

    `arrival_ntp` is our 64-bit NTP time when the block arrived; LSR and DLSR are the block's.
    None when the block answers no SR (LSR 0) or the result is negative beyond rounding (the
    block is not about our SR, or it lies)."""
    if last_sender_report == 0:
        return None
    units = (ntp_middle(arrival_ntp) - last_sender_report - delay_since_last_sender_report)
    units &= 0xFFFFFFFF
    if units >= 1 << 31:  # negative
        return 0.0 if (1 << 32) - units <= 66 else None  # ~1 ms of rounding is zero
    return units / 65536


def rtcp_interval(rng: random.Random, minimum: float = RTCP_MIN_INTERVAL, *,
                  initial: bool = False) -> float:
    """Seconds until the next report of a two-party session (RFC 3550 §6.2, §6.3.1): the
    minimum interval (halved for the first report) times a uniform draw from [0.5, 1.5]."""
    deterministic = minimum / 2 if initial else minimum
    return deterministic * (0.5 + rng.random())


def packet_types(data: bytes | bytearray | memoryview) -> list[int]:
    """The packet types of a well-formed compound RTCP packet, in order (`RtcpParseError`
    if its headers do not chain to the end)."""
    data = bytes(data)
    types = []
    offset = 0
    while offset + 4 <= len(data):
        first, packet_type, words = _COMMON_HEADER.unpack_from(data, offset)
        if first >> 6 != 2:
            raise RtcpParseError(f"RTCP version at byte {offset} is {first >> 6}, not 2")
        types.append(packet_type)
        offset += 4 * (words + 1)
    if offset != len(data) or not types:
        raise RtcpParseError("RTCP packet lengths do not add up to the datagram")
    return types


def is_rtcp(data: bytes) -> bool:
    """Whether a datagram on a shared RTP/RTCP port is RTCP (RFC 5761 §4: PT 192–223)."""
    return len(data) >= 2 and 192 <= data[1] <= 223


def _parse_blocks(data: bytes, offset: int, count: int) -> tuple[ReportBlock, ...]:
    blocks = []
    for index in range(count):
        ssrc, lost_word, highest, jitter, lsr, dlsr = _REPORT_BLOCK.unpack_from(
            data, offset + index * _REPORT_BLOCK.size
        )
        cumulative = lost_word & 0xFFFFFF
        if cumulative & 0x800000:
            cumulative -= 1 << 24
        blocks.append(ReportBlock(ssrc, lost_word >> 24, cumulative, highest, jitter, lsr, dlsr))
    return tuple(blocks)


def parse_rtcp(data: bytes | bytearray | memoryview) -> list[RtcpReport]:
    """The SRs and RRs in a compound RTCP packet, or `RtcpParseError` saying what is wrong."""
    data = bytes(data)
    if len(data) < 4:
        raise RtcpParseError(f"RTCP packet of {len(data)} bytes is shorter than its 4-byte header")
    reports: list[RtcpReport] = []
    offset = 0
    while offset < len(data):
        if offset + 4 > len(data):
            raise RtcpParseError(f"{len(data) - offset} stray bytes after RTCP packet at {offset}")
        first, packet_type, words = _COMMON_HEADER.unpack_from(data, offset)
        if first >> 6 != 2:
            raise RtcpParseError(f"RTCP version at byte {offset} is {first >> 6}, not 2")
        end = offset + 4 * (words + 1)
        if end > len(data):
            raise RtcpParseError(
                f"RTCP packet at byte {offset} claims {4 * (words + 1)} bytes, "
                f"{len(data) - offset} remain"
            )
        body_end = end
        if first & 0x20:
            padding = data[end - 1]
            if padding == 0 or offset + 4 + padding > end:
                raise RtcpParseError(f"padding {padding} does not fit RTCP packet at {offset}")
            body_end = end - padding
        count = first & 0x1F
        if packet_type == RTCP_SR:
            need = 4 + _SENDER_INFO.size + count * _REPORT_BLOCK.size
            if offset + need > body_end:
                raise RtcpParseError(f"SR with {count} report blocks needs {need} bytes")
            ssrc, ntp, rtp_ts, packets, octets = _SENDER_INFO.unpack_from(data, offset + 4)
            blocks = _parse_blocks(data, offset + 4 + _SENDER_INFO.size, count)
            reports.append(SenderReport(ssrc, ntp, rtp_ts, packets, octets, blocks))
        elif packet_type == RTCP_RR:
            need = 8 + count * _REPORT_BLOCK.size
            if offset + need > body_end:
                raise RtcpParseError(f"RR with {count} report blocks needs {need} bytes")
            (ssrc,) = struct.unpack_from("!I", data, offset + 4)
            reports.append(ReceiverReport(ssrc, _parse_blocks(data, offset + 8, count)))
        offset = end
    return reports


def _serialise_report(report: RtcpReport) -> bytes:
    blocks = report.reports
    if len(blocks) > 31:
        raise ValueError(f"an RTCP report carries at most 31 report blocks, got {len(blocks)}")
    if isinstance(report, SenderReport):
        packet_type = RTCP_SR
        body = _SENDER_INFO.pack(
            report.ssrc,
            report.ntp_timestamp,
            report.rtp_timestamp,
            report.packet_count,
            report.octet_count,
        )
    else:
        packet_type = RTCP_RR
        body = struct.pack("!I", report.ssrc)
    parts = [body]
    for block in blocks:
        lost = max(-0x800000, min(0x7FFFFF, block.cumulative_lost)) & 0xFFFFFF
        parts.append(
            _REPORT_BLOCK.pack(
                block.ssrc,
                (block.fraction_lost << 24) | lost,
                block.extended_highest_sequence,
                block.jitter,
                block.last_sender_report,
                block.delay_since_last_sender_report,
            )
        )
    payload = b"".join(parts)
    return _COMMON_HEADER.pack(0x80 | len(blocks), packet_type, len(payload) // 4) + payload


def _serialise_cname(ssrc: int, cname: str) -> bytes:
    text = cname.encode()
    if len(text) > 255:
        raise ValueError(f"CNAME is at most 255 bytes, got {len(text)}")
    chunk = struct.pack("!IBB", ssrc, 1, len(text)) + text
    chunk += b"\x00" * (4 - len(chunk) % 4)  # end of items, then pad to a 32-bit boundary
    return _COMMON_HEADER.pack(0x81, RTCP_SDES, len(chunk) // 4) + chunk


def serialise_bye(ssrc: int, reason: str | None = None) -> bytes:
    """An RTCP BYE for one SSRC (RFC 3550 §6.6), to end a compound packet."""
    body = struct.pack("!I", ssrc)
    if reason:
        text = reason.encode()[:255]
        item = bytes([len(text)]) + text
        body += item + b"\x00" * (-len(item) % 4)
    return _COMMON_HEADER.pack(0x81, RTCP_BYE, len(body) // 4) + body


def serialise_rtcp(reports: list[RtcpReport], cname: str | None = None) -> bytes:
    """A compound packet of `reports`, then an SDES CNAME for the first one's SSRC if given."""
    if not reports:
        raise ValueError("a compound RTCP packet starts with an SR or RR")
    try:
        parts = [_serialise_report(report) for report in reports]
        if cname is not None:
            parts.append(_serialise_cname(reports[0].ssrc, cname))
    except struct.error as error:
        raise ValueError(f"RTCP field out of range: {error}") from None
    return b"".join(parts)


class ReceptionStatistics:
    """What one receiver knows about one source's RTP stream (RFC 3550 A.1, A.3, A.8).

    Feed every packet to `receive` with its arrival time in seconds; `report_block(now)` gives
    the block for the next SR/RR and starts a new interval for the fraction lost.
    """

    def __init__(self, ssrc: int, clock_rate: int = 8000) -> None:
        self.ssrc = ssrc
        self.clock_rate = clock_rate
        self.probation = MIN_SEQUENTIAL
        self.max_seq = 0
        self.cycles = 0
        self.base_seq = 0
        self.bad_seq = _SEQ_MOD + 1
        self.received = 0
        self._expected_prior = 0
        self._received_prior = 0
        self._started = False
        self._jitter = 0.0
        self._last_arrival: float | None = None
        self._last_timestamp = 0
        self._last_sr: int = 0
        self._last_sr_arrival: float | None = None

    def _restart(self, sequence: int) -> None:
        self.base_seq = sequence
        self.max_seq = sequence
        self.bad_seq = _SEQ_MOD + 1
        self.cycles = 0
        self.received = 0
        self._expected_prior = 0
        self._received_prior = 0

    def _accept_sequence(self, sequence: int) -> bool:
        if not self._started:
            self._started = True
            self._restart(sequence)
            self.max_seq = (sequence - 1) % _SEQ_MOD
            self.probation = MIN_SEQUENTIAL
        delta = (sequence - self.max_seq) % _SEQ_MOD
        if self.probation:
            if sequence == (self.max_seq + 1) % _SEQ_MOD:
                self.probation -= 1
                self.max_seq = sequence
                if self.probation == 0:
                    self._restart(sequence)
                    return True
            else:
                self.probation = MIN_SEQUENTIAL - 1
                self.max_seq = sequence
            return False
        if delta < MAX_DROPOUT:
            if sequence < self.max_seq:
                self.cycles += _SEQ_MOD
            self.max_seq = sequence
        elif delta <= _SEQ_MOD - MAX_MISORDER:
            if sequence != self.bad_seq:
                self.bad_seq = (sequence + 1) % _SEQ_MOD
                return False
            self._restart(sequence)  # two packets in sequence after a jump: the source restarted
        return True

    def receive(self, sequence: int, timestamp: int, arrival: float) -> bool:
        """Count a packet; False when it is not (yet) accepted as part of a valid stream."""
        if not self._accept_sequence(sequence):
            return False
        self.received += 1
        if self._last_arrival is not None:
            spacing_here = (arrival - self._last_arrival) * self.clock_rate
            spacing_there = timestamp_delta(self._last_timestamp, timestamp)
            self._jitter += (abs(spacing_here - spacing_there) - self._jitter) / 16
        self._last_arrival = arrival
        self._last_timestamp = timestamp
        return True

    def receive_sender_report(self, report: SenderReport, arrival: float) -> None:
        """Remember the source's latest SR, for LSR and DLSR in our next report block."""
        self._last_sr = (report.ntp_timestamp >> 16) & 0xFFFFFFFF
        self._last_sr_arrival = arrival

    @property
    def extended_highest_sequence(self) -> int:
        return self.cycles + self.max_seq

    @property
    def expected(self) -> int:
        return self.extended_highest_sequence - self.base_seq + 1 if self.received else 0

    @property
    def cumulative_lost(self) -> int:
        return max(-0x800000, min(0x7FFFFF, self.expected - self.received))

    @property
    def jitter(self) -> float:
        """Interarrival jitter in timestamp units."""
        return self._jitter

    def report_block(self, now: float) -> ReportBlock:
        """The block to send now; starts a new interval for the fraction lost."""
        expected = self.expected
        expected_interval = expected - self._expected_prior
        received_interval = self.received - self._received_prior
        self._expected_prior = expected
        self._received_prior = self.received
        lost_interval = expected_interval - received_interval
        fraction = 0
        if expected_interval > 0 and lost_interval > 0:
            fraction = (lost_interval << 8) // expected_interval
        delay = 0
        if self._last_sr_arrival is not None:
            delay = max(0, round((now - self._last_sr_arrival) * 65536)) & 0xFFFFFFFF
        return ReportBlock(
            ssrc=self.ssrc,
            fraction_lost=fraction,
            cumulative_lost=self.cumulative_lost,
            extended_highest_sequence=self.extended_highest_sequence & 0xFFFFFFFF,
            jitter=int(self._jitter),
            last_sender_report=self._last_sr,
            delay_since_last_sender_report=delay,
        )


def report_block(reception: ReceptionStatistics | None, now: float) -> ReportBlock | None:
    """The block on the stream we receive for a report sent at `now` (None before any)."""
    if reception is None or not reception.received:
        return None
    return reception.report_block(now)


class RtcpSession:
    """One leg's RTCP state: what we reported last, and what the far end reports about us.

    Times passed as `now` are the caller's monotonic clock (the one the reception statistics
    use); `wallclock` is Unix time, for NTP timestamps (ours in SRs, and arrival times for the
    round trip, which the far end's LSR refers to)."""

    __slots__ = ("bye_received", "malformed", "packets_at_last_report", "peer", "received",
                 "round_trip", "sent")

    def __init__(self) -> None:
        self.sent = 0
        self.received = 0
        self.malformed = 0
        self.bye_received = False
        self.packets_at_last_report = 0
        self.peer: ReportBlock | None = None
        """The far end's latest report block on our stream."""
        self.round_trip: float | None = None
        """Seconds, from the latest report block that answered one of our SRs."""

    def report(self, *, ssrc: int, packets_sent: int, octets_sent: int, rtp_timestamp: int,
               reception: ReceptionStatistics | None, now: float, wallclock: float,
               cname: str, bye: bool = False) -> bytes:
        """The compound packet to send now: SR or RR, SDES CNAME, and BYE if `bye`."""
        block = report_block(reception, now)
        blocks = () if block is None else (block,)
        report: RtcpReport
        if packets_sent != self.packets_at_last_report:
            report = SenderReport(ssrc, ntp_timestamp(wallclock), rtp_timestamp & 0xFFFFFFFF,
                                  packets_sent & 0xFFFFFFFF, octets_sent & 0xFFFFFFFF, blocks)
        else:
            report = ReceiverReport(ssrc, blocks)
        self.packets_at_last_report = packets_sent
        self.sent += 1
        data = serialise_rtcp([report], cname)
        return data + serialise_bye(ssrc) if bye else data

    def receive(self, data: bytes, *, ssrc: int, reception: ReceptionStatistics | None,
                now: float, wallclock: float) -> bool:
        """Take a (compound) packet from the far end; False (and counted) if it is not RTCP.

        A well-formed packet without SR or RR counts as received too: reduced-size RTCP
        (RFC 5506) exists, and baresip opens its NAT binding with a lone APP packet."""
        try:
            reports = parse_rtcp(data)
            types = packet_types(data)
        except RtcpParseError:
            self.malformed += 1
            return False
        if not all(192 <= packet_type <= 223 for packet_type in types):  # e.g. RTP sent here
            self.malformed += 1
            return False
        self.received += 1
        if RTCP_BYE in types:
            self.bye_received = True
        for report in reports:
            if (isinstance(report, SenderReport) and reception is not None
                    and reception.ssrc == report.ssrc):
                reception.receive_sender_report(report, now)
            for block in report.reports:
                if block.ssrc == ssrc:
                    self.peer = block
                    rtt = round_trip_time(ntp_timestamp(wallclock), block.last_sender_report,
                                          block.delay_since_last_sender_report)
                    if rtt is not None:
                        self.round_trip = rtt
        return True
