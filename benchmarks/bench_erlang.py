"""Erlang staffing for 1,000 intervals at realistic loads (1 to 2,000 Erlangs), 80 % in 20 s.

    .venv/bin/python benchmarks/bench_erlang.py [--repeat 15]

Times `erlang.agents_required` (Erlang C; goal < 20 ms) and `erlang_a.agents_required`
(Erlang A, patience 120 s; goal < 0.5 s) on the same 1,000 intervals and prints the median of
`--repeat` runs. The peer, measured in the same run, is the textbook way: a Python loop per
interval that walks the Erlang B recurrence up from zero agents until the service level is
met. Its answers are checked against Hotline's, so the two are known to solve the same problem.
"""

from __future__ import annotations

import argparse
import math
import statistics
import time
from collections.abc import Callable

import numpy as np

from hotline.analytics import erlang, erlang_a

INTERVALS, AHT, PATIENCE, TARGET, THRESHOLD = 1_000, 180.0, 120.0, 0.8, 20.0
C_GOAL_MS, A_GOAL_MS = 20.0, 500.0


def textbook_agents(traffic: float) -> int:
    """Erlang B by 1/B(n) = 1 + n/(A·B(n−1)), then C and the service level, one n at a time."""
    blocking, agents = 1.0, 0
    while True:
        agents += 1
        blocking = traffic * blocking / (agents + traffic * blocking)
        if agents <= traffic:
            continue
        wait = agents * blocking / (agents - traffic * (1 - blocking))
        level = 1 - wait * math.exp(-(agents - traffic) * THRESHOLD / AHT)
        if level >= TARGET:
            return agents


def median_ms(work: Callable[[], object], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        work()
        times.append(time.perf_counter() - start)
    return 1000 * statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=15)
    repeat = parser.parse_args().repeat
    traffic = np.random.default_rng(2024).uniform(1.0, 2000.0, INTERVALS)

    agents_c = erlang.agents_required(traffic, AHT, TARGET, THRESHOLD)
    agents_a = erlang_a.agents_required(traffic, AHT, PATIENCE, TARGET, THRESHOLD)
    peer = [textbook_agents(float(a)) for a in traffic]
    if peer != agents_c.tolist():
        raise SystemExit("the textbook loop and Hotline disagree: not the same problem")

    c_ms = median_ms(lambda: erlang.agents_required(traffic, AHT, TARGET, THRESHOLD), repeat)
    peer_ms = median_ms(lambda: [textbook_agents(float(a)) for a in traffic], max(3, repeat // 5))
    a_ms = median_ms(
        lambda: erlang_a.agents_required(traffic, AHT, PATIENCE, TARGET, THRESHOLD), repeat
    )
    big_ms = median_ms(lambda: erlang_a.agents_required(50_000.0, AHT, PATIENCE, 0.8, 20), repeat)

    print(
        f"{INTERVALS:,} intervals, 1 to 2,000 Erlangs, AHT {AHT:g} s, {TARGET:.0%} in "
        f"{THRESHOLD:g} s; median of {repeat} runs"
    )
    print(
        f"  agents: Erlang C {agents_c.sum():,}, Erlang A (patience {PATIENCE:g} s) "
        f"{agents_a.sum():,}"
    )
    print(f"  Erlang C staffing          {c_ms:8.2f} ms   goal < {C_GOAL_MS:g} ms")
    print(
        f"  textbook per-interval loop {peer_ms:8.2f} ms   ratio Hotline ÷ loop "
        f"{c_ms / peer_ms:.3f}"
    )
    print(f"  Erlang A staffing          {a_ms:8.2f} ms   goal < {A_GOAL_MS:g} ms")
    print(f"  Erlang A, one interval of 50,000 Erlangs {big_ms:.2f} ms")
    if c_ms > C_GOAL_MS or a_ms > A_GOAL_MS:
        raise SystemExit("a goal was missed")


if __name__ == "__main__":
    main()
