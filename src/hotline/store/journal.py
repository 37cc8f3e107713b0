"""The journal: the core's facts made durable, and the projections kept beside them.

Theory of operation
-------------------
`Journal.write(tenant, facts)` appends the facts and brings the projections up to date in one
transaction: the interaction records (CDRs) and the agent state log (see `journal_tables`).
Either all of it is committed or none of it, so a fact is never stored without its effect on
the projections, nor the reverse.

Writing must be fast, so the journal folds a batch in memory first and then issues one
statement per kind of change (executemany): a call delivered, queued, answered and hung up
within one batch becomes one row insert, not six statements. To avoid reading before writing,
it keeps what it still has to fill in — interaction records not yet complete, each agent's
current state row — in a cache per tenant, loaded from the database on a tenant's first batch.
When a transaction fails, that tenant's cache is dropped and loaded again next time, so the
cache never describes rows that were rolled back.

A fact about an interaction the journal never saw delivered (after a restart, say) is stored
but changes no record; an interaction id delivered again replaces its record (ids should be
unique per tenant — the facts keep both). After a crash, `recover` closes what the crash left
open: interactions end with result `system_restart` and agents are logged out, each recorded
as a fact too.

Seqs grow with every fact across all tenants; PostgreSQL never hands back the numbers a failed
transaction took, so there they may skip.

`Journal` does no threading of its own and is not thread-safe: one thread writes (see
`JournalWriter`, which batches submissions from any thread and commits them as a group). Run
`recover` for each tenant on start-up, before the first fact is submitted.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, Engine, bindparam, insert, select, text, update
from sqlalchemy.dialects import postgresql, sqlite

from hotline.core.agent_fsm import AgentState
from hotline.core.facts import (
    AgentStateChanged,
    AttributesCollected,
    Fact,
    InteractionDelivered,
    InteractionStateChanged,
    MonitoringChanged,
)
from hotline.core.interaction_fsm import InteractionState, Why
from hotline.store.journal_queries import (
    AGENT_STATE_CHANGED,
    ATTRIBUTES_COLLECTED,
    INTERACTION_DELIVERED,
    INTERACTION_STATE_CHANGED,
    MONITORING_CHANGED,
    agent_state_log,
    list_interactions,
    read_facts,
)
from hotline.store.journal_tables import AGENT_STATE_LOG, FACTS, INTERACTION_RECORDS
from hotline.store.journal_writer import JournalWriter

SYSTEM_RESTART = "system_restart"
"""The result of an interaction, and the reason of an agent's log-out, that a crash cut short."""

_COMPLETED = InteractionState.COMPLETED
_IN_SERVICE = InteractionState.IN_SERVICE
_QUEUED = InteractionState.QUEUED
_OFFERED = InteractionState.OFFERED
_ON_HOLD = InteractionState.ON_HOLD
_TRANSFERRED_OUT = Why.TRANSFERRED_OUT.value
_TRANSFERRED = Why.TRANSFERRED.value
_DIALING = InteractionState.DIALING
_IN_IVR = InteractionState.IN_IVR
_ROUTING = InteractionState.ROUTING
_BUSY = AgentState.BUSY
_WRAP_UP = AgentState.WRAP_UP
_LOGGED_OUT = AgentState.LOGGED_OUT
_ABANDONED = Why.ABANDONED.value
_MAX_WAIT = Why.MAX_WAIT.value
_OVERFLOW = Why.OVERFLOW.value

@dataclass(frozen=True, slots=True)
class RecoveryReport:
    """What `Journal.recover` closed: interactions ended as `system_restart`, agents logged
    out, and the seq of the last fact it recorded (0 when there was nothing to close)."""

    interactions: tuple[str, ...]
    agents: tuple[str, ...]
    last_seq: int


