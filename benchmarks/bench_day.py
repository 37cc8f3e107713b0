"""A day of 120,000 calls, 1,500 agents, AHT 480 s, patience 120 s, 12 hours: Hotline's
simulator (the full core: agent and interaction state machines, ACD pools, facts, KPI
projection) against the plain SimPy model in `simpy_day.py`, in the same run.

    .venv/bin/python benchmarks/bench_day.py [--repeat 3]

Prints each side's median wall time, the ratio (Hotline ÷ SimPy; goal ≤ 1.0) and both sides'
service level and abandon rate, to show they simulated the same day.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from hotline.switch.sim.runner import simulate
from hotline.switch.sim.scenario import parse_scenario
from simpy_day import simulate_day

CALLS, AGENTS, HOURS, AHT, PATIENCE, THRESHOLD = 120_000, 1_500, 12, 480.0, 120.0, 20.0

SCENARIO = {
    "name": "bench-day",
    "seed": 1,
    "start": "08:00",
    "duration": f"{HOURS}h",
    "interval": "30m",
    "queues": [{"name": "general", "skills": {"general": 1},
                "service_level": {"threshold": f"{THRESHOLD:g}s", "target": 0.8}}],
    "agents": [{"group": "agents", "count": AGENTS, "skills": {"general": 5}, "wrap_up": "0s"}],
    "traffic": [{"queue": "general", "calls_per_hour": CALLS / HOURS,
                 "handle_time": {"dist": "exponential", "mean": f"{AHT:g}s"},
                 "patience": {"dist": "exponential", "mean": f"{PATIENCE:g}s"}}],
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    scenario = parse_scenario(SCENARIO, "bench-day")
    ours: list[float] = []
    theirs: list[float] = []
    for run in range(args.repeat):
        started = time.perf_counter()
        result = simulate(scenario, seed=run + 1)
        ours.append(time.perf_counter() - started)
        started = time.perf_counter()
        day = simulate_day(calls=CALLS, agents=AGENTS, hours=HOURS, aht=AHT,
                           patience=PATIENCE, threshold=THRESHOLD, seed=run + 1)
        theirs.append(time.perf_counter() - started)
        totals = result.report.totals
        print(f"run {run + 1}: hotline {ours[-1]:.2f} s ({result.calls} calls, "
              f"{result.core_events} core events, {result.facts} facts; "
              f"SL {totals.service_level:.3f}, abandon {totals.abandon_rate:.3f})  "
              f"simpy {theirs[-1]:.2f} s (SL {day.service_level:.3f}, "
              f"abandon {day.abandon_rate:.3f})")
    ours_median, theirs_median = statistics.median(ours), statistics.median(theirs)
    print(f"median: hotline {ours_median:.2f} s, simpy {theirs_median:.2f} s, "
          f"ratio {ours_median / theirs_median:.2f} (goal <= 1.0)")


if __name__ == "__main__":
    main()
