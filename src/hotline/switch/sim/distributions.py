"""Random durations for the simulator: handle time, patience, wrap-up; and Poisson arrivals.

Every distribution is described by the figures a planner knows — its mean, and where it has
one its standard deviation — never by the parameters numpy wants, which are derived here:
a log-normal's `mu`/`sigma` are those of the underlying normal, a gamma's shape and scale come
from mean and variance. Each is a small frozen dataclass with `mean`, `sd` and
`sample(rng, size)`.

The simulator draws one value per call, hundreds of thousands of times a run. Calling numpy
for one value costs about a microsecond of overhead each time, so `Sampler` draws a block of
values at once and hands them out as Python floats one by one.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Protocol

import numpy as np
from numpy.typing import NDArray

FloatArray = NDArray[np.float64]


class Distribution(Protocol):
    """A distribution of non-negative durations in seconds."""

    @property
    def mean(self) -> float:
        """The expected value, in seconds."""
        ...

    @property
    def sd(self) -> float:
        """The standard deviation, in seconds."""
        ...

    def sample(self, rng: np.random.Generator, size: int) -> FloatArray:
        """`size` independent draws."""
        ...


def _require(condition: bool, message: str) -> None:
    if not condition:
        raise ValueError(message)


def _finite(*values: float) -> bool:
    return all(math.isfinite(value) for value in values)


@dataclass(frozen=True, slots=True)
class Exponential:
    """Memoryless durations: the textbook handle time and patience of Erlang C and Erlang A."""

    mean: float

    def __post_init__(self) -> None:
        _require(_finite(self.mean) and self.mean > 0, f"exponential: mean {self.mean} must be > 0")

    @property
    def sd(self) -> float:
        return self.mean

    def sample(self, rng: np.random.Generator, size: int) -> FloatArray:
        return rng.exponential(self.mean, size)


@dataclass(frozen=True, slots=True)
class LogNormal:
    """Right-skewed durations with the given mean and standard deviation (of the durations
    themselves, not of their logarithm): measured call handle times usually look like this."""

    mean: float
    sd: float

    def __post_init__(self) -> None:
        _require(
            _finite(self.mean, self.sd) and self.mean > 0 and self.sd > 0,
            f"lognormal: mean {self.mean} and sd {self.sd} must both be > 0",
        )

    @property
    def sigma(self) -> float:
        """Standard deviation of log(duration): sigma² = ln(1 + sd²/mean²)."""
        return math.sqrt(math.log1p((self.sd / self.mean) ** 2))

    @property
    def mu(self) -> float:
        """Mean of log(duration): mu = ln(mean) − sigma²/2."""
        return math.log(self.mean) - self.sigma**2 / 2

    def sample(self, rng: np.random.Generator, size: int) -> FloatArray:
        return rng.lognormal(self.mu, self.sigma, size)


@dataclass(frozen=True, slots=True)
class Gamma:
    """Durations with the given mean and standard deviation; less heavy-tailed than log-normal."""

    mean: float
    sd: float

    def __post_init__(self) -> None:
        _require(
            _finite(self.mean, self.sd) and self.mean > 0 and self.sd > 0,
            f"gamma: mean {self.mean} and sd {self.sd} must both be > 0",
        )

    @property
    def shape(self) -> float:
        """k = mean² / sd²."""
        return (self.mean / self.sd) ** 2

    @property
    def scale(self) -> float:
        """theta = sd² / mean."""
        return self.sd**2 / self.mean

    def sample(self, rng: np.random.Generator, size: int) -> FloatArray:
        return rng.gamma(self.shape, self.scale, size)


@dataclass(frozen=True, slots=True)
class Constant:
    """Always `value` seconds: fixed wrap-up, or a deterministic handle time."""

    value: float

    def __post_init__(self) -> None:
        _require(_finite(self.value) and self.value >= 0, f"constant: {self.value} must be >= 0")

    @property
    def mean(self) -> float:
        return self.value

    @property
    def sd(self) -> float:
        return 0.0

    def sample(self, rng: np.random.Generator, size: int) -> FloatArray:
        return np.full(size, self.value, dtype=np.float64)


@dataclass(frozen=True, slots=True)
class Uniform:
    """Any duration between `low` and `high` seconds equally likely."""

    low: float
    high: float

    def __post_init__(self) -> None:
        _require(
            _finite(self.low, self.high) and 0 <= self.low <= self.high,
            f"uniform: need 0 <= min <= max, got min {self.low}, max {self.high}",
        )

    @property
    def mean(self) -> float:
        return (self.low + self.high) / 2

    @property
    def sd(self) -> float:
        return (self.high - self.low) / math.sqrt(12)

    def sample(self, rng: np.random.Generator, size: int) -> FloatArray:
        return rng.uniform(self.low, self.high, size)


class Sampler:
    """Draws from `distribution` one float at a time, `block` values per call into numpy.

    Each sampler should own its generator (see `numpy.random.Generator.spawn`) so that adding
    a queue or an agent group does not shift every other stream of a seeded run.
    """

    __slots__ = ("_block", "_distribution", "_rng", "_values")

    def __init__(
        self, distribution: Distribution, rng: np.random.Generator, block: int = 4096
    ) -> None:
        if block < 1:
            raise ValueError(f"sampler block size {block} must be >= 1")
        self._distribution = distribution
        self._rng = rng
        self._block = block
        self._values: list[float] = []

    @property
    def distribution(self) -> Distribution:
        return self._distribution

    def draw(self) -> float:
        """The next value."""
        values = self._values
        if not values:
            # tolist() yields Python floats, which are faster to hand out than numpy scalars.
            values = self._values = self._distribution.sample(self._rng, self._block).tolist()
        return values.pop()


def arrival_times(
    calls_per_interval: tuple[float, ...],
    interval: float,
    duration: float,
    rng: np.random.Generator,
) -> FloatArray:
    """Sorted arrival offsets (seconds from the start) of a Poisson process over `duration`.

    The rate is constant within each interval: `calls_per_interval[i]` expected calls in
    interval i, the sequence starting again from the beginning once used up. A final partial
    interval gets its share. Given the count in an interval, Poisson arrivals are uniform
    within it, which is what is drawn here.
    """
    if interval <= 0 or duration < 0:
        raise ValueError(f"interval {interval} must be > 0 and duration {duration} >= 0")
    if not calls_per_interval or any(rate < 0 for rate in calls_per_interval):
        raise ValueError("calls_per_interval must be a non-empty sequence of numbers >= 0")
    count = math.ceil(duration / interval)
    starts = np.arange(count, dtype=np.float64) * interval
    lengths = np.minimum(interval, duration - starts)
    rates = np.resize(np.asarray(calls_per_interval, dtype=np.float64), count)
    counts = rng.poisson(rates * lengths / interval)
    offsets: FloatArray = np.repeat(starts, counts) + rng.random(int(counts.sum())) * np.repeat(
        lengths, counts
    )
    offsets.sort()
    return offsets
