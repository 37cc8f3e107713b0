"""The pieces a prompt is played from: a recorded sound file, or text to speak.

Say-number builds a value from these without touching a file; the renderer turns each into
audio (a `Sound` from Asterisk's core sounds, a `Speech` through text-to-speech) and the
duration estimate prices each without rendering anything.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Sound:
    """A file of Asterisk's core sounds, named as Asterisk names it: `digits/1`,
    `digits/mon-2`, `vm-and` (relative to the language's sound directory, no extension)."""

    name: str


@dataclass(frozen=True, slots=True)
class Speech:
    """Text spoken by text-to-speech in `language`."""

    text: str
    language: str


Segment = Sound | Speech
