"""IVR prompts played into a real call leg (`switch.ivr_call.IvrMedia` for the SIP gateway).

The prompts of one batch are rendered in a worker thread (text-to-speech may take a few
hundred milliseconds the first time; the renderer caches), joined, and played on the leg by the
media engine, which calls back when they end. Cancelling (a key cut the prompt short, the
caller left) stops the playback and suppresses the callback, also when the rendering is still
under way.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Sequence

import numpy as np

from hotline.ivr.actions import Play
from hotline.prompts.renderer import PromptRenderer
from hotline.switch.media.backend import MediaBackend

log = logging.getLogger("hotline.sip")


class _Playback:
    def __init__(self, owner: LegPrompts, done: Callable[[], None]) -> None:
        self.owner = owner
        self.done = done
        self.cancelled = False
        self.started = False

    def cancel(self) -> None:
        if self.cancelled:
            return
        self.cancelled = True
        if self.started:
            self.owner.media.stop_play(self.owner.leg_id)

    def finished(self) -> None:
        if not self.cancelled:
            self.done()


class LegPrompts:
    """Plays IVR prompts on one media leg."""

    def __init__(self, media: MediaBackend, leg_id: str, renderer: PromptRenderer) -> None:
        self.media = media
        self.leg_id = leg_id
        self.renderer = renderer

    def play(self, plays: Sequence[Play], done: Callable[[], None]) -> _Playback:
        playback = _Playback(self, done)
        loop = asyncio.get_running_loop()
        future = loop.run_in_executor(None, self._render, list(plays))
        future.add_done_callback(lambda f: self._start(playback, f))
        return playback

    def _render(self, plays: list[Play]) -> np.ndarray:
        parts = [self.renderer.render_play(play).samples for play in plays]
        return np.concatenate(parts) if parts else np.zeros(0, dtype=np.int16)

    def _start(self, playback: _Playback, rendered: asyncio.Future[np.ndarray]) -> None:
        if playback.cancelled:
            return
        try:
            samples = rendered.result()
        except Exception:  # a prompt the catalogue lacks, espeak-ng missing...
            log.exception("IVR prompt could not be rendered; the caller hears nothing")
            samples = np.zeros(0, dtype=np.int16)
        if not len(samples):
            asyncio.get_running_loop().call_soon(playback.finished)
            return
        playback.started = True
        try:
            self.media.play(self.leg_id, samples, on_done=playback.finished)
        except KeyError:  # the leg closed while the prompt was rendering
            return
