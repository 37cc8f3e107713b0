"""Erlang A (M/M/n+M, W4 "with abandonment") against exact high-precision references.

Moderate sizes are checked against the birth-death chain itself, solved state by state in
50-digit arithmetic: abandonment from the mean queue length (rate balance), and each waiting
caller's chance of being answered in time from its own hypoexponential wait. None of the
closed forms in the code are used there. Large loads (50,000 Erlangs) are checked against the
queue sums added term by term in 60-digit arithmetic, which tests the log-space numerics.
"""

from __future__ import annotations

import math
import warnings
from typing import NamedTuple

import mpmath as mp
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.integrate import quad

from hotline.analytics import erlang, erlang_a


class Figures(NamedTuple):
    wait: mp.mpf
    abandon: mp.mpf
    service_level: mp.mpf
    asa: mp.mpf


def birth_death_reference(
    agents: int, traffic: float, aht: float, patience: float, threshold: float
) -> Figures:
    with mp.workdps(50):
        a, h, p, t = (mp.mpf(v) for v in (traffic, aht, patience, threshold))
        arrival, service, abandon_rate = a / h, 1 / h, 1 / p
        free = [mp.mpf(1)]
        for k in range(1, agents + 1):
            free.append(free[-1] * a / k)
        queued = [free[agents]]  # weights of n, n+1, n+2 ... callers present
        while (
            queued[-1] > queued[0] * mp.mpf("1e-30")
            or arrival >= agents * service + len(queued) * abandon_rate
        ):
            queued.append(queued[-1] * arrival / (agents * service + len(queued) * abandon_rate))
        total = mp.fsum(free[:agents]) + mp.fsum(queued)
        mean_queue = mp.fsum(j * q for j, q in enumerate(queued)) / total
        abandon = abandon_rate * mean_queue / arrival
        in_time = mp.fsum(free[:agents]) / total
        answered_wait = mp.mpf(0)
        for j, q in enumerate(queued):
            # With j ahead, the wait passes through rates nμ + kθ, k = j..0; the caller's own
            # patience is a competing exponential, so "answered" tilts every rate by θ.
            rates = [agents * service + k * abandon_rate for k in range(j + 1)]
            answered = mp.fprod(r / (r + abandon_rate) for r in rates)
            answered_wait += q / total * answered * mp.fsum(1 / (r + abandon_rate) for r in rates)
            tilted = [r + abandon_rate for r in rates]
            beyond = mp.fsum(
                mp.exp(-tilted[i] * t)
                * mp.fprod(tilted[k] / (tilted[k] - tilted[i]) for k in range(j + 1) if k != i)
                for i in range(j + 1)
            )
            in_time += q / total * answered * (1 - beyond)
        wait = mp.fsum(queued) / total
        return Figures(wait, abandon, in_time, answered_wait / (1 - abandon))


def queue_sums(x: mp.mpf, y: mp.mpf) -> tuple[mp.mpf, mp.mpf, mp.mpf]:
    """S = Σ T_j, Σ j·T_j and Σ T_j·h_j, T_j = Π_{i<=j} y/(x+i), h_j = Σ_{i<=j} 1/(x+i)."""
    term, total, moment, weighted, h, j = mp.mpf(1), mp.mpf(1), mp.mpf(0), mp.mpf(0), 0, 0
    while True:
        j += 1
        term *= y / (x + j)
        h += 1 / (x + j)
        total += term
        moment += j * term
        weighted += term * h
        if y < x + j and term < total * mp.mpf("1e-40"):
            return total, moment, weighted


def large_load_reference(
    agents: int, traffic: float, aht: float, patience: float, threshold: float
) -> Figures:
    with mp.workdps(60):
        n, a, h, p, t = (mp.mpf(v) for v in (agents, traffic, aht, patience, threshold))
        x, y = n * p / h, a * p / h
        free_over_busy = mp.gammainc(n, a, mp.inf, regularized=True) / mp.exp(
            n * mp.log(a) - a - mp.loggamma(n + 1)
        )
        s, moment, weighted = queue_sums(x, y)
        s_late, _, _ = queue_sums(x + 1, y * mp.exp(-t / p))
        wait = s / (free_over_busy + s)
        abandon = moment / (y * (free_over_busy + s))
        late = wait * x / (x + 1) * mp.exp(-(x + 1) * t / p + y * (1 - mp.exp(-t / p))) * s_late / s
        asa = wait * (x / y) * (weighted / s) * p / (1 - abandon)
        return Figures(wait, abandon, 1 - abandon - late, asa)


