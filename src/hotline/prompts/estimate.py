"""How long a Play lasts, estimated without rendering anything: the simulator's prompt clock.

A simulated caller hears a prompt for as long as the real one would play, so the IVR's share
of a call's time is right without running espeak-ng for every simulated call. The constants
were measured once, on espeak-ng 1.51 at its default speed, against the 36 Chinese and 37
English texts of the shipped flows (`examples/ivr/`), fitting
`seconds = base + per_char * characters + per_pause * punctuation marks`:

| language | base | per character | per pause | worst error |
|---|---|---|---|---|
| zh (`cmn`), counting Chinese characters | 0.12 s | 0.366 s | 0.374 s | 28 % |
| en (`en-us`), counting every character | 0.045 s | 0.057 s | 0.196 s | 25 % |

Latin letters and digits inside Chinese text are spoken as English and counted at the
English rate. A word of Asterisk's core sounds lasts 0.61 to 1.04 s once trimmed (0.66 s for
a digit); `SOUND_SECONDS` is the mean over the words say-number uses. A catalogue prompt lasts
what the catalogue says (`Catalogue.durations()`), or `UNKNOWN_PROMPT_SECONDS` when the
simulator has no catalogue.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from hotline.prompts.say_number import say_number
from hotline.prompts.segments import Sound

PAUSE = re.compile(r"[,.;:!?，。、；：！？]")
CHINESE = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
LATIN = re.compile(r"[A-Za-z0-9]")


@dataclass(frozen=True, slots=True)
class SpeechRate:
    """A voice's pace: seconds for a text, per character counted and per pause."""

    base: float
    per_char: float
    per_pause: float


SPEECH_RATES: Mapping[str, SpeechRate] = {
    "zh": SpeechRate(base=0.12, per_char=0.366, per_pause=0.374),
    "en": SpeechRate(base=0.045, per_char=0.057, per_pause=0.196),
}
"""Measured espeak-ng rates (see the module's table); other languages use English's."""

SOUND_SECONDS = 0.79
"""The mean length of a trimmed core-sound word."""

UNKNOWN_PROMPT_SECONDS = 3.0
"""A catalogue prompt whose length is not known: a typical short announcement."""


def speech_seconds(text: str, language: str) -> float:
    """The estimated length of `text` spoken by espeak-ng in `language`."""
    pauses = len(PAUSE.findall(text))
    if language == "zh":
        zh, en = SPEECH_RATES["zh"], SPEECH_RATES["en"]
        return (zh.base + zh.per_char * len(CHINESE.findall(text)) + zh.per_pause * pauses
                + en.per_char * len(LATIN.findall(text)))
    rate = SPEECH_RATES.get(language, SPEECH_RATES["en"])
    return rate.base + rate.per_char * len(text.strip()) + rate.per_pause * pauses


def play_seconds(
    prompts: Iterable[tuple[str, ...]],
    language: str,
    *,
    durations: Mapping[tuple[str, str], float] | None = None,
    default_language: str | None = None,
) -> float:
    """The estimated length of a Play of `prompts` in `language`. `durations` gives catalogue
    prompts' lengths by (name, language), looked up in `language` then `default_language`;
    a value say-number cannot say counts as nothing (the renderer will refuse it)."""
    total = 0.0
    for prompt in prompts:
        match prompt:
            case ("prompt", name):
                total += _catalogue_seconds(name, language, durations or {}, default_language)
            case ("tts", text):
                total += speech_seconds(text, language)
            case ("number", value, number_format):
                try:
                    segments = say_number(value, number_format, language)
                except ValueError:
                    continue
                total += sum(SOUND_SECONDS if isinstance(segment, Sound)
                             else speech_seconds(segment.text, segment.language)
                             for segment in segments)
    return total


def _catalogue_seconds(name: str, language: str, durations: Mapping[tuple[str, str], float],
                       default_language: str | None) -> float:
    for key in ((name, language), (name, default_language or language)):
        if key in durations:
            return durations[key]
    return UNKNOWN_PROMPT_SECONDS
