"""Asterisk's core sound files, the words English say-number is built from.

Debian's `asterisk-core-sounds-en-wav` puts them under `/usr/share/asterisk/sounds/en`
(`digits/1.wav`, `digits/thousand.wav`, `digits/mon-2.wav`, `vm-and.wav`...), already
8 kHz mono 16-bit. Each word is recorded with a fraction of a second of silence around it;
`CoreSounds` trims that to 40 ms a side as it loads a file (a number said word by word would
otherwise drag), and keeps what it loaded.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

from hotline.prompts.audio import AudioError, Samples, decode_wav, trim_silence

DEFAULT_SOUNDS_DIR = Path("/usr/share/asterisk/sounds/en")
"""Where Debian installs the English core sounds (`HOTLINE_SOUNDS_DIR` overrides it)."""

_NAME = re.compile(r"^[a-z0-9][a-z0-9_-]*(/[a-z0-9][a-z0-9_-]*)*$")


class SoundMissing(LookupError):
    """A core sound file is not installed."""


def default_sounds_dir() -> Path:
    """`HOTLINE_SOUNDS_DIR`, or Debian's directory of the English core sounds."""
    configured = os.environ.get("HOTLINE_SOUNDS_DIR")
    return Path(configured) if configured else DEFAULT_SOUNDS_DIR


class CoreSounds:
    """The core sounds under `directory`, loaded on first use and kept."""

    def __init__(self, directory: Path | None = None) -> None:
        self.directory = directory if directory is not None else default_sounds_dir()
        self._loaded: dict[str, Samples] = {}

    def path(self, name: str) -> Path:
        """The file of the sound `name` (`digits/1` → `<directory>/digits/1.wav`)."""
        if not _NAME.match(name):
            raise ValueError(f"{name!r} is not a core sound name")
        return self.directory / f"{name}.wav"

    def load(self, name: str) -> Samples:
        """The sound `name` as telephony samples, its silent ends trimmed."""
        found = self._loaded.get(name)
        if found is not None:
            return found
        path = self.path(name)
        try:
            data = path.read_bytes()
        except FileNotFoundError:
            raise SoundMissing(f"the core sound {name} is missing ({path}); English "
                               "say-number needs asterisk-core-sounds-en-wav") from None
        try:
            samples = trim_silence(decode_wav(data))
        except AudioError as error:
            raise SoundMissing(f"the core sound {path} cannot be played: {error}") from None
        self._loaded[name] = samples
        return samples
