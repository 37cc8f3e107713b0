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
from typing import Annotated, Any, NoReturn

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
    totals = document["totals"]
    if totals.get("self_service") or totals.get("abandoned_in_ivr"):
        console.print(f"IVR: {totals['self_service']} served by the flow itself (self-service), "
                      f"{totals['abandoned_in_ivr']} hung up in the flow")
    console.print(
        f"{run['calls']} calls simulated in {wall:.2f} s ({run['core_events']} core events, "
        f"{run['facts']} facts)" + (f"; {run['unfinished']} still waiting at the end"
                                    if run["unfinished"] else "")
    )


def _simulate_percent(value: float | None) -> str:
    return "—" if value is None else f"{value * 100:.1f} %"


def _simulate_number(value: float | None) -> str:
    return "—" if value is None else f"{value:.1f}"


user_app = typer.Typer(help="Manage the people who log in: hotline user create ...",
                       no_args_is_help=True)
app.add_typer(user_app, name="user")


@user_app.command("create")
def user_create(
    tenant: Annotated[str, typer.Option(help="The tenant's name (it must exist).")],
    username: Annotated[str, typer.Option(help="The login name, unique in the tenant.")],
    role: Annotated[str, typer.Option(help="agent, supervisor or admin.")],
    agent_id: Annotated[
        str | None, typer.Option(help="The agent this user logs in as (e.g. 1001).")
    ] = None,
    display_name: Annotated[str, typer.Option(help="The name shown in the UI.")] = "",
    language: Annotated[str, typer.Option(help="zh or en.")] = "en",
    password: Annotated[
        str | None,
        typer.Option(
            envvar="HOTLINE_USER_PASSWORD",
            help="The password (or HOTLINE_USER_PASSWORD); asked for when not given.",
        ),
    ] = None,
) -> None:
    """Create a user in a tenant of the configured database (HOTLINE_DATABASE_URL)."""
    from hotline.store.account_tables import Language, Role
    from hotline.store.accounts import AccountError, create_user, tenant_named
    from hotline.store.database import make_engine, session_factory, upgrade

    _user_check(role in {r.value for r in Role}, "--role", "agent, supervisor or admin", role)
    _user_check(language in {lang.value for lang in Language}, "--language", "zh or en",
                language)
    if password is None:
        password = typer.prompt("Password", hide_input=True, confirmation_prompt=True)
    engine = make_engine()
    try:
        upgrade(engine)
        with session_factory(engine)() as session:
            found = tenant_named(session, tenant)
            if found is None:
                typer.echo(f"error: no tenant {tenant!r} in the database", err=True)
                raise typer.Exit(2)
            try:
                user = create_user(
                    session, tenant_id=found.id, username=username, password=password,
                    role=role, display_name=display_name, agent_id=agent_id,
                    language=language,
                )
            except AccountError as error:
                typer.echo(f"error: {error}", err=True)
                raise typer.Exit(2) from None
            session.commit()
            typer.echo(f"created {user.role} {user.username!r} in tenant {tenant!r} "
                       f"(user id {user.id})")
    finally:
        engine.dispose()


def _user_check(ok: bool, option: str, allowed: str, value: str) -> None:
    if not ok:
        typer.echo(f"error: {option} must be {allowed}, not {value!r}", err=True)
        raise typer.Exit(2)


db_app = typer.Typer(help="The database: create or upgrade its schema, see its revision.",
                     no_args_is_help=True)
app.add_typer(db_app, name="db")


@db_app.command("upgrade")
def db_upgrade(
    revision: Annotated[str, typer.Argument(help="Alembic revision to reach.")] = "head",
) -> None:
    """Create or upgrade the schema of the database (HOTLINE_DATABASE_URL, by default
    sqlite:///var/hotline.db)."""
    from hotline.store.database import make_engine, upgrade

    engine = make_engine()
    try:
        upgrade(engine, revision)
        typer.echo(f"{_db_shown(engine)} is at revision {_db_revision(engine) or '(none)'}")
    finally:
        engine.dispose()