@dataclass(slots=True)
class _Record:
    """An interaction record still being filled in (times are epoch seconds)."""

    interaction_id: str
    channel: str
    ani: str
    dnis: str
    attributes: dict[str, Any]
    arrived: float
    state: str
    queue: str | None = None
    first_queue: str | None = None
    agent: str | None = None
    queued: float | None = None
    answered: float | None = None
    ended: float | None = None
    wait: float | None = None
    talk: float | None = None
    wrap_up: float | None = None
    offers: int = 0
    overflows: int = 0
    result: str | None = None
    hold: float = 0.0
    held_since: float | None = None
    direction: str = "inbound"
    parent: str | None = None

    @property
    def complete(self) -> bool:
        """Nothing more will change: it ended, and its wrap-up (if any) is known."""
        return self.ended is not None and self.wrap_up is not None

    def row(self, tenant: str) -> dict[str, Any]:
        return {
            "tenant": tenant,
            "interaction_id": self.interaction_id,
            "channel": self.channel,
            "direction": self.direction,
            "parent_id": self.parent,
            "ani": self.ani,
            "dnis": self.dnis,
            "attributes": self.attributes,
            "arrived_at": _datetime(self.arrived),
            "state": self.state,
            "queue": self.queue,
            "first_queue": self.first_queue,
            "agent": self.agent,
            "queued_at": _datetime(self.queued),
            "answered_at": _datetime(self.answered),
            "ended_at": _datetime(self.ended),
            "wait_seconds": self.wait,
            "talk_seconds": self.talk,
            "hold_seconds": self.hold,
            "wrap_up_seconds": self.wrap_up,
            "offers": self.offers,
            "overflows": self.overflows,
            "result": self.result,
            "customer_id": customer_of(self.attributes),
        }


def customer_of(attributes: dict[str, Any]) -> int | None:
    """The customer a gateway identified the caller as (attribute `customer_id`), if any."""
    value = attributes.get("customer_id")
    if isinstance(value, str) and value.isdigit() and len(value) <= 9:
        return int(value)
    return None


@dataclass(slots=True)
class _Stretch:
    """An agent's current state and since when; `stored` once its row is in the database."""

    state: str
    reason: str | None
    interaction_id: str | None
    started: float
    stored: bool = False


@dataclass(slots=True)
class _TenantCache:
    records: dict[str, _Record] = field(default_factory=dict)
    agents: dict[str, _Stretch] = field(default_factory=dict)


@dataclass(slots=True)
class _Changes:
    """One transaction's worth of projection changes, gathered across tenants."""

    records: dict[tuple[str, str], _Record] = field(default_factory=dict)
    late_wrap_ups: list[dict[str, Any]] = field(default_factory=list)
    closed_rows: list[dict[str, Any]] = field(default_factory=list)
    new_rows: list[dict[str, Any]] = field(default_factory=list)
    opened: dict[tuple[str, str], _Stretch] = field(default_factory=dict)


