"""Scenario files: what the format accepts, what it builds, and how it says what is wrong."""

from __future__ import annotations

import copy
from collections.abc import Callable
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest

from hotline.core.model import DEFAULT_STRATEGY, AgentType, Overflow, Strategy
from hotline.core.tenant_check import tenant_problems
from hotline.switch.sim.distributions import (
    Constant,
    Distribution,
    Exponential,
    Gamma,
    LogNormal,
    Uniform,
)
from hotline.switch.sim.scenario import (
    DEFAULT_DATE,
    Scenario,
    ScenarioError,
    Shift,
    load_scenario,
    parse_duration,
    parse_scenario,
    parse_time_of_day,
)

EXAMPLES = Path(__file__).resolve().parents[2] / "examples" / "scenarios"
DISTRIBUTIONS = "exponential, lognormal, gamma, constant, uniform"


def minimal() -> dict[str, Any]:
    """The smallest valid scenario, as the YAML loader would return it."""
    return {
        "name": "t",
        "duration": "1h",
        "queues": [{"name": "general", "skills": {"general": 1}}],
        "agents": [{"group": "tier1", "count": 3, "skills": {"general": 5}}],
        "traffic": [
            {
                "queue": "general",
                "calls_per_hour": 60,
                "handle_time": {"dist": "exponential", "mean": "300s"},
            }
        ],
    }


def changed(change: Callable[[dict[str, Any]], object]) -> dict[str, Any]:
    data = copy.deepcopy(minimal())
    change(data)
    return data


def error_of(data: dict[str, Any], source: str = "t.yaml") -> str:
    with pytest.raises(ScenarioError) as caught:
        parse_scenario(data, source)
    return str(caught.value)


def write(tmp_path: Path, text: str, name: str = "s.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


# -- the shipped examples ---------------------------------------------------------------------


@pytest.mark.parametrize("path", sorted(EXAMPLES.glob("*.yaml")), ids=lambda path: path.stem)
def test_every_shipped_example_loads_and_builds_a_consistent_tenant(path: Path) -> None:
    scenario = load_scenario(path)
    tenant = scenario.tenant()
    assert tenant_problems(tenant) == []
    assert len(tenant.agents) == sum(group.count for group in scenario.agent_groups)


def test_the_examples_that_the_docs_promise_are_shipped() -> None:
    names = {path.stem for path in EXAMPLES.glob("*.yaml")}
    assert {"example", "gas_utility", "mobile_operator", "mmc_validation"} <= names


def test_example_yaml_is_the_documented_shape() -> None:
    scenario = load_scenario(EXAMPLES / "example.yaml")
    assert (scenario.name, scenario.seed) == ("example", 1)
    assert (scenario.start, scenario.duration, scenario.interval) == (8 * 3600, 12 * 3600, 1800)
    (queue,) = scenario.queues
    assert dict(queue.skills) == {"general": 1}
    assert (queue.service_level.threshold, queue.service_level.target) == (20.0, 0.8)
    (group,) = scenario.agent_groups
    assert (group.group, group.count, dict(group.skills)) == ("tier1", 50, {"general": 5})
    assert group.wrap_up == Constant(0.0)
    (traffic,) = scenario.traffic
    assert traffic.calls_per_interval == (250.0,)  # 500 an hour, 30-minute intervals
    assert traffic.handle_time == Exponential(300.0)
    assert traffic.patience == Exponential(180.0)


def test_gas_utility_books_4200_deliveries_a_day_with_experts_taking_overflow() -> None:
    scenario = load_scenario(EXAMPLES / "gas_utility.yaml")
    calls = {
        traffic.queue: traffic.expected_calls(scenario.duration) for traffic in scenario.traffic
    }
    assert calls["delivery"] == pytest.approx(4200, abs=5)  # seed 000: "4000次以上"
    queues = {queue.name: queue for queue in scenario.queues}
    assert queues["delivery"].overflow == Overflow(45.0, "delivery_expert")
    assert queues["repair"].priority > queues["delivery"].priority
    experts = [agent for agent in scenario.agents() if agent.type is AgentType.EXPERT]
    assert experts
    assert all(not agent.serves(queues["delivery"]) for agent in experts)
    assert all(agent.serves(queues["delivery_expert"]) for agent in experts)
    assert scenario.business_hours is not None


def test_mobile_operator_has_the_seed_figures() -> None:
    scenario = load_scenario(EXAMPLES / "mobile_operator.yaml")
    daily = sum(traffic.expected_calls(scenario.duration) for traffic in scenario.traffic)
    assert daily == pytest.approx(120_000)
    agents = scenario.agents()
    supervisors = [agent for agent in agents if agent.type is AgentType.SUPERVISOR]
    assert len(agents) - len(supervisors) == 1462
    assert len(supervisors) == 88
    assert all(team.supervisor is not None for team in scenario.teams)
    team_sizes: dict[str, int] = {}
    for agent in agents:
        if agent.type is not AgentType.SUPERVISOR and agent.team is not None:
            team_sizes[agent.team] = team_sizes.get(agent.team, 0) + 1
    assert max(team_sizes.values()) <= 10
    # Someone is logged in at every moment of the day.
    for second in range(0, 86400, 900):
        on_duty = [
            group
            for group in scenario.agent_groups
            if group.shift is None
            or any(a <= second < b for a, b in group.shift.periods(scenario.start, 86400))
        ]
        assert on_duty, second


def test_mmc_validation_is_five_erlangs_on_six_agents() -> None:
    scenario = load_scenario(EXAMPLES / "mmc_validation.yaml")
    (traffic,) = scenario.traffic
    load = traffic.rate_at(0) * traffic.handle_time.mean
    assert load == pytest.approx(5.0)
    assert isinstance(traffic.handle_time, Exponential)
    assert traffic.patience is None
    assert sum(group.count for group in scenario.agent_groups) == 6


# -- durations and times of day ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "seconds"),
    [
        ("30s", 30),
        ("5m", 300),
        ("12h", 43200),
        ("1h30m", 5400),
        ("2d", 172800),
        ("300h", 1_080_000),
        ("1d2h3m4s", 93784),
        ("1.5h", 5400),
        ("0s", 0),
        ("300", 300),
        (300, 300),
        (2.5, 2.5),
    ],
)
def test_durations_accept_units_and_plain_seconds(text: object, seconds: float) -> None:
    assert parse_duration(text) == seconds


