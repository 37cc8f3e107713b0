"""G.711 against the segment tables of ITU-T G.711 (Tables 2a and 2b), not against itself.

The expected values below are computed from the standard's description — decision levels per
segment, interval widths, reconstruction at the middle of each interval, the bit inversions on
the line — written out independently of the module's table-building code.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from hotline.switch.media import g711

# µ-law, 14-bit magnitudes (Table 2a): segment s ends at these decision values, intervals 2<<s.
ULAW_SEGMENT_ENDS = [31, 95, 223, 479, 991, 2015, 4063, 8159]
# A-law, 13-bit magnitudes (Table 2b): segment s ends at these values, intervals as listed.
ALAW_SEGMENT_ENDS = [32, 64, 128, 256, 512, 1024, 2048, 4096]
ALAW_WIDTHS = [2, 2, 4, 8, 16, 32, 64, 128]


def ulaw_expected(code: int) -> int:
    """The 16-bit value of a µ-law code per Table 2a (×4 from 14-bit)."""
    bits = code ^ 0xFF
    negative, segment, interval = bits & 0x80, (bits >> 4) & 7, bits & 0x0F
    width = 2 << segment
    # Segment 0's first interval is [0, 1) (half width) so it reconstructs to exactly 0.
    start = -1 if segment == 0 else ULAW_SEGMENT_ENDS[segment - 1]
    value = (start + interval * width + width // 2) * 4
    return -value if negative else value


def alaw_expected(code: int) -> int:
    """The 16-bit value of an A-law code per Table 2b (×8 from 13-bit)."""
    bits = code ^ 0x55
    positive, segment, interval = bits & 0x80, (bits >> 4) & 7, bits & 0x0F
    start = 0 if segment == 0 else ALAW_SEGMENT_ENDS[segment - 1]
    width = ALAW_WIDTHS[segment]
    value = (start + interval * width + width // 2) * 8
    return value if positive else -value


def ulaw_step(sample: int) -> int:
    """Width (16-bit units) of the µ-law interval holding `sample`'s magnitude."""
    magnitude = min(abs(sample) // 4, 8158)
    segment = next(s for s, end in enumerate(ULAW_SEGMENT_ENDS) if magnitude < end)
    return (2 << segment) * 4


def alaw_step(sample: int) -> int:
    magnitude = (sample if sample >= 0 else -sample - 1) // 8
    segment = next(s for s, end in enumerate(ALAW_SEGMENT_ENDS) if magnitude < end)
    return ALAW_WIDTHS[segment] * 8


ALL_CODES = np.arange(256, dtype=np.uint8)


def test_ulaw_decode_table_matches_the_segment_definition() -> None:
    assert g711.ulaw_decode(ALL_CODES).tolist() == [ulaw_expected(c) for c in range(256)]


def test_alaw_decode_table_matches_the_segment_definition() -> None:
    assert g711.alaw_decode(ALL_CODES).tolist() == [alaw_expected(c) for c in range(256)]


@pytest.mark.parametrize(
    ("code", "value"),
    [(0xFF, 0), (0x7F, 0), (0x00, -32124), (0x80, 32124), (0xFE, 8), (0x7E, -8), (0xEF, 132)],
)
def test_known_ulaw_values(code: int, value: int) -> None:
    assert g711.ulaw_decode(bytes([code]))[0] == value


@pytest.mark.parametrize(
    ("code", "value"),
    [(0xD5, 8), (0x55, -8), (0xAA, 32256), (0x2A, -32256), (0xC5, 264), (0xD4, 24)],
)
def test_known_alaw_values(code: int, value: int) -> None:
    assert g711.alaw_decode(bytes([code]))[0] == value


def test_silence_encodes_to_the_idle_codes() -> None:
    silence = np.zeros(160, dtype=np.int16)
    assert set(g711.ulaw_encode(silence).tolist()) == {g711.ULAW_SILENCE}
    assert set(g711.alaw_encode(silence).tolist()) == {g711.ALAW_SILENCE}
    assert g711.PCMU.silence_frame() == b"\xff" * 160
    assert g711.PCMA.silence_frame(80) == b"\xd5" * 80


def test_extremes_clip_to_the_outermost_codes() -> None:
    extremes = np.array([32767, -32768], dtype=np.int16)
    assert g711.ulaw_encode(extremes).tolist() == [0x80, 0x00]
    assert g711.alaw_encode(extremes).tolist() == [0xAA, 0x2A]


def test_bytes_are_little_endian_pcm_and_equal_the_array_path() -> None:
    pcm = np.array([1000, -1000, 0, 32767], dtype=np.int16)
    raw = pcm.astype("<i2").tobytes()
    assert g711.ulaw_encode(raw).tolist() == g711.ulaw_encode(pcm).tolist()
    assert g711.alaw_encode(bytearray(raw)).tolist() == g711.alaw_encode(pcm).tolist()
    codes = g711.ulaw_encode(pcm).tobytes()
    assert g711.ulaw_decode(codes).tolist() == g711.ulaw_decode(memoryview(codes)).tolist()


def test_a_frame_round_trips_through_the_codec_objects() -> None:
    pcm = (np.sin(np.arange(160) / 5) * 10000).astype(np.int16)
    for codec in (g711.PCMU, g711.PCMA):
        codes = codec.encode(pcm)
        assert codes.dtype == np.uint8 and codes.shape == (160,)
        assert np.abs(codec.decode(codes).astype(int) - pcm).max() <= 256
    assert g711.CODECS_BY_PAYLOAD_TYPE == {0: g711.PCMU, 8: g711.PCMA}


def test_wrong_input_types_are_refused_clearly() -> None:
    with pytest.raises(TypeError, match="int16"):
        g711.ulaw_encode(np.zeros(4, dtype=np.int32))
    with pytest.raises(TypeError, match="uint8"):
        g711.alaw_decode(np.zeros(4, dtype=np.int16))
    with pytest.raises(ValueError, match="whole 16-bit samples"):
        g711.alaw_encode(b"\x00\x01\x02")


def test_every_int16_decodes_within_its_quantisation_step() -> None:
    samples = np.arange(-32768, 32768, dtype=np.int32).astype(np.int16)
    for encode, decode, step, limit in (
        (g711.ulaw_encode, g711.ulaw_decode, ulaw_step, 32636),
        (g711.alaw_encode, g711.alaw_decode, alaw_step, 32768),
    ):
        error = np.abs(decode(encode(samples)).astype(np.int32) - samples.astype(np.int32))
        steps = np.array([step(int(s)) for s in samples.tolist()])
        inside = np.abs(samples.astype(np.int32)) < limit
        # Within the coded range the error is at most half an interval (+1 for A-law's ones'
        # complement of negatives); beyond µ-law's last decision level it is clipping, < a step.
        assert (error[inside] <= steps[inside] // 2 + 1).all()
        assert (error <= steps).all()


@given(st.integers(-32768, 32767))
def test_decode_of_encode_is_within_a_step(sample: int) -> None:
    pcm = np.array([sample], dtype=np.int16)
    assert abs(int(g711.ulaw_decode(g711.ulaw_encode(pcm))[0]) - sample) <= ulaw_step(sample)
    assert abs(int(g711.alaw_decode(g711.alaw_encode(pcm))[0]) - sample) <= alaw_step(sample)


@given(st.integers(0, 255))
def test_encode_of_decode_gives_the_code_back(code: int) -> None:
    # µ-law has two zeros: +0 (0xFF) and −0 (0x7F) both decode to 0, which encodes as +0.
    expected = 0xFF if code == 0x7F else code
    codes = np.array([code], dtype=np.uint8)
    assert g711.ulaw_encode(g711.ulaw_decode(codes))[0] == expected
    assert g711.alaw_encode(g711.alaw_decode(codes))[0] == code


def test_encoding_is_monotonic() -> None:
    """Larger samples never decode smaller: the law is a staircase, not a scramble."""
    samples = np.arange(-32768, 32768, dtype=np.int32).astype(np.int16)
    for encode, decode in (
        (g711.ulaw_encode, g711.ulaw_decode),
        (g711.alaw_encode, g711.alaw_decode),
    ):
        assert (np.diff(decode(encode(samples)).astype(np.int32)) >= 0).all()