class Journal:
    """Appends facts and keeps the interaction records and agent state log in step."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._caches: dict[str, _TenantCache] = {}
        dialect = sqlite if engine.dialect.name == "sqlite" else postgresql
        upsert = dialect.insert(INTERACTION_RECORDS)
        self._upsert_record = upsert.on_conflict_do_update(
            index_elements=[INTERACTION_RECORDS.c.tenant, INTERACTION_RECORDS.c.interaction_id],
            set_={column.name: upsert.excluded[column.name]
                  for column in INTERACTION_RECORDS.c
                  if column.name not in ("id", "tenant", "interaction_id")},
        )
        self._add_wrap_up = update(INTERACTION_RECORDS).where(
            INTERACTION_RECORDS.c.tenant == bindparam("key_tenant"),
            INTERACTION_RECORDS.c.interaction_id == bindparam("key_id"),
        ).values(wrap_up_seconds=bindparam("wrap_up"))
        self._close_row = update(AGENT_STATE_LOG).where(
            AGENT_STATE_LOG.c.tenant == bindparam("key_tenant"),
            AGENT_STATE_LOG.c.agent_id == bindparam("key_agent"),
            AGENT_STATE_LOG.c.ended_at.is_(None),
        )

    # -- writing ------------------------------------------------------------------------------

    def write(self, tenant: str, facts: Sequence[Fact]) -> int:
        """Append `facts` (oldest first) for `tenant` and update the projections, in one
        transaction; returns the seq of the last fact (0 when `facts` is empty)."""
        return self.write_many([(tenant, facts)])[0]

    def write_many(self, batches: Sequence[tuple[str, Sequence[Fact]]]) -> list[int]:
        """`write` for several (tenant, facts) batches in one transaction; returns the seq of
        each batch's last fact (0 for an empty batch), in order."""
        rows = [_fact_row(tenant, fact) for tenant, facts in batches for fact in facts]
        if not rows:
            return [0] * len(batches)
        tenants = {tenant for tenant, facts in batches if facts}
        try:
            with self.engine.begin() as connection:
                # The facts go first: on SQLite the first write takes the database's write
                # lock, which keeps the seqs of this transaction consecutive.
                seqs = self._append(connection, rows)
                changes = _Changes()
                for tenant, facts in batches:
                    if facts:
                        self._fold(connection, tenant, facts, changes)
                self._store(connection, changes)
        except BaseException:
            for tenant in tenants:
                self._caches.pop(tenant, None)
            raise
        self._settle(changes)
        last: list[int] = []
        count = 0
        for _, facts in batches:
            count += len(facts)
            last.append(seqs[count - 1] if facts else 0)
        return last

    def _append(self, connection: Connection, rows: list[dict[str, Any]]) -> list[int]:
        """Insert the fact rows; returns their seqs, in order."""
        if connection.dialect.name == "sqlite":
            connection.execute(insert(FACTS), rows)
            last = connection.execute(text("SELECT last_insert_rowid()")).scalar_one()
            return list(range(last - len(rows) + 1, last + 1))
        # The driver prepares statements it sees often, and PostgreSQL may then settle on a
        # generic plan made while the tables were small — a sequential scan that grows slower
        # with every row. Plan each statement for its own parameters instead.
        connection.exec_driver_sql("SET LOCAL plan_cache_mode = force_custom_plan")
        # Other sessions may take numbers from the sequence meanwhile, so take ours first.
        seqs = sorted(connection.execute(
            text("SELECT nextval(pg_get_serial_sequence('facts', 'seq')) "
                 "FROM generate_series(1, :n)"), {"n": len(rows)}).scalars())
        for row, seq in zip(rows, seqs, strict=True):
            row["seq"] = seq
        connection.execute(insert(FACTS), rows)
        return seqs

    def _fold(self, connection: Connection, tenant: str, facts: Sequence[Fact],
              changes: _Changes) -> None:
        cache = self._cache(connection, tenant)
        for fact in facts:
            if isinstance(fact, InteractionStateChanged):
                self._interaction_moved(tenant, cache, fact, changes)
            elif isinstance(fact, AgentStateChanged):
                self._agent_moved(tenant, cache, fact, changes)
            elif isinstance(fact, AttributesCollected):
                collected = cache.records.get(fact.interaction_id)
                if collected is not None:
                    collected.attributes.update(fact.attributes)
                    changes.records[tenant, fact.interaction_id] = collected
            elif isinstance(fact, MonitoringChanged):
                continue  # kept in the facts only
            else:
                record = _Record(fact.interaction_id, fact.channel.value, fact.ani, fact.dnis,
                                 dict(fact.attributes), fact.at,
                                 InteractionState.DELIVERED.value,
                                 direction=fact.direction, parent=fact.parent)
                cache.records[fact.interaction_id] = record
                changes.records[tenant, fact.interaction_id] = record

    def _interaction_moved(self, tenant: str, cache: _TenantCache, f: InteractionStateChanged,
                           changes: _Changes) -> None:
        record = cache.records.get(f.interaction_id)
        if record is None:
            return  # delivered before the journal's time (see the module's docstring)
        changes.records[tenant, f.interaction_id] = record
        new = f.new
        record.state = new.value
        if f.queue is not None:
            record.queue = f.queue
        if new is _QUEUED:
            if record.queued is None:
                record.queued = f.at
                record.first_queue = f.queue
        elif new is _OFFERED:
            record.offers += 1
        elif new is _ON_HOLD:
            record.held_since = f.at
        elif new is _IN_SERVICE and f.old is _ON_HOLD:
            self._retrieved(record, f.at)
        elif new is _IN_SERVICE or new is _DIALING:
            record.answered = f.at if new is _IN_SERVICE else None
            record.agent = f.agent
            record.wait = f.at - record.queued if record.queued is not None else 0.0
        elif new is _ROUTING:
            if f.reason == _OVERFLOW:
                record.overflows += 1
        elif new is _COMPLETED:
            if f.old is _ON_HOLD:
                self._retrieved(record, f.at)
            self._ended(record, f)

    @staticmethod
    def _retrieved(record: _Record, at: float) -> None:
        """A hold is over: its time is the record's hold time, not talk time."""
        if record.held_since is not None:
            record.hold += at - record.held_since
            record.held_since = None

    @staticmethod
    def _ended(record: _Record, f: InteractionStateChanged) -> None:
        record.ended = f.at
        reason = f.reason
        if reason == SYSTEM_RESTART:
            record.result = SYSTEM_RESTART
        elif f.old is _ROUTING:
            record.result = f"rejected:{reason}"
        elif f.old is _IN_IVR:
            record.result = "transferred" if reason == _TRANSFERRED_OUT else reason
        elif reason == _ABANDONED:
            record.result = "abandoned"
        elif reason == _MAX_WAIT:
            record.result = "timed_out"
        elif reason in (_TRANSFERRED_OUT, _TRANSFERRED):
            record.result = "transferred"
        elif f.old is _IN_SERVICE or f.old is _ON_HOLD:
            record.result = "answered"
        else:
            record.result = reason
        if record.answered is not None:
            record.talk = f.at - record.answered - record.hold
            # Wrap-up is known when the agent's after-call work ends (see `_agent_moved`).
        else:
            record.talk = 0.0
            record.wait = f.at - record.queued if record.queued is not None else 0.0
            record.wrap_up = 0.0

    def _agent_moved(self, tenant: str, cache: _TenantCache, f: AgentStateChanged,
                     changes: _Changes) -> None:
        at = f.at
        before = cache.agents.pop(f.agent_id, None)
        if before is not None:
            duration = at - before.started
            if before.stored:
                changes.closed_rows.append({
                    "key_tenant": tenant, "key_agent": f.agent_id,
                    "ended_at": _datetime(at), "duration_seconds": duration,
                })
            else:
                changes.new_rows.append(_state_row(tenant, f.agent_id, before, at))
                changes.opened.pop((tenant, f.agent_id), None)
            if before.state == _BUSY and f.new is not _WRAP_UP:
                self._wrapped_up(tenant, cache, before.interaction_id, 0.0, changes)
            elif before.state == _WRAP_UP:
                self._wrapped_up(tenant, cache, before.interaction_id, duration, changes)
        if f.new is not _LOGGED_OUT:
            stretch = _Stretch(f.new.value, f.reason or None, f.interaction_id, at)
            cache.agents[f.agent_id] = stretch
            changes.opened[tenant, f.agent_id] = stretch

    @staticmethod
    def _wrapped_up(tenant: str, cache: _TenantCache, interaction_id: str | None,
                    seconds: float, changes: _Changes) -> None:
        if interaction_id is None:
            return
        record = cache.records.get(interaction_id)
        if record is None:
            # Completed in an earlier run of the journal: update the stored row directly.
            changes.late_wrap_ups.append(
                {"key_tenant": tenant, "key_id": interaction_id, "wrap_up": seconds})
            return
        record.wrap_up = seconds
        changes.records[tenant, interaction_id] = record

    def _store(self, connection: Connection, changes: _Changes) -> None:
        if changes.records:
            # Whole rows, new or not: one statement inserts the new and updates the others.
            connection.execute(self._upsert_record, [
                record.row(tenant) for (tenant, _), record in changes.records.items()
            ])
        if changes.late_wrap_ups:
            connection.execute(self._add_wrap_up, changes.late_wrap_ups)
        # Close the stored rows before inserting new open ones: the close finds its row by
        # "the agent's open row".
        if changes.closed_rows:
            connection.execute(self._close_row, changes.closed_rows)
        rows = changes.new_rows
        rows.extend(_state_row(tenant, agent_id, stretch, None)
                    for (tenant, agent_id), stretch in changes.opened.items())
        if rows:
            connection.execute(insert(AGENT_STATE_LOG), rows)

    def _settle(self, changes: _Changes) -> None:
        """After the commit: complete records leave the cache; the new state rows are stored."""
        for (tenant, interaction_id), record in changes.records.items():
            if record.complete:
                cache = self._caches.get(tenant)
                if cache is not None and cache.records.get(interaction_id) is record:
                    del cache.records[interaction_id]
        for stretch in changes.opened.values():
            stretch.stored = True

    # -- the cache ----------------------------------------------------------------------------

    def _cache(self, connection: Connection, tenant: str) -> _TenantCache:
        cache = self._caches.get(tenant)
        if cache is None:
            cache = self._caches[tenant] = _load(connection, tenant)
        return cache

    # -- after a crash ------------------------------------------------------------------------

    def recover(self, tenant: str, at: float) -> RecoveryReport:
        """Close what a crash left open for `tenant`, as of `at` (epoch seconds): every
        interaction record still open ends with result `system_restart`, every agent is logged
        out (reason `system_restart`). Both are recorded as facts. Call it on start-up, before
        the tenant's first new fact."""
        with self.engine.connect() as connection:
            cache = _load(connection, tenant)
        self._caches[tenant] = cache
        facts: list[Fact] = []
        for record in cache.records.values():
            facts.append(InteractionStateChanged(
                at, record.interaction_id, InteractionState(record.state), _COMPLETED,
                SYSTEM_RESTART, record.queue, record.agent))
        for agent_id, stretch in cache.agents.items():
            facts.append(AgentStateChanged(
                at, agent_id, AgentState(stretch.state), _LOGGED_OUT, SYSTEM_RESTART,
                stretch.interaction_id))
        last_seq = self.write(tenant, facts)
        return RecoveryReport(
            interactions=tuple(f.interaction_id for f in facts
                               if isinstance(f, InteractionStateChanged)),
            agents=tuple(f.agent_id for f in facts if isinstance(f, AgentStateChanged)),
            last_seq=last_seq,
        )