@pytest.mark.parametrize("text", ["5x", "-3s", "1h30", "", "m", "30m1h", "h1", True, None, -5])
def test_bad_durations_name_the_accepted_forms(text: object) -> None:
    with pytest.raises(ValueError, match="allowed: a duration such as 30s, 5m, 12h"):
        parse_duration(text)


@pytest.mark.parametrize(
    ("text", "seconds"),
    [("08:00", 28800), ("8:00", 28800), ("23:59:30", 86370), ("00:00", 0), ("24:00", 86400)],
)
def test_times_of_day(text: str, seconds: float) -> None:
    assert parse_time_of_day(text) == seconds


@pytest.mark.parametrize("text", ["25:00", "08:60", "24:01", "8", 960, "noon"])
def test_bad_times_of_day_are_refused(text: object) -> None:
    with pytest.raises(ValueError, match="allowed: a time of day"):
        parse_time_of_day(text)


def test_a_scenario_without_start_begins_at_midnight_on_the_default_date() -> None:
    scenario = parse_scenario(minimal())
    assert scenario.start == 0
    assert scenario.start_date == DEFAULT_DATE
    assert scenario.interval == 1800
    assert scenario.timezone == "UTC"


def test_a_run_may_last_many_days() -> None:
    scenario = parse_scenario(changed(lambda d: d.update(duration="300h")))
    assert scenario.duration == 300 * 3600


def test_start_epoch_is_the_local_start_in_the_scenario_time_zone() -> None:
    scenario = parse_scenario(
        changed(
            lambda d: d.update(start="08:00", start_date="2024-03-04", timezone="Asia/Shanghai")
        )
    )
    assert scenario.start_epoch == datetime(2024, 3, 4, 0, 0, tzinfo=UTC).timestamp()


def test_unquoted_clock_times_in_a_file_stay_times(tmp_path: Path) -> None:
    # Plain YAML 1.1 reads 16:00 as the sexagesimal number 960.
    text = """
name: t
start: 8:00
duration: 12h
queues: [{name: q, skills: {s: 1}}]
agents:
  - {group: g, count: 1, skills: {s: 1}, shift: {start: 8:00, end: 16:00}}
traffic:
  - {queue: q, calls_per_hour: 1, handle_time: {dist: constant, value: 1m}, dnis: 0571}
"""
    scenario = load_scenario(write(tmp_path, text))
    assert scenario.start == 8 * 3600
    assert scenario.agent_groups[0].shift == Shift(8 * 3600, 16 * 3600)
    assert scenario.traffic[0].dnis == "0571"  # not the octal number 377


