"""Hold and transfer in the interaction records: hold time is counted apart from talk time,
and a blind transfer out ends the record as `transferred`."""

from __future__ import annotations

from sqlalchemy import Engine

from hotline.core import InteractionServer
from hotline.core.events import (
    AgentAnswered,
    AgentHeld,
    AgentHungUp,
    AgentLoggedIn,
    AgentReady,
    AgentRetrieved,
    AgentTransferredOut,
    Event,
    InteractionArrived,
)
from hotline.core.model import Agent, Queue, Tenant
from hotline.store.journal import Journal
from hotline.store.journal_queries import list_interactions

TENANT = Tenant("acme", queues=(Queue("q"),), default_queue="q",
                agents=(Agent("a", wrap_up=0.0), Agent("b", wrap_up=0.0)))


def _run(engine: Engine, events: list[tuple[float, Event]]) -> None:
    server = InteractionServer(TENANT)
    journal = Journal(engine)
    for at, event in events:
        server.handle(event, at)
        journal.write("acme", server.drain_facts())


def test_hold_time_is_counted_apart_from_talk_time(engine: Engine) -> None:
    _run(engine, [
        (0, AgentLoggedIn("a")), (0, AgentReady("a")),
        (10, InteractionArrived("c1")), (12, AgentAnswered("c1", "a")),
        (20, AgentHeld("c1", "a")), (50, AgentRetrieved("c1", "a")),
        (60, AgentHeld("c1", "a")), (70, AgentHungUp("c1", "a")),
    ])
    rows, _ = list_interactions(engine, "acme")
    record = rows[0]
    assert record.result == "answered"
    assert record.hold_seconds == 40.0  # 20–50 and 60–70
    assert record.talk_seconds == 18.0  # 58 s from answer to end, less 40 s on hold


def test_a_blind_transfer_out_ends_the_record_as_transferred(engine: Engine) -> None:
    _run(engine, [
        (0, AgentLoggedIn("b")), (0, AgentReady("b")),
        (1, InteractionArrived("c2")), (2, AgentAnswered("c2", "b")),
        (30, AgentTransferredOut("c2", "b", "95598")),
    ])
    rows, _ = list_interactions(engine, "acme")
    assert rows[0].result == "transferred" and rows[0].talk_seconds == 28.0
    assert rows[0].hold_seconds == 0.0
