"""Sine generation and Goertzel detection, including through a G.711 round trip."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hotline.switch.media.g711 import alaw_decode, alaw_encode, ulaw_decode, ulaw_encode
from hotline.switch.media.tone import detect_tone, goertzel_power, sine, tone_power_ratio


def test_sine_has_the_asked_length_level_and_type() -> None:
    tone = sine(1000, 0.5, level_dbfs=0.0)
    assert tone.dtype == np.int16 and len(tone) == 4000
    assert tone.max() == 32767 and tone.min() == -32767
    quieter = sine(1000, 0.5, level_dbfs=-20.0)
    assert abs(int(quieter.max()) - 3277) <= 1


def test_sine_refuses_impossible_tones() -> None:
    with pytest.raises(ValueError, match="frequency"):
        sine(4000, 1.0)
    with pytest.raises(ValueError, match="level"):
        sine(1000, 1.0, level_dbfs=3.0)


def test_goertzel_matches_the_dft_at_a_bin_centre() -> None:
    samples = sine(1000, 0.1).astype(np.float64)  # 800 samples: 1 kHz is bin 100
    expected = abs(np.fft.rfft(samples)[100]) ** 2
    assert goertzel_power(samples, 1000) == pytest.approx(expected, rel=1e-9)


def test_silence_has_no_tone() -> None:
    assert tone_power_ratio(np.zeros(160, dtype=np.int16), 1000) == 0.0
    assert tone_power_ratio(np.zeros(0, dtype=np.int16), 1000) == 0.0


def test_one_frame_is_enough_to_tell_1000_from_1400_hz() -> None:
    frame = sine(1000, 0.02)
    assert detect_tone(frame, 1000) and not detect_tone(frame, 1400)


def test_a_tone_is_found_amid_noise_and_volume_does_not_matter() -> None:
    rng = np.random.default_rng(7)
    tone = sine(1000, 1.0, level_dbfs=-30) + rng.normal(0, 100, 8000).astype(np.int16)
    assert detect_tone(tone, 1000) and not detect_tone(tone, 1400)
    assert not detect_tone(rng.normal(0, 3000, 8000).astype(np.int16), 1000)


@settings(max_examples=25, deadline=None)
@given(
    st.floats(-30.0, -1.0),
    st.floats(0.0, 6.283),
    st.sampled_from([(ulaw_encode, ulaw_decode), (alaw_encode, alaw_decode)]),
)
def test_goertzel_finds_1khz_through_g711_and_not_1400hz(
    level: float, phase: float, law: tuple[object, object]
) -> None:
    encode, decode = law
    assert callable(encode) and callable(decode)
    received = decode(encode(sine(1000, 0.2, level_dbfs=level, phase=phase)))
    assert detect_tone(received, 1000)
    assert tone_power_ratio(received, 1400) < 0.01
