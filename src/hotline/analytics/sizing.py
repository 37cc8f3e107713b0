"""The seeds' rule-of-thumb sizing formula, for comparison with Erlang staffing.

Tender documents size a new contact center with one line of arithmetic (seed 004):

    agents = population × call rate × busy-hour share × AHT ÷ (3600 × max occupancy)

e.g. 500,000 people × 0.30 % × 18 % × 150 s ÷ (3600 s × 70 %) = 16.07 → 16 agents. The first
three factors are the busy-hour calls (270 here); dividing the busy-hour traffic in Erlangs
(11.25) by a maximum occupancy leaves headroom for randomness, but says nothing about how long
callers wait. Erlang C with a service-level target answers that question, which is why the CLI
prints both side by side.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from hotline.analytics.erlang import SECONDS_PER_HOUR


@dataclass(frozen=True)
class SeedSizing:
    """The formula's result, unrounded and as a head count."""

    exact: float
    """Agents as a real number (16.07 in the seed's example)."""
    agents: int
    """`exact` rounded to the nearest whole agent, halves up, as the seed does (16.07 → 16).

    Rounding to nearest (not up) is the seed's convention; it can put occupancy slightly above
    the maximum (11.25 / 16 = 70.3 % in the example). Use `math.ceil(exact)` to honour it.
    """


def busy_hour_calls(population: float, call_rate: float, busy_hour_share: float) -> float:
    """Calls in the busiest hour: population × share who call in a day × busy-hour share."""
    _check(0.0, population=population)
    _check(0.0, call_rate=call_rate, busy_hour_share=busy_hour_share, at_most=1.0)
    return population * call_rate * busy_hour_share


def seed_sizing(calls_per_hour: float, aht: float, max_occupancy: float) -> SeedSizing:
    """Busy-hour calls × AHT ÷ (3600 × max occupancy), and that rounded to nearest."""
    _check(0.0, calls_per_hour=calls_per_hour)
    _check(None, aht=aht)
    _check(None, max_occupancy=max_occupancy, at_most=1.0)
    exact = calls_per_hour * aht / (SECONDS_PER_HOUR * max_occupancy)
    return SeedSizing(exact=exact, agents=math.floor(exact + 0.5))


def _check(floor: float | None, at_most: float = math.inf, **figures: float) -> None:
    """Reject a figure outside [floor, at_most], or (floor None) outside (0, at_most]."""
    for name, value in figures.items():
        low_ok = value > 0 if floor is None else value >= floor
        if not (math.isfinite(value) and low_ok and value <= at_most):
            low = "> 0" if floor is None else f">= {floor:g}"
            high = "" if at_most == math.inf else f" and <= {at_most:g}"
            raise ValueError(f"{name} must be finite, {low}{high}; got {value!r}")
