"""The simulator's own features, end to end through the real core: shifts, varying wrap-up,
business hours, overflow accounting, many-day runs, and a queue nobody serves."""

from __future__ import annotations

from typing import Any

from hotline.analytics.report_export import report_document
from hotline.switch.sim.runner import simulate
from hotline.switch.sim.scenario import load_scenario, parse_scenario


def _scenario(**changes: Any) -> Any:
    base: dict[str, Any] = {
        "name": "features",
        "seed": 3,
        "start": "08:00",
        "duration": "8h",
        "interval": "1h",
        "queues": [{"name": "q", "skills": {"q": 1}}],
        "agents": [{"group": "g", "count": 5, "skills": {"q": 1}, "wrap_up": "0s"}],
        "traffic": [{"queue": "q", "calls_per_hour": 40,
                     "handle_time": {"dist": "exponential", "mean": "3m"},
                     "patience": {"dist": "exponential", "mean": "2m"}}],
    }
    base.update(changes)
    return parse_scenario(base)


def test_agents_take_calls_only_during_their_shift() -> None:
    scenario = _scenario(agents=[{"group": "morning", "count": 5, "skills": {"q": 1},
                                  "wrap_up": "0s", "shift": {"start": "08:00", "end": "12:00"}}])
    report = simulate(scenario).report
    morning, afternoon = report.intervals[:4], report.intervals[4:]
    assert sum(f.answered for f in morning) > 100
    # Calls already in progress at 12:00 finish; nobody answers a call offered after 12:05.
    assert all(f.answered == 0 for f in afternoon[1:])
    assert sum(f.abandoned for f in afternoon) == sum(f.offered for f in afternoon[1:]) + (
        afternoon[0].abandoned)
    # Agents on a call at 12:00 stay until it ends, then log out.
    assert 0 < afternoon[0].logged_in_time < 5 * 3600 / 2
    assert all(f.logged_in_time == 0 for f in afternoon[1:])


def test_wrap_up_that_varies_per_call_is_added_to_the_handle_time() -> None:
    fixed = simulate(_scenario()).report.totals
    varying = simulate(_scenario(agents=[{
        "group": "g", "count": 8, "skills": {"q": 1},
        "wrap_up": {"dist": "exponential", "mean": "60s"}}])).report.totals
    assert fixed.aht_seconds is not None and varying.aht_seconds is not None
    assert 150 < fixed.aht_seconds < 210
    assert 210 < varying.aht_seconds < 270  # about 180 s of talk plus 60 s of wrap-up


def test_calls_outside_business_hours_are_not_offered() -> None:
    scenario = _scenario(business_hours={"weekdays": ["mon", "tue", "wed", "thu", "fri"],
                                         "open": "10:00", "close": "14:00"})
    result = simulate(scenario)
    offered = [f.offered for f in result.report.intervals]
    assert offered[0] == offered[1] == 0
    assert all(n > 0 for n in offered[2:6])
    assert offered[6] == offered[7] == 0
    assert result.calls > sum(offered)  # the closed hours' callers were turned away


def test_every_call_offered_to_a_queue_is_accounted_for_once() -> None:
    result = simulate(load_scenario("examples/scenarios/gas_utility.yaml"), seed=11)
    report = result.report
    assert sum(q.overflowed for q in report.queues.values()) > 0
    for name, q in report.queues.items():
        assert q.offered == q.answered + q.abandoned + q.timed_out + q.overflowed, name
    totals = report.totals
    assert totals.offered == totals.answered + totals.abandoned + totals.timed_out
    assert result.unfinished == 0


def test_a_run_may_span_several_days() -> None:
    scenario = _scenario(duration="48h", interval="4h",
                         agents=[{"group": "g", "count": 5, "skills": {"q": 1}, "wrap_up": 0}])
    result = simulate(scenario)
    document = report_document(result.report, scenario.start)
    starts = [i["start"] for i in document["intervals"]]
    assert starts[0] == "08:00" and starts[4] == "day 2 00:00" and len(starts) == 12
    assert all(i["offered"] > 100 for i in document["intervals"])


def test_a_queue_nobody_serves_leaves_patient_callers_waiting_and_the_run_ends() -> None:
    scenario = _scenario(
        queues=[{"name": "q", "skills": {"q": 1}}, {"name": "orphan", "skills": {"rare": 1}}],
        agents=[{"group": "g", "count": 5, "skills": {"q": 1}, "wrap_up": 0},
                {"group": "rare", "count": 1, "skills": {"rare": 1}, "wrap_up": 0,
                 "shift": {"start": "07:00", "end": "08:00"}}],
        traffic=[{"queue": "orphan", "calls_per_hour": 5,
                  "handle_time": {"dist": "constant", "value": 60}}],
    )
    result = simulate(scenario)
    assert result.report.queues["orphan"].answered == 0
    assert result.unfinished == result.report.queues["orphan"].offered > 0
