"""A plain SimPy model of one contact-center day: the yardstick for `bench_day.py`.

The textbook M/M/c+M model as a SimPy user would write it: Poisson arrivals, a `Resource` of
agents served first come first served, exponential talk time, and callers who give up when
their exponential patience runs out before an agent takes them. It makes no routing
decisions beyond FIFO, keeps no agent states and records no facts — it is the least a
simulation of that day must do.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import simpy


@dataclass
class SimpyDay:
    offered: int
    answered: int
    abandoned: int
    answered_in_threshold: int
    wait_answered: float

    @property
    def service_level(self) -> float:
        return self.answered_in_threshold / self.offered

    @property
    def abandon_rate(self) -> float:
        return self.abandoned / self.offered


def simulate_day(
    *, calls: int, agents: int, hours: float, aht: float, patience: float,
    threshold: float, seed: int,
) -> SimpyDay:
    """Simulate `hours` of Poisson arrivals averaging `calls` calls."""
    rng = np.random.default_rng(seed)
    duration = hours * 3600.0
    count = rng.poisson(calls)
    arrivals = np.sort(rng.random(count) * duration).tolist()
    talks = rng.exponential(aht, count).tolist()
    patiences = rng.exponential(patience, count).tolist()
    env = simpy.Environment()
    pool = simpy.Resource(env, capacity=agents)
    result = SimpyDay(0, 0, 0, 0, 0.0)

    def caller(i: int):  # type: ignore[no-untyped-def]
        arrived = env.now
        result.offered += 1
        request = pool.request()
        outcome = yield request | env.timeout(patiences[i])
        if request in outcome:
            wait = env.now - arrived
            result.answered += 1
            result.wait_answered += wait
            result.answered_in_threshold += wait <= threshold
            yield env.timeout(talks[i])
            pool.release(request)
        else:
            request.cancel()
            result.abandoned += 1

    def source():  # type: ignore[no-untyped-def]
        for i, at in enumerate(arrivals):
            yield env.timeout(at - env.now)
            env.process(caller(i))

    env.process(source())
    env.run()
    return result