# -- traffic ----------------------------------------------------------------------------------


def test_calls_per_hour_becomes_calls_per_report_interval() -> None:
    scenario = parse_scenario(changed(lambda d: d.update(interval="15m")))
    (traffic,) = scenario.traffic
    assert traffic.calls_per_interval == (15.0,)
    assert traffic.rate_at(0) == pytest.approx(60 / 3600)
    assert traffic.expected_calls(scenario.duration) == pytest.approx(60)


def test_a_short_profile_repeats_from_its_first_entry() -> None:
    def use_profile(data: dict[str, Any]) -> None:
        data["duration"] = "3h"
        data["interval"] = "30m"
        del data["traffic"][0]["calls_per_hour"]
        data["traffic"][0]["profile"] = [10, 20, 30]

    (traffic,) = parse_scenario(changed(use_profile)).traffic
    assert traffic.calls_per_interval == (10.0, 20.0, 30.0)
    assert traffic.rate_at(3 * 1800) == traffic.rate_at(0) == 10 / 1800
    assert traffic.rate_at(5 * 1800 + 1) == 30 / 1800
    assert traffic.expected_calls(3 * 3600) == 120
    assert traffic.expected_calls(3.5 * 1800) == 60 + 5


def test_calls_per_hour_and_profile_are_mutually_exclusive() -> None:
    both = changed(lambda d: d["traffic"][0].update(profile=[1, 2]))
    assert error_of(both) == (
        "t.yaml: traffic[0].profile: got both calls_per_hour and profile — allowed: one of them"
    )
    neither = changed(lambda d: d["traffic"][0].pop("calls_per_hour"))
    message = error_of(neither)
    assert message.startswith("t.yaml: traffic[0].calls_per_hour: required key is missing")
    assert "calls_per_hour" in message
    assert "profile" in message


def test_profile_entries_must_be_numbers_of_calls() -> None:
    bad = changed(
        lambda d: (d["traffic"][0].pop("calls_per_hour"), d["traffic"][0].update(profile=[1, -2]))
    )
    assert (
        error_of(bad) == "t.yaml: traffic[0].profile[1]: got -2 — allowed: a number of calls >= 0"
    )


def test_traffic_must_go_to_a_defined_queue() -> None:
    bad = changed(lambda d: d["traffic"][0].update(queue="billing"))
    assert error_of(bad) == (
        "t.yaml: traffic[0].queue: got 'billing' — allowed: one of the queues general"
    )


def test_vip_share_and_dnis_are_carried_into_traffic_and_routes() -> None:
    scenario = parse_scenario(
        changed(lambda d: d["traffic"][0].update(vip_share=0.1, dnis="95158"))
    )
    assert scenario.traffic[0].vip_share == 0.1
    assert dict(scenario.tenant().dnis_routes) == {"95158": "general"}
    message = error_of(changed(lambda d: d["traffic"][0].update(vip_share=1.5)))
    assert "traffic[0].vip_share: got 1.5 — allowed: a number >= 0 and <= 1" in message


def test_one_number_cannot_route_to_two_queues() -> None:
    def two_routes(data: dict[str, Any]) -> None:
        data["queues"].append({"name": "billing", "skills": {"general": 1}})
        data["traffic"][0]["dnis"] = "95158"
        data["traffic"].append({**data["traffic"][0], "queue": "billing"})

    assert "traffic[1].dnis: got '95158'" in error_of(changed(two_routes))


# -- distributions in the file ----------------------------------------------------------------


def test_the_documented_error_for_a_misspelt_distribution() -> None:
    def second_entry_misspelt(data: dict[str, Any]) -> None:
        data["traffic"].append(copy.deepcopy(data["traffic"][0]))
        data["traffic"][1]["handle_time"]["dist"] = "expo"

    assert error_of(changed(second_entry_misspelt), "gas.yaml") == (
        f"gas.yaml: traffic[1].handle_time.dist: got 'expo' — allowed: {DISTRIBUTIONS}"
    )


def test_every_distribution_is_built_from_its_mean_and_spread() -> None:
    specs: dict[str, tuple[dict[str, object], Distribution]] = {
        "exponential": ({"mean": "5m"}, Exponential(300.0)),
        "lognormal": ({"mean": "5m", "sd": "2m"}, LogNormal(300.0, 120.0)),
        "gamma": ({"mean": 300, "sd": 120}, Gamma(300.0, 120.0)),
        "constant": ({"value": "1m"}, Constant(60.0)),
        "uniform": ({"min": "1m", "max": "3m"}, Uniform(60.0, 180.0)),
    }
    for dist, (parameters, expected) in specs.items():
        data = minimal()
        data["traffic"][0]["handle_time"] = {"dist": dist, **parameters}
        assert parse_scenario(data).traffic[0].handle_time == expected


