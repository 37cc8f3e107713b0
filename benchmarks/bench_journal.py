"""Journal: facts per second made durable — appended and projected into the interaction records
and the agent state log, committed — on SQLite (a file) and on PostgreSQL.

    .venv/bin/python benchmarks/bench_journal.py [--repeat 3] [--scenario FILE] [--postgres URL]

The facts are a real simulated day: `examples/scenarios/example.yaml` run through the core
(about 6,000 calls, 54,000 facts). Each run writes all of them into a fresh database through a
`JournalWriter` and counts the time from the first submission until the writer has committed
the last; the figure is the median over the runs. Three ways of submitting:
- `100 / transaction`, `1,000 / transaction`: submissions of that many facts, one transaction
  each (the writer's `max_batch` is set to the same size);
- `per event, group commit`: one submission per instant of the day (the facts one core event
  produces, 4.5 on average), as the real-time runtime submits them; the writer merges whatever
  piled up during the previous commit into one transaction.

Then the latency of an acknowledgement in a quiet center: one event's facts submitted, waited
for, then the next (the first 2,000 events of the day), p50 and p99.

SQLite runs as Hotline sets it up (write-ahead log, `synchronous=NORMAL`: durable across a
process crash); the `synchronous=FULL` row also survives a power cut. PostgreSQL needs an
admin URL (`--postgres`, else `HOTLINE_BENCH_POSTGRES` or `HOTLINE_TEST_POSTGRES`); each run
gets a scratch database, dropped afterwards, and the server's own durability settings
(printed) apply.
"""

from __future__ import annotations

import argparse
import itertools
import os
import statistics
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event, func, select, text

from hotline.core.facts import Fact
from hotline.store.database import Base, make_engine
from hotline.store.journal import Journal, JournalWriter
from hotline.store.journal_tables import FACTS, INTERACTION_RECORDS, JOURNAL_TABLES
from hotline.switch.sim.runner import _Run
from hotline.switch.sim.scenario import load_scenario

EXAMPLE = Path(__file__).parents[1] / "examples" / "scenarios" / "example.yaml"
GOAL = 5_000
LATENCY_EVENTS = 2_000


def simulated_day(path: Path) -> tuple[list[Fact], int]:
    """The facts of the scenario's day, as the core produced them, and its number of calls."""
    scenario = load_scenario(path)
    run = _Run(scenario, scenario.seed, None)
    facts: list[Fact] = []
    drain = run.server.drain_facts

    def record() -> list[Fact]:
        drained = drain()
        facts.extend(drained)
        return drained

    run.server.drain_facts = record  # type: ignore[method-assign]
    result = run.run()
    return facts, result.calls


def by_size(facts: list[Fact], size: int) -> list[list[Fact]]:
    return [facts[i:i + size] for i in range(0, len(facts), size)]


def by_instant(facts: list[Fact]) -> list[list[Fact]]:
    return [list(group) for _, group in itertools.groupby(facts, key=lambda f: f.at)]


def write_all(engine: Engine, submissions: Sequence[Sequence[Fact]],
              max_batch: int) -> tuple[float, int]:
    """Seconds from the first submission until every fact is committed, and the number of
    transactions it took."""
    commits = 0

    def count(_: Any) -> None:
        nonlocal commits
        commits += 1

    event.listen(engine, "commit", count)
    started = time.perf_counter()
    with JournalWriter(Journal(engine), max_batch=max_batch) as writer:
        last = None
        for facts in submissions:
            last = writer.submit("bench", facts)
    assert last is not None
    last.result()
    return time.perf_counter() - started, commits


def ack_latencies(engine: Engine, submissions: Sequence[Sequence[Fact]]) -> list[float]:
    """Milliseconds from submitting each event's facts until they are committed, one event at
    a time (a quiet contact center: nothing else is queued behind the writer)."""
    latencies = []
    with JournalWriter(Journal(engine)) as writer:
        for facts in submissions:
            started = time.perf_counter()
            writer.submit("bench", facts).result()
            latencies.append((time.perf_counter() - started) * 1000)
    return latencies


