"""Hotline's command line: one typer app, one self-contained function per command.

`hotline erlang` sizes one interval with Erlang C, or Erlang A when the callers' patience is
given, and can print the seeds' rule-of-thumb formula beside it. Each command checks its own
options and keeps its helpers (prefixed with its name) next to it, so that commands can be
added to this file without reading the others. A bad option value is a usage error: a message
naming the option and what it allows, and exit code 2.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

from hotline.analytics import erlang as erlang_c
from hotline.analytics import erlang_a
from hotline.analytics.sizing import SeedSizing, busy_hour_calls, seed_sizing

app = typer.Typer(
    help="Hotline: an open-source contact-center platform.",
    no_args_is_help=True,
    add_completion=False,
)


@app.callback()
def _main() -> None:
    """Hotline: an open-source contact-center platform."""


@app.command()
def erlang(
    aht: Annotated[
        float, typer.Option(help="Average handle time in seconds (talk, hold and wrap-up).")
    ],
    calls_per_hour: Annotated[
        float | None,
        typer.Option(
            help="Calls offered in the hour being sized "
            "(or give --population, --call-rate and --busy-hour-share instead)."
        ),
    ] = None,
    target: Annotated[
        float, typer.Option(help="Service-level target as a fraction: 0.8 is 80 %.")
    ] = 0.8,
    threshold: Annotated[
        float, typer.Option(help="Service-level threshold in seconds (the 20 in 80/20).")
    ] = 20.0,
    patience: Annotated[
        float | None,
        typer.Option(
            help="Callers' mean patience in seconds: size with Erlang A, where callers hang up."
        ),
    ] = None,
    max_abandon_rate: Annotated[
        float | None,
        typer.Option(help="With --patience: also keep the abandon rate at or below this."),
    ] = None,
    population: Annotated[
        float | None,
        typer.Option(help="Instead of --calls-per-hour: people served (seed: 500000)."),
    ] = None,
    call_rate: Annotated[
        float | None,
        typer.Option(help="With --population: share of them who call (0.003 is 0.30 %)."),
    ] = None,
    busy_hour_share: Annotated[
        float | None,
        typer.Option(help="With --population: share of those calls in the busy hour (0.18)."),
    ] = None,
    max_occupancy: Annotated[
        float | None,
        typer.Option(help="Also print the seed formula: calls × AHT ÷ (3600 × this), e.g. 0.7."),
    ] = None,
    json_output: Annotated[
        bool, typer.Option("--json", help="Print the figures as one JSON object.")
    ] = False,
) -> None:
    """Agents needed for one hour's calls to meet a service level, and what they achieve.

    Example: hotline erlang --calls-per-hour 270 --aht 150 --target 0.8 --threshold 20
    """
    _erlang_check(aht > 0, "--aht", "must be a number of seconds > 0", aht)
    _erlang_check(0 < target < 1, "--target", "must be a fraction strictly between 0 and 1", target)
    _erlang_check(threshold >= 0, "--threshold", "must be a number of seconds >= 0", threshold)
    if patience is not None:
        _erlang_check(patience > 0, "--patience", "must be a number of seconds > 0", patience)
    if max_abandon_rate is not None:
        if patience is None:
            raise typer.BadParameter(
                "needs --patience (Erlang A)", param_hint="'--max-abandon-rate'"
            )
        _erlang_check(
            0 < max_abandon_rate < 1,
            "--max-abandon-rate",
            "must be a fraction strictly between 0 and 1",
            max_abandon_rate,
        )
    if max_occupancy is not None:
        _erlang_check(
            0 < max_occupancy <= 1, "--max-occupancy", "must be a fraction in (0, 1]", max_occupancy
        )
    calls = _erlang_calls(calls_per_hour, population, call_rate, busy_hour_share)

    traffic = erlang_c.offered_traffic(calls, aht)
    if patience is None:
        agents = erlang_c.agents_required(traffic, aht, target, threshold)
        figures: dict[str, float] = {
            "agents": agents,
            "service_level": erlang_c.service_level(agents, traffic, aht, threshold),
            "asa_seconds": erlang_c.average_speed_of_answer(agents, traffic, aht),
            "occupancy": erlang_c.occupancy(agents, traffic),
            "wait_probability": erlang_c.erlang_c(agents, traffic),
        }
    else:
        agents = erlang_a.agents_required(
            traffic, aht, patience, target, threshold, max_abandon_rate=max_abandon_rate
        )
        figures = {
            "agents": agents,
            "service_level": erlang_a.service_level(agents, traffic, aht, patience, threshold),
            "asa_seconds": erlang_a.average_speed_of_answer(agents, traffic, aht, patience),
            "occupancy": erlang_a.occupancy(agents, traffic, aht, patience),
            "wait_probability": erlang_a.wait_probability(agents, traffic, aht, patience),
            "abandon_rate": erlang_a.abandon_rate(agents, traffic, aht, patience),
        }
    seed = None
    if max_occupancy is not None:
        seed = seed_sizing(calls, aht, max_occupancy)
    if json_output:
        if seed is not None:
            figures["seed_formula_agents"] = seed.agents
            figures["seed_formula_exact"] = seed.exact
        typer.echo(json.dumps(figures))
        return
    _erlang_print(figures, calls, aht, traffic, target, threshold, patience, seed, max_occupancy)


def _erlang_check(ok: bool, option: str, allowed: str, value: float) -> None:
    # `ok` is False for NaN too, since every comparison with NaN is.
    if not ok or not math.isfinite(value):
        raise typer.BadParameter(f"{allowed}, got {value:g}", param_hint=f"'{option}'")


def _erlang_calls(
    calls_per_hour: float | None,
    population: float | None,
    call_rate: float | None,
    busy_hour_share: float | None,
) -> float:
    seed_options = {
        "--population": population,
        "--call-rate": call_rate,
        "--busy-hour-share": busy_hour_share,
    }
    given = {option: value for option, value in seed_options.items() if value is not None}
    if calls_per_hour is not None:
        if given:
            raise typer.BadParameter(
                f"give either --calls-per-hour or {', '.join(seed_options)}, not both",
                param_hint="'--calls-per-hour'",
            )
        _erlang_check(calls_per_hour >= 0, "--calls-per-hour", "must be >= 0", calls_per_hour)
        return calls_per_hour
    if population is None or call_rate is None or busy_hour_share is None:
        missing = ", ".join(option for option in seed_options if option not in given)
        raise typer.BadParameter(
            "the calls to size are missing: give --calls-per-hour, or all of "
            f"{', '.join(seed_options)} (missing {missing})",
            param_hint="'--calls-per-hour'",
        )
    _erlang_check(population >= 0, "--population", "must be >= 0", population)
    _erlang_check(0 <= call_rate <= 1, "--call-rate", "must be a fraction in [0, 1]", call_rate)
    _erlang_check(
        0 <= busy_hour_share <= 1,
        "--busy-hour-share",
        "must be a fraction in [0, 1]",
        busy_hour_share,
    )
    return busy_hour_calls(population, call_rate, busy_hour_share)


def _erlang_print(
    figures: dict[str, float],
    calls: float,
    aht: float,
    traffic: float,
    target: float,
    threshold: float,
    patience: float | None,
    seed: SeedSizing | None,
    max_occupancy: float | None,
) -> None:
    model = "Erlang C" if patience is None else f"Erlang A (patience {patience:g} s)"
    table = Table(title=model, show_header=False)
    table.add_column("figure", style="bold")
    table.add_column("value", justify="right")
    calls_text = f"{calls:,.2f}".rstrip("0").rstrip(".")
    table.add_row("Traffic", f"{traffic:,.2f} Erlangs ({calls_text} calls/h × {aht:g} s)")
    table.add_row("Agents required", f"{int(figures['agents']):,}")
    table.add_row(
        f"Service level ({threshold:g} s)",
        f"{figures['service_level']:.1%}  (target {target:.0%})",
    )
    table.add_row("ASA", f"{figures['asa_seconds']:.1f} s")
    table.add_row("Occupancy", f"{figures['occupancy']:.1%}")
    table.add_row("Wait probability", f"{figures['wait_probability']:.1%}")
    if "abandon_rate" in figures:
        table.add_row("Abandon rate", f"{figures['abandon_rate']:.2%}")
    if seed is not None and max_occupancy is not None:
        table.add_row(
            f"Seed formula (max occupancy {max_occupancy:.0%})",
            f"{seed.exact:.2f} → {seed.agents} (rounded to nearest)",
        )
    Console().print(table)


@app.command()
def simulate(
    scenario_file: Annotated[
        Path, typer.Argument(metavar="FILE", help="Scenario file (YAML): queues, agents, traffic.")
    ],
    seed: Annotated[
        int | None, typer.Option(help="Random seed; overrides the scenario's own.")
    ] = None,
    json_out: Annotated[
        Path | None,
        typer.Option("--json", metavar="OUT", help="Write the report as JSON ('-' for stdout)."),
    ] = None,
    csv_out: Annotated[
        Path | None, typer.Option("--csv", metavar="OUT", help="Write per-interval rows as CSV.")
    ] = None,
    plot_out: Annotated[
        Path | None,
        typer.Option("--plot", metavar="OUT.png", help="Draw the per-interval chart as PNG."),
    ] = None,
) -> None:
    """Simulate a contact-center day (or many) through the real core in virtual time."""
    from hotline.analytics.plot import plot_report
    from hotline.analytics.report_export import report_document, write_csv
    from hotline.switch.sim.runner import simulate as run_simulation
    from hotline.switch.sim.scenario import ScenarioError, load_scenario

    try:
        scenario = load_scenario(scenario_file)
    except ScenarioError as error:
        typer.echo(f"error: {error}", err=True)
        raise typer.Exit(2) from None
    for out in (json_out, csv_out, plot_out):
        if out is not None and str(out) != "-" and not out.parent.is_dir():
            typer.echo(f"error: cannot write {out}: no directory {out.parent}", err=True)
            raise typer.Exit(2)

    with _simulate_progress(Console(stderr=True)) as advance:
        result = run_simulation(scenario, seed=seed, progress=advance)

    document = report_document(result.report, scenario.start)
    document["run"] = {
        "scenario": scenario.name,
        "seed": result.seed,
        "calls": result.calls,
        "unfinished": result.unfinished,
        "core_events": result.core_events,
        "facts": result.facts,
        "wall_seconds": round(result.wall_seconds, 3),
    }
    to_stdout_json = json_out is not None and str(json_out) == "-"
    if not to_stdout_json:
        console = Console()
        if not console.is_terminal:
            console = Console(width=132)  # a file or pipe gets the whole table, unwrapped
        _simulate_summary(console, scenario.name, result.seed, document, result.wall_seconds)
    if json_out is not None:
        text = json.dumps(document, indent=2, ensure_ascii=False)
        if to_stdout_json:
            typer.echo(text)
        else:
            json_out.write_text(text + "\n", encoding="utf-8")
    if csv_out is not None:
        write_csv(result.report, scenario.start, csv_out)
    if plot_out is not None:
        plot_report(result.report, scenario.start,
                    f"{scenario.name} (seed {result.seed})", plot_out)


@contextmanager
def _simulate_progress(console: Console) -> Iterator[Callable[[float], None]]:
    """A progress bar on stderr when it is a terminal; nothing otherwise."""
    from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

    progress = Progress(
        TextColumn("simulating"), BarColumn(), TextColumn("{task.percentage:>3.0f}%"),
        TimeElapsedColumn(), console=console, transient=True,
        disable=not console.is_terminal,
    )
    with progress:
        task = progress.add_task("simulate", total=1.0)
        yield lambda done: progress.update(task, completed=done)


def _simulate_summary(
    console: Console, name: str, seed: int, document: dict[str, Any], wall: float
) -> None:
    run = document["run"]
    table = Table(title=f"{name} — seed {seed}", title_justify="left")
    for column in ("", "offered", "answered", "abandoned", "overflowed", "service level",
                   "abandon rate", "ASA s", "AHT s", "occupancy"):
        table.add_column(column, justify="left" if not column else "right")
    rows = [("all queues", document["totals"])]
    rows += list(document["queues"].items())
    for label, figures in rows:
        table.add_row(
            label, str(figures["offered"]), str(figures["answered"]),
            str(figures["abandoned"]), str(figures["overflowed"]),
            _simulate_percent(figures["service_level"]),
            _simulate_percent(figures["abandon_rate"]), _simulate_number(figures["asa_seconds"]),
            _simulate_number(figures["aht_seconds"]), _simulate_percent(figures["occupancy"]),
        )
    console.print(table)
    console.print(
        f"{run['calls']} calls simulated in {wall:.2f} s ({run['core_events']} core events, "
        f"{run['facts']} facts)" + (f"; {run['unfinished']} still waiting at the end"
                                    if run["unfinished"] else "")
    )


def _simulate_percent(value: float | None) -> str:
    return "—" if value is None else f"{value * 100:.1f} %"


def _simulate_number(value: float | None) -> str:
    return "—" if value is None else f"{value:.1f}"
