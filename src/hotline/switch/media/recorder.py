"""Call recording: two legs' received audio side by side in a stereo 8 kHz 16-bit WAV.

`StereoRecording` is the pure part: at every tick the mixer gives it what the left leg sent
us (the caller's voice) and what the right leg sent (the agent's), silence where a frame was
missing, and it buffers them interleaved. The shell takes the buffered bytes every second or
so and hands them to `StereoWavFile` on a worker thread, so the event loop never waits for the
disk; the file's header is completed when it is closed, which makes it a valid WAV.
"""

from __future__ import annotations

import wave
from pathlib import Path

import numpy as np

from hotline.switch.media.g711 import PcmArray

RATE = 8000


class StereoRecording:
    """Interleaved stereo frames of two legs, buffered until the shell writes them."""

    def __init__(self, recording_id: str, left: str, right: str, frame_samples: int = 160) -> None:
        self.id = recording_id
        self.left = left
        self.right = right
        self.frame_samples = frame_samples
        self.frames = 0  # sample frames recorded in all, written or not
        self._buffer: list[bytes] = []
        self._silence = np.zeros(frame_samples, dtype=np.int16)

    @property
    def seconds(self) -> float:
        return self.frames / RATE

    @property
    def buffered_frames(self) -> int:
        return len(self._buffer) * self.frame_samples

    def add(self, left: PcmArray | None, right: PcmArray | None) -> None:
        """One tick: the left and right legs' frames (None = nothing received: silence)."""
        stereo = np.empty((self.frame_samples, 2), dtype="<i2")
        stereo[:, 0] = self._silence if left is None else left
        stereo[:, 1] = self._silence if right is None else right
        self._buffer.append(stereo.tobytes())
        self.frames += self.frame_samples

    def take(self) -> bytes:
        """The buffered audio as WAV frame bytes, emptying the buffer."""
        data = b"".join(self._buffer)
        self._buffer.clear()
        return data


class StereoWavFile:
    """A stereo 8 kHz 16-bit WAV file written in pieces; blocking, so run it on a worker."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._writer: wave.Wave_write | None = None

    def open(self) -> None:
        writer = wave.open(str(self.path), "wb")  # noqa: SIM115 - open across many writes
        writer.setnchannels(2)
        writer.setsampwidth(2)
        writer.setframerate(RATE)
        self._writer = writer

    def write(self, data: bytes) -> None:
        if self._writer is None:
            self.open()
        assert self._writer is not None
        self._writer.writeframesraw(data)

    def close(self) -> None:
        """Complete the header (sizes) and close; the file is then a valid WAV."""
        if self._writer is None:
            self.open()
        assert self._writer is not None
        self._writer.close()
        self._writer = None
