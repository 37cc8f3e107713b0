"""Text-to-speech with espeak-ng: audible, of a plausible length, rendered once per text."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from hotline.prompts.estimate import speech_seconds
from hotline.prompts.speech import (
    MAX_TEXT_CHARS,
    SpeechError,
    TextToSpeech,
    UnknownVoice,
    check_text,
)
from tests.unit.prompts.wavs import wav_format


@pytest.fixture
def tts(tmp_path: Path) -> TextToSpeech:
    return TextToSpeech(tmp_path / "cache")


def rms(samples: np.ndarray) -> float:
    return float(np.sqrt(np.mean(samples.astype(np.float64) ** 2)))


@pytest.mark.parametrize(("text", "language"), [
    ("您好，欢迎致电燃气客服热线。", "zh"),
    ("Welcome to the gas company. Please hold.", "en"),
])
def test_speech_is_audible_telephony_audio_of_a_plausible_length(
        tts: TextToSpeech, text: str, language: str) -> None:
    samples = tts.render(text, language)
    seconds = len(samples) / 8000
    assert rms(samples) > 500
    assert seconds == pytest.approx(speech_seconds(text, language), rel=0.3)
    assert wav_format(tts.render_wav(text, language))[:3] == (1, 2, 8000)


def test_the_same_text_is_rendered_once_and_then_read_from_the_cache(
        tts: TextToSpeech, tmp_path: Path) -> None:
    first = tts.render_wav("请稍候。", "zh")
    assert tts.renders == 1
    assert tts.cache_path("请稍候。", "zh").read_bytes() == first
    assert tts.render_wav("请稍候。", "zh") == first
    assert tts.renders == 1
    another_process = TextToSpeech(tmp_path / "cache")
    assert another_process.render_wav("请稍候。", "zh") == first
    assert another_process.renders == 0
    tts.render_wav("请稍候。", "en")
    assert tts.renders == 2
    assert len(list((tmp_path / "cache").iterdir())) == 2


def test_text_that_looks_like_an_option_is_spoken_not_obeyed(
        tts: TextToSpeech, tmp_path: Path) -> None:
    target = tmp_path / "elsewhere.wav"
    samples = tts.render(f"-w {target} --version", "en")
    assert not target.exists()
    assert len(samples) > 8000


def test_a_missing_espeak_ng_is_a_clear_error(tmp_path: Path) -> None:
    tts = TextToSpeech(tmp_path, executable="no-such-espeak-ng")
    with pytest.raises(SpeechError, match=r"no-such-espeak-ng is not installed.*apt-get install"):
        tts.render("hello", "en")


def test_a_language_without_a_voice_is_a_clear_error(tts: TextToSpeech) -> None:
    with pytest.raises(UnknownVoice, match="no voice 'qq'"):
        tts.render("hello", "qq")


@pytest.mark.parametrize(("text", "message"), [
    ("   ", "empty"),
    ("x" * (MAX_TEXT_CHARS + 1), f"at most {MAX_TEXT_CHARS}"),
    ("bell\x07", "control characters"),
])
def test_unusable_text_is_refused_before_espeak_ng_runs(
        tts: TextToSpeech, text: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        check_text(text)
    with pytest.raises(ValueError, match=message):
        tts.render(text, "en")
    assert tts.renders == 0
