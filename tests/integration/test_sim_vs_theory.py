"""The simulator, driving the real core, agrees with queueing theory where theory is exact:
an M/M/c day with Erlang C, an M/M/c+M day with Erlang A. Each figure is compared with the
theoretical value using the simulation's own 99 % confidence interval over independent seeds
(a t interval over the per-seed means), so the test fails when the core's routing or the
projection's arithmetic drift, not when the dice do."""

from __future__ import annotations

import math
import statistics
from typing import Any

import pytest
from scipy import stats

from hotline.analytics import erlang, erlang_a
from hotline.switch.sim.runner import simulate
from hotline.switch.sim.scenario import parse_scenario

SEEDS = range(1, 9)


def _scenario(agents: int, calls_per_hour: float, aht: float, patience: float | None) -> Any:
    traffic: dict[str, Any] = {
        "queue": "q",
        "calls_per_hour": calls_per_hour,
        "handle_time": {"dist": "exponential", "mean": aht},
    }
    if patience is not None:
        traffic["patience"] = {"dist": "exponential", "mean": patience}
    return parse_scenario({
        "name": "theory",
        "seed": 1,
        "duration": "100h",
        "interval": "1h",
        "queues": [{"name": "q", "skills": {"q": 1}, "strategy": "longest_idle",
                    "service_level": {"threshold": 20, "target": 0.8}}],
        "agents": [{"group": "servers", "count": agents, "skills": {"q": 1}, "wrap_up": 0}],
        "traffic": [traffic],
    })


def _interval(samples: list[float]) -> tuple[float, float]:
    mean = statistics.fmean(samples)
    half = stats.t.ppf(0.995, len(samples) - 1) * statistics.stdev(samples) / math.sqrt(
        len(samples))
    return mean - half, mean + half


def _figures(scenario: Any) -> dict[str, list[float]]:
    figures: dict[str, list[float]] = {"service_level": [], "asa_seconds": [],
                                       "abandon_rate": [], "occupancy": []}
    for seed in SEEDS:
        totals = simulate(scenario, seed=seed).report.totals.as_dict()
        for key, values in figures.items():
            value = totals[key]
            assert value is not None
            values.append(float(value))
    return figures


@pytest.mark.parametrize(("agents", "calls_per_hour", "aht"), [(6, 100, 180), (12, 216, 180)])
def test_mmc_day_agrees_with_erlang_c(agents: int, calls_per_hour: float, aht: float) -> None:
    traffic = calls_per_hour * aht / 3600
    figures = _figures(_scenario(agents, calls_per_hour, aht, None))
    expected = {
        "service_level": erlang.service_level(agents, traffic, aht, 20),
        "asa_seconds": erlang.average_speed_of_answer(agents, traffic, aht),
        "occupancy": erlang.occupancy(agents, traffic),
    }
    assert figures["abandon_rate"] == [0.0] * len(SEEDS)
    for key, theory in expected.items():
        low, high = _interval(figures[key])
        assert low <= theory <= high, (
            f"{key}: Erlang C {theory:.4f} outside [{low:.4f}, {high:.4f}]")


def test_mmc_plus_m_day_agrees_with_erlang_a() -> None:
    agents, calls_per_hour, aht, patience = 10, 200, 180.0, 120.0
    traffic = calls_per_hour * aht / 3600
    figures = _figures(_scenario(agents, calls_per_hour, aht, patience))
    expected = {
        "abandon_rate": erlang_a.abandon_rate(agents, traffic, aht, patience),
        "service_level": erlang_a.service_level(agents, traffic, aht, patience, 20),
        "asa_seconds": erlang_a.average_speed_of_answer(agents, traffic, aht, patience),
    }
    for key, theory in expected.items():
        low, high = _interval(figures[key])
        assert low <= theory <= high, (
            f"{key}: Erlang A {theory:.4f} outside [{low:.4f}, {high:.4f}]")


def test_a_broken_agent_count_is_detected() -> None:
    """The comparison has teeth: one agent fewer than the theory assumes falls outside."""
    agents, calls_per_hour, aht = 6, 100, 180
    figures = _figures(_scenario(agents - 1, calls_per_hour, aht, None))
    low, high = _interval(figures["service_level"])
    theory = erlang.service_level(agents, calls_per_hour * aht / 3600, aht, 20)
    assert not low <= theory <= high
