"""A player: hands out a prompt or music one 20 ms frame at a time, once or looping.

The mixer asks each leg's player for the next frame at every tick and adds it to what the leg
hears. A one-shot player pads its last frame with silence and then reports that it is done;
a looping one (music on hold) wraps around, so a clip shorter than a frame still fills every
frame. A player never copies its samples: frames are slices, or a gather across the wrap.
"""

from __future__ import annotations

import itertools

import numpy as np

from hotline.switch.media.g711 import PcmArray

_ids = itertools.count(1)


class Player:
    """Frames of `samples` (int16 at 8 kHz), from the start, once or in a loop."""

    __slots__ = ("_position", "_samples", "frame_samples", "id", "loop")

    def __init__(self, samples: PcmArray, *, loop: bool = False, frame_samples: int = 160) -> None:
        if not isinstance(samples, np.ndarray) or samples.dtype != np.int16 or samples.ndim != 1:
            raise ValueError("samples must be a one-dimensional numpy int16 array at 8 kHz")
        if loop and len(samples) == 0:
            raise ValueError("cannot loop an empty clip")
        self.id = next(_ids)
        self.loop = loop
        self.frame_samples = frame_samples
        self._samples = samples
        self._position = 0

    @property
    def done(self) -> bool:
        return not self.loop and self._position >= len(self._samples)

    def next_frame(self) -> PcmArray | None:
        """The next frame, or None once a one-shot clip has been played through."""
        samples, start, size = self._samples, self._position, self.frame_samples
        total = len(samples)
        if self.loop:
            if start + size <= total:
                self._position = (start + size) % total
                return samples[start:start + size]
            indices = np.arange(start, start + size) % total
            self._position = (start + size) % total
            frame: PcmArray = samples.take(indices)
            return frame
        if start >= total:
            return None
        self._position = start + size
        if start + size <= total:
            return samples[start:start + size]
        last: PcmArray = np.zeros(size, dtype=np.int16)
        last[: total - start] = samples[start:]
        return last
