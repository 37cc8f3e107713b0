"""Erlang B and Erlang C: blocking, waiting and staffing for a queue of patient callers.

Erlang C (M/M/n) is the planner's standard model: calls arrive at random (Poisson), handle
times are exponential with mean `aht`, `agents` agents serve one queue first come first served,
and nobody hangs up while waiting. Erlang B is the same system with no queue at all (a caller
who finds every agent busy is blocked); Erlang C is computed from it. Callers who do hang up are
the business of `erlang_a`.

Loads are in Erlangs: traffic = calls per interval × AHT ÷ interval length
(`offered_traffic`), i.e. the average number of agents the calls would keep busy.

Every function takes scalars or numpy arrays (one element per interval) and broadcasts them;
all-scalar input gives a float back. The arithmetic is exact up to float64 rounding from 0.01
to beyond 50,000 Erlangs: it works with log(1/B − 1) (see `poisson`) instead of factorials or
the usual recurrence, so nothing overflows and no loop walks up from zero agents.

A queue needs more agents than Erlangs of traffic to be stable. With `agents <= traffic`
(including the exact whole-number case agents == traffic, where the textbook formula divides by
zero) the queue grows without bound: every caller waits, so the wait probability is 1, the
service level 0, the ASA infinite and the occupancy 1. These are the limits, not errors.
"""

from __future__ import annotations

from typing import overload

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy.special import expit

from hotline.analytics import inputs
from hotline.analytics.inputs import FloatArray, IntArray
from hotline.analytics.poisson import log_erlang_b_ratio
from hotline.analytics.search import smallest_agents

SECONDS_PER_HOUR = 3600.0


@overload
def offered_traffic(calls: float, aht: float, interval_seconds: float = ...) -> float: ...
@overload
def offered_traffic(
    calls: ArrayLike, aht: ArrayLike, interval_seconds: ArrayLike = ...
) -> FloatArray: ...
def offered_traffic(
    calls: ArrayLike, aht: ArrayLike, interval_seconds: ArrayLike = SECONDS_PER_HOUR
) -> float | FloatArray:
    """Traffic in Erlangs: calls offered in an interval × AHT ÷ the interval's length.

    270 calls an hour at 150 s each keep 270 × 150 / 3600 = 11.25 agents busy on average.
    """
    shape, (c, h, length) = inputs.flatten(
        inputs.nonnegative(calls, "calls"),
        inputs.positive(aht, "aht"),
        inputs.positive(interval_seconds, "interval_seconds"),
    )
    return inputs.shaped(c * h / length, shape)


@overload
def erlang_b(agents: int, traffic: float) -> float: ...
@overload
def erlang_b(agents: ArrayLike, traffic: ArrayLike) -> FloatArray: ...
def erlang_b(agents: ArrayLike, traffic: ArrayLike) -> float | FloatArray:
    """Blocking probability with `agents` agents, `traffic` Erlangs and no queue (M/M/n/n).

    B = (a**n / n!) / Σ_{k<=n} a**k / k!, evaluated as 1 / (1 + exp(log(1/B − 1))) so that it
    neither overflows nor underflows; zero agents block everything (B = 1).
    """
    shape, (n, a) = _agents_and_traffic(agents, traffic)
    return inputs.shaped(expit(-log_erlang_b_ratio(n, a)), shape)


@overload
def erlang_c(agents: int, traffic: float) -> float: ...
@overload
def erlang_c(agents: ArrayLike, traffic: ArrayLike) -> FloatArray: ...
def erlang_c(agents: ArrayLike, traffic: ArrayLike) -> float | FloatArray:
    """Probability that a caller has to wait (all agents busy on arrival), Erlang C.

    C = n·B / (n − a·(1 − B)) for n > a, i.e. 1 / (1 + (1/B − 1)·(1 − a/n)); 1 when n <= a.
    """
    shape, (n, a) = _agents_and_traffic(agents, traffic)
    return inputs.shaped(_wait_probability(n, a), shape)


@overload
def service_level(agents: int, traffic: float, aht: float, threshold: float) -> float: ...
@overload
def service_level(
    agents: ArrayLike, traffic: ArrayLike, aht: ArrayLike, threshold: ArrayLike
) -> FloatArray: ...
def service_level(
    agents: ArrayLike, traffic: ArrayLike, aht: ArrayLike, threshold: ArrayLike
) -> float | FloatArray:
    """Share of callers answered within `threshold` seconds (e.g. 0.8 for "80 % in 20 s").

    SL = 1 − C·exp(−(n − a)·threshold / aht). Every caller is eventually answered in Erlang C,
    so "answered within t ÷ offered" and "answered within t ÷ answered" agree here.
    """
    shape, (n, a, h, t) = _with_times(agents, traffic, aht, threshold)
    return inputs.shaped(_service_level(n, a, h, t), shape)


