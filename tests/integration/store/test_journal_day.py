"""The journal against the rest of Hotline: the records of a simulated hour agree with the KPI
report the simulator folds from the same facts, and the Alembic migration builds the journal's
tables exactly as `journal_tables` declares them."""

from __future__ import annotations

import dataclasses
import statistics
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import Engine, MetaData

from hotline.analytics.kpi import Figures
from hotline.core.facts import Fact
from hotline.store.database import Base, make_engine
from hotline.store.journal import Journal, JournalWriter, list_interactions
from hotline.store.journal_tables import JOURNAL_TABLES
from hotline.switch.sim.runner import _Run
from hotline.switch.sim.scenario import load_scenario

GAS_UTILITY = Path(__file__).parents[3] / "examples" / "scenarios" / "gas_utility.yaml"


@pytest.fixture
def journal_engine(database_url: str) -> Iterator[Engine]:
    engine = make_engine(database_url)
    Base.metadata.create_all(engine, tables=list(JOURNAL_TABLES))
    yield engine
    engine.dispose()


def simulated_hour() -> tuple[list[Fact], Figures]:
    """The first hour of the gas utility's day: its facts and the simulator's KPI totals."""
    scenario = load_scenario(GAS_UTILITY)
    run = _Run(dataclasses.replace(scenario, duration=3600.0), scenario.seed, None)
    facts: list[Fact] = []
    drain = run.server.drain_facts

    def record() -> list[Fact]:
        drained = drain()
        facts.extend(drained)
        return drained

    run.server.drain_facts = record  # type: ignore[method-assign]
    return facts, run.run().report.totals


def test_records_of_a_simulated_hour_agree_with_its_kpi_report(journal_engine: Engine) -> None:
    facts, totals = simulated_hour()
    with JournalWriter(Journal(journal_engine)) as writer:
        futures = [writer.submit("gas", facts[i:i + 100]) for i in range(0, len(facts), 100)]
    assert futures[-1].result() > 0
    rows, total = list_interactions(journal_engine, "gas", limit=1000)
    assert total == len(rows) == totals.offered  # nobody rejected in this hour

    answered = [r for r in rows if r.result == "answered"]
    handled = [r for r in answered if r.wrap_up_seconds is not None]
    assert len(answered) == totals.answered
    assert sum(r.result == "abandoned" for r in rows) == totals.abandoned
    assert sum(r.result == "timed_out" for r in rows) == totals.timed_out
    assert statistics.fmean(r.wait_seconds or 0.0 for r in answered) == pytest.approx(
        totals.asa_seconds)
    assert len(handled) == totals.handled
    assert statistics.fmean((r.talk_seconds or 0.0) + (r.wrap_up_seconds or 0.0)
                            for r in handled) == pytest.approx(totals.aht_seconds)


def _mine(obj: Any, _name: str | None, type_: str, _reflected: bool, _other: Any) -> bool:
    table = obj if type_ == "table" else getattr(obj, "table", None)
    return table is not None and table.name in {t.name for t in JOURNAL_TABLES}


def test_the_migration_builds_the_tables_as_declared(engine: Engine) -> None:
    declared = MetaData()
    for table in JOURNAL_TABLES:
        table.to_metadata(declared)
    with engine.connect() as connection:
        context = MigrationContext.configure(
            connection, opts={"include_object": _mine, "compare_type": True})
        assert compare_metadata(context, declared) == []