@contextmanager
def sqlite_database(synchronous: str) -> Iterator[Engine]:
    with tempfile.TemporaryDirectory() as folder:
        engine = make_engine(f"sqlite:///{folder}/journal.db")
        if synchronous != "NORMAL":
            event.listen(engine, "connect",
                         lambda connection, _: connection.execute(
                             f"PRAGMA synchronous={synchronous}"))
        Base.metadata.create_all(engine, tables=list(JOURNAL_TABLES))
        try:
            yield engine
        finally:
            engine.dispose()


@contextmanager
def postgres_database(admin_url: str) -> Iterator[Engine]:
    name = f"hotline_bench_{uuid.uuid4().hex[:12]}"
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    engine = make_engine(admin_url.rsplit("/", 1)[0] + "/" + name)
    try:
        Base.metadata.create_all(engine, tables=list(JOURNAL_TABLES))
        yield engine
    finally:
        engine.dispose()
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def check(engine: Engine, facts: int, calls: int) -> None:
    with engine.connect() as connection:
        stored = connection.execute(select(func.count()).select_from(FACTS)).scalar_one()
        records = connection.execute(
            select(func.count()).select_from(INTERACTION_RECORDS)).scalar_one()
    assert (stored, records) == (facts, calls), (stored, records)


def postgres_settings(admin_url: str) -> str:
    engine = create_engine(admin_url)
    with engine.connect() as connection:
        version = connection.execute(text("SHOW server_version")).scalar_one()
        values = [f"{name}={connection.execute(text(f'SHOW {name}')).scalar_one()}"
                  for name in ("fsync", "synchronous_commit", "wal_sync_method")]
    engine.dispose()
    return f"PostgreSQL {version} ({', '.join(values)})"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--scenario", type=Path, default=EXAMPLE)
    parser.add_argument("--postgres", default=os.environ.get("HOTLINE_BENCH_POSTGRES")
                        or os.environ.get("HOTLINE_TEST_POSTGRES"))
    args = parser.parse_args()

    facts, calls = simulated_day(args.scenario)
    instants = by_instant(facts)
    print(f"{args.scenario.name}: {len(facts):,} facts, {calls:,} calls, {len(instants):,} "
          f"instants; median of {args.repeat} runs, each on a fresh database")
    ways: list[tuple[str, list[list[Fact]], int]] = [
        ("100 / transaction", by_size(facts, 100), 100),
        ("1,000 / transaction", by_size(facts, 1000), 1000),
        ("per event, group commit", instants, 10_000),
    ]
    databases: list[tuple[str, Callable[[], Any]]] = [
        ("SQLite", lambda: sqlite_database("NORMAL")),
        ("SQLite synchronous=FULL", lambda: sqlite_database("FULL")),
    ]
    if args.postgres:
        print(postgres_settings(args.postgres))
        databases.append(("PostgreSQL", lambda: postgres_database(args.postgres)))
    else:
        print("PostgreSQL skipped: give --postgres or set HOTLINE_BENCH_POSTGRES")

    print(f"{'database':<26}{'submissions':<26}{'facts/s (median)':>18}{'min':>10}{'max':>10}"
          f"{'facts/tx':>10}{'goal':>8}")
    for (label, database), (way, submissions, max_batch) in itertools.product(databases, ways):
        rates = []
        transactions = []
        for _ in range(args.repeat):
            with database() as engine:
                seconds, commits = write_all(engine, submissions, max_batch)
                check(engine, len(facts), calls)
            rates.append(len(facts) / seconds)
            transactions.append(commits)
        median = statistics.median(rates)
        per_transaction = len(facts) / statistics.median(transactions)
        print(f"{label:<26}{way:<26}{median:>18,.0f}{min(rates):>10,.0f}{max(rates):>10,.0f}"
              f"{per_transaction:>10,.0f}{'met' if median >= GOAL else 'MISSED':>8}")

    print(f"\nacknowledgement latency, one event at a time ({LATENCY_EVENTS:,} events)")
    print(f"{'database':<26}{'p50 ms':>10}{'p99 ms':>10}{'max ms':>10}")
    for label, database in databases:
        with database() as engine:
            latencies = sorted(ack_latencies(engine, instants[:LATENCY_EVENTS]))
        p50 = latencies[len(latencies) // 2]
        p99 = latencies[int(len(latencies) * 0.99)]
        print(f"{label:<26}{p50:>10.2f}{p99:>10.2f}{latencies[-1]:>10.2f}")


if __name__ == "__main__":
    main()
