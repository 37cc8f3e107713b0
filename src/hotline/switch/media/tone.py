"""Sine tones and Goertzel detection: proof that audio really flows between two phones.

Theory
------
A test plays a tone into one end of a call and looks for it in what the other end received.
The tone is `A·sin(2πft/fs + φ)` sampled at `fs` = 8,000 Hz and rounded to int16; its level is
given in dBFS (0 dBFS is a full-scale sine, ±32767), which keeps it clear of G.711 clipping.

To find a tone we need the signal's energy at one frequency, not a whole spectrum, and the
Goertzel algorithm (Goertzel 1958) gives exactly that: a second-order resonator
`s[n] = x[n] + 2·cos(ω)·s[n−1] − s[n−2]` with `ω = 2πf/fs`, whose final two states yield the
squared magnitude of the DFT term at `f`: `|X|² = s[N−1]² + s[N−2]² − 2·cos(ω)·s[N−1]·s[N−2]`.
It costs one multiply-add per sample, works for any `f` (not only DFT bin centres) and is
what DTMF receivers have long used.

For a pure sine of amplitude `A` over `N` samples, `|X|² ≈ (A·N/2)²` while the signal energy is
`Σx² ≈ A²·N/2`, so `2·|X|² / (N·Σx²)` is the share of the signal's power at `f` — near 1 for
the tone itself, near 0 for a frequency the block can resolve from it (resolution ≈ fs/N, so
8,000 samples resolve 1 Hz and one 20 ms frame 50 Hz). `tone_power_ratio` returns that share
and `detect_tone` compares it with a threshold, so the verdict does not depend on volume.
"""

from __future__ import annotations

import math

import numpy as np
from numpy.typing import NDArray

SAMPLE_RATE = 8000


def sine(
    frequency: float,
    duration: float,
    level_dbfs: float = -6.0,
    sample_rate: int = SAMPLE_RATE,
    phase: float = 0.0,
) -> NDArray[np.int16]:
    """`duration` seconds of a sine at `frequency` Hz and `level_dbfs`, as int16 PCM."""
    if not 0 < frequency < sample_rate / 2:
        raise ValueError(f"frequency must be between 0 and {sample_rate / 2} Hz, got {frequency}")
    if level_dbfs > 0:
        raise ValueError(f"level must be at most 0 dBFS, got {level_dbfs}")
    count = round(duration * sample_rate)
    amplitude = 32767 * 10 ** (level_dbfs / 20)
    t = np.arange(count, dtype=np.float64)
    wave = amplitude * np.sin(2 * math.pi * frequency * t / sample_rate + phase)
    pcm: NDArray[np.int16] = np.round(wave).astype(np.int16)
    return pcm


def goertzel_power(
    samples: NDArray[np.int16] | NDArray[np.float64],
    frequency: float,
    sample_rate: int = SAMPLE_RATE,
) -> float:
    """The squared DFT magnitude of `samples` at `frequency` Hz, by the Goertzel recurrence."""
    coefficient = 2 * math.cos(2 * math.pi * frequency / sample_rate)
    previous = before = 0.0
    for value in np.asarray(samples, dtype=np.float64).tolist():
        previous, before = value + coefficient * previous - before, previous
    return previous * previous + before * before - coefficient * previous * before


def tone_power_ratio(
    samples: NDArray[np.int16] | NDArray[np.float64],
    frequency: float,
    sample_rate: int = SAMPLE_RATE,
) -> float:
    """The share (0–1) of the signal's power that lies at `frequency` Hz; 0 for silence."""
    values = np.asarray(samples, dtype=np.float64)
    energy = float(np.dot(values, values))
    if energy == 0.0 or len(values) == 0:
        return 0.0
    return 2 * goertzel_power(values, frequency, sample_rate) / (len(values) * energy)


def detect_tone(
    samples: NDArray[np.int16] | NDArray[np.float64],
    frequency: float,
    threshold: float = 0.5,
    sample_rate: int = SAMPLE_RATE,
) -> bool:
    """Whether at least `threshold` of the signal's power is at `frequency` Hz."""
    return tone_power_ratio(samples, frequency, sample_rate) >= threshold
