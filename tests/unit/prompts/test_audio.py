"""Uploaded audio becomes telephony audio (8 kHz mono 16-bit), or is refused saying why."""

from __future__ import annotations

import numpy as np
import pytest

from hotline.prompts.audio import (
    RATE,
    AudioError,
    decode_wav,
    duration,
    encode_wav,
    trim_silence,
)
from tests.unit.prompts.wavs import tone_wav, wav_format


def peak_frequency(samples: np.ndarray) -> float:
    spectrum = np.abs(np.fft.rfft(samples.astype(np.float64)))
    return float(np.fft.rfftfreq(len(samples), 1 / RATE)[int(np.argmax(spectrum))])


def test_a_cd_quality_stereo_file_becomes_8_khz_mono_of_the_same_length() -> None:
    samples = decode_wav(tone_wav(rate=44_100, channels=2, seconds=2.0, frequency=1000.0))
    assert samples.dtype == np.int16
    assert duration(samples) == pytest.approx(2.0, abs=0.01)
    assert peak_frequency(samples) == pytest.approx(1000.0, abs=2.0)
    assert wav_format(encode_wav(samples)) == pytest.approx((1, 2, 8000, 2.0), abs=0.01)


@pytest.mark.parametrize("width", [1, 2, 3, 4])
@pytest.mark.parametrize("rate", [8000, 16_000, 22_050, 48_000])
def test_every_common_width_and_rate_is_read_at_its_loudness(width: int, rate: int) -> None:
    samples = decode_wav(tone_wav(rate=rate, channels=1, width=width, seconds=0.5))
    assert duration(samples) == pytest.approx(0.5, abs=0.01)
    middle = samples[400:-400].astype(np.float64)
    assert np.abs(middle).max() / 32768 == pytest.approx(0.5, abs=0.02)
    assert peak_frequency(samples) == pytest.approx(440.0, abs=3.0)


def test_telephony_audio_goes_through_unchanged() -> None:
    original = decode_wav(tone_wav(rate=8000, channels=1))
    assert np.array_equal(decode_wav(encode_wav(original)), original)


def test_a_tone_above_4_khz_is_filtered_out_not_folded_back() -> None:
    samples = decode_wav(tone_wav(rate=48_000, channels=1, frequency=6000.0))
    middle = samples[100:-100].astype(np.float64)  # away from the edges of the tone
    assert np.abs(middle).max() < 0.02 * 32768


@pytest.mark.parametrize(("data", "message"), [
    (b"", "not a WAV file"),
    (b"ID3\x03\x00 an mp3 file" * 10, "not a WAV file"),
    (b"RIFF\x00\x00\x00\x00WAVE", "not a PCM WAV file"),
    (tone_wav()[:30], "not a PCM WAV file"),
    (tone_wav()[:10_000], "truncated"),
    (tone_wav(seconds=0.0), "no audio"),
    (tone_wav(channels=3), "3 channels"),
    (tone_wav(rate=4000, frequency=100.0), "4000 Hz"),
])
def test_a_file_that_is_not_a_usable_pcm_wav_is_refused(data: bytes, message: str) -> None:
    with pytest.raises(AudioError, match=message):
        decode_wav(data)


def test_a_float_wav_is_refused() -> None:
    data = bytearray(tone_wav(channels=1))
    data[20:22] = (3).to_bytes(2, "little")  # WAVE_FORMAT_IEEE_FLOAT
    with pytest.raises(AudioError, match="not a PCM WAV file"):
        decode_wav(bytes(data))


def test_a_file_over_the_limit_is_refused_before_it_is_read() -> None:
    with pytest.raises(AudioError, match="at most 1000 are accepted"):
        decode_wav(tone_wav(), max_bytes=1000)


def test_trimming_keeps_the_sound_and_a_little_quiet_around_it() -> None:
    sound = np.full(800, 5000, dtype=np.int16)
    padded = np.concatenate([np.zeros(4000, np.int16), sound, np.zeros(4000, np.int16)])
    trimmed = trim_silence(padded, keep=0.04)
    assert len(trimmed) == 800 + 2 * 320
    assert np.array_equal(trim_silence(np.zeros(100, np.int16)), np.zeros(100, np.int16))
