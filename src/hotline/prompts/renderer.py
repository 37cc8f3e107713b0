"""Turning an IVR `Play` into sound: the prompt references in, telephony audio out.

The IVR session asks for prompts as small tuples (`hotline.ivr.actions`):

- `("prompt", name)`: the tenant's catalogue prompt `name` in the Play's language, or else
  in the tenant's default language (the first of the flow's languages). A prompt in neither
  is a `PromptNotFound` naming it and both languages: speaking its name instead would hide a
  mistake in the flow from everyone but the caller;
- `("tts", text)`: the text, spoken in the Play's language;
- `("number", value, format)`: say-number (`say_number.py`).

`PromptRenderer.render` answers a `RenderedPlay`: one segment of samples per prompt, their
concatenation as PCM or a WAV file, and the total duration. Uploaded audio is decoded once
per renderer; speech comes from the text-to-speech cache.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np

from hotline.ivr.actions import Play, PromptRef
from hotline.prompts.audio import RATE, Samples, decode_wav, encode_wav
from hotline.prompts.catalogue import Catalogue, CatalogueEntry
from hotline.prompts.say_number import say_number
from hotline.prompts.segments import Segment, Sound
from hotline.prompts.sounds import CoreSounds
from hotline.prompts.speech import TextToSpeech


class PromptNotFound(LookupError):
    """A catalogue prompt that exists neither in the Play's language nor the default one."""

    def __init__(self, name: str, language: str, default_language: str) -> None:
        where = language if language == default_language else f"{language} or {default_language}"
        super().__init__(f"the catalogue has no prompt {name!r} in {where}")
        self.name = name
        self.language = language


@dataclass(frozen=True, slots=True)
class RenderedPlay:
    """The audio of a Play: one segment of telephony samples per prompt, in order."""

    segments: tuple[Samples, ...]

    @property
    def samples(self) -> Samples:
        """All the segments end to end."""
        if not self.segments:
            return np.zeros(0, dtype=np.int16)
        return np.concatenate(self.segments)

    @property
    def duration(self) -> float:
        """Seconds the Play lasts."""
        return sum(len(segment) for segment in self.segments) / RATE

    def pcm(self) -> bytes:
        """The audio as raw 8 kHz mono signed 16-bit little-endian PCM."""
        return self.samples.astype("<i2").tobytes()

    def wav(self) -> bytes:
        """The audio as one WAV file."""
        return encode_wav(self.samples)


class PromptRenderer:
    """Renders Plays for one tenant from its catalogue, text-to-speech and core sounds."""

    def __init__(
        self,
        catalogue: Catalogue,
        *,
        default_language: str,
        tts: TextToSpeech | None = None,
        sounds: CoreSounds | None = None,
        currency: str = "yuan",
    ) -> None:
        self.catalogue = catalogue
        self.default_language = default_language
        self.tts = tts if tts is not None else TextToSpeech()
        self.sounds = sounds if sounds is not None else CoreSounds()
        self.currency = currency
        self._uploads: dict[tuple[str, str], Samples] = {}

    def render_play(self, play: Play) -> RenderedPlay:
        """The audio of an IVR `Play` action."""
        return self.render(play.prompts, play.language)

    def render(self, prompts: Iterable[PromptRef], language: str) -> RenderedPlay:
        """The audio of `prompts` in `language`."""
        return RenderedPlay(tuple(self.render_prompt(prompt, language) for prompt in prompts))

    def render_prompt(self, prompt: PromptRef, language: str) -> Samples:
        """The audio of one prompt reference."""
        match prompt:
            case ("prompt", name):
                return self._catalogue_audio(self.find(name, language))
            case ("tts", text):
                return self.tts.render(text, language)
            case ("number", value, number_format):
                return self.render_segments(
                    say_number(value, number_format, language, currency=self.currency))
        raise ValueError(f"not a prompt reference: {prompt!r} (expected ('prompt', name), "
                         "('tts', text) or ('number', value, format))")

    def render_segments(self, segments: Sequence[Segment]) -> Samples:
        """Say-number segments as one piece of audio."""
        pieces = [self.sounds.load(segment.name) if isinstance(segment, Sound)
                  else self.tts.render(segment.text, segment.language) for segment in segments]
        return np.concatenate(pieces) if pieces else np.zeros(0, dtype=np.int16)

    def find(self, name: str, language: str) -> CatalogueEntry:
        """The catalogue entry `name` plays in `language` (falling back to the default
        language), or `PromptNotFound`."""
        entry = self.catalogue.get(name, language) or self.catalogue.get(
            name, self.default_language)
        if entry is None:
            raise PromptNotFound(name, language, self.default_language)
        return entry

    def _catalogue_audio(self, entry: CatalogueEntry) -> Samples:
        if entry.kind == "tts":
            assert entry.text is not None
            return self.tts.render(entry.text, entry.language)
        key = (entry.name, entry.language)
        found = self._uploads.get(key)
        if found is None:
            assert entry.audio is not None
            found = self._uploads[key] = decode_wav(entry.audio)
        return found