@db_app.command("current")
def db_current() -> None:
    """Print the database's schema revision, and whether an upgrade is due."""
    from alembic.script import ScriptDirectory

    from hotline.store.database import MIGRATIONS, make_engine

    engine = make_engine()
    try:
        current = _db_revision(engine)
        head = ScriptDirectory(str(MIGRATIONS)).get_current_head()
        state = "up to date" if current == head else f"upgrade due to {head} (hotline db upgrade)"
        typer.echo(f"{_db_shown(engine)}: revision {current or '(none: empty)'}, {state}")
    finally:
        engine.dispose()


def _db_revision(engine: Any) -> str | None:
    from alembic.migration import MigrationContext

    with engine.connect() as connection:
        revision: str | None = MigrationContext.configure(connection).get_current_revision()
        return revision


def _db_shown(engine: Any) -> str:
    shown: str = engine.url.render_as_string(hide_password=True)
    return shown


recordings_app = typer.Typer(help="Call recordings: clean up the old ones.",
                             no_args_is_help=True)
app.add_typer(recordings_app, name="recordings")


@recordings_app.command("purge")
def recordings_purge(
    older_than: Annotated[
        int, typer.Option(metavar="DAYS", help="Delete recordings of calls that started more "
                                               "than this many days ago (at least 1).")
    ],
    root: Annotated[
        Path, typer.Option(help="The directory the recordings are kept under.")
    ] = Path("var/recordings"),
) -> None:
    """Delete old call recordings, their rows in the database (HOTLINE_DATABASE_URL) and their
    files; prints how many went."""
    from datetime import timedelta

    from hotline.store.account_tables import utc_now
    from hotline.store.database import make_engine, upgrade
    from hotline.store.recordings import RecordingArchive

    if older_than < 1:
        typer.echo(f"error: --older-than must be at least 1 day, not {older_than}", err=True)
        raise typer.Exit(2)
    engine = make_engine()
    try:
        upgrade(engine)
        cutoff = utc_now() - timedelta(days=older_than)
        removed = RecordingArchive(engine, root).purge(cutoff)
        typer.echo(f"removed {removed} recording(s) of calls before {cutoff:%Y-%m-%d %H:%M} UTC")
    finally:
        engine.dispose()


config_app = typer.Typer(
    help="A tenant's configuration as YAML: export it for versioning, import it back.",
    no_args_is_help=True,
)
app.add_typer(config_app, name="config")


@config_app.command("export")
def config_export(
    tenant: Annotated[str, typer.Option(help="The tenant's name.")],
    file: Annotated[
        Path, typer.Argument(metavar="FILE.yaml", help="Where to write ('-': stdout).")
    ],
) -> None:
    """Write a tenant's whole configuration (queues, agents, routing...) to a YAML file."""
    from hotline.store.config_repo import ConfigNotFound, read_tenants
    from hotline.store.config_yaml import config_yaml, export_config
    from hotline.store.database import make_engine, session_factory, upgrade

    to_stdout = str(file) == "-"
    if not to_stdout and not file.parent.is_dir():
        typer.echo(f"error: cannot write {file}: no directory {file.parent}", err=True)
        raise typer.Exit(2)
    engine = make_engine()
    try:
        upgrade(engine)
        with session_factory(engine)() as session:
            try:
                document = export_config(session, tenant)
            except ConfigNotFound:
                names = ", ".join(t.name for t in read_tenants(session)) or "none"
                typer.echo(f"error: --tenant: no tenant {tenant!r} (tenants: {names})", err=True)
                raise typer.Exit(2) from None
    finally:
        engine.dispose()
    text = (f"# Configuration of tenant {tenant!r}: hotline config import FILE.yaml --replace\n"
            + config_yaml(document))
    if to_stdout:
        typer.echo(text, nl=False)
    else:
        file.write_text(text, encoding="utf-8")
        typer.echo(f"exported tenant {tenant!r} to {file}")


