"""A Play's prompt references become one piece of telephony audio; a missing catalogue
prompt is an error naming it; the duration estimate is near what rendering gives."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from hotline.ivr.actions import Play
from hotline.prompts.audio import decode_wav, encode_wav
from hotline.prompts.catalogue import Catalogue, CatalogueEntry
from hotline.prompts.estimate import UNKNOWN_PROMPT_SECONDS, play_seconds
from hotline.prompts.renderer import PromptNotFound, PromptRenderer
from hotline.prompts.sounds import CoreSounds, SoundMissing
from hotline.prompts.speech import TextToSpeech
from tests.unit.prompts.wavs import tone_wav, wav_format

WELCOME_ZH = encode_wav(decode_wav(tone_wav(seconds=1.5, frequency=500.0)))
WELCOME_EN = encode_wav(decode_wav(tone_wav(seconds=2.0, frequency=700.0)))


@pytest.fixture
def tts(tmp_path: Path) -> TextToSpeech:
    return TextToSpeech(tmp_path / "cache")


@pytest.fixture
def renderer(tts: TextToSpeech) -> PromptRenderer:
    catalogue = Catalogue([
        CatalogueEntry("welcome", "zh", "upload", 1.5, audio=WELCOME_ZH),
        CatalogueEntry("welcome", "en", "upload", 2.0, audio=WELCOME_EN),
        CatalogueEntry("goodbye", "zh", "tts", 1.6, text="再见。"),
    ])
    return PromptRenderer(catalogue, default_language="zh", tts=tts)


def test_a_play_is_its_prompts_end_to_end(renderer: PromptRenderer) -> None:
    play = Play((("prompt", "welcome"), ("tts", "Your balance is"),
                 ("number", "1203", "number")), "en")
    rendered = renderer.render_play(play)
    assert len(rendered.segments) == 3
    assert np.array_equal(rendered.segments[0], decode_wav(WELCOME_EN))
    assert rendered.duration == pytest.approx(sum(len(s) for s in rendered.segments) / 8000)
    assert rendered.duration > 2.0 + 0.8 + 5 * 0.4
    assert wav_format(rendered.wav()) == pytest.approx((1, 2, 8000, rendered.duration))
    assert len(rendered.pcm()) == 2 * len(rendered.samples)


def test_english_numbers_are_the_core_sounds_joined(renderer: PromptRenderer) -> None:
    sounds = CoreSounds()
    expected = np.concatenate([sounds.load(f"digits/{name}")
                               for name in ("1", "thousand", "2", "hundred", "3")])
    assert np.array_equal(renderer.render_prompt(("number", "1203", "number"), "en"), expected)


def test_chinese_numbers_are_spoken_in_chinese_words(
        renderer: PromptRenderer, tts: TextToSpeech) -> None:
    rendered = renderer.render_prompt(("number", "1203.5", "number"), "zh")
    assert np.array_equal(rendered, tts.render("一千二百零三点五", "zh"))


def test_a_catalogue_prompt_falls_back_to_the_default_language(
        renderer: PromptRenderer, tts: TextToSpeech) -> None:
    said = renderer.render_prompt(("prompt", "goodbye"), "en")
    assert np.array_equal(said, tts.render("再见。", "zh"))


def test_a_prompt_in_neither_language_is_an_error_naming_it(renderer: PromptRenderer) -> None:
    with pytest.raises(PromptNotFound, match="no prompt 'menu' in en or zh"):
        renderer.render(Play((("prompt", "menu"),), "en").prompts, "en")
    with pytest.raises(PromptNotFound, match=r"no prompt 'menu' in zh$"):
        renderer.render_prompt(("prompt", "menu"), "zh")


def test_a_malformed_reference_is_refused(renderer: PromptRenderer) -> None:
    with pytest.raises(ValueError, match="not a prompt reference"):
        renderer.render_prompt(("music", "jazz"), "en")


def test_missing_core_sounds_are_a_clear_error(tmp_path: Path, tts: TextToSpeech) -> None:
    renderer = PromptRenderer(Catalogue(), default_language="en", tts=tts,
                              sounds=CoreSounds(tmp_path))
    with pytest.raises(SoundMissing, match=r"digits/7.*asterisk-core-sounds-en-wav"):
        renderer.render_prompt(("number", "7", "number"), "en")


@pytest.mark.parametrize(("prompts", "language"), [
    ((("tts", "感谢您的来电，再见。"),), "zh"),
    ((("tts", "Please enter your gas account number, then the hash key."),), "en"),
    ((("number", "20240305", "date"),), "en"),
    ((("number", "1203.5", "amount"),), "zh"),
    ((("number", "98765", "number"), ("prompt", "welcome")), "en"),
    ((("number", "140500", "time"),), "en"),
])
def test_the_estimate_is_near_the_rendered_length(
        renderer: PromptRenderer, prompts: tuple[tuple[str, ...], ...], language: str) -> None:
    rendered = renderer.render(prompts, language)
    durations = renderer.catalogue.durations()
    estimate = play_seconds(prompts, language, durations=durations, default_language="zh")
    assert estimate == pytest.approx(rendered.duration, rel=0.3)


def test_the_estimate_uses_catalogue_durations_with_the_same_fallback() -> None:
    durations = {("welcome", "zh"): 4.0}
    assert play_seconds([("prompt", "welcome")], "en", durations=durations,
                        default_language="zh") == 4.0
    assert play_seconds([("prompt", "other")], "en", durations=durations) == \
        UNKNOWN_PROMPT_SECONDS
    assert play_seconds([("number", "not a number", "number")], "en") == 0.0