def test_constant_accepts_mean_as_another_name_for_value() -> None:
    spec = {"dist": "constant", "mean": "45s"}
    scenario = parse_scenario(changed(lambda d: d["traffic"][0].update(handle_time=spec)))
    assert scenario.traffic[0].handle_time == Constant(45.0)


def test_a_missing_dist_is_named() -> None:
    bad = changed(lambda d: d["traffic"][0]["handle_time"].pop("dist"))
    assert error_of(bad) == (
        f"t.yaml: traffic[0].handle_time.dist: required key is missing — allowed: {DISTRIBUTIONS}"
    )


def test_a_parameter_of_another_distribution_is_an_unknown_key() -> None:
    bad = changed(lambda d: d["traffic"][0]["handle_time"].update(sd="1m"))
    assert error_of(bad) == "t.yaml: traffic[0].handle_time.sd: unknown key — allowed: dist, mean"


def test_lognormal_needs_its_sd() -> None:
    spec = {"dist": "lognormal", "mean": "5m"}
    bad = changed(lambda d: d["traffic"][0].update(handle_time=spec))
    assert error_of(bad) == "t.yaml: traffic[0].handle_time.sd: required key is missing"


def test_distribution_parameters_use_the_duration_syntax() -> None:
    spec = {"dist": "exponential", "mean": "5 minutes"}
    message = error_of(changed(lambda d: d["traffic"][0].update(handle_time=spec)))
    assert message.startswith("t.yaml: traffic[0].handle_time.mean: got '5 minutes' — allowed: ")
    zero = {"dist": "exponential", "mean": 0}
    assert "more than zero" in error_of(changed(lambda d: d["traffic"][0].update(handle_time=zero)))


def test_uniform_max_must_not_be_below_min() -> None:
    spec = {"dist": "uniform", "min": "3m", "max": "1m"}
    assert error_of(changed(lambda d: d["traffic"][0].update(handle_time=spec))) == (
        "t.yaml: traffic[0].handle_time.max: got '60s' — allowed: a duration of at least min (180s)"
    )


def test_patience_is_optional() -> None:
    assert parse_scenario(minimal()).traffic[0].patience is None
    spec = {"dist": "exponential", "mean": "3m"}
    scenario = parse_scenario(changed(lambda d: d["traffic"][0].update(patience=spec)))
    assert scenario.traffic[0].patience == Exponential(180.0)


# -- queues -----------------------------------------------------------------------------------


def test_queue_options_reach_the_core_queue() -> None:
    def options(data: dict[str, Any]) -> None:
        data["strategy"] = "longest_idle"
        data["queues"][0].update(
            priority=5,
            max_wait="10m",
            ring_timeout="15s",
            service_level={"threshold": "30s", "target": "90%"},
            overflow={"after": "30s", "to": "backup"},
        )
        data["queues"].append({"name": "backup", "skills": {"general": 1}, "strategy": "random"})

    general, backup = parse_scenario(changed(options)).queues
    assert general.priority == 5
    assert general.max_wait == 600
    assert general.ring_timeout == 15
    assert (general.service_level.threshold, general.service_level.target) == (30, 0.9)
    assert general.overflow == Overflow(30.0, "backup")
    assert general.strategy is Strategy.LONGEST_IDLE  # the scenario's default
    assert backup.strategy is Strategy.RANDOM  # its own


def test_without_any_strategy_queues_use_the_core_default() -> None:
    assert parse_scenario(minimal()).queues[0].strategy is DEFAULT_STRATEGY


def test_a_bad_strategy_lists_the_strategies() -> None:
    message = error_of(changed(lambda d: d["queues"][0].update(strategy="fifo")))
    assert message == (
        "t.yaml: queues[0].strategy: got 'fifo' — allowed: "
        + ", ".join(strategy.value for strategy in Strategy)
    )


@pytest.mark.parametrize("target", [0, 1.5, -0.1, "120%", "high"])
def test_service_level_target_is_a_fraction_up_to_one(target: object) -> None:
    message = error_of(changed(lambda d: d["queues"][0].update(service_level={"target": target})))
    assert message.startswith(f"t.yaml: queues[0].service_level.target: got {target!r} — allowed: ")