@config_app.command("import")
def config_import(
    file: Annotated[Path, typer.Argument(metavar="FILE.yaml", help="A configuration file.")],
    replace: Annotated[
        bool, typer.Option(help="Replace the configuration of an existing tenant of that name.")
    ] = False,
) -> None:
    """Load a tenant's configuration from a YAML file, as a new tenant or with --replace over
    the existing one. A bad file changes nothing: every problem is printed with its place."""
    from hotline.store.config_repo import ConfigError
    from hotline.store.config_yaml import import_config, read_config_yaml
    from hotline.store.database import make_engine, session_factory, upgrade

    try:
        text = file.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        typer.echo(f"error: cannot read {file}: {error}", err=True)
        raise typer.Exit(2) from None
    engine = make_engine()
    try:
        upgrade(engine)
        with session_factory(engine).begin() as session:
            document, lines = read_config_yaml(text)
            tenant = import_config(session, document, replace=replace, lines=lines)
            counts = ", ".join(
                f"{len(document.get(key) or [])} {shown}" for key, shown in (
                    ("skills", "skills"), ("teams", "teams"), ("queues", "queues"),
                    ("agents", "agents"), ("dnis_routes", "DNIS routes"),
                    ("not_ready_reasons", "not-ready reasons"),
                    ("caller_lists", "caller list entries"), ("flows", "IVR flows")))
    except ConfigError as error:
        typer.echo(f"error: {file}:", err=True)
        for problem in error.problems:
            typer.echo(f"  {problem}", err=True)
        raise typer.Exit(2) from None
    finally:
        engine.dispose()
    typer.echo(f"imported tenant {tenant.name!r} ({counts}) into {_db_shown(engine)}")


ivr_app = typer.Typer(help="IVR flows: check a flow file, or run it with a scripted caller.",
                      no_args_is_help=True)
app.add_typer(ivr_app, name="ivr")


@ivr_app.command("validate")
def ivr_validate(
    file: Annotated[Path, typer.Argument(metavar="FLOW.yaml", help="A flow file (YAML/JSON).")],
) -> None:
    """Print every problem that would stop the flow from being published (exit 1 if any)."""
    from hotline.ivr import validate

    flow = _ivr_load(file)
    problems = validate(flow)
    for problem in problems:
        typer.echo(f"{file}: {problem.node or '(flow)'}: {problem.message} [{problem.kind}]")
    if problems:
        typer.echo(f"{len(problems)} problem(s) in flow {flow.name!r}", err=True)
        raise typer.Exit(1)
    typer.echo(f"{file}: flow {flow.name!r} ({len(flow.nodes)} nodes): no problems")


