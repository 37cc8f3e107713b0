"""Music on hold made at start-up: a slow, quiet arpeggio, so no audio file has to ship.

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
