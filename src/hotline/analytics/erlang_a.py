"""Erlang A (M/M/n+M): waiting, abandonment and staffing when callers run out of patience.

Real callers hang up. Erlang A is Erlang C plus one figure, the callers' mean patience: each
waiting caller abandons after an exponential time with that mean, unless answered first.
Planning with Erlang C then overstaffs (it thinks the queue only drains through the agents) and
cannot describe an overloaded interval at all; Erlang A is stable at any staffing and reports
how many callers give up.

Units and names follow `erlang`: traffic in Erlangs, `aht`, `patience` and `threshold` in
seconds, scalars or arrays broadcast against each other, a float back for all-scalar input.

Definitions, for calls offered to the queue:

* wait probability: the caller finds every agent busy (and so queues at all);
* abandon rate: the share of offered calls that hang up before being answered;
* service level: calls answered within `threshold` seconds ÷ calls offered. Abandoned calls stay
  in the denominator whenever they hang up, even within the threshold; nothing is excluded as a
  "short abandon". It is the strictest common definition, and the one the KPI reports use
  (`kpi`), so planned and measured figures compare directly;
* ASA: mean wait of the calls that are answered (abandoned calls' waits are not in it);
* occupancy: answered traffic ÷ agents.

The formulas are exact, after Mandelbaum and Zeltyn ("The M/M/n+M queue: a summary of
performance measures", 2004), re-derived with x = n·patience/aht and y = traffic·patience/aht:
the queue-position sum S(x, y) and the Erlang B ratio (see `poisson`) give the wait probability
and abandonment; a caller who finds j callers ahead is served with probability x/(x + j + 1),
and summing the order-statistics law of its wait over j collapses to two more S, so the
service level costs four incomplete gamma evaluations. Everything is in log space, so 50,000
Erlangs and zero agents are as safe as 10 Erlangs. As the patience grows the figures tend to
Erlang C's.
"""

from __future__ import annotations

from functools import cached_property
from typing import overload

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy.special import digamma, expit

from hotline.analytics import inputs
from hotline.analytics.inputs import FloatArray, IntArray
from hotline.analytics.poisson import log_erlang_b_ratio, log_poisson_pmf, log_queue_sum
from hotline.analytics.search import smallest_agents

# ASA sums over queue lengths around the most likely one; 10 standard deviations either side
# leaves out terms below e**−50 of the largest.
_WINDOW_DEVIATIONS = 10.0
# Below this many leading terms, start the ASA sum at the first one: it is cheap, and the
# digamma difference that would skip them loses digits when it spans only a few terms.
_SKIP_AT_LEAST = 100.0
_NEGLIGIBLE = 2.0**-60


class _Queue:
    """The model for a batch of intervals, flattened, with the sums every measure shares."""

    def __init__(self, n: FloatArray, a: FloatArray, aht: FloatArray, patience: FloatArray) -> None:
        self.n, self.a, self.patience = n, a, patience
        self.x: FloatArray = n * patience / aht
        self.y: FloatArray = a * patience / aht
        self.log_s0 = log_queue_sum(self.x, self.y)
        log_r = log_erlang_b_ratio(n, a)
        # Both sides of P(wait) = S / (S + 1/B − 1), each to full relative precision.
        self.wait: FloatArray = expit(self.log_s0 - log_r)
        self.no_wait: FloatArray = expit(log_r - self.log_s0)

    @cached_property
    def abandon(self) -> FloatArray:
        """P(abandon): computed on first use, since staffing without a cap never needs it."""
        rate: FloatArray = self.wait * _abandon_if_waiting(self.x, self.y, self.log_s0)
        return rate

    def service_level(self, threshold: FloatArray) -> FloatArray:
        """Answered within the threshold ÷ offered: answered at once, plus answered after
        waiting, less those answered only after the threshold. The last two are the same
        expression at t = ∞ and t = threshold, so their difference is taken inside one expm1
        and the service level keeps full relative precision even when it is tiny.
        """
        x, y = self.x, self.y
        log_s1 = log_queue_sum(x + 1.0, y)
        decay = threshold / self.patience
        late_over_all = (
            -(x + 1.0) * decay
            - y * np.expm1(-decay)
            + log_queue_sum(x + 1.0, y * np.exp(-decay))
            - log_s1
        )
        answered_if_waiting = x / (x + 1.0) * np.exp(log_s1 - self.log_s0)
        in_time = self.wait * answered_if_waiting * -np.expm1(late_over_all)
        level: FloatArray = np.clip(self.no_wait + in_time, 0.0, 1.0)
        return level

    def answered_wait(self) -> FloatArray:
        """Mean wait of answered calls: ∫ P(answered, wait > t) dt ÷ P(answered)."""
        asa = np.full(self.n.shape, np.inf)
        asa[self.a == 0] = 0.0
        busy = np.flatnonzero((self.n > 0) & (self.a > 0))
        x, y = self.x[busy], self.y[busy]
        weighted = _queue_wait_sum(x, y, self.log_s0[busy])
        share_waiting = self.wait[busy] * self.n[busy] / self.a[busy]
        answered = 1.0 - self.abandon[busy]
        asa[busy] = share_waiting * weighted * self.patience[busy] / answered
        return asa

    def occupancy(self) -> FloatArray:
        busy = np.ones(self.n.shape)
        some = self.n > 0
        busy[some] = self.a[some] * (1.0 - self.abandon[some]) / self.n[some]
        return busy