@overload
def average_speed_of_answer(agents: int, traffic: float, aht: float) -> float: ...
@overload
def average_speed_of_answer(
    agents: ArrayLike, traffic: ArrayLike, aht: ArrayLike
) -> FloatArray: ...
def average_speed_of_answer(
    agents: ArrayLike, traffic: ArrayLike, aht: ArrayLike
) -> float | FloatArray:
    """Mean wait in seconds over all callers (ASA), including those answered at once.

    ASA = C·aht / (n − a); infinite when n <= a.
    """
    shape, (n, a, h) = _with_times(agents, traffic, aht)
    stable = n > a
    asa = np.full(n.shape, np.inf)
    asa[stable] = _wait_probability(n[stable], a[stable]) * h[stable] / (n[stable] - a[stable])
    return inputs.shaped(asa, shape)


@overload
def occupancy(agents: int, traffic: float) -> float: ...
@overload
def occupancy(agents: ArrayLike, traffic: ArrayLike) -> FloatArray: ...
def occupancy(agents: ArrayLike, traffic: ArrayLike) -> float | FloatArray:
    """Share of agents' time spent handling calls: a / n, and 1 for an unstable queue (n <= a)."""
    shape, (n, a) = _agents_and_traffic(agents, traffic)
    stable = n > a
    busy = np.ones(n.shape)
    busy[stable] = a[stable] / n[stable]
    return inputs.shaped(busy, shape)


@overload
def agents_required(traffic: float, aht: float, target: float, threshold: float) -> int: ...
@overload
def agents_required(
    traffic: ArrayLike, aht: ArrayLike, target: ArrayLike, threshold: ArrayLike
) -> IntArray: ...
def agents_required(
    traffic: ArrayLike, aht: ArrayLike, target: ArrayLike, threshold: ArrayLike
) -> int | IntArray:
    """Fewest agents whose Erlang C service level reaches `target` within `threshold` seconds.

    The answer n meets the target and n − 1 does not (`service_level` is the judge, so the two
    functions always agree). It is at least 1 even for zero traffic: a queue that is open needs
    somebody to answer it. Intervals are searched together (see `search`), starting from the
    square-root staffing rule a + √a.
    """
    shape, (a, h, goal, t) = inputs.flatten(
        inputs.nonnegative(traffic, "traffic"),
        inputs.positive(aht, "aht"),
        inputs.fraction(target, "target"),
        inputs.nonnegative(threshold, "threshold"),
    )

    def meets(n: FloatArray, idx: IntArray) -> NDArray[np.bool_]:
        return _service_level(n, a[idx], h[idx], t[idx]) >= goal[idx]

    agents = smallest_agents(meets, np.ceil(a + np.sqrt(a)))
    return inputs.shaped_counts(agents, shape)


def _wait_probability(n: FloatArray, a: FloatArray) -> FloatArray:
    wait = np.ones(n.shape)
    stable = n > a
    ns, as_ = n[stable], a[stable]
    # 1 − a/n as (n − a)/n: n − a is exact when the two are close, which is where it matters.
    wait[stable] = expit(-(log_erlang_b_ratio(ns, as_) + np.log((ns - as_) / ns)))
    return wait


def _service_level(n: FloatArray, a: FloatArray, aht: FloatArray, t: FloatArray) -> FloatArray:
    level = np.zeros(n.shape)
    stable = n > a
    ns, as_ = n[stable], a[stable]
    late = _wait_probability(ns, as_) * np.exp(-(ns - as_) * t[stable] / aht[stable])
    level[stable] = 1.0 - late
    return level


def _agents_and_traffic(
    agents: ArrayLike, traffic: ArrayLike
) -> tuple[tuple[int, ...], list[FloatArray]]:
    return inputs.flatten(inputs.agents(agents), inputs.nonnegative(traffic, "traffic"))


def _with_times(
    agents: ArrayLike, traffic: ArrayLike, aht: ArrayLike, threshold: ArrayLike | None = None
) -> tuple[tuple[int, ...], list[FloatArray]]:
    checked = [
        inputs.agents(agents),
        inputs.nonnegative(traffic, "traffic"),
        inputs.positive(aht, "aht"),
    ]
    if threshold is not None:
        checked.append(inputs.nonnegative(threshold, "threshold"))
    return inputs.flatten(*checked)
