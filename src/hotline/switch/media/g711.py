"""G.711 µ-law and A-law companding by lookup table (ITU-T Recommendation G.711, 1988).

Theory
------
G.711 carries telephone speech at 8,000 samples per second in 8 bits per sample by coding the
*logarithm* of the amplitude: quiet sounds get fine steps, loud ones coarse steps, so the
signal-to-quantisation-noise ratio stays roughly constant over a wide range of levels. Both
laws approximate the log curve by eight straight *segments* per polarity, each twice as wide as
the one before it, each cut into 16 equal intervals. A code is therefore

    sign (1 bit) | segment (3 bits) | interval within the segment (4 bits)

and decodes to the middle of its interval.

- **µ-law** (G.711 §2, Table 2a; North America, Japan) works on 14-bit magnitudes (up to 8159).
  Segment `s` ends at the decision value `(64 << s) - 33` — 31, 95, 223, 479, 991, 2015,
  4063, 8159 — and has intervals `2 << s` wide; the first interval of segment 0 is half as
  wide, so that zero is a reconstruction value. Adding a bias of 33 moves every segment
  boundary onto a power of two, which is how the segment is found. All eight bits
  are inverted on the line (the all-zero code would otherwise starve T1 ones-density), so
  `0xFF` is +0 and `0x7F` is −0: two codes for silence, both decoding to 0.
- **A-law** (G.711 §3, Table 2b; Europe, China, international links) works on 13-bit signed
  values (magnitudes up to 4095). Segments 0 and 1 are both 32 wide with interval 2; segment
  `s >= 2` spans `[16 << s, 32 << s)` with interval `1 << s`. Zero is a decision value, so the
  smallest codes decode to ±1 (±8 here). The even bits are inverted on the line (XOR `0x55`),
  and the sign bit is 1 for positive values.

We work in 16-bit linear PCM, the format of WAV files and sound cards: a µ-law 14-bit value is
the 16-bit sample divided by 4, an A-law 13-bit value the 16-bit sample divided by 8, so
decoded µ-law values are multiples of 4 (largest ±32124) and A-law values multiples of 8
(largest ±32256). Negative A-law inputs take the ones' complement (`-x - 1`) as the standard's
reference coder does, which keeps the two polarities exactly symmetric.

Why tables
----------
A 20 ms frame is 160 samples and a busy switch handles tens of thousands of frames a second,
so the work per frame must be one vectorised step. Decoding uses a 256-entry table of int16;
encoding a 65,536-entry table of codes indexed by the sample's bit pattern read as uint16.
Both tables are built once at import from the segment rules above (vectorised, a few
milliseconds). This replaces the `audioop` module, removed from Python in 3.13.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

import numpy as np
from numpy.typing import NDArray

PcmArray = NDArray[np.int16]
CodeArray = NDArray[np.uint8]
PcmLike = PcmArray | bytes | bytearray | memoryview
CodesLike = CodeArray | bytes | bytearray | memoryview

ULAW_SILENCE: Final = 0xFF
ALAW_SILENCE: Final = 0xD5
_ULAW_CLIP: Final = 32635  # 8158 in 14-bit units: the last value below the 8159 decision level
_ULAW_BIAS: Final = 132  # 33 in 14-bit units: shifts segment boundaries onto powers of two


def _ulaw_decode_table() -> PcmArray:
    code = np.arange(256, dtype=np.int32) ^ 0xFF
    segment = (code >> 4) & 0x07
    interval = code & 0x0F
    magnitude = (((interval << 3) + _ULAW_BIAS) << segment) - _ULAW_BIAS
    pcm: PcmArray = np.where(code & 0x80, -magnitude, magnitude).astype(np.int16)
    return pcm


def _ulaw_encode_table() -> CodeArray:
    sample = np.arange(65536, dtype=np.int32).astype(np.uint16).view(np.int16).astype(np.int32)
    sign = np.where(sample < 0, 0x80, 0x00)
    biased = np.minimum(np.abs(sample), _ULAW_CLIP) + _ULAW_BIAS  # in [132, 32767]
    # With the bias, segment s holds exactly the biased magnitudes in [128 << s, 256 << s).
    segment = np.floor(np.log2(biased)).astype(np.int32) - 7
    interval = (biased >> (segment + 3)) & 0x0F
    codes: CodeArray = ((sign | (segment << 4) | interval) ^ 0xFF).astype(np.uint8)
    return codes


def _alaw_decode_table() -> PcmArray:
    code = np.arange(256, dtype=np.int32) ^ 0x55
    segment = (code >> 4) & 0x07
    interval = code & 0x0F
    # Segment 0 starts at 0, segment s >= 1 at 16 << s; half an interval puts us mid-step.
    start = np.where(segment == 0, 0, 16 << segment)
    width = np.where(segment == 0, 2, 1 << segment)
    magnitude = (start + interval * width + width // 2) * 8
    pcm: PcmArray = np.where(code & 0x80, magnitude, -magnitude).astype(np.int16)
    return pcm


def _alaw_encode_table() -> CodeArray:
    sample = np.arange(65536, dtype=np.int32).astype(np.uint16).view(np.int16).astype(np.int32)
    positive = sample >= 0
    magnitude = np.where(positive, sample, -sample - 1) >> 3  # 13-bit magnitude, 0..4095
    segment = np.where(magnitude < 32, 0, np.floor(np.log2(np.maximum(magnitude, 1))) - 4)
    segment = segment.astype(np.int32)
    interval = np.where(segment == 0, magnitude >> 1, magnitude >> np.maximum(segment, 1)) & 0x0F
    sign = np.where(positive, 0x80, 0x00)
    codes: CodeArray = ((sign | (segment << 4) | interval) ^ 0x55).astype(np.uint8)
    return codes


ULAW_DECODE: Final[PcmArray] = _ulaw_decode_table()
ULAW_ENCODE: Final[CodeArray] = _ulaw_encode_table()
ALAW_DECODE: Final[PcmArray] = _alaw_decode_table()
ALAW_ENCODE: Final[CodeArray] = _alaw_encode_table()
for _table in (ULAW_DECODE, ULAW_ENCODE, ALAW_DECODE, ALAW_ENCODE):
    _table.setflags(write=False)


def _as_uint16(pcm: PcmLike) -> NDArray[np.uint16]:
    if isinstance(pcm, np.ndarray):
        if pcm.dtype != np.int16:
            raise TypeError(f"PCM samples must be int16, got {pcm.dtype}")
        return pcm.view(np.uint16)
    if len(pcm) % 2:
        raise ValueError(f"PCM bytes must hold whole 16-bit samples, got {len(pcm)} bytes")
    return np.frombuffer(pcm, dtype="<u2")


def _as_codes(codes: CodesLike) -> CodeArray:
    if isinstance(codes, np.ndarray):
        if codes.dtype != np.uint8:
            raise TypeError(f"G.711 codes must be uint8, got {codes.dtype}")
        return codes
    return np.frombuffer(codes, dtype=np.uint8)


def ulaw_encode(pcm: PcmLike) -> CodeArray:
    """µ-law codes for 16-bit PCM (an int16 array, or little-endian bytes as in WAV files)."""
    return ULAW_ENCODE.take(_as_uint16(pcm))


def ulaw_decode(codes: CodesLike) -> PcmArray:
    """16-bit PCM for µ-law codes (a uint8 array or an RTP payload)."""
    return ULAW_DECODE.take(_as_codes(codes))


def alaw_encode(pcm: PcmLike) -> CodeArray:
    """A-law codes for 16-bit PCM (an int16 array, or little-endian bytes as in WAV files)."""
    return ALAW_ENCODE.take(_as_uint16(pcm))


def alaw_decode(codes: CodesLike) -> PcmArray:
    """16-bit PCM for A-law codes (a uint8 array or an RTP payload)."""
    return ALAW_DECODE.take(_as_codes(codes))


@dataclass(frozen=True, slots=True, eq=False)  # compared by identity: it holds arrays
class G711Codec:
    """One G.711 law as SDP and RTP name it (RFC 3551 §6: static payload types 0 and 8)."""

    name: str
    payload_type: int
    silence: int
    encode_table: CodeArray
    decode_table: PcmArray

    clock_rate = 8000

    def encode(self, pcm: PcmLike) -> CodeArray:
        """Codes for 16-bit PCM, one per sample."""
        return self.encode_table.take(_as_uint16(pcm))

    def decode(self, codes: CodesLike) -> PcmArray:
        """16-bit PCM for codes, one sample per code."""
        return self.decode_table.take(_as_codes(codes))

    def silence_frame(self, samples: int = 160) -> bytes:
        """A payload of `samples` silent codes (160 = 20 ms)."""
        return bytes([self.silence]) * samples


PCMU: Final = G711Codec("PCMU", 0, ULAW_SILENCE, ULAW_ENCODE, ULAW_DECODE)
PCMA: Final = G711Codec("PCMA", 8, ALAW_SILENCE, ALAW_ENCODE, ALAW_DECODE)
CODECS_BY_PAYLOAD_TYPE: Final[dict[int, G711Codec]] = {0: PCMU, 8: PCMA}