@ivr_app.command("test")
def ivr_test(
    file: Annotated[Path, typer.Argument(metavar="FLOW.yaml", help="A flow file (YAML/JSON).")],
    digits: Annotated[
        str, typer.Option(help="The caller's answers, in order, to each time the flow listens "
                               "for keys: '1,2,1234#' (an empty entry is silence). When they "
                               "run out, the caller hangs up.")
    ] = "",
    language: Annotated[
        str | None, typer.Option(help="The caller's language at the start (default: the "
                                      "flow's first).")
    ] = None,
    ani: Annotated[str, typer.Option(help="The caller's number.")] = "13800138000",
    dnis: Annotated[str, typer.Option(help="The number called.")] = "96777",
    at: Annotated[
        str | None, typer.Option(help="When the call comes, ISO 8601 (without a zone: in "
                                      "--timezone); default: now.")
    ] = None,
    timezone: Annotated[str, typer.Option(help="The tenant's time zone.")] = "Asia/Shanghai",
    closed: Annotated[
        bool, typer.Option(help="Run as outside business hours (time conditions say closed).")
    ] = False,
    database: Annotated[
        list[str] | None,
        typer.Option(help="NAME=SQLALCHEMY_URL: where ACCESS DB nodes of database NAME query "
                          "(repeatable). Without one, a query on NAME fails."),
    ] = None,
    variable: Annotated[
        list[str] | None, typer.Option(help="NAME=VALUE: an input variable (repeatable).")
    ] = None,
    http_status: Annotated[
        int | None, typer.Option(help="The status every HTTP request gets (default: the "
                                      "request fails).")
    ] = None,
    http_body: Annotated[
        str | None, typer.Option(help="The JSON object every HTTP request gets (status 200 "
                                      "unless --http-status).")
    ] = None,
) -> None:
    """Run a flow headless with a scripted caller and print the transcript: each node, prompt,
    key entry, query and transfer, then the outcome and the flow's variables.

    Example: hotline ivr test examples/ivr/gas_utility.yaml --digits "2,3"
    """
    from datetime import datetime
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    from sqlalchemy import create_engine
    from sqlalchemy.exc import ArgumentError

    from hotline.core.hours import BusinessHours
    from hotline.ivr import validate
    from hotline.ivr.events import HttpResult
    from hotline.ivr_cli import ScriptedCall, ScriptError, parse_digits

    flow = _ivr_load(file)
    try:
        answers = parse_digits(digits)
    except ScriptError as error:
        _ivr_usage("--digits", str(error))
    if language is not None and language not in flow.languages:
        _ivr_usage("--language", f"{language!r} is not a language of the flow "
                                  f"({', '.join(flow.languages)})")
    try:
        zone = ZoneInfo(timezone)
    except (ZoneInfoNotFoundError, ValueError):
        _ivr_usage("--timezone", f"unknown time zone {timezone!r}: use an IANA name such as "
                                 "'Asia/Shanghai'")
    try:
        moment = datetime.now(zone) if at is None else datetime.fromisoformat(at)
    except ValueError:
        _ivr_usage("--at", f"{at!r} is not an ISO 8601 time such as 2025-03-03T10:00")
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=zone)
    inputs = dict(_ivr_pair("--variable", item) for item in variable or [])
    http = None
    if http_status is not None or http_body is not None:
        http = HttpResult(http_status or 200, _ivr_json_object(http_body or "{}"))
    engines = {}
    try:
        for item in database or []:
            name, url = _ivr_pair("--database", item)
            try:
                engines[name] = create_engine(url)
            except (ArgumentError, ImportError) as error:
                _ivr_usage("--database", f"{url!r} is not a database URL: {error}")
        for problem in validate(flow):
            typer.echo(f"warning: {problem.node or '(flow)'}: {problem.message}", err=True)
        typer.echo(f"flow {flow.name!r}: call from {ani} to {dnis} at "
                   f"{moment.isoformat(timespec='seconds')}"
                   + (" (closed)" if closed else ""))
        call = ScriptedCall(
            flow, answers, typer.echo, moment.timestamp(), ani=ani, dnis=dnis,
            timezone=timezone, language=language, databases=engines, http=http,
            variables=inputs,
            business_hours=BusinessHours(timezone=timezone) if closed else None)
        outcome = call.run()
    finally:
        for engine in engines.values():
            engine.dispose()
    if outcome.result == "error":
        raise typer.Exit(1)


def _ivr_load(file: Path) -> Any:
    """The flow in `file`, or its load errors printed and exit 1 (no such file: exit 2)."""
    from hotline.ivr import FlowLoadError, load_flow

    if not file.is_file():
        typer.echo(f"error: no flow file {file}", err=True)
        raise typer.Exit(2)
    try:
        return load_flow(file)
    except (OSError, UnicodeDecodeError) as error:
        typer.echo(f"error: cannot read {file}: {error}", err=True)
        raise typer.Exit(2) from None
    except FlowLoadError as error:
        for path, message in error.errors:
            typer.echo(f"{file}: {path or '(flow)'}: {message}")
        typer.echo(f"{file} does not load as a flow ({len(error.errors)} error(s))", err=True)
        raise typer.Exit(1) from None


def _ivr_usage(option: str, message: str) -> NoReturn:
    typer.echo(f"error: {option}: {message}", err=True)
    raise typer.Exit(2)


