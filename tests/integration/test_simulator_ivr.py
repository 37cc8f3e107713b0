"""Simulated days with an IVR in front: callers walk the shipped gas-utility flow in virtual
time, the flow serves some of them itself and sends the others to the desks."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine, text

from hotline.switch.sim.runner import simulate
from hotline.switch.sim.scenario import ScenarioError, load_scenario, parse_scenario

ROOT = Path(__file__).parents[2]
GAS_FLOW = ROOT / "examples" / "ivr" / "gas_utility.yaml"


def scenario(keys: dict[str, dict[str, float]], **ivr: Any) -> Any:
    desks = ("repair", "delivery", "complaint", "inquiry")
    return parse_scenario({
        "name": "ivr", "duration": "1h", "seed": 3,
        "queues": [{"name": desk} for desk in desks],
        "agents": [{"group": "all", "count": 40, "skills": {"repair": 1}}],
        "traffic": [{"queue": "inquiry", "calls_per_hour": 300,
                     "handle_time": {"dist": "exponential", "mean": "60s"}}],
        "ivr": {"flow": str(GAS_FLOW), "callers": {"keys": keys, "think_seconds": 1},
                **ivr},
    })


def test_callers_who_ask_for_prices_are_served_by_the_flow_alone() -> None:
    result = simulate(scenario({"choose_language": {"1": 1.0}, "main_menu": {"5": 1.0}}))
    totals = result.report.totals
    assert result.calls > 250
    assert totals.offered == 0 and totals.self_service == result.calls
    assert result.unfinished == 0


def test_repair_callers_reach_the_repair_desk_first_and_are_answered() -> None:
    result = simulate(scenario({"choose_language": {"1": 1.0}, "main_menu": {"3": 1.0}}))
    repair = result.report.queues["repair"]
    assert repair.offered == result.calls and repair.answered == result.calls
    assert result.report.totals.self_service == 0


def test_usage_queries_are_answered_from_the_scenarios_customer_database(
    tmp_path: Path,
) -> None:
    database = tmp_path / "customers.db"
    engine = create_engine(f"sqlite:///{database}")
    with engine.begin() as connection:
        connection.execute(text("CREATE TABLE gas_usage (account TEXT, month TEXT, "
                                "usage_m3 NUMERIC, amount NUMERIC)"))
        connection.execute(text("INSERT INTO gas_usage VALUES ('880012345', '2024-02', 19, 57)"))
    keys = {"choose_language": {"1": 1.0}, "main_menu": {"1": 1.0},
            "ask_account": {"880012345#": 1.0}}
    served = simulate(scenario(keys, databases={"customers": f"sqlite:///{database}"}))
    assert served.report.totals.self_service == served.calls
    # Without the database the query fails and the flow passes callers to the inquiry desk.
    unserved = simulate(scenario(keys))
    assert unserved.report.totals.self_service == 0
    assert unserved.report.queues["inquiry"].offered == unserved.calls


def test_callers_who_always_hang_up_are_counted_as_lost_in_the_flow() -> None:
    result = simulate(parse_scenario({
        **_base(), "ivr": {"flow": str(GAS_FLOW), "callers": {"hang_up": 1.0}}}))
    totals = result.report.totals
    assert totals.abandoned_in_ivr == result.calls and totals.offered == 0


def test_the_shipped_ivr_scenario_runs_and_reports_self_service() -> None:
    result = simulate(load_scenario(ROOT / "examples" / "scenarios" / "gas_utility_ivr.yaml"))
    totals = result.report.totals
    assert totals.self_service > 0.1 * result.calls
    assert totals.offered + totals.self_service + totals.abandoned_in_ivr <= result.calls


def _base(*desks: str) -> dict[str, Any]:
    desks = desks or ("repair", "delivery", "complaint", "inquiry")
    return {"name": "ivr", "duration": "1h", "queues": [{"name": desk} for desk in desks],
            "agents": [{"group": "all", "count": 5}],
            "traffic": [{"queue": "inquiry", "calls_per_hour": 60,
                         "handle_time": {"dist": "exponential", "mean": "60s"}}]}


@pytest.mark.parametrize(("ivr", "message"), [
    ({"flow": "/nowhere/flow.yaml"}, "ivr.flow: cannot read /nowhere/flow.yaml"),
    ({"flow": str(GAS_FLOW), "callers": {"keys": {"lobby": {"1": 1.0}}}},
     "ivr.callers.keys.lobby: flow 'gas_utility' has no node 'lobby'"),
    ({"flow": str(GAS_FLOW), "callers": {"keys": {"check_hours": {"1": 1.0}}}},
     "node 'check_hours' does not collect keys"),
    ({"flow": str(GAS_FLOW), "callers": {"keys": {"main_menu": {"1": 0.7, "2": 0.6}}}},
     "the probabilities add up to 1.3"),
    ({"flow": str(GAS_FLOW), "callers": {"hang_up": 2}}, "ivr.callers.hang_up: got 2"),
    ({"flow": str(GAS_FLOW), "voice": "x"}, "ivr.voice: unknown key"),
])
def test_bad_ivr_sections_are_reported_with_their_path(ivr: dict[str, Any], message: str) -> None:
    with pytest.raises(ScenarioError) as error:
        parse_scenario({**_base(), "ivr": ivr})
    assert message in str(error.value)


def test_a_flow_that_sends_callers_to_a_queue_the_scenario_lacks_is_refused() -> None:
    with pytest.raises(ScenarioError) as error:
        parse_scenario({**_base("inquiry"), "ivr": {"flow": str(GAS_FLOW)}})
    assert ("node 'to_repair' transfers to queue 'repair', which the scenario does not have "
            "(queues: inquiry)") in str(error.value)