def figures(agents: int, traffic: float, aht: float, patience: float, threshold: float) -> Figures:
    return Figures(
        erlang_a.wait_probability(agents, traffic, aht, patience),
        erlang_a.abandon_rate(agents, traffic, aht, patience),
        erlang_a.service_level(agents, traffic, aht, patience, threshold),
        erlang_a.average_speed_of_answer(agents, traffic, aht, patience),
    )


@pytest.mark.parametrize(
    ("agents", "traffic", "aht", "patience", "threshold"),
    [
        (1, 0.5, 100.0, 50.0, 10.0),
        (3, 2.5, 180.0, 60.0, 20.0),
        (15, 11.25, 150.0, 120.0, 20.0),  # the seed's busy hour
        (4, 10.0, 100.0, 40.0, 15.0),  # two and a half times overloaded
        (8, 7.999, 60.0, 7.0, 5.0),
        (8, 8.0, 150.0, 200.0, 20.0),  # whole-number load: fine with abandonment
    ],
)
def test_matches_the_exact_birth_death_chain(
    agents: int, traffic: float, aht: float, patience: float, threshold: float
) -> None:
    expected = birth_death_reference(agents, traffic, aht, patience, threshold)
    got = figures(agents, traffic, aht, patience, threshold)
    for name, value, exact in zip(Figures._fields, got, expected, strict=True):
        assert value == pytest.approx(float(exact), rel=1e-9), name


@pytest.mark.parametrize(
    ("agents", "traffic", "aht", "patience", "threshold"),
    [
        (50000, 50000.0, 150.0, 120.0, 20.0),
        (45000, 50000.0, 150.0, 60.0, 20.0),
        (51000, 50000.0, 150.0, 600.0, 20.0),
        (30, 100.0, 200.0, 50.0, 20.0),
        # Patience worth 3 million agent-seconds: past scipy's incomplete gamma, into Temme's.
        (8759, 8736.0, 10.0, 3553.0, 20.0),
        (52000, 50000.0, 150.0, 600.0, 20.0),
    ],
)
def test_large_and_lopsided_loads_keep_full_precision(
    agents: int, traffic: float, aht: float, patience: float, threshold: float
) -> None:
    expected = large_load_reference(agents, traffic, aht, patience, threshold)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        got = figures(agents, traffic, aht, patience, threshold)
    for name, value, exact in zip(Figures._fields, got, expected, strict=True):
        assert value == pytest.approx(float(exact), rel=1e-9), name


def test_very_patient_callers_behave_like_erlang_c() -> None:
    traffic, aht, threshold = np.array([3.0, 11.25, 400.0]), 150.0, 20.0
    agents = erlang.agents_required(traffic, aht, 0.8, threshold)
    patience = 1e9
    np.testing.assert_allclose(
        erlang_a.wait_probability(agents, traffic, aht, patience),
        erlang.erlang_c(agents, traffic),
        rtol=1e-5,
    )
    np.testing.assert_allclose(
        erlang_a.service_level(agents, traffic, aht, patience, threshold),
        erlang.service_level(agents, traffic, aht, threshold),
        rtol=1e-5,
    )
    np.testing.assert_allclose(
        erlang_a.average_speed_of_answer(agents, traffic, aht, patience),
        erlang.average_speed_of_answer(agents, traffic, aht),
        rtol=1e-5,
    )
    assert (erlang_a.abandon_rate(agents, traffic, aht, patience) < 1e-5).all()


