"""Tables of the journal: the facts themselves and the two projections kept beside them.

- `facts` is append-only: every fact the core produced, in order (`seq`), with the tenant's
  name as plain text and no foreign key, so that no configuration change can ever make the
  journal refuse, cascade or lose a fact.
- `interaction_records` is the CDR: one row per interaction, opened when it is delivered and
  closed (`ended_at`, `result`) when it completes; `wrap_up_seconds` follows when the agent's
  after-call work ends.
- `agent_state_log` has one row per stretch of time an agent spent in one state; the row of
  the state an agent is in now has `ended_at` NULL. Logged-out time has no rows.

Times in the projections are timezone-aware UTC; the facts keep the core's epoch seconds.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, cast

from sqlalchemy import (
    JSON,
    BigInteger,
    DateTime,
    Dialect,
    Double,
    Index,
    Integer,
    String,
    Table,
    TypeDecorator,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from hotline.store.database import Base

BigId = BigInteger().with_variant(Integer(), "sqlite")
"""A 64-bit key that SQLite also numbers by itself (only INTEGER PRIMARY KEY is its rowid)."""

_OPEN = text("ended_at IS NULL")


class UtcDateTime(TypeDecorator[datetime]):
    """A point in time stored in UTC and always read back timezone-aware (SQLite keeps no
    zone, PostgreSQL answers in the session's); naive values are taken to be UTC already."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        # SQLite's DATETIME writes the fields and drops the zone, so only UTC values may reach
        # it; PostgreSQL would read a naive value in the session's zone.
        if value is None or value.tzinfo is UTC:
            return value
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)  # type: ignore[no-any-return]
        return value.astimezone(UTC)  # type: ignore[no-any-return]


class FactRecord(Base):
    """One fact, as the core made it: `kind` names its type, `subject` is the interaction or
    agent it is about, `payload` holds its other fields."""

    __tablename__ = "facts"

    seq: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    tenant: Mapped[str] = mapped_column(String)
    at: Mapped[float] = mapped_column(Double)
    kind: Mapped[str] = mapped_column(String)
    subject: Mapped[str] = mapped_column(String)
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)

    __table_args__ = (
        Index("ix_facts_tenant_subject", "tenant", "subject"),
        Index("ix_facts_tenant_at", "tenant", "at"),
    )


class InteractionRecord(Base):
    """An interaction's record (CDR). Durations are seconds; `wait_seconds` runs from the first
    entry into a queue to the answer (or to the end, when nobody answered); `result` is
    answered, abandoned, timed_out, transferred, rejected:<reason>, system_restart, or for an
    outbound call that never connected busy, no_answer, unreachable or cancelled.
    `direction` is inbound or outbound; `parent_id` the interaction this leg continues after
    a transfer to a queue or an agent."""

    __tablename__ = "interaction_records"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    tenant: Mapped[str] = mapped_column(String)
    interaction_id: Mapped[str] = mapped_column(String)
    channel: Mapped[str] = mapped_column(String)
    direction: Mapped[str] = mapped_column(String, server_default="inbound")
    parent_id: Mapped[str | None] = mapped_column(String)
    ani: Mapped[str] = mapped_column(String)
    dnis: Mapped[str] = mapped_column(String)
    state: Mapped[str] = mapped_column(String)
    queue: Mapped[str | None] = mapped_column(String)
    first_queue: Mapped[str | None] = mapped_column(String)
    agent: Mapped[str | None] = mapped_column(String)
    arrived_at: Mapped[datetime] = mapped_column(UtcDateTime)
    queued_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    answered_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    ended_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    wait_seconds: Mapped[float | None] = mapped_column(Double)
    talk_seconds: Mapped[float | None] = mapped_column(Double)
    hold_seconds: Mapped[float | None] = mapped_column(Double)
    wrap_up_seconds: Mapped[float | None] = mapped_column(Double)
    offers: Mapped[int] = mapped_column(Integer)
    overflows: Mapped[int] = mapped_column(Integer)
    result: Mapped[str | None] = mapped_column(String)
    attributes: Mapped[dict[str, Any]] = mapped_column(JSON)
    customer_id: Mapped[int | None] = mapped_column(Integer)

    __table_args__ = (
        UniqueConstraint("tenant", "interaction_id", name="uq_interaction_records_tenant_id"),
        Index("ix_interaction_records_arrived", "tenant", "arrived_at"),
        Index("ix_interaction_records_queue", "tenant", "queue", "arrived_at"),
        Index("ix_interaction_records_agent", "tenant", "agent", "arrived_at"),
        Index("ix_interaction_records_result", "tenant", "result", "arrived_at"),
        Index("ix_interaction_records_customer", "tenant", "customer_id", "arrived_at"),
        Index("ix_interaction_records_open", "tenant",
              postgresql_where=_OPEN, sqlite_where=_OPEN),
    )


class AgentStateRecord(Base):
    """A stretch of time an agent spent in one state. `reason` is the not-ready reason (or why
    the state changed); `interaction_id` the interaction the change concerned, if any."""

    __tablename__ = "agent_state_log"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    tenant: Mapped[str] = mapped_column(String)
    agent_id: Mapped[str] = mapped_column(String)
    state: Mapped[str] = mapped_column(String)
    reason: Mapped[str | None] = mapped_column(String)
    interaction_id: Mapped[str | None] = mapped_column(String)
    started_at: Mapped[datetime] = mapped_column(UtcDateTime)
    ended_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    duration_seconds: Mapped[float | None] = mapped_column(Double)

    __table_args__ = (
        Index("ix_agent_state_log_agent", "tenant", "agent_id", "started_at"),
        Index("ix_agent_state_log_started", "tenant", "started_at"),
        Index("ix_agent_state_log_open", "tenant", "agent_id",
              postgresql_where=_OPEN, sqlite_where=_OPEN),
    )


FACTS = cast(Table, FactRecord.__table__)
INTERACTION_RECORDS = cast(Table, InteractionRecord.__table__)
AGENT_STATE_LOG = cast(Table, AgentStateRecord.__table__)
JOURNAL_TABLES = (FACTS, INTERACTION_RECORDS, AGENT_STATE_LOG)
"""The journal's tables, for `metadata.create_all(engine, tables=...)` in isolation."""