def test_a_target_of_exactly_one_is_allowed() -> None:
    data = changed(lambda d: d["queues"][0].update(service_level={"target": 1}))
    assert parse_scenario(data).queues[0].service_level.target == 1.0


def test_overflow_must_go_to_another_existing_queue() -> None:
    to_nowhere = changed(lambda d: d["queues"][0].update(overflow={"after": "30s", "to": "x"}))
    assert error_of(to_nowhere) == (
        "t.yaml: queues[0].overflow.to: got 'x' — allowed: one of the queues general"
    )
    to_itself = changed(lambda d: d["queues"][0].update(overflow={"after": "30s", "to": "general"}))
    assert error_of(to_itself) == (
        "t.yaml: queues[0].overflow.to: got 'general' — allowed: a queue other than itself"
    )


def test_overflow_may_not_loop() -> None:
    def loop(data: dict[str, Any]) -> None:
        data["queues"][0]["overflow"] = {"after": "30s", "to": "b"}
        data["queues"].append(
            {"name": "b", "skills": {"general": 1}, "overflow": {"after": "30s", "to": "general"}}
        )

    message = error_of(changed(loop))
    assert "queues[0].overflow.to: got 'b'" in message
    assert "general → b → general" in message
    assert message.count("\n") == 0  # the loop is reported once


def test_queue_names_are_unique() -> None:
    bad = changed(lambda d: d["queues"].append({"name": "general"}))
    assert error_of(bad) == (
        "t.yaml: queues[1].name: got 'general' — allowed: a queue name not already used "
        "(queues[0] has it)"
    )


def test_someone_must_be_able_to_serve_every_queue() -> None:
    bad = changed(lambda d: d["queues"].append({"name": "vip", "skills": {"vip": 2}}))
    message = error_of(bad)
    assert message.startswith("t.yaml: queues[1].skills: no agent group serves queue 'vip'")
    assert "vip >= 2" in message


@pytest.mark.parametrize("level", [0, 11, 2.5, "high", True])
def test_skill_levels_are_whole_numbers_from_1_to_10(level: object) -> None:
    message = error_of(changed(lambda d: d["agents"][0].update(skills={"general": level})))
    assert message == (
        f"t.yaml: agents[0].skills.general: got {level!r} — allowed: a whole level from 1 to 10"
    )


def test_a_list_of_skills_means_level_one() -> None:
    data = changed(lambda d: d["agents"][0].update(skills=["general", "billing"]))
    assert dict(parse_scenario(data).agent_groups[0].skills) == {"general": 1, "billing": 1}


# -- agent groups -----------------------------------------------------------------------------


@pytest.mark.parametrize("count", [0, -1, 2.5, True, "ten"])
def test_agent_counts_are_positive_whole_numbers(count: object) -> None:
    message = error_of(changed(lambda d: d["agents"][0].update(count=count)))
    assert message == f"t.yaml: agents[0].count: got {count!r} — allowed: a whole number >= 1"


def test_agents_get_ids_from_their_group() -> None:
    scenario = parse_scenario(minimal())
    assert [agent.id for agent in scenario.agents()] == ["tier1-0001", "tier1-0002", "tier1-0003"]


def test_group_names_are_unique() -> None:
    bad = changed(lambda d: d["agents"].append(dict(d["agents"][0])))
    assert "agents[1].group: got 'tier1' — allowed: an agent group name not already used" in (
        error_of(bad)
    )


def test_team_size_splits_a_group_into_numbered_teams() -> None:
    scenario = parse_scenario(changed(lambda d: d["agents"][0].update(count=25, team_size=10)))
    teams = [agent.team for agent in scenario.agents()]
    assert teams == ["tier1-1"] * 10 + ["tier1-2"] * 10 + ["tier1-3"] * 5
    assert [team.name for team in scenario.teams] == ["tier1-1", "tier1-2", "tier1-3"]


def test_team_puts_the_whole_group_in_one_team_shared_across_groups() -> None:
    def two_groups_one_team(data: dict[str, Any]) -> None:
        data["agents"][0]["team"] = "blue"
        data["agents"].append({"group": "tier2", "count": 2, "team": "blue"})

    scenario = parse_scenario(changed(two_groups_one_team))
    assert {agent.team for agent in scenario.agents()} == {"blue"}
    assert [team.name for team in scenario.teams] == ["blue"]


def test_team_and_team_size_are_mutually_exclusive() -> None:
    bad = changed(lambda d: d["agents"][0].update(team="blue", team_size=2))
    assert "agents[0].team_size: got 2 together with team 'blue' — allowed: one of" in error_of(bad)


