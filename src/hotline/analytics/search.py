"""The smallest staffing that meets a target, found for many intervals at once.

Staffing questions ("how many agents for 80 % in 20 s?") are searches over a performance
measure that improves as agents are added. A day or a month of intervals is searched together:
every step evaluates the measure for all intervals still open in one vectorised call, so the
cost is a few dozen array evaluations rather than a Python loop per interval. The search starts
from the caller's guess, gallops away from it until the answer is bracketed, then bisects;
a guess within a handful of agents (the square-root staffing rule gives one) costs about six
evaluations.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from numpy.typing import NDArray

from hotline.analytics.inputs import FloatArray, IntArray

# Predicate over (agent counts, indices of the intervals they belong to) -> meets the target.
Meets = Callable[[FloatArray, IntArray], NDArray[np.bool_]]

# Galloping doubles the step; 2**60 agents is far past any load a float64 can describe.
_MAX_GALLOPS = 60


def smallest_agents(meets: Meets, guess: FloatArray) -> FloatArray:
    """Per interval, the smallest agent count >= 0 for which `meets` holds.

    `meets` must be monotone in the agent count (false, then true for good) and true for some
    count; `guess` is any starting count per interval. Zero agents is tried like any other count,
    so a target that zero agents already meet gives zero.
    """
    size = guess.size
    everyone: IntArray = np.arange(size)
    start = np.maximum(np.floor(guess), 0.0)
    good = meets(start, everyone)
    # Invariant once bracketed: `low` fails (−1 stands for "below zero") and `high` meets.
    low = np.where(good, -1.0, start)
    high = np.where(good, start, np.inf)
    _gallop_down(meets, start, low, high, np.flatnonzero(good))
    _gallop_up(meets, start, low, high, np.flatnonzero(~good))
    open_ = np.flatnonzero(high - low > 1)
    while open_.size:
        middle = np.floor((low[open_] + high[open_]) / 2.0)
        ok = meets(middle, open_)
        high[open_[ok]] = middle[ok]
        low[open_[~ok]] = middle[~ok]
        open_ = open_[high[open_] - low[open_] > 1]
    return high


def _gallop_down(
    meets: Meets, start: FloatArray, low: FloatArray, high: FloatArray, open_: IntArray
) -> None:
    step = 1.0
    while open_.size:
        trial = start[open_] - step
        below_zero = trial < 0
        low[open_[below_zero]] = -1.0
        open_, trial = open_[~below_zero], trial[~below_zero]
        ok = meets(trial, open_)
        high[open_[ok]] = trial[ok]
        low[open_[~ok]] = trial[~ok]
        open_ = open_[ok]
        step *= 2.0


def _gallop_up(
    meets: Meets, start: FloatArray, low: FloatArray, high: FloatArray, open_: IntArray
) -> None:
    step = 1.0
    for _ in range(_MAX_GALLOPS):
        if not open_.size:
            return
        trial = start[open_] + step
        ok = meets(trial, open_)
        high[open_[ok]] = trial[ok]
        low[open_[~ok]] = trial[~ok]
        open_ = open_[~ok]
        step *= 2.0
    raise ArithmeticError(f"no staffing meets the target for intervals {open_[:5].tolist()}")