def test_service_level_spans_answered_at_once_to_everyone_answered() -> None:
    n, a, aht, patience = 12, 11.0, 180.0, 90.0
    wait = erlang_a.wait_probability(n, a, aht, patience)
    abandon = erlang_a.abandon_rate(n, a, aht, patience)
    assert erlang_a.service_level(n, a, aht, patience, 0.0) == pytest.approx(1 - wait, rel=1e-12)
    assert erlang_a.service_level(n, a, aht, patience, 1e5) == pytest.approx(1 - abandon)
    levels = erlang_a.service_level(n, a, aht, patience, np.linspace(0, 600, 50))
    assert (np.diff(levels) >= 0).all()
    assert levels[0] < levels[10] < levels[-1]


def test_asa_is_the_area_under_the_answered_late_curve() -> None:
    # E[wait · answered] = ∫ P(answered, wait > t) dt, and P(answered, wait > t) is what the
    # service level leaves out besides abandonment: two separate derivations must agree.
    n, a, aht, patience = 9, 8.5, 200.0, 60.0
    abandon = erlang_a.abandon_rate(n, a, aht, patience)

    def answered_late(t: float) -> float:
        return 1 - abandon - erlang_a.service_level(n, a, aht, patience, t)

    area, _ = quad(answered_late, 0, np.inf, epsabs=1e-13, epsrel=1e-11)
    asa = erlang_a.average_speed_of_answer(n, a, aht, patience)
    assert asa * (1 - abandon) == pytest.approx(area, rel=1e-8)


def test_edges_are_defined_without_warnings() -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert erlang_a.wait_probability(0, 5.0, 150, 60) == 1.0
        assert erlang_a.abandon_rate(0, 5.0, 150, 60) == 1.0
        assert erlang_a.service_level(0, 5.0, 150, 60, 20) == 0.0
        assert erlang_a.average_speed_of_answer(0, 5.0, 150, 60) == math.inf
        assert erlang_a.wait_probability(5, 0.0, 150, 60) == 0.0
        assert erlang_a.service_level(5, 0.0, 150, 60, 20) == 1.0
        assert erlang_a.average_speed_of_answer(5, 0.0, 150, 60) == 0.0
        assert erlang_a.occupancy(5, 0.0, 150, 60) == 0.0
        assert erlang_a.abandon_rate(1000, 0.01, 150, 60) == 0.0  # 1e-4500: below float64
        # Whole-number loads, unstable for Erlang C, are ordinary here.
        for load in (1.0, 20.0, 2000.0, 50000.0):
            level = erlang_a.service_level(int(load), load, 150, 120, 20)
            assert 0 < level < 1


def test_vectorised_results_equal_scalar_results() -> None:
    rng = np.random.default_rng(5)
    traffic = rng.uniform(0.01, 500.0, 30)
    agents = np.floor(traffic + rng.uniform(-3, 3, 30) * np.sqrt(traffic)).clip(0)
    aht, patience, threshold = rng.uniform(60, 600, 30), rng.uniform(5, 900, 30), 20.0
    for function, arrays in [
        (erlang_a.wait_probability, (agents, traffic, aht, patience)),
        (erlang_a.abandon_rate, (agents, traffic, aht, patience)),
        (erlang_a.average_speed_of_answer, (agents, traffic, aht, patience)),
        (erlang_a.occupancy, (agents, traffic, aht, patience)),
    ]:
        together = function(*arrays)
        one_by_one = [function(*(float(v[i]) for v in arrays)) for i in range(30)]
        np.testing.assert_allclose(together, one_by_one, rtol=1e-13, err_msg=function.__name__)
    levels = erlang_a.service_level(agents, traffic, aht, patience, threshold)
    singly = [
        erlang_a.service_level(agents[i], traffic[i], aht[i], patience[i], threshold)
        for i in range(30)
    ]
    np.testing.assert_allclose(levels, singly, rtol=1e-13)
    staffed = erlang_a.agents_required(traffic, aht, patience, 0.8, threshold)
    assert staffed.tolist() == [
        erlang_a.agents_required(traffic[i], aht[i], patience[i], 0.8, threshold) for i in range(30)
    ]