def test_supervisors_lead_the_teams_of_the_groups_they_supervise_in_turn() -> None:
    def supervised(data: dict[str, Any]) -> None:
        data["agents"][0].update(count=30, team_size=10)
        data["agents"].append(
            {"group": "sup", "count": 2, "type": "supervisor", "supervises": "tier1"}
        )

    scenario = parse_scenario(changed(supervised))
    leaders = {team.name: team.supervisor for team in scenario.teams}
    assert leaders == {"tier1-1": "sup-0001", "tier1-2": "sup-0002", "tier1-3": "sup-0001"}
    supervisors = [agent for agent in scenario.agents() if agent.type is AgentType.SUPERVISOR]
    assert [agent.team for agent in supervisors] == ["tier1-1", "tier1-2"]


def test_only_supervisors_lead_teams_and_at_most_one_per_team() -> None:
    def standard_supervising(data: dict[str, Any]) -> None:
        data["agents"][0]["team_size"] = 3
        data["agents"].append({"group": "lead", "count": 1, "supervises": ["tier1"]})

    assert "agents[1].supervises: set on a group of type 'standard'" in error_of(
        changed(standard_supervising)
    )

    def too_many(data: dict[str, Any]) -> None:
        data["agents"][0]["team_size"] = 3  # one team of three
        data["agents"].append(
            {"group": "sup", "count": 2, "type": "supervisor", "supervises": ["tier1"]}
        )

    assert "agents[1].count: got 2 supervisors for 1 teams" in error_of(changed(too_many))

    def no_teams(data: dict[str, Any]) -> None:
        data["agents"].append(
            {"group": "sup", "count": 1, "type": "supervisor", "supervises": ["tier1", "ghost"]}
        )

    message = error_of(changed(no_teams))
    assert "agents[1].supervises: got 'tier1' — allowed: groups with team or team_size" in message
    assert "agents[1].supervises: got 'ghost' — allowed: agent groups tier1, sup" in message


def test_agent_type_is_one_of_the_core_types() -> None:
    scenario = parse_scenario(changed(lambda d: d["agents"][0].update(type="expert")))
    assert scenario.agent_groups[0].type is AgentType.EXPERT
    assert error_of(changed(lambda d: d["agents"][0].update(type="boss"))) == (
        "t.yaml: agents[0].type: got 'boss' — allowed: standard, expert, supervisor"
    )


def test_wrap_up_is_a_duration_or_a_distribution() -> None:
    assert parse_scenario(minimal()).agent_groups[0].wrap_up == Constant(0.0)
    fixed = parse_scenario(changed(lambda d: d["agents"][0].update(wrap_up="30s")))
    assert fixed.agent_groups[0].wrap_up == Constant(30.0)
    assert fixed.agents()[0].wrap_up == 30.0  # the core times it
    spec = {"dist": "gamma", "mean": "45s", "sd": "20s"}
    varying = parse_scenario(changed(lambda d: d["agents"][0].update(wrap_up=spec)))
    assert varying.agent_groups[0].wrap_up == Gamma(45.0, 20.0)
    assert varying.agents()[0].wrap_up is None  # the simulator ends it after a draw
    assert error_of(changed(lambda d: d["agents"][0].update(wrap_up="manual"))).startswith(
        "t.yaml: agents[0].wrap_up: got 'manual' — allowed: a duration such as"
    )


# -- shifts -----------------------------------------------------------------------------------


def test_a_day_shift_logs_agents_in_and_out_within_the_run() -> None:
    shift = Shift(start=8 * 3600, end=16 * 3600)
    assert shift.periods(run_start=8 * 3600, duration=12 * 3600) == ((0.0, 8 * 3600.0),)
    assert shift.periods(run_start=0, duration=86400) == ((8 * 3600.0, 16 * 3600.0),)


def test_a_shift_already_under_way_counts_from_the_start_of_the_run() -> None:
    shift = Shift(start=6 * 3600, end=14 * 3600)
    assert shift.periods(run_start=8 * 3600, duration=12 * 3600) == ((0.0, 6 * 3600.0),)


def test_a_night_shift_crosses_midnight_and_repeats_every_day() -> None:
    night = Shift(start=22 * 3600, end=6 * 3600)
    assert night.length == 8 * 3600
    assert night.periods(run_start=0, duration=2 * 86400) == (
        (0.0, 6 * 3600.0),
        (22 * 3600.0, 30 * 3600.0),
        (46 * 3600.0, 48 * 3600.0),
    )


