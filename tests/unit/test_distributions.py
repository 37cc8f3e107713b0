"""Random durations: each distribution has the mean and spread it was given, and the batched
sampler hands out the same values cheaply."""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np
import pytest

from hotline.switch.sim.distributions import (
    Constant,
    Distribution,
    Exponential,
    FloatArray,
    Gamma,
    LogNormal,
    Sampler,
    Uniform,
    arrival_times,
)

N = 200_000


def draws(distribution: Distribution) -> FloatArray:
    return distribution.sample(np.random.default_rng(20240304), N)


@pytest.mark.parametrize(
    "distribution",
    [
        Exponential(300.0),
        LogNormal(300.0, 150.0),
        LogNormal(180.0, 400.0),
        Gamma(480.0, 240.0),
        Gamma(30.0, 60.0),
        Uniform(60.0, 180.0),
    ],
    ids=repr,
)
def test_samples_have_the_stated_mean_and_standard_deviation(distribution: Distribution) -> None:
    values = draws(distribution)
    # Standard error of the mean is sd/sqrt(N) ≈ 0.2 % of the sd here; 2 % fails only if broken.
    assert values.mean() == pytest.approx(distribution.mean, rel=0.02)
    # Heavy-tailed sample sds converge slowly, hence the looser bound.
    assert values.std() == pytest.approx(distribution.sd, rel=0.08)
    assert values.min() >= 0


def test_lognormal_takes_the_mean_and_sd_of_the_durations_not_of_their_logarithm() -> None:
    handle = LogNormal(mean=300.0, sd=150.0)
    sigma2 = math.log(1 + (150 / 300) ** 2)
    assert handle.sigma == pytest.approx(math.sqrt(sigma2))
    assert handle.mu == pytest.approx(math.log(300) - sigma2 / 2)
    values = draws(handle)
    assert np.log(values).mean() == pytest.approx(handle.mu, abs=0.01)
    assert np.log(values).std() == pytest.approx(handle.sigma, rel=0.02)
    # The median of a log-normal is exp(mu), below its mean.
    assert np.median(values) == pytest.approx(math.exp(handle.mu), rel=0.02)
    assert np.median(values) < 300


def test_gamma_shape_and_scale_come_from_mean_and_variance() -> None:
    wrap = Gamma(mean=45.0, sd=20.0)
    assert wrap.shape == pytest.approx(45**2 / 20**2)
    assert wrap.scale == pytest.approx(20**2 / 45)
    assert wrap.shape * wrap.scale == pytest.approx(45.0)


def test_exponential_sd_equals_its_mean() -> None:
    assert Exponential(180.0).sd == 180.0


def test_constant_is_always_its_value() -> None:
    values = draws(Constant(30.0))
    assert (values == 30.0).all()
    assert Constant(30.0).mean == 30.0
    assert Constant(30.0).sd == 0.0
    assert (draws(Constant(0.0)) == 0.0).all()


def test_uniform_stays_within_its_bounds() -> None:
    values = draws(Uniform(60.0, 180.0))
    assert values.min() >= 60.0
    assert values.max() <= 180.0
    assert Uniform(60.0, 180.0).sd == pytest.approx(120 / math.sqrt(12))


@pytest.mark.parametrize(
    "build",
    [
        lambda: Exponential(0.0),
        lambda: Exponential(-1.0),
        lambda: Exponential(math.inf),
        lambda: LogNormal(300.0, 0.0),
        lambda: LogNormal(-300.0, 10.0),
        lambda: Gamma(0.0, 1.0),
        lambda: Gamma(10.0, math.nan),
        lambda: Constant(-1.0),
        lambda: Uniform(10.0, 5.0),
        lambda: Uniform(-1.0, 5.0),
    ],
)
def test_impossible_parameters_are_refused(build: Callable[[], object]) -> None:
    with pytest.raises(ValueError):
        build()


class CountingExponential:
    """An exponential distribution that counts how often numpy is asked for values."""

    def __init__(self, mean: float) -> None:
        self.inner = Exponential(mean)
        self.calls = 0

    @property
    def mean(self) -> float:
        return self.inner.mean

    @property
    def sd(self) -> float:
        return self.inner.sd

    def sample(self, rng: np.random.Generator, size: int) -> FloatArray:
        self.calls += 1
        return self.inner.sample(rng, size)


def test_sampler_draws_from_numpy_one_block_at_a_time() -> None:
    distribution = CountingExponential(300.0)
    sampler = Sampler(distribution, np.random.default_rng(1), block=4096)
    values = [sampler.draw() for _ in range(10_000)]
    assert distribution.calls == 3  # ceil(10000 / 4096)
    assert all(type(value) is float for value in values)
    assert np.mean(values) == pytest.approx(300.0, rel=0.05)


def test_sampler_hands_out_exactly_the_drawn_values() -> None:
    sampler = Sampler(Uniform(0.0, 1.0), np.random.default_rng(5), block=8)
    drawn = sorted(sampler.draw() for _ in range(8))
    expected = sorted(Uniform(0.0, 1.0).sample(np.random.default_rng(5), 8).tolist())
    assert drawn == expected


def test_samplers_with_the_same_seed_repeat_the_same_sequence() -> None:
    first = Sampler(LogNormal(300.0, 150.0), np.random.default_rng(9), block=16)
    second = Sampler(LogNormal(300.0, 150.0), np.random.default_rng(9), block=16)
    assert [first.draw() for _ in range(50)] == [second.draw() for _ in range(50)]


def test_sampler_needs_a_positive_block() -> None:
    with pytest.raises(ValueError):
        Sampler(Exponential(1.0), np.random.default_rng(), block=0)


def test_arrivals_are_sorted_inside_the_run_and_as_many_as_expected() -> None:
    rng = np.random.default_rng(3)
    times = arrival_times((250.0,), 1800.0, 12 * 3600.0, rng)
    assert np.all(np.diff(times) >= 0)
    assert times.min() >= 0
    assert times.max() < 12 * 3600
    # 6000 expected; the Poisson sd is about 77.
    assert abs(len(times) - 6000) < 400


def test_arrivals_follow_the_profile_and_repeat_it() -> None:
    rng = np.random.default_rng(4)
    profile = (1000.0, 0.0, 3000.0)
    times = arrival_times(profile, 100.0, 600.0, rng)
    counts = np.histogram(times, bins=6, range=(0, 600))[0]
    assert counts[1] == 0
    assert counts[4] == 0
    assert counts[0] == pytest.approx(1000, abs=150)
    assert counts[2] == pytest.approx(3000, abs=250)
    assert counts[3] == pytest.approx(1000, abs=150)
    assert counts[5] == pytest.approx(3000, abs=250)


def test_a_final_partial_interval_gets_its_share_of_calls() -> None:
    rng = np.random.default_rng(6)
    times = arrival_times((4000.0,), 100.0, 150.0, rng)
    late = times[times >= 100]
    assert late.max() < 150
    assert len(late) == pytest.approx(2000, abs=200)


def test_arrivals_refuse_a_negative_rate() -> None:
    with pytest.raises(ValueError):
        arrival_times((1.0, -1.0), 60.0, 600.0, np.random.default_rng())
