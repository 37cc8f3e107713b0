"""A day of 120,000 calls, 1,500 agents, AHT 480 s, patience 120 s, 12 hours: Hotline's
simulator (the full core: agent and interaction state machines, ACD pools, facts, KPI
projection) against the plain SimPy model in `simpy_day.py`, in the same run.

    .venv/bin/python benchmarks/bench_day.py [--repeat 3] [--agents 1500] [--simpy-gc]

Prints each side's median wall time, the ratio (Hotline ÷ SimPy; goal ≤ 1.0) and both sides'
service level and abandon rate, to show they simulated the same day. Hotline's runner raises
the cycle collector's threshold while it runs (see `runner._fewer_collections`); `--simpy-gc`
gives the SimPy model the same setting, for a like-for-like comparison. `--agents` changes the
staffing: the specified 1,500 agents carry 1,333 Erlangs and almost nobody waits, while 1,340
make a day with real queues and abandonment.
"""

from __future__ import annotations

import argparse
import gc
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
    parser.add_argument("--agents", type=int, default=AGENTS)
    parser.add_argument("--simpy-gc", action="store_true",
                        help="run SimPy with the collector threshold Hotline's runner uses")
    args = parser.parse_args()
    SCENARIO["agents"][0]["count"] = args.agents  # type: ignore[index]
    scenario = parse_scenario(SCENARIO, "bench-day")
    ours: list[float] = []
    theirs: list[float] = []
    for run in range(args.repeat):
        started = time.perf_counter()
        result = simulate(scenario, seed=run + 1)
        ours.append(time.perf_counter() - started)
        previous = gc.get_threshold()
        if args.simpy_gc:
            gc.set_threshold(100_000, 50, 100)
        started = time.perf_counter()
        day = simulate_day(calls=CALLS, agents=args.agents, hours=HOURS, aht=AHT,
                           patience=PATIENCE, threshold=THRESHOLD, seed=run + 1)
        theirs.append(time.perf_counter() - started)
        gc.set_threshold(*previous)
        totals = result.report.totals
        print(f"run {run + 1}: hotline {ours[-1]:.2f} s ({result.calls} calls, "
              f"{result.core_events} core events, {result.facts} facts; "
              f"SL {totals.service_level:.3f}, abandon {totals.abandon_rate:.3f})  "
              f"simpy {theirs[-1]:.2f} s (SL {day.service_level:.3f}, "
              f"abandon {day.abandon_rate:.3f})")
    ours_median, theirs_median = statistics.median(ours), statistics.median(theirs)
    print(f"{args.agents} agents, SimPy collector threshold "
          f"{'raised' if args.simpy_gc else 'default'}")
    print(f"median: hotline {ours_median:.2f} s, simpy {theirs_median:.2f} s, "
          f"ratio {ours_median / theirs_median:.2f} (goal <= 1.0)")


if __name__ == "__main__":
    main()
