"""RTP packets (RFC 3550 §5.1) and sequence/timestamp arithmetic with wrap-around.

Theory
------
Every RTP packet starts with a 12-byte fixed header, all fields in network byte order:

     0                   1                   2                   3
    |V=2|P|X|  CC   |M|     PT      |       sequence number         |
    |                           timestamp                           |
    |                             SSRC                              |
    |                 CSRC list (CC × 32 bits)                      |
    | extension: profile (16) | length in 32-bit words (16) | data  |   (only if X)
    | payload ...                                  | padding | count |   (only if P)

- `V` is always 2. `P` says the last payload octet counts padding octets to strip (the count
  includes itself). `X` says a header extension follows the CSRCs (§5.3.1); we keep its
  profile and data so the packet round-trips, but the payload always starts after it.
- `M` is the marker; for audio it flags the first packet of a talkspurt (RFC 3551 §4.1) and for
  RFC 4733 the start of an event. `PT` is the payload type (0 PCMU, 8 PCMA, 96–127 dynamic).
- The sequence number goes up by one per packet and wraps at 2¹⁶; the timestamp counts samples
  (8,000 a second for G.711) and wraps at 2³². Comparing either therefore needs serial-number
  arithmetic (RFC 1982): `b` is "after" `a` when the forward distance from `a` to `b` is less
  than half the number space. `extend_sequence` unwraps a 16-bit number against a reference the
  way RFC 3550 A.1 counts cycles, so that receivers can order and count packets across wraps.

`parse_rtp` accepts untrusted datagrams: anything malformed raises `RtpParseError` naming what
was wrong, and nothing else ever escapes it.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass, field
from typing import Final

RTP_VERSION: Final = 2
SEQUENCE_MODULUS: Final = 1 << 16
TIMESTAMP_MODULUS: Final = 1 << 32
_HEADER: Final = struct.Struct("!BBHII")
_EXTENSION_HEADER: Final = struct.Struct("!HH")


class RtpParseError(ValueError):
    """A datagram that is not a well-formed RTP (or RTCP) packet; the message says why."""


@dataclass(frozen=True, slots=True)
class RtpExtension:
    """A header extension (RFC 3550 §5.3.1): profile-defined 16 bits and whole 32-bit words."""

    profile: int
    data: bytes


@dataclass(frozen=True, slots=True)
class RtpPacket:
    """One RTP packet; `payload` excludes header, CSRCs, extension and padding."""

    payload_type: int
    sequence: int
    timestamp: int
    ssrc: int
    payload: bytes = b""
    marker: bool = False
    csrcs: tuple[int, ...] = field(default=())
    extension: RtpExtension | None = None


def parse_rtp(data: bytes | bytearray | memoryview) -> RtpPacket:
    """The packet in `data`, or `RtpParseError` saying what is malformed."""
    data = bytes(data)
    size = len(data)
    if size < _HEADER.size:
        raise RtpParseError(f"RTP packet of {size} bytes is shorter than the 12-byte header")
    first, second, sequence, timestamp, ssrc = _HEADER.unpack_from(data)
    if first >> 6 != RTP_VERSION:
        raise RtpParseError(f"RTP version is {first >> 6}, only 2 is defined")
    offset = _HEADER.size
    csrc_count = first & 0x0F
    csrcs: tuple[int, ...] = ()
    if csrc_count:
        end = offset + 4 * csrc_count
        if end > size:
            raise RtpParseError(f"{csrc_count} CSRCs need {end} bytes, packet has {size}")
        csrcs = struct.unpack_from(f"!{csrc_count}I", data, offset)
        offset = end
    extension = None
    if first & 0x10:
        if offset + 4 > size:
            raise RtpParseError(f"extension header at byte {offset} is past the {size}-byte end")
        profile, words = _EXTENSION_HEADER.unpack_from(data, offset)
        start = offset + 4
        offset = start + 4 * words
        if offset > size:
            raise RtpParseError(f"extension of {words} words runs past the {size}-byte packet")
        extension = RtpExtension(profile, data[start:offset])
    end = size
    if first & 0x20:
        padding = data[-1]
        if padding == 0 or offset + padding > size:
            raise RtpParseError(f"padding count {padding} does not fit a {size}-byte packet")
        end = size - padding
    return RtpPacket(
        payload_type=second & 0x7F,
        sequence=sequence,
        timestamp=timestamp,
        ssrc=ssrc,
        payload=data[offset:end],
        marker=bool(second & 0x80),
        csrcs=csrcs,
        extension=extension,
    )


def serialise_rtp(packet: RtpPacket) -> bytes:
    """The packet's wire form (never padded); `ValueError` if a field is out of range."""
    csrcs = packet.csrcs
    if len(csrcs) > 15:
        raise ValueError(f"an RTP packet carries at most 15 CSRCs, got {len(csrcs)}")
    if not 0 <= packet.payload_type <= 127:
        raise ValueError(f"payload type must be 0..127, got {packet.payload_type}")
    extension = packet.extension
    first = 0x80 | len(csrcs) | (0x10 if extension is not None else 0)
    second = packet.payload_type | (0x80 if packet.marker else 0)
    try:
        parts = [_HEADER.pack(first, second, packet.sequence, packet.timestamp, packet.ssrc)]
        if csrcs:
            parts.append(struct.pack(f"!{len(csrcs)}I", *csrcs))
        if extension is not None:
            if len(extension.data) % 4:
                raise ValueError(
                    f"extension data must be whole 32-bit words, got {len(extension.data)} bytes"
                )
            parts.append(_EXTENSION_HEADER.pack(extension.profile, len(extension.data) // 4))
            parts.append(extension.data)
    except struct.error as error:
        raise ValueError(f"RTP header field out of range: {error}") from None
    parts.append(packet.payload)
    return b"".join(parts)


def sequence_delta(earlier: int, later: int) -> int:
    """Signed distance from one 16-bit sequence number to another, in [-32768, 32767]."""
    return ((later - earlier + 0x8000) & 0xFFFF) - 0x8000


def timestamp_delta(earlier: int, later: int) -> int:
    """Signed distance from one 32-bit RTP timestamp to another, in [-2³¹, 2³¹ - 1]."""
    return ((later - earlier + 0x80000000) & 0xFFFFFFFF) - 0x80000000


def sequence_after(a: int, b: int) -> bool:
    """Whether sequence number `b` comes after `a` (serial-number order, RFC 1982)."""
    return sequence_delta(a, b) > 0


def extend_sequence(sequence: int, reference: int) -> int:
    """The extended (cycle-counting) number for a 16-bit `sequence` nearest to `reference`.

    `reference` is an extended number already seen, e.g. the highest so far; the result is the
    one of `sequence + k·2¹⁶` closest to it, so a packet just after a wrap gets the next cycle
    and a late one from before the wrap keeps the previous cycle (RFC 3550 A.1).
    """
    return reference + sequence_delta(reference & 0xFFFF, sequence)
