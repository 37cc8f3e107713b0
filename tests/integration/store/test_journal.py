"""The journal on SQLite and PostgreSQL: facts in, interaction records and the agent state log
out, checked against the morning in `journal_day` worked out by hand; recovery after a crash;
robustness against facts the projections cannot place."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta, timezone
from typing import Any

import pytest
from sqlalchemy import Engine, func, select

from hotline.core.agent_fsm import AgentState
from hotline.core.facts import AgentStateChanged, Fact, InteractionDelivered
from hotline.core.model import Channel
from hotline.store.database import Base, make_engine
from hotline.store.journal import (
    SYSTEM_RESTART,
    Journal,
    agent_state_log,
    list_interactions,
    read_facts,
)
from hotline.store.journal_tables import (
    JOURNAL_TABLES,
    AgentStateRecord,
    FactRecord,
    InteractionRecord,
)
from tests.integration.store.journal_day import END, T0, morning

# interaction: result, queue, first_queue, agent, arrived, queued, answered, ended, wait, talk,
# wrap-up, offers, overflows (times in seconds after T0)
RECORDS: dict[str, tuple[Any, ...]] = {
    "c1": ("answered", "sales", "sales", "a1", 10, 10, 14, 74, 4, 60, 30, 1, 0),
    "c2": ("abandoned", "sales", "sales", None, 20, 20, None, 50, 30, 0, 0, 0, 0),
    "c3": ("answered", "support", "sales", "a2", 30, 30, 103, 163, 73, 60, 0, 1, 1),
    "c4": ("timed_out", "billing", "billing", None, 40, 40, None, 160, 120, 0, 0, 0, 0),
    "c5": ("rejected:blacklisted", None, None, None, 45, None, None, 45, 0, 0, 0, 0, 0),
    "c6": ("answered", "support", "support", "a2", 200, 200, 232, 292, 32, 60, 0, 2, 0),
    "c7": (None, "support", "support", "a2", 310, 310, 315, None, 5, None, None, 1, 0),
    "c8": ("abandoned", "sales", "sales", None, 335, 335, None, 340, 5, 0, 0, 1, 0),
}

# agent: (state, reason, interaction, started, ended), in order
STATES: dict[str, list[tuple[Any, ...]]] = {
    "a1": [
        ("not_ready", "login", None, 0, 5),
        ("ready", None, None, 5, 10),
        ("reserved", None, "c1", 10, 14),
        ("busy", None, "c1", 14, 74),
        ("wrap_up", None, "c1", 74, 104),
        ("ready", None, None, 104, 200),
        ("reserved", None, "c6", 200, 220),
        ("not_ready", "no_answer", "c6", 220, 250),
        ("ready", None, None, 250, 300),
        ("not_ready", "login", None, 330, 331),
        ("ready", None, None, 331, 335),
        ("reserved", None, "c8", 335, 340),
        ("ready", "customer_left", "c8", 340, None),
    ],
    "a2": [
        ("not_ready", "login", None, 95, 100),
        ("ready", None, None, 100, 100),
        ("reserved", None, "c3", 100, 103),
        ("busy", None, "c3", 103, 163),
        ("ready", None, "c3", 163, 170),
        ("not_ready", "break", None, 170, 230),
        ("ready", None, None, 230, 230),
        ("reserved", None, "c6", 230, 232),
        ("busy", None, "c6", 232, 292),
        ("ready", None, "c6", 292, 310),
        ("reserved", None, "c7", 310, 315),
        ("busy", None, "c7", 315, None),
    ],
}


@pytest.fixture
def journal_engine(database_url: str) -> Iterator[Engine]:
    engine = make_engine(database_url)
    Base.metadata.create_all(engine, tables=list(JOURNAL_TABLES))
    yield engine
    engine.dispose()


def offset(moment: Any) -> float | None:
    return None if moment is None else round(moment.timestamp() - T0, 6)


def records(engine: Engine, tenant: str = "acme") -> dict[str, tuple[Any, ...]]:
    rows, total = list_interactions(engine, tenant, limit=1000)
    assert total == len(rows)
    return {
        r.interaction_id: (
            r.result, r.queue, r.first_queue, r.agent, offset(r.arrived_at), offset(r.queued_at),
            offset(r.answered_at), offset(r.ended_at), r.wait_seconds, r.talk_seconds,
            r.wrap_up_seconds, r.offers, r.overflows,
        )
        for r in rows
    }


def states(engine: Engine, tenant: str = "acme") -> dict[str, list[tuple[Any, ...]]]:
    rows, _ = agent_state_log(engine, tenant, limit=1000)
    by_agent: dict[str, list[tuple[Any, ...]]] = {}
    for r in reversed(rows):  # the log lists the latest first
        started, ended = r.started_at.timestamp() - T0, offset(r.ended_at)
        assert r.duration_seconds == (None if ended is None else pytest.approx(ended - started))
        by_agent.setdefault(r.agent_id, []).append(
            (r.state, r.reason, r.interaction_id, round(started, 6), ended))
    return by_agent


def fact_count(engine: Engine) -> int:
    with engine.connect() as connection:
        return connection.execute(select(func.count()).select_from(FactRecord)).scalar_one()


def test_records_and_state_log_match_the_morning_whatever_the_batches(
    journal_engine: Engine,
) -> None:
    facts = morning()
    journal = Journal(journal_engine)
    for batch in (1, 7, 1000):  # one tenant each
        seqs = [journal.write(f"b{batch}", facts[i:i + batch])
                for i in range(0, len(facts), batch)]
        assert seqs == sorted(seqs) and seqs[-1] == fact_count(journal_engine)
        assert records(journal_engine, f"b{batch}") == RECORDS
        assert states(journal_engine, f"b{batch}") == STATES
    record = list_interactions(journal_engine, "b7", queue="sales", agent="a1")[0][0]
    assert (record.channel, record.ani, record.dnis, record.attributes, record.hold_seconds) == (
        "voice", "5551", "800", {"tier": "gold"}, 0.0)
    assert record.arrived_at.utcoffset() is not None  # timezone-aware on both databases


def test_facts_are_stored_in_order_and_read_back_as_the_core_made_them(
    journal_engine: Engine,
) -> None:
    facts = morning()
    journal = Journal(journal_engine)
    journal.write("acme", facts[:20])
    journal.write("other", facts[:5])
    journal.write("acme", facts[20:])
    stored = read_facts(journal_engine, "acme", limit=1000)
    assert [fact for _, fact in stored] == facts
    assert [seq for seq, _ in stored] == [*range(1, 21), *range(26, 26 + len(facts) - 20)]
    assert [fact for _, fact in read_facts(journal_engine, "acme", after=20, limit=3)] == \
        facts[20:23]


def test_a_restarted_journal_carries_on_from_what_the_database_holds(
    journal_engine: Engine,
) -> None:
    """A new Journal (a new process) finds open records and agents' current rows in the
    database, wherever the restart falls — during a wrap-up (after fact 24), between the two
    halves of a call — and carries on as if nothing had happened. One tenant per restart."""
    facts = morning()
    before, after = Journal(journal_engine), Journal(journal_engine)
    for split in range(0, len(facts) + 1, 2):
        before.write(f"t{split}", facts[:split])
        after.write(f"t{split}", facts[split:])
    for split in range(0, len(facts) + 1, 2):
        assert records(journal_engine, f"t{split}") == RECORDS, split
        assert states(journal_engine, f"t{split}") == STATES, split


def test_recovery_closes_open_interactions_as_system_restart_and_logs_agents_out(
    journal_engine: Engine,
) -> None:
    facts = morning()
    Journal(journal_engine).write("acme", facts)
    journal = Journal(journal_engine)  # the process after the crash
    report = journal.recover("acme", T0 + 400)

    assert report.interactions == ("c7",)
    assert sorted(report.agents) == ["a1", "a2"]
    assert report.last_seq == len(facts) + 3
    expected = dict(RECORDS, c7=(SYSTEM_RESTART, "support", "support", "a2", 310, 310, 315, 400,
                                 5, 85, 0, 1, 0))
    assert records(journal_engine) == expected
    now = states(journal_engine)
    assert now["a1"][-1] == ("ready", "customer_left", "c8", 340, 400)
    assert now["a2"][-1] == ("busy", None, "c7", 315, 400)
    closing = [fact for _, fact in read_facts(journal_engine, "acme", after=len(facts))]
    assert [(type(f).__name__, f.reason) for f in closing] == [
        ("InteractionStateChanged", SYSTEM_RESTART), ("AgentStateChanged", SYSTEM_RESTART),
        ("AgentStateChanged", SYSTEM_RESTART)]
    assert all(f.new is AgentState.LOGGED_OUT for f in closing[1:]
               if isinstance(f, AgentStateChanged))
    again = Journal(journal_engine).recover("acme", T0 + 500)
    assert (again.interactions, again.agents, again.last_seq) == ((), (), 0)


def test_recovery_cuts_a_wrap_up_short_and_ends_waiting_calls(journal_engine: Engine) -> None:
    """Crash at 80 s: c1 answered and a1 in its wrap-up since 74; c3 and c4 waiting."""
    facts = [f for f in morning() if f.at <= T0 + 80]
    Journal(journal_engine).write("acme", facts)
    report = Journal(journal_engine).recover("acme", T0 + 100)
    assert sorted(report.interactions) == ["c3", "c4"]
    assert report.agents == ("a1",)
    got = records(journal_engine)
    assert got["c1"] == ("answered", "sales", "sales", "a1", 10, 10, 14, 74, 4, 60, 26, 1, 0)
    assert got["c3"] == (SYSTEM_RESTART, "sales", "sales", None, 30, 30, None, 100, 70, 0, 0,
                         0, 0)
    assert got["c4"] == (SYSTEM_RESTART, "billing", "billing", None, 40, 40, None, 100, 60, 0,
                         0, 0, 0)
    assert states(journal_engine)["a1"][-1] == ("wrap_up", None, "c1", 74, 100)
    open_rows = agent_state_log(journal_engine, "acme")[0]
    assert all(row.ended_at is not None for row in open_rows)


def test_facts_about_interactions_it_never_saw_are_kept_without_breaking_anything(
    journal_engine: Engine,
) -> None:
    """The journal starts in the middle of the morning (as after a restart without recovery):
    the facts are all stored; records exist for the calls delivered since."""
    facts = [f for f in morning() if f.at >= T0 + 90]
    journal = Journal(journal_engine)
    journal.write("acme", facts)
    assert fact_count(journal_engine) == len(facts)
    got = records(journal_engine)
    assert sorted(got) == ["c6", "c7", "c8"]
    assert got["c6"] == RECORDS["c6"]
    assert states(journal_engine)["a2"][0] == ("not_ready", "login", None, 95, 100)


def test_an_interaction_id_delivered_again_replaces_its_record(journal_engine: Engine) -> None:
    facts = morning()
    journal = Journal(journal_engine)
    journal.write("acme", facts)
    journal.write("acme", [InteractionDelivered(END + 1, "c1", Channel.CHAT, "x", "y", {})])
    rows, total = list_interactions(journal_engine, "acme", limit=100)
    assert total == len(RECORDS)
    again = next(r for r in rows if r.interaction_id == "c1")
    assert (again.channel, again.result, again.ended_at) == ("chat", None, None)


def test_a_batch_with_something_that_is_not_a_fact_writes_nothing(
    journal_engine: Engine,
) -> None:
    journal = Journal(journal_engine)
    bad: list[Any] = [*morning()[:5], "not a fact"]
    with pytest.raises(TypeError, match="not a fact"):
        journal.write("acme", bad)
    assert fact_count(journal_engine) == 0
    assert journal.write("acme", []) == 0


def test_listing_filters_and_pages(journal_engine: Engine) -> None:
    journal = Journal(journal_engine)
    facts: list[Fact] = morning()
    journal.write("acme", facts)
    journal.write("globex", facts)  # another tenant's records never show

    def ids(**filters: Any) -> tuple[list[str], int]:
        rows, total = list_interactions(journal_engine, "acme", **filters)
        return [r.interaction_id for r in rows], total

    assert ids() == (["c8", "c7", "c6", "c5", "c4", "c3", "c2", "c1"], 8)
    assert ids(limit=2, offset=1) == (["c7", "c6"], 8)
    assert ids(queue="support") == (["c7", "c6", "c3"], 3)
    assert ids(agent="a2") == (["c7", "c6", "c3"], 3)
    assert ids(result="answered") == (["c6", "c3", "c1"], 3)
    assert ids(result="rejected") == (["c5"], 1)
    assert ids(start=T0 + 30, end=T0 + 200) == (["c5", "c4", "c3"], 3)
    c4 = list_interactions(journal_engine, "acme", result="timed_out")[0][0]
    assert ids(start=c4.arrived_at) == (["c8", "c7", "c6", "c5", "c4"], 5)
    shanghai = c4.arrived_at.astimezone(timezone(timedelta(hours=8)))
    assert ids(end=shanghai) == (["c3", "c2", "c1"], 3)

    rows, total = agent_state_log(journal_engine, "acme", agent="a1", state="ready")
    assert total == 5 and [offset(r.started_at) for r in rows] == [340, 331, 250, 104, 5]
    rows, total = agent_state_log(journal_engine, "acme", start=T0 + 300)
    assert [(r.agent_id, r.state) for r in rows] == [
        ("a1", "ready"), ("a1", "reserved"), ("a1", "ready"), ("a1", "not_ready"),
        ("a2", "busy"), ("a2", "reserved")]
    with pytest.raises(ValueError, match="limit"):
        list_interactions(journal_engine, "acme", limit=0)
    with pytest.raises(ValueError, match="offset"):
        agent_state_log(journal_engine, "acme", offset=-1)


def test_tables_hold_what_the_projections_say(journal_engine: Engine) -> None:
    """Open rows are exactly the interactions in progress and the agents' current states."""
    Journal(journal_engine).write("acme", morning())
    with journal_engine.connect() as connection:
        open_records = connection.execute(
            select(InteractionRecord.interaction_id).where(InteractionRecord.ended_at.is_(None))
        ).scalars().all()
        open_states = connection.execute(
            select(AgentStateRecord.agent_id, AgentStateRecord.state)
            .where(AgentStateRecord.ended_at.is_(None))
        ).all()
    assert open_records == ["c7"]
    assert sorted(tuple(row) for row in open_states) == [("a1", "ready"), ("a2", "busy")]