def _abandon_if_waiting(x: FloatArray, y: FloatArray, log_s0: FloatArray) -> FloatArray:
    """P(abandon | all agents busy on arrival) = Σ_j (T_j / S)·(j + 1)/(x + j + 1).

    A caller who finds j others queued is answered with probability x/(x + j + 1). Summed over
    j this is 1 − x/y + x/(y·S), exact but, once the load is well below the agents, a
    difference of nearly equal numbers; there the sum itself converges within ~60 terms and
    keeps full relative precision for abandon rates down to 1e-300.
    """
    out = np.empty(x.shape)
    near = y > 0.5 * (x + 1.0)
    xn, yn = x[near], y[near]
    out[near] = (yn - xn) / yn + xn * np.exp(-log_s0[near]) / yn
    far = np.flatnonzero(~near)
    xf, yf = x[far], y[far]
    term = np.ones(far.size)
    total = np.ones(far.size)
    weighted = 1.0 / (xf + 1.0)
    active = np.arange(far.size)
    j = 0.0
    while active.size:
        j += 1.0
        term[active] *= yf[active] / (xf[active] + j)
        total[active] += term[active]
        weighted[active] += term[active] * (j + 1.0) / (xf[active] + j + 1.0)
        active = active[term[active] > _NEGLIGIBLE * total[active]]
    out[far] = weighted / total
    return out


def _queue_wait_sum(x: FloatArray, y: FloatArray, log_s0: FloatArray) -> FloatArray:
    """K = Σ_{i>=1} T_i·h_i / S, T_i = Π_{k<=i} y/(x+k), h_i = Σ_{k<=i} 1/(x+k).

    A caller who finds j callers queued ahead is answered with probability x/(x + j + 1), and
    E[wait; answered] for it is that times Σ_{k=1..j+1} 1/(θ·(x + k)). Weighting by the chance
    T_j / S of finding j queued and shifting the index gives E[wait; answered | all busy] =
    (x/y)·K/θ. The terms peak near i = y − x and fall like a normal density around it, so only
    a window of about 20·sqrt(y) terms is summed, by recurrence forward from its start.
    """
    peak = np.maximum(np.floor(y - x), 1.0)
    start = np.floor(peak - _WINDOW_DEVIATIONS * np.sqrt(y) - _WINDOW_DEVIATIONS)
    start = np.where(start < _SKIP_AT_LEAST, 1.0, start)
    term = np.exp(log_poisson_pmf(x + start, y) - log_poisson_pmf(x, y) - log_s0)
    h = np.where(start == 1.0, 1.0 / (x + 1.0), digamma(x + start + 1.0) - digamma(x + 1.0))
    total = term * h
    i = start.copy()
    active = np.arange(x.size)
    while active.size:
        i[active] += 1.0
        step = x[active] + i[active]
        term[active] *= y[active] / step
        h[active] += 1.0 / step
        total[active] += term[active] * h[active]
        rising = i[active] < peak[active]
        active = active[rising | (term[active] * h[active] > _NEGLIGIBLE * total[active])]
    return total


def _queue(
    agents: ArrayLike,
    traffic: ArrayLike,
    aht: ArrayLike,
    patience: ArrayLike,
    threshold: ArrayLike | None = None,
) -> tuple[tuple[int, ...], _Queue, FloatArray]:
    checked = [
        inputs.agents(agents),
        inputs.nonnegative(traffic, "traffic"),
        inputs.positive(aht, "aht"),
        inputs.positive(patience, "patience"),
        inputs.nonnegative(0.0 if threshold is None else threshold, "threshold"),
    ]
    shape, (n, a, h, p, t) = inputs.flatten(*checked)
    return shape, _Queue(n, a, h, p), t


@overload
def wait_probability(agents: int, traffic: float, aht: float, patience: float) -> float: ...
@overload
def wait_probability(
    agents: ArrayLike, traffic: ArrayLike, aht: ArrayLike, patience: ArrayLike
) -> FloatArray: ...
def wait_probability(
    agents: ArrayLike, traffic: ArrayLike, aht: ArrayLike, patience: ArrayLike
) -> float | FloatArray:
    """Probability that an offered call finds every agent busy and queues."""
    shape, queue, _ = _queue(agents, traffic, aht, patience)
    return inputs.shaped(queue.wait, shape)