def _ivr_pair(option: str, item: str) -> tuple[str, str]:
    name, equals, value = item.partition("=")
    if not equals or not name:
        _ivr_usage(option, f"{item!r} must be NAME=VALUE")
    return name, value


def _ivr_json_object(text: str) -> dict[str, object]:
    try:
        body = json.loads(text)
    except ValueError as error:
        _ivr_usage("--http-body", f"not JSON: {error}")
    if not isinstance(body, dict):
        _ivr_usage("--http-body", "must be a JSON object, {...}")
    return body


@app.command()
def serve(
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port for the API, web pages and CTI WebSocket.")]
    = 8080,
    config: Annotated[
        Path | None,
        typer.Option(help="Configuration (YAML, as `hotline config export` writes) to load "
                          "at start, replacing that tenant's configuration."),
    ] = None,
    demo: Annotated[
        bool, typer.Option(help="Create (once) and run the demo tenant with synthetic callers.")
    ] = False,
    demo_rate: Annotated[
        float, typer.Option(help="With --demo: synthetic calls per second.")
    ] = 0.5,
    ticket_sweep: Annotated[
        float, typer.Option(help="Seconds between looks for tickets to remind of or escalate.")
    ] = 30.0,
    sip_port: Annotated[
        int, typer.Option(help="Port for SIP over UDP and TCP (phones, trunks); 0 picks a "
                               "free one.")
    ] = 5060,
    sip: Annotated[
        bool, typer.Option(help="Run the embedded SIP switch (--no-sip: API and web only).")
    ] = True,
    rtp_ports: Annotated[
        str, typer.Option(help="Range of UDP ports for call media, FIRST-LAST.")
    ] = "20000-29999",
    sip_digest: Annotated[
        str, typer.Option(help="Digest algorithms challenged, in order: MD5, SHA-256 "
                               "(comma-separated). Many phones handle only MD5.")
    ] = "MD5",
) -> None:
    """Run the contact center: the interaction servers in real time, the journal, the API and
    the SIP switch."""
    from hotline.service import ServeOptions
    from hotline.service import serve as run

    if not 0 < port < 65536:
        typer.echo(f"error: --port {port} must be between 1 and 65535", err=True)
        raise typer.Exit(2)
    if demo_rate < 0:
        typer.echo(f"error: --demo-rate {demo_rate} must be >= 0 calls per second", err=True)
        raise typer.Exit(2)
    if not 1 <= ticket_sweep <= 3600:
        typer.echo(f"error: --ticket-sweep {ticket_sweep} must be from 1 to 3600 seconds",
                   err=True)
        raise typer.Exit(2)
    if config is not None and not config.is_file():
        typer.echo(f"error: --config {config}: no such file", err=True)
        raise typer.Exit(2)
    if not 0 <= sip_port < 65536:
        typer.echo(f"error: --sip-port {sip_port} must be between 0 and 65535", err=True)
        raise typer.Exit(2)
    first, _, last = rtp_ports.partition("-")
    if not (first.isdigit() and last.isdigit() and 1024 <= int(first) < int(last) < 65536):
        typer.echo(f"error: --rtp-ports {rtp_ports!r} must be FIRST-LAST with "
                   "1024 <= FIRST < LAST <= 65535", err=True)
        raise typer.Exit(2)
    algorithms = tuple(name.strip().upper() for name in sip_digest.split(",") if name.strip())
    if not algorithms or not set(algorithms) <= {"MD5", "SHA-256"} or len(set(algorithms)) < len(
            algorithms):
        typer.echo(f"error: --sip-digest {sip_digest!r} must list MD5 and/or SHA-256 once "
                   "each", err=True)
        raise typer.Exit(2)
    run(ServeOptions(host=host, port=port, config_file=config, demo=demo,
                     demo_calls_per_second=demo_rate, ticket_sweep_seconds=ticket_sweep,
                     sip_port=sip_port if sip else None,
                     rtp_ports=range(int(first), int(last) + 1), sip_digest=algorithms))
