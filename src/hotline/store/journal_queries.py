"""Reading the journal: interaction records and the agent state log, filtered and paged, and
the facts themselves (to replay them through a projection such as the KPI report).

Each function takes an `Engine`, a `Connection` or a `Session`, so the API can call it inside
its own session and scripts with a bare engine. Times to filter on may be timezone-aware
datetimes, naive datetimes in UTC, or epoch seconds; ranges include `start` and exclude `end`.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, TypeVar

from sqlalchemy import Connection, Engine, Select, func, select
from sqlalchemy.orm import Session

from hotline.core.agent_fsm import AgentState
from hotline.core.facts import (
    AgentStateChanged,
    AttributesCollected,
    Fact,
    InteractionDelivered,
    InteractionStateChanged,
    MonitoringChanged,
)
from hotline.core.interaction_fsm import InteractionState
from hotline.core.model import Channel
from hotline.store.journal_tables import FACTS, AgentStateRecord, InteractionRecord

INTERACTION_DELIVERED = "interaction_delivered"
INTERACTION_STATE_CHANGED = "interaction_state_changed"
AGENT_STATE_CHANGED = "agent_state_changed"
ATTRIBUTES_COLLECTED = "attributes_collected"
MONITORING_CHANGED = "monitoring_changed"
"""The `kind` of each type of fact in table `facts`."""

MAX_PAGE = 1000
"""The most rows one page may hold."""

Source = Engine | Connection | Session
Moment = datetime | float
_Row = TypeVar("_Row", InteractionRecord, AgentStateRecord)


def list_interactions(
    source: Source,
    tenant: str,
    *,
    start: Moment | None = None,
    end: Moment | None = None,
    queue: str | None = None,
    agent: str | None = None,
    result: str | None = None,
    direction: str | None = None,
    number: str | None = None,
    customer_id: int | None = None,
    limit: int = 50,
    offset: int = 0,
) -> tuple[list[InteractionRecord], int]:
    """A page of `tenant`'s interaction records, newest arrival first, and how many match in
    all. `start`/`end` bound the arrival time; `queue` is the last queue; `agent` the agent
    who answered; `result` an exact result, or `rejected` for every `rejected:<reason>`;
    `direction` inbound or outbound; `number` the customer's number (the caller's, or the one
    dialled); `customer_id` the customer the call was identified as."""
    r = InteractionRecord
    query = select(r).where(r.tenant == tenant)
    if start is not None:
        query = query.where(r.arrived_at >= _utc(start))
    if end is not None:
        query = query.where(r.arrived_at < _utc(end))
    if queue is not None:
        query = query.where(r.queue == queue)
    if agent is not None:
        query = query.where(r.agent == agent)
    if direction is not None:
        query = query.where(r.direction == direction)
    if number is not None:
        query = query.where(((r.direction == "inbound") & (r.ani == number))
                            | ((r.direction == "outbound") & (r.dnis == number)))
    if customer_id is not None:
        query = query.where(r.customer_id == customer_id)
    if result == "rejected":
        query = query.where(r.result.like("rejected:%"))
    elif result is not None:
        query = query.where(r.result == result)
    return _page(source, query, (r.arrived_at.desc(), r.id.desc()), limit, offset)


def agent_state_log(
    source: Source,
    tenant: str,
    *,
    start: Moment | None = None,
    end: Moment | None = None,
    agent: str | None = None,
    state: str | None = None,
    limit: int = 50,
    offset: int = 0,
) -> tuple[list[AgentStateRecord], int]:
    """A page of `tenant`'s agent state rows, latest start first, and how many match in all.
    `start`/`end` bound the time the state began; an agent's current state has `ended_at`
    None."""
    a = AgentStateRecord
    query = select(a).where(a.tenant == tenant)
    if start is not None:
        query = query.where(a.started_at >= _utc(start))
    if end is not None:
        query = query.where(a.started_at < _utc(end))
    if agent is not None:
        query = query.where(a.agent_id == agent)
    if state is not None:
        query = query.where(a.state == state)
    return _page(source, query, (a.started_at.desc(), a.id.desc()), limit, offset)


@dataclass(frozen=True, slots=True)
class MissedOffer:
    """An offer an agent let ring out (`no_answer`) or declined, with the call's record."""

    at: datetime
    agent: str
    reason: str
    interaction_id: str | None
    ani: str | None
    queue: str | None
    result: str | None


MISSED_REASONS = ("no_answer", "declined")