def test_agents_required_is_minimal_for_a_thousand_intervals() -> None:
    rng = np.random.default_rng(12)
    traffic = np.concatenate([[0.0, 0.01, 50000.0], rng.uniform(0.01, 2000.0, 997)])
    aht = rng.uniform(60, 600, traffic.size)
    patience = rng.uniform(5, 900, traffic.size)
    target = rng.uniform(0.5, 0.95, traffic.size)
    threshold = rng.choice([0.0, 20.0, 60.0], traffic.size)
    agents = erlang_a.agents_required(traffic, aht, patience, target, threshold)
    assert (erlang_a.service_level(agents, traffic, aht, patience, threshold) >= target).all()
    assert (erlang_a.service_level(agents - 1, traffic, aht, patience, threshold) < target).all()


@settings(max_examples=60, deadline=None)
@given(
    traffic=st.floats(0.01, 50000.0),
    aht=st.floats(10.0, 900.0),
    patience=st.floats(1.0, 3600.0),
    threshold=st.sampled_from([0.0, 5.0, 20.0, 60.0, 300.0]),
)
def test_each_added_agent_helps(
    traffic: float, aht: float, patience: float, threshold: float
) -> None:
    spread = math.sqrt(traffic)
    agents = np.arange(max(0, int(traffic - 4 * spread) - 3), int(traffic + 6 * spread) + 5)
    level = erlang_a.service_level(agents, traffic, aht, patience, threshold)
    abandon = erlang_a.abandon_rate(agents, traffic, aht, patience)
    wait = erlang_a.wait_probability(agents, traffic, aht, patience)
    # Where the service level is flat (near 0 or 1) rounding may wobble it by ~1e-11.
    assert (np.diff(level) >= -1e-9).all()
    assert (np.diff(abandon) <= 1e-15).all()
    assert (np.diff(wait) <= 1e-15).all()
    assert ((level >= 0) & (level <= 1) & (abandon >= 0) & (abandon <= 1)).all()


def test_agents_required_grows_with_load_and_can_sit_below_the_erlangs() -> None:
    traffic = np.linspace(0.01, 2000.0, 800)
    agents = erlang_a.agents_required(traffic, 150, 120, 0.8, 20)
    assert (np.diff(agents) >= 0).all()
    assert (agents <= erlang.agents_required(traffic, 150, 0.8, 20)).all()
    # Impatient callers at a large load: the target is met with fewer agents than Erlangs,
    # because abandonment sheds load, at the price of many callers giving up.
    assert erlang_a.agents_required(50000.0, 150, 120, 0.8, 20) < 50000
    assert erlang_a.abandon_rate(42677, 50000.0, 150, 120) > 0.1


def test_a_cap_on_abandonment_adds_agents_until_it_holds() -> None:
    traffic = np.array([5.0, 200.0, 50000.0])
    capped = erlang_a.agents_required(traffic, 150, 120, 0.8, 20, max_abandon_rate=0.03)
    assert (capped >= erlang_a.agents_required(traffic, 150, 120, 0.8, 20)).all()
    assert (erlang_a.abandon_rate(capped, traffic, 150, 120) <= 0.03).all()
    assert (
        (erlang_a.abandon_rate(capped - 1, traffic, 150, 120) > 0.03)
        | (erlang_a.service_level(capped - 1, traffic, 150, 120, 20) < 0.8)
    ).all()


def test_short_patience_can_need_more_agents_than_erlang_c() -> None:
    # Callers who hang up within a second count against "answered within 60 s", so nearly
    # everyone must be answered at once (Erlang B's 1 % blocking: 63 agents), whereas Erlang C
    # lets short calls (30 s) clear a brief queue well inside the threshold (53 agents).
    assert erlang_a.agents_required(50.0, 30, 1, 0.99, 60) == 63
    assert erlang.agents_required(50.0, 30, 0.99, 60) == 53


@pytest.mark.parametrize("named", ["patience", "max_abandon_rate", "target"])
def test_bad_figures_are_rejected_by_name(named: str) -> None:
    bad = {
        "patience": lambda: erlang_a.abandon_rate(3, 2.0, 150, 0),
        "max_abandon_rate": lambda: erlang_a.agents_required(
            2.0, 150, 60, 0.8, 20, max_abandon_rate=1.5
        ),
        "target": lambda: erlang_a.agents_required(2.0, 150, 60, -0.1, 20),
    }
    with pytest.raises(ValueError, match=named):
        bad[named]()
