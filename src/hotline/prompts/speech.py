"""Text-to-speech with espeak-ng, rendered once per text and kept in a cache directory.

`TextToSpeech.render(text, language)` runs `espeak-ng -v <voice> -w <file> --stdin`, feeding
the text on standard input (never through a shell, never as an argument that could pass for
an option), converts the result to telephony audio and keeps it under the cache directory
named by the SHA-256 of (espeak-ng's version, the voice, the text). The same text in the same
voice is therefore rendered once per machine; a new espeak-ng renders it afresh. Files are
written beside their final name and renamed into place, so two processes rendering the same
text at once each leave a whole file.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import tempfile
from collections.abc import Mapping
from pathlib import Path
from types import MappingProxyType

from hotline.prompts.audio import AudioError, Samples, decode_wav, encode_wav

DEFAULT_CACHE_DIR = Path("var/prompt-cache")
"""Where rendered speech is kept, under the working directory (`HOTLINE_PROMPT_CACHE`
overrides it)."""

MAX_TEXT_CHARS = 1000
"""The longest text spoken in one go (about two minutes of speech)."""

VOICES: Mapping[str, str] = MappingProxyType({"zh": "cmn", "en": "en-us"})
"""espeak-ng voices by language code: Mandarin, and American English to match the voice of
Asterisk's core sounds. Other codes are passed to espeak-ng as they are (`fr`, `de`...)."""

RENDER_TIMEOUT = 30.0
"""Seconds espeak-ng may take for one text before it is given up."""

CACHE_FORMAT = "8k-mono-s16-v1"
"""Part of each cache key: bump it when the conversion changes, so old files are not used."""


class SpeechError(RuntimeError):
    """Text could not be spoken: espeak-ng is missing, failed or took too long."""


class UnknownVoice(ValueError):
    """espeak-ng has no voice for the language asked for."""


def default_cache_dir() -> Path:
    """`HOTLINE_PROMPT_CACHE`, or `var/prompt-cache` under the working directory."""
    configured = os.environ.get("HOTLINE_PROMPT_CACHE")
    return Path(configured) if configured else DEFAULT_CACHE_DIR


def voice_for(language: str) -> str:
    """The espeak-ng voice that speaks `language`."""
    return VOICES.get(language, language)


def check_text(text: str) -> str:
    """`text` stripped, or a `ValueError` saying why it cannot be spoken."""
    stripped = text.strip()
    if not stripped:
        raise ValueError("the text to speak is empty")
    if len(stripped) > MAX_TEXT_CHARS:
        raise ValueError(f"the text to speak has {len(stripped)} characters; "
                         f"at most {MAX_TEXT_CHARS} are spoken")
    if any(ord(char) < 32 and char not in "\t\n\r" for char in stripped):
        raise ValueError("the text to speak contains control characters")
    return stripped


class TextToSpeech:
    """espeak-ng with a disk cache. `renders` counts the times espeak-ng actually ran."""

    def __init__(self, cache_dir: Path | None = None, *, executable: str = "espeak-ng") -> None:
        self.cache_dir = cache_dir if cache_dir is not None else default_cache_dir()
        self.executable = executable
        self.renders = 0
        self._version: str | None = None

    def version(self) -> str:
        """espeak-ng's version line (part of every cache key)."""
        if self._version is None:
            self._version = self._run([self._program(), "--version"], None).strip()
        return self._version

    def cache_path(self, text: str, language: str) -> Path:
        """Where the rendering of `text` in `language` is (or would be) cached."""
        key = "\x00".join((CACHE_FORMAT, self.version(), voice_for(language), check_text(text)))
        return self.cache_dir / f"{hashlib.sha256(key.encode()).hexdigest()}.wav"

    def render_wav(self, text: str, language: str) -> bytes:
        """`text` spoken in `language`, as a telephony WAV file (from the cache when there)."""
        path = self.cache_path(text, language)
        try:
            return path.read_bytes()
        except FileNotFoundError:
            pass
        wav = encode_wav(self._speak(check_text(text), voice_for(language)))
        self.cache_dir.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=self.cache_dir, suffix=".part")
        with os.fdopen(handle, "wb") as part:
            part.write(wav)
        os.replace(temporary, path)
        return wav

    def render(self, text: str, language: str) -> Samples:
        """`text` spoken in `language`, as telephony samples."""
        return decode_wav(self.render_wav(text, language))

    def _program(self) -> str:
        found = shutil.which(self.executable)
        if found is None:
            raise SpeechError(f"{self.executable} is not installed: text-to-speech needs it "
                              "(Debian/Ubuntu: apt-get install espeak-ng)")
        return found

    def _speak(self, text: str, voice: str) -> Samples:
        with tempfile.TemporaryDirectory(prefix="hotline-tts-") as work:
            out = Path(work) / "speech.wav"
            try:
                self._run([self._program(), "-v", voice, "-b", "1", "-w", str(out), "--stdin"],
                          text)
            except SpeechError as error:
                if "voice does not exist" in str(error):
                    raise UnknownVoice(f"espeak-ng has no voice {voice!r} for this language "
                                       "(espeak-ng --voices lists them)") from None
                raise
            self.renders += 1
            try:
                return decode_wav(out.read_bytes(), max_bytes=1 << 30)
            except (OSError, AudioError) as error:
                raise SpeechError(f"espeak-ng (voice {voice}) produced no usable audio: "
                                  f"{error}") from None

    def _run(self, command: list[str], text: str | None) -> str:
        try:
            done = subprocess.run(command, input=None if text is None else text.encode(),
                                  capture_output=True, timeout=RENDER_TIMEOUT, check=False)
        except subprocess.TimeoutExpired:
            raise SpeechError(f"espeak-ng took over {RENDER_TIMEOUT:.0f} s") from None
        except OSError as error:
            raise SpeechError(f"espeak-ng could not be run: {error}") from None
        message = done.stderr.decode(errors="replace").strip()
        if done.returncode != 0 or (text is not None and message):
            raise SpeechError(f"espeak-ng failed ({done.returncode}): {message or 'no message'}")
        return done.stdout.decode(errors="replace")
