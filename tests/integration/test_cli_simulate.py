"""`hotline simulate` as a user runs it: the installed console script on the shipped scenarios."""

from __future__ import annotations

import csv
import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SCENARIOS = ROOT / "examples" / "scenarios"
HOTLINE = Path(sys.executable).parent / "hotline"
KEYS = {"offered", "answered", "abandoned", "service_level", "abandon_rate", "asa_seconds",
        "aht_seconds", "occupancy"}


def run(*args: str | Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(HOTLINE), "simulate", *map(str, args)], capture_output=True,
                          text=True, timeout=300, check=False)


def test_gas_utility_day_writes_json_csv_and_plot(tmp_path: Path) -> None:
    out_json, out_csv, out_png = tmp_path / "r.json", tmp_path / "r.csv", tmp_path / "r.png"
    done = run(SCENARIOS / "gas_utility.yaml", "--seed", "3", "--json", out_json,
               "--csv", out_csv, "--plot", out_png)
    assert done.returncode == 0, done.stderr
    assert "all queues" in done.stdout and "repair" in done.stdout

    report = json.loads(out_json.read_text())
    assert set(report["totals"]) >= KEYS
    assert set(report["queues"]) >= {"repair", "delivery", "complaint"}
    assert all(set(q) >= KEYS for q in report["queues"].values())
    assert report["intervals"][0]["start"] == "08:00"
    assert len(report["intervals"]) == 24  # 12 hours of 30 minutes
    totals = report["totals"]
    assert totals["offered"] == sum(i["offered"] for i in report["intervals"]) > 1000
    assert totals["answered"] + totals["abandoned"] + totals["timed_out"] <= totals["offered"]
    assert 0 < totals["service_level"] <= 1 and 0 < totals["occupancy"] < 1
    assert report["run"]["seed"] == 3

    rows = list(csv.DictReader(out_csv.open()))
    assert {row["scope"] for row in rows} >= {"all", "repair", "delivery"}
    all_rows = [row for row in rows if row["scope"] == "all"]
    assert [int(row["offered"]) for row in all_rows] == [
        i["offered"] for i in report["intervals"]]
    assert out_png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_same_seed_same_report_other_seed_other_report(tmp_path: Path) -> None:
    def totals(seed: str) -> dict[str, float]:
        done = run(SCENARIOS / "example.yaml", "--seed", seed, "--json", "-")
        assert done.returncode == 0, done.stderr
        return json.loads(done.stdout)["totals"]  # type: ignore[no-any-return]

    assert totals("5") == totals("5")
    assert totals("5") != totals("6")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("name: x\nduration: 12x\n", "duration"),
        ("name: x\nqueues: [{name: q, skills: {q: 1}}]\nagents: [{group: g, count: 2, "
         "skills: {q: 1}}]\ntraffic: [{queue: q, calls_per_hour: 10, "
         "handle_time: {dist: expo, mean: 5m}}]\n", "traffic[0].handle_time.dist"),
        ("name: [unclosed\n", "line"),
    ],
)
def test_bad_scenario_gets_a_named_error_and_exit_2(
    tmp_path: Path, text: str, expected: str
) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text(text)
    done = run(path)
    assert done.returncode == 2
    assert expected in done.stderr and "bad.yaml" in done.stderr
    assert "Traceback" not in done.stderr


def test_missing_file_is_a_clear_error(tmp_path: Path) -> None:
    done = run(tmp_path / "nowhere.yaml")
    assert done.returncode == 2
    assert "no such file" in done.stderr
