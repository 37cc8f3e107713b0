"""Erlang B and C, staffing and the seed's sizing formula (W4), against 30-digit references.

The references are computed here with mpmath straight from the definitions (a truncated Poisson
sum for Erlang B, C = B / (1 − ρ(1 − B))), so they share no numerical tricks with the code under
test.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Callable, Iterator

import mpmath as mp
import numpy as np
import pytest

from hotline.analytics import erlang
from hotline.analytics.sizing import busy_hour_calls, seed_sizing

mp.mp.dps = 30
LOADS = [0.01, 0.5, 1.0, 3.7, 11.25, 100.0, 999.5, 2000.0, 12345.6, 50000.0]
SMALLEST_REPRESENTABLE = mp.mpf("1e-300")


def reference_erlang_b(agents: int, traffic: float) -> mp.mpf:
    """B = (a^n/n!) / Σ_{k<=n} a^k/k!, the sum as a regularised upper incomplete gamma."""
    if agents == 0:
        return mp.mpf(1)
    n, a = mp.mpf(agents), mp.mpf(traffic)
    last_term = mp.exp(n * mp.log(a) - a - mp.loggamma(n + 1))
    return last_term / mp.gammainc(n + 1, a, mp.inf, regularized=True)


def reference_erlang_c(agents: int, traffic: float) -> mp.mpf:
    blocking = reference_erlang_b(agents, traffic)
    load = mp.mpf(traffic) / agents
    return blocking / (1 - load * (1 - blocking))


def agent_counts_around(traffic: float) -> list[int]:
    """Agent counts from deep overload to comfortable, including the whole-number load."""
    spread = math.sqrt(traffic)
    picks = [traffic + k * spread for k in (-40, -10, -3, -1, 0, 1, 2, 3, 6, 12)]
    picks += [traffic - 1, traffic + 1, 1, 2, 5, 2 * traffic, 3 * traffic]
    return sorted({int(p) for p in picks if p >= 1} | {max(1, round(traffic))})


def comparable(reference: mp.mpf) -> bool:
    return bool(reference > SMALLEST_REPRESENTABLE)


@pytest.fixture
def no_numpy_warnings() -> Iterator[None]:
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        yield


@pytest.mark.parametrize("traffic", LOADS)
def test_erlang_b_matches_the_definition_to_1e_9(traffic: float, no_numpy_warnings: None) -> None:
    counts = agent_counts_around(traffic)
    got = erlang.erlang_b(np.array(counts), traffic)
    for agents, value in zip(counts, got, strict=True):
        expected = reference_erlang_b(agents, traffic)
        if comparable(expected):
            assert value == pytest.approx(float(expected), rel=1e-9), (agents, traffic)
        else:
            assert value < 1e-290


@pytest.mark.parametrize("traffic", LOADS)
def test_erlang_c_matches_the_definition_to_1e_9(traffic: float, no_numpy_warnings: None) -> None:
    counts = [n for n in agent_counts_around(traffic) if n > traffic]
    got = erlang.erlang_c(np.array(counts), traffic)
    for agents, value in zip(counts, got, strict=True):
        expected = reference_erlang_c(agents, traffic)
        if comparable(expected):
            assert value == pytest.approx(float(expected), rel=1e-9), (agents, traffic)


@pytest.mark.parametrize("traffic", LOADS)
def test_service_level_and_asa_match_the_definition(traffic: float) -> None:
    agents = math.floor(traffic + 2 * math.sqrt(traffic)) + 1
    aht, threshold = 180.0, 20.0
    wait = reference_erlang_c(agents, traffic)
    spare = agents - mp.mpf(traffic)
    expected_level = 1 - wait * mp.exp(-spare * threshold / aht)
    expected_asa = wait * aht / spare
    level = erlang.service_level(agents, traffic, aht, threshold)
    assert level == pytest.approx(float(expected_level), rel=1e-9)
    assert erlang.average_speed_of_answer(agents, traffic, aht) == pytest.approx(
        float(expected_asa), rel=1e-9
    )
    assert erlang.occupancy(agents, traffic) == pytest.approx(traffic / agents, rel=1e-15)


def test_the_seed_busy_hour_gives_textbook_figures() -> None:
    # 270 calls/h × 150 s = 11.25 Erlangs; 15 agents give 86.8 % in 20 s, 14 only 76.2 %.
    traffic = erlang.offered_traffic(270, 150)
    assert traffic == 11.25
    assert erlang.agents_required(traffic, 150, 0.8, 20) == 15
    assert erlang.erlang_c(15, traffic) == pytest.approx(0.217989042733931, rel=1e-12)
    assert erlang.service_level(15, traffic, 150, 20) == pytest.approx(0.867782962100463, rel=1e-12)
    assert erlang.service_level(14, traffic, 150, 20) == pytest.approx(0.762459403946118, rel=1e-12)
    assert erlang.average_speed_of_answer(15, traffic, 150) == pytest.approx(8.71956170935724)
    assert erlang.occupancy(15, traffic) == 0.75


def test_erlang_b_table_values() -> None:
    # The values printed in every Erlang B table.
    assert erlang.erlang_b(10, 5.0) == pytest.approx(0.0183845703366481, rel=1e-12)
    assert erlang.erlang_b(5, 2.0) == pytest.approx(0.036697247706422, rel=1e-12)
    assert erlang.erlang_c(10, 8.0) == pytest.approx(0.409180150796444, rel=1e-12)


@pytest.mark.parametrize("traffic", [1.0, 2.0, 15.0, 100.0, 2000.0, 50000.0])
def test_whole_number_load_is_unstable_not_a_crash(traffic: float, no_numpy_warnings: None) -> None:
    agents = int(traffic)
    assert erlang.erlang_c(agents, traffic) == 1.0
    assert erlang.service_level(agents, traffic, 150, 20) == 0.0
    assert erlang.average_speed_of_answer(agents, traffic, 150) == math.inf
    assert erlang.occupancy(agents, traffic) == 1.0
    # One more agent is stable, and Erlang B is finite either way.
    assert 0 < erlang.erlang_c(agents + 1, traffic) < 1
    assert erlang.erlang_b(agents, traffic) == pytest.approx(
        float(reference_erlang_b(agents, traffic)), rel=1e-9
    )


def test_extremes_stay_finite(no_numpy_warnings: None) -> None:
    assert erlang.erlang_b(0, 7.0) == 1.0
    assert erlang.erlang_b(5, 0.0) == 0.0
    assert erlang.erlang_b(10, 50000.0) == pytest.approx(
        float(reference_erlang_b(10, 50000.0)), rel=1e-12
    )
    assert erlang.erlang_b(60000, 50000.0) == 0.0  # e**-900: below float64
    assert erlang.erlang_c(50000, 0.01) == 0.0
    assert erlang.erlang_c(3, 0.0) == 0.0
    assert erlang.erlang_c(0, 0.0) == 1.0


def test_vectorised_results_equal_scalar_results() -> None:
    rng = np.random.default_rng(4)
    traffic = rng.uniform(0.01, 3000.0, 50)
    agents = np.floor(traffic + rng.uniform(-5, 3, 50) * np.sqrt(traffic)).clip(0)
    aht = rng.uniform(60, 600, 50)
    threshold = rng.uniform(0, 60, 50)
    cases = [
        (erlang.erlang_b, (agents, traffic)),
        (erlang.erlang_c, (agents, traffic)),
        (erlang.service_level, (agents, traffic, aht, threshold)),
        (erlang.average_speed_of_answer, (agents, traffic, aht)),
        (erlang.occupancy, (agents, traffic)),
    ]
    for function, arrays in cases:
        together = function(*arrays)
        one_by_one = [function(*(float(a[i]) for a in arrays)) for i in range(50)]
        np.testing.assert_allclose(together, one_by_one, rtol=1e-14, err_msg=function.__name__)
    staffed = erlang.agents_required(traffic, aht, 0.8, threshold)
    singly = [erlang.agents_required(traffic[i], aht[i], 0.8, threshold[i]) for i in range(50)]
    assert staffed.tolist() == singly


def test_arrays_broadcast_and_keep_their_shape() -> None:
    grid = erlang.erlang_c(np.arange(12, 16).reshape(4, 1), np.array([[10.0, 11.0]]))
    assert grid.shape == (4, 2)
    assert isinstance(erlang.erlang_c(12, 10.0), float)
    assert isinstance(erlang.agents_required(10.0, 180, 0.8, 20), int)


def test_agents_required_is_minimal_for_a_thousand_intervals() -> None:
    rng = np.random.default_rng(11)
    traffic = np.concatenate([[0.0, 0.01, 1.0, 50000.0], rng.uniform(0.01, 2000.0, 996)])
    target = rng.uniform(0.5, 0.99, traffic.size)
    threshold = rng.choice([0.0, 10.0, 20.0, 60.0], traffic.size)
    aht = 240.0
    agents = erlang.agents_required(traffic, aht, target, threshold)
    assert (erlang.service_level(agents, traffic, aht, threshold) >= target).all()
    assert (erlang.service_level(agents - 1, traffic, aht, threshold) < target).all()
    assert agents[0] == 1  # an open queue with no calls still needs someone


def test_agents_required_grows_with_load_target_and_strictness() -> None:
    traffic = np.linspace(0.01, 3000.0, 1500)
    base = erlang.agents_required(traffic, 150, 0.8, 20)
    assert (np.diff(base) >= 0).all()
    assert (erlang.agents_required(traffic, 150, 0.9, 20) >= base).all()
    assert (erlang.agents_required(traffic, 150, 0.8, 10) >= base).all()
    assert (base > traffic).all()


def test_seed_formula_gives_16_agents_for_the_seed_example() -> None:
    calls = busy_hour_calls(population=500_000, call_rate=0.003, busy_hour_share=0.18)
    assert calls == pytest.approx(270.0)
    sizing = seed_sizing(calls, aht=150, max_occupancy=0.70)
    assert sizing.exact == pytest.approx(16.0714285714, rel=1e-9)
    assert sizing.agents == 16
    assert seed_sizing(270, 150, 0.70 * 16.07 / 16.5).agents == 17  # halves round up


@pytest.mark.parametrize(
    ("call", "named"),
    [
        (lambda: erlang.erlang_b(2.5, 3.0), "agents"),
        (lambda: erlang.erlang_b(-1, 3.0), "agents"),
        (lambda: erlang.erlang_c(3, -0.5), "traffic"),
        (lambda: erlang.erlang_c(3, [1.0, float("nan")]), "traffic"),
        (lambda: erlang.service_level(3, 2.0, 0.0, 20), "aht"),
        (lambda: erlang.service_level(3, 2.0, 150, -1), "threshold"),
        (lambda: erlang.agents_required(2.0, 150, 1.0, 20), "target"),
        (lambda: erlang.agents_required(2.0, 150, 0.0, 20), "target"),
        (lambda: erlang.erlang_b([1, 2], [1.0, 2.0, 3.0]), "broadcast"),
        (lambda: seed_sizing(270, 150, 1.5), "max_occupancy"),
        (lambda: busy_hour_calls(500_000, 3.0, 0.18), "call_rate"),
    ],
)
def test_bad_figures_are_rejected_by_name(call: Callable[[], object], named: str) -> None:
    with pytest.raises(ValueError, match=named):
        call()
