"""Log-space Poisson and incomplete-gamma arithmetic under the Erlang formulas.

Every Erlang formula is a ratio of Poisson-like terms. Erlang B is the last term of a truncated
Poisson sum divided by the whole sum; Erlang A adds a sum over queue positions. Evaluated as
written, a**n / n! overflows beyond 170 agents, and the sums underflow once the agents are far
from the load, so this module works with logarithms of ratios that stay moderate at any size:

* `log_poisson_pmf` uses Loader's saddle-point form. The textbook k·log(a) − a − lgamma(k+1)
  subtracts numbers near 500,000 at 50,000 Erlangs and keeps only about 10 significant digits;
  the saddle-point form keeps about 15 at any size.
* `log_erlang_b_ratio` is log(1/B − 1): the regularised incomplete gamma function where it is
  representable, a short, fast-converging series where it would underflow.
* `log_queue_sum` is Erlang A's sum over queue positions, built the same way, with Temme's
  uniform expansion where scipy's incomplete gamma loses accuracy (beyond 100,000
  agents-worth of patience).

Arguments are flat float64 arrays; the callers in `erlang` and `erlang_a` have checked them.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from scipy.special import erfcx, gammainc, gammaincc, gammaln, kl_div, xlogy

from hotline.analytics.inputs import FloatArray, IntArray

# Below this an incomplete gamma value is too close to underflow to divide by; those elements
# are far from the load, where the series converge within a few hundred terms instead.
_UNDERFLOW = 1e-280
# A series term this much smaller than the running sum no longer changes a float64.
_NEGLIGIBLE = 2.0**-60
_HALF_LOG_2PI = 0.5 * np.log(2.0 * np.pi)
# Stirling series for log(k!) − log(sqrt(2πk)·(k/e)**k); five terms are exact to float64 for
# k > 15 (Loader 2000, "Fast and accurate computation of binomial probabilities").
_STIRLING = (1.0 / 12.0, 1.0 / 360.0, 1.0 / 1260.0, 1.0 / 1680.0, 1.0 / 1188.0)
_STIRLING_FROM = 15.0
# Where `log_queue_sum` leaves scipy's gammainc for Temme's expansion: far enough from the
# load, with enough agents-worth of patience, that the expansion is exact to float64.
_UNIFORM_FROM = 1e5
_UNIFORM_GAP = 4.5
# |v| < 0.05 near the mean, so v**2 < 0.0025: nine terms take the series below 2**-60.
_DEVIANCE_TERMS = 9


def log_poisson_pmf(k: FloatArray, mean: FloatArray) -> FloatArray:
    """log(mean**k · e**−mean / Γ(k+1)) for real k >= 0 and mean >= 0, to full precision."""
    out = np.empty(np.broadcast_shapes(k.shape, mean.shape))
    k, mean = np.broadcast_arrays(k, mean)
    small = k <= _STIRLING_FROM
    ks, ms = k[small], mean[small]
    # Magnitudes stay small here, so the direct form loses nothing.
    out[small] = xlogy(ks, ms) - ms - gammaln(ks + 1.0)
    kl, ml = k[~small], mean[~small]
    out[~small] = -_stirling_error(kl) - _deviance(kl, ml) - _HALF_LOG_2PI - 0.5 * np.log(kl)
    return out


def _stirling_error(k: FloatArray) -> FloatArray:
    """log Γ(k+1) − log(sqrt(2πk)·(k/e)**k) for k > 15, where five series terms are exact."""
    kk = k * k
    s0, s1, s2, s3, s4 = _STIRLING
    error: FloatArray = (s0 - (s1 - (s2 - (s3 - s4 / kk) / kk) / kk) / kk) / k
    return error


def _deviance(k: FloatArray, mean: FloatArray) -> FloatArray:
    """k·log(k/mean) + mean − k, to full relative precision (Loader's bd0).

    Near k = mean the three terms are large and cancel; there the value is summed as the series
    (k − mean)·v + 2k·Σ_j v**(2j+1)/(2j+1) with v = (k − mean)/(k + mean), |v| < 0.05, which
    gains two digits per term.
    """
    out: FloatArray = kl_div(k, mean)
    near = np.abs(k - mean) < 0.1 * (k + mean)
    kn, mn = k[near], mean[near]
    v = (kn - mn) / (kn + mn)
    total = (kn - mn) * v
    power = 2.0 * kn * v
    for j in range(1, _DEVIANCE_TERMS + 1):
        power *= v * v
        total += power / (2 * j + 1)
    out[near] = total
    return out


def _series(ratio: Callable[[float, IntArray], FloatArray], size: int, first: float) -> FloatArray:
    """Σ_{j>=0} Π_{i=1..j} ratio(i) per element, summing until terms stop mattering.

    `first` is the j = 0 term (1) or 0 to leave it out, which keeps full relative precision when
    the rest is small. Callers only use this where the ratios are below one and falling.
    """
    total = np.full(size, first)
    term = np.ones(size)
    active: IntArray = np.arange(size)
    step = 0.0
    while active.size:
        step += 1.0
        term[active] *= ratio(step, active)
        total[active] += term[active]
        active = active[term[active] > _NEGLIGIBLE * total[active]]
    return total


def log_erlang_b_ratio(agents: FloatArray, traffic: FloatArray) -> FloatArray:
    """log(1/B − 1) for Erlang B with `agents` servers and `traffic` Erlangs offered.

    1/B − 1 = P(Poisson(traffic) <= agents − 1) / P(Poisson(traffic) = agents): the chance that
    some agent is free over the chance that all are busy. It is −inf for zero agents (every call
    is blocked) and +inf for zero traffic (none is). Working with this ratio rather than with B
    lets Erlang C and Erlang A be written as logistic functions of sums of logs, without
    computing 1 − B (which cancels when B is near 1).
    """
    out = np.full(agents.shape, -np.inf)
    some = np.flatnonzero(agents >= 1)
    n, a = agents[some], traffic[some]
    free = gammaincc(n, a)
    with np.errstate(divide="ignore"):
        out[some] = np.log(free) - log_poisson_pmf(n, a)
    # Far more traffic than agents: the free-agent probability underflows, but then
    # 1/B − 1 = n/a + n(n−1)/a² + … converges geometrically, since n/a is well below one.
    deep = some[free < _UNDERFLOW]
    if deep.size:
        n, a = agents[deep], traffic[deep]
        out[deep] = np.log(_series(lambda i, idx: (n[idx] - i + 1.0) / a[idx], deep.size, 0.0))
    return out


def log_queue_sum(x: FloatArray, y: FloatArray) -> FloatArray:
    """log S(x, y) with S(x, y) = Σ_{j>=0} Π_{i=1..j} y / (x + i), for x >= 0, y >= 0.

    In Erlang A with n agents, x = n·μ/θ and y = λ/θ (λ arrivals, μ service and θ abandonment
    rates per second). The probability of j callers waiting is proportional to the j-th term,
    so S is the weight of all-busy states relative to the state with no queue. In closed form
    S = P(x, y) / pmf(x, y), the regularised lower incomplete gamma over the Poisson-like term
    y**x·e**−y / Γ(x+1); where P(x, y) would underflow (many more agents than load) the series
    itself converges geometrically and is summed instead.
    """
    out = np.empty(x.shape)
    none = x == 0
    # Zero agents: S = Σ y**j / j! = e**y, and gammainc(0, y) is a limiting case best avoided.
    out[none] = y[none]
    uniform = (x >= _UNIFORM_FROM) & (x - y >= _UNIFORM_GAP * np.sqrt(x))
    out[uniform] = _log_queue_sum_uniform(x[uniform], y[uniform])
    some = np.flatnonzero(~none & ~uniform)
    xs, ys = x[some], y[some]
    below = gammainc(xs, ys)
    with np.errstate(divide="ignore", invalid="ignore"):
        out[some] = np.log(below) - log_poisson_pmf(xs, ys)
    deep = some[below < _UNDERFLOW]
    if deep.size:
        xd, yd = x[deep], y[deep]
        out[deep] = np.log(_series(lambda i, idx: yd[idx] / (xd[idx] + i), deep.size, 1.0))
    return out


def _log_queue_sum_uniform(x: FloatArray, y: FloatArray) -> FloatArray:
    """log S(x, y) for x >= 100,000 and y at least 4.5·sqrt(x) below x, by Temme's expansion.

    scipy's gammainc sums a power series there that it cuts off after 2,000 terms, too few once
    x passes about 200,000 (the error reaches 1e-5 at a million), and the series converges too
    slowly to sum here instead. Temme's uniform expansion (DLMF 8.12.4, 8.12.8-10), with
    λ = y/x and η = −sqrt(2·(λ − 1 − ln λ)), gives after cancelling the common exponential

        S = e**stirling_error(x) · (sqrt(πx/2)·erfcx(−η·sqrt(x/2)) − c0 − c1/x − c2/x²),

    where the omitted terms are below 1e-17 of S for such x. The closed forms of c_k cancel
    like η**−(2k+1); with η²·x >= 20 that costs less than a digit.
    """
    lam = y / x
    lm1 = (y - x) / x
    eta = -np.sqrt(2.0 * _deviance(x, y) / x)
    c0 = 1.0 / lm1 - 1.0 / eta
    c1 = 1.0 / eta**3 - lam / lm1**3 - 1.0 / (12.0 * lm1)
    c2 = -3.0 / eta**5 + lam * (2.0 * lam + 1.0) / lm1**5 + lam / (12.0 * lm1**3)
    c2 += 1.0 / (288.0 * lm1)
    main = np.sqrt(np.pi * x / 2.0) * erfcx(-eta * np.sqrt(x / 2.0))
    total: FloatArray = np.log(main - c0 - c1 / x - c2 / (x * x)) + _stirling_error(x)
    return total