def missed_offers(
    source: Source,
    tenant: str,
    *,
    agent: str | None = None,
    start: Moment | None = None,
    end: Moment | None = None,
    limit: int = 50,
    offset: int = 0,
) -> tuple[list[MissedOffer], int]:
    """A page of offers agents did not take (latest first) and how many match in all: each
    time an agent went not ready because an offer rang out or they declined it."""
    _check_page(limit, offset)
    a = AgentStateRecord
    r = InteractionRecord
    where = [a.tenant == tenant, a.state == "not_ready", a.reason.in_(MISSED_REASONS)]
    if agent is not None:
        where.append(a.agent_id == agent)
    if start is not None:
        where.append(a.started_at >= _utc(start))
    if end is not None:
        where.append(a.started_at < _utc(end))
    query = (select(a.started_at, a.agent_id, a.reason, a.interaction_id, r.ani, r.queue,
                    r.result)
             .outerjoin(r, (r.tenant == a.tenant) & (r.interaction_id == a.interaction_id))
             .where(*where))
    with _connection(source) as connection:
        total = connection.execute(
            select(func.count()).select_from(a).where(*where)).scalar_one()
        rows = connection.execute(query.order_by(a.started_at.desc(), a.id.desc())
                                  .limit(limit).offset(offset)).all()
    return [MissedOffer(row.started_at, row.agent_id, row.reason, row.interaction_id, row.ani,
                        row.queue, row.result) for row in rows], total


def read_facts(
    source: Source, tenant: str, *, after: int = 0, limit: int = MAX_PAGE
) -> list[tuple[int, Fact]]:
    """`tenant`'s facts with seq above `after`, oldest first, at most `limit`, as (seq, fact)."""
    _check_page(limit, 0)
    f = FACTS.c
    query = (select(f.seq, f.at, f.kind, f.subject, f.payload)
             .where(f.tenant == tenant, f.seq > after).order_by(f.seq).limit(limit))
    with _connection(source) as connection:
        return [(row.seq, decode_fact(row.kind, row.at, row.subject, row.payload))
                for row in connection.execute(query)]


def decode_fact(kind: str, at: float, subject: str, payload: dict[str, Any]) -> Fact:
    """The core's fact that a row of table `facts` holds."""
    p = payload
    if kind == INTERACTION_STATE_CHANGED:
        return InteractionStateChanged(at, subject, InteractionState(p["old"]),
                                       InteractionState(p["new"]), p["reason"], p["queue"],
                                       p["agent"], p["priority"])
    if kind == AGENT_STATE_CHANGED:
        return AgentStateChanged(at, subject, AgentState(p["old"]), AgentState(p["new"]),
                                 p["reason"], p["interaction_id"])
    if kind == INTERACTION_DELIVERED:
        return InteractionDelivered(at, subject, Channel(p["channel"]), p["ani"], p["dnis"],
                                    p["attributes"], p.get("direction", "inbound"),
                                    p.get("parent"))
    if kind == ATTRIBUTES_COLLECTED:
        return AttributesCollected(at, subject, p["attributes"])
    if kind == MONITORING_CHANGED:
        return MonitoringChanged(at, subject, p["supervisor"], p["mode"])
    raise ValueError(f"unknown kind of fact {kind!r} (known: {INTERACTION_DELIVERED}, "
                     f"{INTERACTION_STATE_CHANGED}, {AGENT_STATE_CHANGED}, "
                     f"{ATTRIBUTES_COLLECTED}, {MONITORING_CHANGED})")


def _page(source: Source, query: Select[_Row], order: Sequence[Any], limit: int,
          offset: int) -> tuple[list[_Row], int]:
    _check_page(limit, offset)
    count = select(func.count()).select_from(query.subquery())
    with _session(source) as session:
        total = session.execute(count).scalar_one()
        rows = list(session.scalars(query.order_by(*order).limit(limit).offset(offset)))
    return rows, total


def _check_page(limit: int, offset: int) -> None:
    if not 1 <= limit <= MAX_PAGE:
        raise ValueError(f"limit must be between 1 and {MAX_PAGE}, not {limit}")
    if offset < 0:
        raise ValueError(f"offset must be 0 or more, not {offset}")


def _utc(moment: Moment) -> datetime:
    if isinstance(moment, datetime):
        return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)
    return datetime.fromtimestamp(moment, UTC)


@contextmanager
def _session(source: Source) -> Iterator[Session]:
    if isinstance(source, Session):
        yield source
        return
    with Session(source) as session:
        yield session


@contextmanager
def _connection(source: Source) -> Iterator[Connection]:
    if isinstance(source, Session):
        yield source.connection()
    elif isinstance(source, Connection):
        yield source
    else:
        with source.connect() as connection:
            yield connection