def test_a_whole_day_shift_is_one_period_over_many_days() -> None:
    assert Shift(0, 86400).periods(run_start=0, duration=3 * 86400) == ((0.0, 3 * 86400.0),)


def test_shifts_in_the_file_are_local_times_and_may_not_be_empty() -> None:
    shift = {"start": "22:00", "end": "06:00"}
    scenario = parse_scenario(changed(lambda d: d["agents"][0].update(shift=shift)))
    assert scenario.agent_groups[0].shift == Shift(22 * 3600, 6 * 3600)
    assert parse_scenario(minimal()).agent_groups[0].shift is None
    empty = {"start": "08:00", "end": "08:00"}
    assert "agents[0].shift.end: got '08:00' — allowed: a time other than the start" in error_of(
        changed(lambda d: d["agents"][0].update(shift=empty))
    )
    assert "agents[0].shift.start: got '24:00'" in error_of(
        changed(lambda d: d["agents"][0].update(shift={"start": "24:00", "end": "08:00"}))
    )


# -- routing rules ----------------------------------------------------------------------------


def test_business_hours_become_core_business_hours() -> None:
    hours = {
        "weekdays": ["mon-fri", "sat"],
        "open": "08:00",
        "close": "20:00",
        "holidays": [date(2024, 5, 1), "2024-10-01"],
    }
    data = changed(lambda d: d.update(business_hours=hours, timezone="Asia/Shanghai"))
    scenario = parse_scenario(data)
    business = scenario.business_hours
    assert business is not None
    assert business.timezone == "Asia/Shanghai"
    assert sorted(business.weekly) == [0, 1, 2, 3, 4, 5]
    assert business.weekly[5] == ((8 * 3600, 20 * 3600),)
    assert business.holidays == {date(2024, 5, 1), date(2024, 10, 1)}
    monday_9_beijing = datetime(2024, 3, 4, 1, 0, tzinfo=UTC).timestamp()
    assert business.is_open(monday_9_beijing)
    assert not business.is_open(monday_9_beijing + 6 * 86400)  # Sunday


def test_weekday_ranges_may_wrap_round_the_weekend() -> None:
    hours = {"weekdays": "sat-mon", "close": "12:00"}
    business = parse_scenario(changed(lambda d: d.update(business_hours=hours))).business_hours
    assert business is not None
    assert sorted(business.weekly) == [0, 5, 6]


def test_bad_business_hours_are_named() -> None:
    hours = {"weekdays": ["mon", "funday"], "close": "20:00"}
    assert "business_hours.weekdays: got 'funday' — allowed: day names mon, tue" in error_of(
        changed(lambda d: d.update(business_hours=hours))
    )
    backwards = {"open": "20:00", "close": "08:00"}
    assert error_of(changed(lambda d: d.update(business_hours=backwards))) == (
        "t.yaml: business_hours.close: got '08:00' — allowed: a time after open (20:00)"
    )
    bad_day = {"close": "20:00", "holidays": ["2024-13-01"]}
    assert "business_hours.holidays: got '2024-13-01' — allowed: a date YYYY-MM-DD" in error_of(
        changed(lambda d: d.update(business_hours=bad_day))
    )


def test_routing_options_reach_the_tenant() -> None:
    data = changed(
        lambda d: d.update(after_hours_queue="general", sticky_wait="10s", vip_priority=5)
    )
    tenant = parse_scenario(data).tenant()
    assert tenant.after_hours_queue == "general"
    assert tenant.sticky_wait == 10
    assert tenant.vip_priority == 5
    assert tenant.name == "t"


def test_after_hours_queue_must_exist() -> None:
    assert error_of(changed(lambda d: d.update(after_hours_queue="night"))) == (
        "t.yaml: after_hours_queue: got 'night' — allowed: one of the queues general"
    )


def test_an_unknown_time_zone_is_refused() -> None:
    assert error_of(changed(lambda d: d.update(timezone="Asia/Shangai"))).startswith(
        "t.yaml: timezone: got 'Asia/Shangai' — allowed: an IANA time-zone name"
    )


# -- the shape of the file --------------------------------------------------------------------


def test_unknown_keys_are_errors_that_list_the_allowed_keys() -> None:
    message = error_of(changed(lambda d: d["queues"][0].update(skils={"general": 1})))
    assert message == (
        "t.yaml: queues[0].skils: unknown key (did you mean 'skills'?) — allowed: name, skills, "
        "priority, strategy, service_level, max_wait, overflow, ring_timeout"
    )
    top = error_of(changed(lambda d: d.update(durations="1h")))
    assert top.startswith("t.yaml: durations: unknown key (did you mean 'duration'?) — allowed: ")


