"""Group commit on SQLite and PostgreSQL: a future is done only once its facts are committed;
submissions made while a transaction runs share the next one; a failed transaction leaves
nothing behind and fails only the futures it had to."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from concurrent.futures import Future
from typing import Any

import pytest
from sqlalchemy import Engine, event, func, select

from hotline.store.database import Base, make_engine
from hotline.store.journal import Journal, JournalWriter
from hotline.store.journal_tables import (
    JOURNAL_TABLES,
    AgentStateRecord,
    FactRecord,
    InteractionRecord,
)
from tests.integration.store.journal_day import morning
from tests.integration.store.test_journal import RECORDS, STATES, records, states


@pytest.fixture
def journal_engine(database_url: str) -> Iterator[Engine]:
    engine = make_engine(database_url)
    Base.metadata.create_all(engine, tables=list(JOURNAL_TABLES))
    yield engine
    engine.dispose()


def count(engine: Engine, table: Any) -> int:
    with engine.connect() as connection:
        return connection.execute(select(func.count()).select_from(table)).scalar_one()


class Gate:
    """Holds the writer's first transaction at its first statement until `open()`, so that
    what is submitted meanwhile piles up for the next group; counts commits."""

    def __init__(self, engine: Engine) -> None:
        self.reached = threading.Event()
        self._open = threading.Event()
        self.commits = 0
        event.listen(engine, "before_cursor_execute", self._statement)
        event.listen(engine, "commit", self._commit)

    def _statement(self, *_: Any) -> None:
        if not self._open.is_set():
            self.reached.set()
            assert self._open.wait(10), "the gate was never opened"

    def _commit(self, *_: Any) -> None:
        self.commits += 1

    def open(self) -> None:
        self._open.set()


def test_a_future_is_done_only_when_another_connection_sees_its_facts(
    journal_engine: Engine, database_url: str
) -> None:
    facts = morning()
    observer = make_engine(database_url)
    seen: list[tuple[int, int]] = []

    def look(future: Future[int]) -> None:  # runs on the writer's thread, as it resolves
        seq = future.result()
        with observer.connect() as connection:
            visible = connection.execute(
                select(func.count()).select_from(FactRecord).where(FactRecord.seq <= seq)
            ).scalar_one()
        seen.append((seq, visible))

    with JournalWriter(Journal(journal_engine)) as writer:
        futures = [writer.submit("acme", [fact]) for fact in facts]
        for future in futures:
            future.add_done_callback(look)
    observer.dispose()
    assert [f.result() for f in futures] == list(range(1, len(facts) + 1))
    assert sorted(seen) == [(seq, seq) for seq in range(1, len(facts) + 1)]
    assert records(journal_engine) == RECORDS
    assert states(journal_engine) == STATES


def test_what_is_submitted_during_a_transaction_goes_into_the_next_one(
    journal_engine: Engine,
) -> None:
    facts = morning()
    gate = Gate(journal_engine)
    with JournalWriter(Journal(journal_engine)) as writer:
        first = writer.submit("acme", facts[:1])
        assert gate.reached.wait(10)
        rest = [writer.submit("acme", [fact]) for fact in facts[1:]]
        barrier = writer.submit("acme", [])
        gate.open()
        assert barrier.result(10) == len(facts)
    assert first.result() == 1
    assert [f.result() for f in rest] == list(range(2, len(facts) + 1))
    assert gate.commits == 2
    assert records(journal_engine) == RECORDS


def test_a_failed_transaction_fails_its_futures_and_leaves_nothing_half_written(
    journal_engine: Engine,
) -> None:
    """The database fails at the agent state log, after the facts and the records were
    inserted in the same transaction: none of them remains; the journal carries on."""
    facts = morning()

    def fail(_conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        if "agent_state_log" in statement and not statement.startswith("SELECT"):
            raise RuntimeError("disk full")

    event.listen(journal_engine, "before_cursor_execute", fail)
    journal = Journal(journal_engine)
    with JournalWriter(journal) as writer:
        failed = writer.submit("acme", facts[:30])
        with pytest.raises(RuntimeError, match="disk full"):
            failed.result(10)
        assert (count(journal_engine, FactRecord), count(journal_engine, InteractionRecord),
                count(journal_engine, AgentStateRecord)) == (0, 0, 0)
        event.remove(journal_engine, "before_cursor_execute", fail)
        last = writer.submit("acme", facts).result(10)
    # PostgreSQL never hands back sequence numbers a failed transaction took: seqs may skip.
    with journal_engine.connect() as connection:
        assert connection.execute(select(func.max(FactRecord.seq))).scalar_one() == last
    assert count(journal_engine, FactRecord) == len(facts)
    assert records(journal_engine) == RECORDS
    assert states(journal_engine) == STATES


def test_a_bad_submission_fails_alone_in_its_group(journal_engine: Engine) -> None:
    facts = morning()
    gate = Gate(journal_engine)
    with JournalWriter(Journal(journal_engine)) as writer:
        writer.submit("acme", facts[:1])
        assert gate.reached.wait(10)
        good = writer.submit("acme", facts[1:30])
        bad = writer.submit("acme", ["not a fact"])  # type: ignore[list-item]
        more = writer.submit("acme", facts[30:])
        gate.open()
        with pytest.raises(TypeError):
            bad.result(10)
        assert (good.result(10), more.result(10)) == (30, len(facts))
    assert records(journal_engine) == RECORDS


def test_writers_on_several_threads_for_several_tenants(journal_engine: Engine) -> None:
    facts = morning()
    tenants = [f"tenant{n}" for n in range(4)]
    with JournalWriter(Journal(journal_engine), max_batch=50) as writer:
        futures: list[Future[int]] = []

        def feed(tenant: str) -> None:
            for start in range(0, len(facts), 3):
                futures.append(writer.submit(tenant, facts[start:start + 3]))

        threads = [threading.Thread(target=feed, args=(t,)) for t in tenants]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    assert sorted(f.result() for f in futures)[-1] == 4 * len(facts)
    for tenant in tenants:
        assert records(journal_engine, tenant) == RECORDS
        assert states(journal_engine, tenant) == STATES


def test_close_writes_everything_then_refuses_more(journal_engine: Engine) -> None:
    facts = morning()
    writer = JournalWriter(Journal(journal_engine))
    futures = [writer.submit("acme", facts[i:i + 5]) for i in range(0, len(facts), 5)]
    writer.close()
    assert all(f.done() for f in futures)
    assert count(journal_engine, FactRecord) == len(facts)
    with pytest.raises(RuntimeError, match="closed"):
        writer.submit("acme", facts)
