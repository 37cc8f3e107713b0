"""What the SIP B2BUA needs from a media backend, whichever carries the audio.

The embedded switch uses `engine.LocalMediaEngine` (media in this process); a production
deployment will drive rtpengine over its ng protocol behind the same methods. Leg ids are the
B2BUA's own names for call legs; unknown ids raise `KeyError`, bad arguments `ValueError`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Protocol

from hotline.switch.media.g711 import PcmArray
from hotline.switch.media.leg import LegStats

__all__ = ["LegStats", "MediaBackend"]


class MediaBackend(Protocol):
    """RTP endpoints per call leg, and what flows between them."""

    async def start(self) -> None:
        """Start the backend (the media clock)."""

    async def close(self) -> None:
        """Close every leg and stop."""

    async def open_leg(self, leg_id: str) -> tuple[str, int]:
        """A new RTP endpoint for the leg, its RTCP on the port + 1; the (host, port) to put in
        SDP."""

    def connect_leg(self, leg_id: str, remote: tuple[str, int], *, codec: str, payload_type: int,
                    event_payload_type: int | None, rtcp: tuple[str, int] | None = None) -> None:
        """The far end's address and the negotiated codec ("PCMU" or "PCMA"); again on
        re-INVITE. `rtcp`: the far end's RTCP address if its SDP had `a=rtcp`, else RTCP goes
        to the RTP port + 1."""

    def set_direction(self, leg_id: str, *, send: bool, receive: bool) -> None:
        """Whether media flows to the leg and from it (hold: sendonly/inactive)."""

    def play(self, leg_id: str, samples: PcmArray, *, loop: bool = False,
             on_done: Callable[[], None] | None = None) -> None:
        """Play 8 kHz int16 samples to the leg, replacing what it was playing."""

    def stop_play(self, leg_id: str) -> None:
        """Stop what the leg is playing (its on_done is not called)."""

    def hear(self, leg_id: str, sources: Iterable[str]) -> None:
        """The leg hears exactly these legs from now on (empty: nobody)."""

    def bridge(self, a: str, b: str) -> None:
        """Each leg hears the other only."""

    def on_digit(self, leg_id: str, callback: Callable[[str], None] | None) -> None:
        """Call back once per RFC 4733 key press received on the leg."""

    def send_digits(self, leg_id: str, digits: str) -> None:
        """Send digits to the leg as RFC 4733 events."""

    def start_recording(self, recording_id: str, left: str, right: str, path: Path) -> None:
        """Record what `left` and `right` send us to the two channels of a stereo WAV."""

    async def stop_recording(self, recording_id: str) -> float:
        """Finish the recording; the seconds it holds."""

    def close_leg(self, leg_id: str) -> None:
        """Release the leg, take it out of everyone's hearing, end its recordings."""

    def stats(self, leg_id: str) -> LegStats:
        """The leg's packet counts, loss, lateness and jitter."""