def test_missing_required_keys_are_named() -> None:
    assert error_of(changed(lambda d: d.pop("duration"))) == (
        "t.yaml: duration: required key is missing"
    )
    assert error_of(changed(lambda d: d["agents"][0].pop("count"))) == (
        "t.yaml: agents[0].count: required key is missing"
    )


def test_sections_must_have_the_right_shape() -> None:
    assert error_of(changed(lambda d: d.update(queues={"general": {}}))) == (
        "t.yaml: queues: got {'general': {}} — allowed: a non-empty list of queues"
    )
    assert error_of(changed(lambda d: d.update(agents=[]))) == (
        "t.yaml: agents: got [] — allowed: a non-empty list of agent groups"
    )
    assert error_of(changed(lambda d: d["queues"][0].update(service_level="fast"))) == (
        "t.yaml: queues[0].service_level: got 'fast' — allowed: a mapping with keys threshold, "
        "target"
    )


def test_a_file_that_is_not_a_mapping_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ScenarioError, match=r"s\.yaml: got \['a', 'b'\] — allowed: a mapping"):
        load_scenario(write(tmp_path, "- a\n- b\n"))
    with pytest.raises(ScenarioError, match=r"s\.yaml: got None — allowed: a mapping"):
        load_scenario(write(tmp_path, ""))


def test_several_problems_are_reported_together() -> None:
    def two_mistakes(data: dict[str, Any]) -> None:
        data["traffic"][0]["queue"] = "nope"
        data["after_hours_queue"] = "nope"

    with pytest.raises(ScenarioError) as caught:
        parse_scenario(changed(two_mistakes), "t.yaml")
    assert len(caught.value.problems) == 2
    assert caught.value.source == "t.yaml"


# -- reading files ----------------------------------------------------------------------------


def test_file_errors_name_the_file_and_the_line(tmp_path: Path) -> None:
    text = """name: gas
duration: 12h
queues:
  - name: general
    skills: {general: 1}
agents:
  - {group: tier1, count: 5, skills: {general: 5}}
traffic:
  - queue: general
    calls_per_hour: 10
    handle_time: {dist: expo, mean: 3m}
"""
    path = write(tmp_path, text, "gas.yaml")
    with pytest.raises(ScenarioError) as caught:
        load_scenario(path)
    assert str(caught.value) == (
        f"{path}: traffic[0].handle_time.dist: got 'expo' — allowed: {DISTRIBUTIONS} (line 11)"
    )


def test_yaml_syntax_errors_give_the_line(tmp_path: Path) -> None:
    path = write(tmp_path, "name: x\nqueues: [a, b\nagents: []\n")
    with pytest.raises(ScenarioError, match=r"s\.yaml: line \d+, column \d+: YAML syntax error"):
        load_scenario(path)
    tabs = write(tmp_path, "name: x\n\tduration: 1h\n", "tabs.yaml")
    with pytest.raises(ScenarioError, match=r"tabs\.yaml: line 2, column 1: YAML syntax error"):
        load_scenario(tabs)


def test_a_key_given_twice_is_an_error(tmp_path: Path) -> None:
    path = write(tmp_path, "name: a\nduration: 1h\nname: b\n")
    with pytest.raises(ScenarioError, match=r"name: key given twice \(again on line 3\)"):
        load_scenario(path)


def test_a_missing_file_is_a_scenario_error(tmp_path: Path) -> None:
    with pytest.raises(ScenarioError, match=r"nothere\.yaml: no such file"):
        load_scenario(tmp_path / "nothere.yaml")


def test_yaml_anchors_may_share_settings(tmp_path: Path) -> None:
    text = """name: t
duration: 1h
queues: [{name: q, skills: {s: 1}}]
agents:
  - {group: a, count: 1, skills: &skills {s: 3}}
  - {group: b, count: 1, skills: *skills}
traffic: [{queue: q, calls_per_hour: 1, handle_time: {dist: exponential, mean: 1m}}]
"""
    scenario = load_scenario(write(tmp_path, text))
    assert [dict(group.skills) for group in scenario.agent_groups] == [{"s": 3}, {"s": 3}]


def test_a_scenario_is_immutable() -> None:
    scenario = parse_scenario(minimal())
    assert isinstance(scenario, Scenario)
    with pytest.raises(AttributeError):
        scenario.seed = 2  # type: ignore[misc]  # the point of the test
