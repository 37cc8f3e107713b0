"""What callers hear while they wait, made at start-up so no audio file has to ship: music on
hold (a slow, quiet arpeggio) and ring-back.

A tenant's own music (an uploaded WAV) can replace it later; this is what callers hear until
then. Quiet (−20 dBFS) and with soft note edges, so that it is not mistaken for a tone.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

RATE = 8000
_NOTES = (261.63, 329.63, 392.00, 523.25, 392.00, 329.63)  # C4 E4 G4 C5 G4 E4
_NOTE_SECONDS = 0.5


def music_on_hold() -> npt.NDArray[np.int16]:
    """Three seconds of music that loops without a click."""
    length = int(RATE * _NOTE_SECONDS)
    t = np.arange(length) / RATE
    envelope = np.minimum(1.0, np.minimum(t, t[::-1]) / 0.05)
    notes = [np.sin(2 * np.pi * f * t) * envelope for f in _NOTES]
    signal = np.concatenate(notes) * (0.1 * 32767)
    return signal.astype(np.int16)


def ringback() -> npt.NDArray[np.int16]:
    """The ring-back tone a caller hears while the far end rings (425 Hz, 1 s on, 4 s off:
    the Chinese standard cadence)."""
    t = np.arange(8000) / 8000
    tone = (np.sin(2 * np.pi * 425 * t) * 0.1 * 32767).astype(np.int16)
    return np.concatenate([tone, np.zeros(4 * 8000, dtype=np.int16)])