def _load(connection: Connection, tenant: str) -> _TenantCache:
    """What the projections left open for `tenant`: unfinished records, current agent rows."""
    cache = _TenantCache()
    r = INTERACTION_RECORDS.c
    for row in connection.execute(select(INTERACTION_RECORDS).where(r.tenant == tenant,
                                                         r.ended_at.is_(None))):
        cache.records[row.interaction_id] = _Record(
            row.interaction_id, row.channel, row.ani, row.dnis, dict(row.attributes),
            row.arrived_at.timestamp(), row.state, row.queue, row.first_queue, row.agent,
            _epoch(row.queued_at), _epoch(row.answered_at), None, row.wait_seconds,
            row.talk_seconds, row.wrap_up_seconds, row.offers, row.overflows, row.result,
            row.hold_seconds or 0.0, direction=row.direction, parent=row.parent_id)
    a = AGENT_STATE_LOG.c
    for row in connection.execute(select(AGENT_STATE_LOG).where(a.tenant == tenant,
                                                           a.ended_at.is_(None))
                                  .order_by(a.started_at)):
        # Should an agent have two open rows, the latest counts; closing closes both.
        cache.agents[row.agent_id] = _Stretch(row.state, row.reason, row.interaction_id,
                                              row.started_at.timestamp(), stored=True)
    return cache


