"""WAV files made in the tests: tones of a given rate, width and channel count."""

from __future__ import annotations

import io
import wave

import numpy as np


def tone_wav(*, rate: int = 44_100, channels: int = 2, width: int = 2, seconds: float = 1.0,
             frequency: float = 440.0, amplitude: float = 0.5) -> bytes:
    """A sine tone as a PCM WAV file."""
    t = np.arange(round(rate * seconds)) / rate
    signal = amplitude * np.sin(2 * np.pi * frequency * t)
    frames = np.repeat(signal[:, None], channels, axis=1).ravel()
    if width == 1:
        raw = np.round(frames * 127 + 128).astype(np.uint8).tobytes()
    elif width == 3:
        ints = np.round(frames * (2**23 - 1)).astype("<i4")
        raw = b"".join(int(v).to_bytes(3, "little", signed=True) for v in ints)
    else:
        dtype = "<i2" if width == 2 else "<i4"
        raw = np.round(frames * (2 ** (8 * width - 1) - 1)).astype(dtype).tobytes()
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as writer:
        writer.setnchannels(channels)
        writer.setsampwidth(width)
        writer.setframerate(rate)
        writer.writeframes(raw)
    return buffer.getvalue()


def wav_format(data: bytes) -> tuple[int, int, int, float]:
    """(channels, sample width in bytes, rate, seconds) of a WAV file."""
    with wave.open(io.BytesIO(data)) as reader:
        return (reader.getnchannels(), reader.getsampwidth(), reader.getframerate(),
                reader.getnframes() / reader.getframerate())