@overload
def abandon_rate(agents: int, traffic: float, aht: float, patience: float) -> float: ...
@overload
def abandon_rate(
    agents: ArrayLike, traffic: ArrayLike, aht: ArrayLike, patience: ArrayLike
) -> FloatArray: ...
def abandon_rate(
    agents: ArrayLike, traffic: ArrayLike, aht: ArrayLike, patience: ArrayLike
) -> float | FloatArray:
    """Share of offered calls that hang up before an agent answers."""
    shape, queue, _ = _queue(agents, traffic, aht, patience)
    return inputs.shaped(queue.abandon, shape)


@overload
def service_level(
    agents: int, traffic: float, aht: float, patience: float, threshold: float
) -> float: ...
@overload
def service_level(
    agents: ArrayLike, traffic: ArrayLike, aht: ArrayLike, patience: ArrayLike, threshold: ArrayLike
) -> FloatArray: ...
def service_level(
    agents: ArrayLike, traffic: ArrayLike, aht: ArrayLike, patience: ArrayLike, threshold: ArrayLike
) -> float | FloatArray:
    """Calls answered within `threshold` seconds ÷ calls offered (abandoned ones included)."""
    shape, queue, t = _queue(agents, traffic, aht, patience, threshold)
    return inputs.shaped(queue.service_level(t), shape)


@overload
def average_speed_of_answer(agents: int, traffic: float, aht: float, patience: float) -> float: ...
@overload
def average_speed_of_answer(
    agents: ArrayLike, traffic: ArrayLike, aht: ArrayLike, patience: ArrayLike
) -> FloatArray: ...
def average_speed_of_answer(
    agents: ArrayLike, traffic: ArrayLike, aht: ArrayLike, patience: ArrayLike
) -> float | FloatArray:
    """Mean wait in seconds of answered calls; 0 with no traffic, infinite with no agents.

    This sums over queue lengths (about 20·sqrt(traffic·patience/aht) terms per interval), so
    it is slower than the other measures; staffing never calls it.
    """
    shape, queue, _ = _queue(agents, traffic, aht, patience)
    return inputs.shaped(queue.answered_wait(), shape)


@overload
def occupancy(agents: int, traffic: float, aht: float, patience: float) -> float: ...
@overload
def occupancy(
    agents: ArrayLike, traffic: ArrayLike, aht: ArrayLike, patience: ArrayLike
) -> FloatArray: ...
def occupancy(
    agents: ArrayLike, traffic: ArrayLike, aht: ArrayLike, patience: ArrayLike
) -> float | FloatArray:
    """Share of agents' time spent on calls: answered traffic ÷ agents (1 with no agents)."""
    shape, queue, _ = _queue(agents, traffic, aht, patience)
    return inputs.shaped(queue.occupancy(), shape)


@overload
def agents_required(
    traffic: float,
    aht: float,
    patience: float,
    target: float,
    threshold: float,
    *,
    max_abandon_rate: float | None = ...,
) -> int: ...
@overload
def agents_required(
    traffic: ArrayLike,
    aht: ArrayLike,
    patience: ArrayLike,
    target: ArrayLike,
    threshold: ArrayLike,
    *,
    max_abandon_rate: ArrayLike | None = ...,
) -> IntArray: ...
def agents_required(
    traffic: ArrayLike,
    aht: ArrayLike,
    patience: ArrayLike,
    target: ArrayLike,
    threshold: ArrayLike,
    *,
    max_abandon_rate: ArrayLike | None = None,
) -> int | IntArray:
    """Fewest agents whose Erlang A service level reaches `target` within `threshold` seconds.

    The answer n meets the target and n − 1 does not, judged by `service_level` (and
    `abandon_rate`, if `max_abandon_rate` is given: then both must hold). Unlike Erlang C it can
    be below the traffic in Erlangs, because callers who give up take load away. It can also be
    above Erlang C's answer: when callers give up long before the threshold, the ones who
    would have been answered just inside it now count against the service level.

    Give `max_abandon_rate` for large, impatient loads: there a queue that is always full
    answers most calls just inside the threshold while the rest give up, which can meet the
    service-level target with ten percent or more abandoning.
    """
    capped = max_abandon_rate is not None
    cap = np.asarray(1.0)
    if max_abandon_rate is not None:
        cap = inputs.fraction(max_abandon_rate, "max_abandon_rate")
    shape, (a, h, p, goal, t, most) = inputs.flatten(
        inputs.nonnegative(traffic, "traffic"),
        inputs.positive(aht, "aht"),
        inputs.positive(patience, "patience"),
        inputs.fraction(target, "target"),
        inputs.nonnegative(threshold, "threshold"),
        cap,
    )

    def meets(n: FloatArray, idx: IntArray) -> NDArray[np.bool_]:
        queue = _Queue(n, a[idx], h[idx], p[idx])
        good = queue.service_level(t[idx]) >= goal[idx]
        return good & (queue.abandon <= most[idx]) if capped else good

    agents = smallest_agents(meets, np.ceil(a + np.sqrt(a)))
    return inputs.shaped_counts(agents, shape)
