"""Telephony audio: every prompt ends up as 8 kHz mono 16-bit PCM, what G.711 carries.

`decode_wav` accepts a RIFF/WAVE PCM file as people make them (8- to 32-bit, mono or stereo,
any common sample rate), checks it and converts it: channels are averaged, the rate is changed
with a polyphase filter (`scipy.signal.resample_poly`, which low-passes before decimating, so
nothing above 4 kHz folds back as noise). A file that is not such a WAV raises `AudioError`
saying what is wrong. `encode_wav` writes samples back as a WAV file; samples are numpy
`int16` arrays at `RATE` throughout.
"""

from __future__ import annotations

import io
import wave
from math import gcd

import numpy as np
import numpy.typing as npt
from scipy.signal import resample_poly

RATE = 8000
"""Samples per second of telephony audio."""

MAX_UPLOAD_BYTES = 10 * 1024 * 1024
"""The largest WAV file accepted (10 MiB: over a minute of CD-quality stereo)."""

MIN_RATE, MAX_RATE = 8000, 192_000
"""The sample rates accepted."""

Samples = npt.NDArray[np.int16]


class AudioError(ValueError):
    """The audio is not something Hotline can play: not a PCM WAV, truncated, too large..."""


def decode_wav(data: bytes, *, max_bytes: int = MAX_UPLOAD_BYTES) -> Samples:
    """The telephony samples (8 kHz mono int16) of the PCM WAV file `data`."""
    if len(data) > max_bytes:
        raise AudioError(f"the file has {len(data)} bytes; at most {max_bytes} are accepted")
    if len(data) < 12 or data[:4] != b"RIFF" or data[8:12] != b"WAVE":
        raise AudioError("not a WAV file (a RIFF/WAVE header was expected)")
    try:
        with wave.open(io.BytesIO(data)) as reader:
            channels = reader.getnchannels()
            width = reader.getsampwidth()
            rate = reader.getframerate()
            frames = reader.getnframes()
            raw = reader.readframes(frames)
    except (wave.Error, EOFError) as error:
        raise AudioError(f"not a PCM WAV file that can be read: {error}") from None
    if channels not in (1, 2):
        raise AudioError(f"the file has {channels} channels; mono or stereo is accepted")
    if not MIN_RATE <= rate <= MAX_RATE:
        raise AudioError(f"the sample rate is {rate} Hz; {MIN_RATE} to {MAX_RATE} Hz is accepted")
    if width not in (1, 2, 3, 4):
        raise AudioError(f"samples of {width * 8} bits; 8, 16, 24 or 32 bits are accepted")
    if frames == 0:
        raise AudioError("the file holds no audio")
    if len(raw) < frames * channels * width:
        raise AudioError(f"the file is truncated: its header announces {frames} frames, "
                         f"it holds {len(raw) // (channels * width)}")
    return to_telephony(_as_float(raw, width).reshape(-1, channels), rate)


def to_telephony(signal: npt.NDArray[np.float64], rate: int) -> Samples:
    """`signal` (frames x channels, full scale ±1.0, at `rate` Hz) as telephony samples."""
    mono = signal.mean(axis=1) if signal.ndim == 2 else signal
    if rate != RATE:
        common = gcd(rate, RATE)
        mono = resample_poly(mono, RATE // common, rate // common)
    scaled: Samples = np.clip(np.round(mono * 32768.0), -32768, 32767).astype(np.int16)
    return scaled


def _as_float(raw: bytes, width: int) -> npt.NDArray[np.float64]:
    """PCM bytes as floats in ±1.0 (8-bit WAV is unsigned, wider is signed little-endian)."""
    if width == 1:
        return (np.frombuffer(raw, dtype=np.uint8).astype(np.float64) - 128.0) / 128.0
    if width == 3:
        triples = np.frombuffer(raw, dtype=np.uint8).reshape(-1, 3).astype(np.int32)
        values = triples[:, 0] | (triples[:, 1] << 8) | (triples[:, 2] << 16)
        values = np.where(values & 0x800000, values - (1 << 24), values)
        return values.astype(np.float64) / float(1 << 23)
    dtype = np.dtype("<i2") if width == 2 else np.dtype("<i4")
    return np.frombuffer(raw, dtype=dtype).astype(np.float64) / float(1 << (8 * width - 1))


def encode_wav(samples: Samples) -> bytes:
    """Telephony samples as a WAV file (8 kHz mono 16-bit PCM)."""
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as writer:
        writer.setnchannels(1)
        writer.setsampwidth(2)
        writer.setframerate(RATE)
        writer.writeframes(samples.astype("<i2").tobytes())
    return buffer.getvalue()


def duration(samples: Samples) -> float:
    """Seconds of telephony audio."""
    return len(samples) / RATE


def silence(seconds: float) -> Samples:
    """Telephony silence lasting `seconds`."""
    return np.zeros(round(seconds * RATE), dtype=np.int16)


def trim_silence(samples: Samples, *, threshold: int = 300, keep: float = 0.04) -> Samples:
    """`samples` without the quiet before the first and after the last sound louder than
    `threshold`, keeping `keep` seconds either side (recorded words come padded with a
    fraction of a second each, which makes a number said word by word drag)."""
    loud = np.flatnonzero(np.abs(samples.astype(np.int32)) > threshold)
    if loud.size == 0:
        return samples
    pad = round(keep * RATE)
    return samples[max(0, int(loud[0]) - pad):int(loud[-1]) + 1 + pad]