def _fact_row(tenant: str, fact: Fact) -> dict[str, Any]:
    if isinstance(fact, InteractionStateChanged):
        return {"tenant": tenant, "at": fact.at, "kind": INTERACTION_STATE_CHANGED,
                "subject": fact.interaction_id,
                "payload": {"old": fact.old.value, "new": fact.new.value, "reason": fact.reason,
                            "queue": fact.queue, "agent": fact.agent,
                            "priority": fact.priority}}
    if isinstance(fact, AgentStateChanged):
        return {"tenant": tenant, "at": fact.at, "kind": AGENT_STATE_CHANGED,
                "subject": fact.agent_id,
                "payload": {"old": fact.old.value, "new": fact.new.value, "reason": fact.reason,
                            "interaction_id": fact.interaction_id}}
    if isinstance(fact, InteractionDelivered):
        return {"tenant": tenant, "at": fact.at, "kind": INTERACTION_DELIVERED,
                "subject": fact.interaction_id,
                "payload": {"channel": fact.channel.value, "ani": fact.ani, "dnis": fact.dnis,
                            "attributes": dict(fact.attributes), "direction": fact.direction,
                            "parent": fact.parent}}
    if isinstance(fact, AttributesCollected):
        return {"tenant": tenant, "at": fact.at, "kind": ATTRIBUTES_COLLECTED,
                "subject": fact.interaction_id, "payload": {"attributes": dict(fact.attributes)}}
    if isinstance(fact, MonitoringChanged):
        return {"tenant": tenant, "at": fact.at, "kind": MONITORING_CHANGED,
                "subject": fact.interaction_id,
                "payload": {"supervisor": fact.supervisor, "mode": fact.mode}}
    raise TypeError(f"the journal stores facts from hotline.core.facts, not {fact!r}")


def _state_row(tenant: str, agent_id: str, stretch: _Stretch,
               ended: float | None) -> dict[str, Any]:
    return {
        "tenant": tenant,
        "agent_id": agent_id,
        "state": stretch.state,
        "reason": stretch.reason,
        "interaction_id": stretch.interaction_id,
        "started_at": _datetime(stretch.started),
        "ended_at": _datetime(ended),
        "duration_seconds": None if ended is None else ended - stretch.started,
    }


def _datetime(epoch: float | None) -> datetime | None:
    return None if epoch is None else datetime.fromtimestamp(epoch, UTC)


def _epoch(moment: datetime | None) -> float | None:
    return None if moment is None else moment.timestamp()


__all__ = [
    "SYSTEM_RESTART",
    "Journal",
    "JournalWriter",
    "RecoveryReport",
    "agent_state_log",
    "list_interactions",
    "read_facts",
]
