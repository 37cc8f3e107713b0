"""The player: frames of a clip, once (padded, then done) or looping (wrapping, never done)."""

from __future__ import annotations

import numpy as np
import pytest

from hotline.switch.media.player import Player


def test_a_one_shot_clip_pads_its_last_frame_and_then_is_done() -> None:
    samples = np.arange(1, 401, dtype=np.int16)
    player = Player(samples)
    frames = [player.next_frame() for _ in range(4)]
    assert frames[3] is None and player.done
    played = np.concatenate([frame for frame in frames if frame is not None])
    assert np.array_equal(played[:400], samples) and not np.any(played[400:])


def test_a_loop_shorter_than_a_frame_fills_every_frame() -> None:
    player = Player(np.array([1, 2, 3], dtype=np.int16), loop=True)
    first, second = player.next_frame(), player.next_frame()
    assert first is not None and second is not None
    assert list(first[:4]) == [1, 2, 3, 1] and second[0] == 2  # 160 = 3·53 + 1
    assert not player.done


def test_a_loop_continues_exactly_across_the_wrap() -> None:
    samples = np.arange(250, dtype=np.int16)
    player = Player(samples, loop=True)
    played = np.concatenate([player.next_frame() for _ in range(5)])  # type: ignore[misc]
    assert np.array_equal(played, np.tile(samples, 4)[:800])


def test_bad_clips_are_refused() -> None:
    with pytest.raises(ValueError, match="int16"):
        Player(np.zeros(10, dtype=np.float32))  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="empty"):
        Player(np.zeros(0, dtype=np.int16), loop=True)
