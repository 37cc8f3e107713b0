"""`hotline erlang` (W4) end to end: the installed console script and the typer app."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from hotline.analytics import erlang, erlang_a
from hotline.cli import app

runner = CliRunner()
SEED_HOUR = ["--calls-per-hour", "270", "--aht", "150", "--target", "0.8", "--threshold", "20"]


def hotline(*args: str) -> tuple[int, dict[str, float]]:
    result = runner.invoke(app, ["erlang", *args])
    assert result.exit_code == 0, result.output
    return result.exit_code, json.loads(result.stdout)


def test_console_script_sizes_the_seed_busy_hour() -> None:
    script = Path(sys.executable).with_name("hotline")
    done = subprocess.run(
        [str(script), "erlang", *SEED_HOUR, "--json"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    figures = json.loads(done.stdout)
    assert list(figures) == [
        "agents",
        "service_level",
        "asa_seconds",
        "occupancy",
        "wait_probability",
    ]
    assert figures["agents"] == 15
    assert figures["service_level"] == pytest.approx(0.867782962100463, rel=1e-12)
    assert figures["asa_seconds"] == pytest.approx(8.71956170935724, rel=1e-12)
    assert figures["occupancy"] == 0.75
    assert figures["wait_probability"] == pytest.approx(0.217989042733931, rel=1e-12)


def test_table_shows_the_agents_and_what_they_achieve() -> None:
    result = runner.invoke(app, ["erlang", *SEED_HOUR])
    assert result.exit_code == 0, result.output
    for text in [
        "Erlang C",
        "11.25 Erlangs",
        "Agents required",
        "15",
        "86.8%",
        "8.7 s",
        "75.0%",
        "21.8%",
    ]:
        assert text in result.stdout


def test_patience_switches_to_erlang_a_and_reports_abandonment() -> None:
    _, figures = hotline(*SEED_HOUR, "--patience", "120", "--json")
    assert set(figures) == {
        "agents",
        "service_level",
        "asa_seconds",
        "occupancy",
        "wait_probability",
        "abandon_rate",
    }
    agents = erlang_a.agents_required(11.25, 150, 120, 0.8, 20)
    assert figures["agents"] == agents == 13
    assert figures["abandon_rate"] == erlang_a.abandon_rate(agents, 11.25, 150, 120)
    assert figures["service_level"] == erlang_a.service_level(agents, 11.25, 150, 120, 20)
    table = runner.invoke(app, ["erlang", *SEED_HOUR, "--patience", "120"])
    assert "Erlang A" in table.stdout and "Abandon rate" in table.stdout


def test_abandon_cap_adds_agents() -> None:
    _, uncapped = hotline(*SEED_HOUR, "--patience", "120", "--json")
    _, capped = hotline(*SEED_HOUR, "--patience", "120", "--max-abandon-rate", "0.02", "--json")
    assert capped["agents"] > uncapped["agents"]
    assert capped["abandon_rate"] <= 0.02


def test_seed_formula_is_printed_alongside() -> None:
    seed = ["--population", "500000", "--call-rate", "0.003", "--busy-hour-share", "0.18"]
    args = [*seed, "--aht", "150", "--max-occupancy", "0.7"]
    _, figures = hotline(*args, "--json")
    assert figures["agents"] == erlang.agents_required(11.25, 150, 0.8, 20) == 15
    assert figures["seed_formula_agents"] == 16
    assert figures["seed_formula_exact"] == pytest.approx(16.0714285714, rel=1e-9)
    table = runner.invoke(app, ["erlang", *args])
    assert "Seed formula" in table.stdout and "16.07 → 16" in table.stdout


@pytest.mark.parametrize(
    ("args", "option"),
    [
        (["--calls-per-hour", "270", "--aht", "0"], "--aht"),
        (["--calls-per-hour", "270", "--aht", "-150"], "--aht"),
        (["--calls-per-hour", "-1", "--aht", "150"], "--calls-per-hour"),
        (["--calls-per-hour", "nan", "--aht", "150"], "--calls-per-hour"),
        (["--calls-per-hour", "270", "--aht", "150", "--target", "1"], "--target"),
        (["--calls-per-hour", "270", "--aht", "150", "--target", "0"], "--target"),
        (["--calls-per-hour", "270", "--aht", "150", "--threshold", "-5"], "--threshold"),
        (["--calls-per-hour", "270", "--aht", "150", "--patience", "0"], "--patience"),
        (
            ["--calls-per-hour", "270", "--aht", "150", "--max-abandon-rate", "0.03"],
            "--max-abandon-rate",
        ),
        (["--calls-per-hour", "270", "--aht", "150", "--max-occupancy", "1.2"], "--max-occupancy"),
        (["--aht", "150"], "--calls-per-hour"),
        (["--aht", "150", "--population", "500000"], "--calls-per-hour"),
        (["--calls-per-hour", "270", "--aht", "150", "--population", "5"], "--calls-per-hour"),
        (
            ["--population", "5", "--call-rate", "2", "--busy-hour-share", "0.1", "--aht", "150"],
            "--call-rate",
        ),
    ],
)
def test_bad_values_name_the_option_and_exit_2(args: list[str], option: str) -> None:
    result = runner.invoke(app, ["erlang", *args])
    assert result.exit_code == 2
    # Rich draws the message in a box and wraps it to the terminal: read it as plain words.
    message = " ".join(result.output.replace("│", " ").split())
    assert f"Invalid value for '{option}'" in message
