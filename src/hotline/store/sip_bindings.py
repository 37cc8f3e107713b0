"""Phones' SIP registrations in the database, so that they survive a restart of the switch.

The switch's registrar keeps bindings in memory (`hotline.switch.sip.registrar.Bindings`);
`hotline.telephony` writes an address of record's bindings here whenever they change
(`save_bindings`, in a worker thread, never on the event loop) and reads the unexpired ones
back when it starts (`load_bindings`, which also drops the expired rows). The store knows
nothing of SIP: a binding is a `StoredBinding` of plain values, its contact the name-address
text, its times wall-clock UTC.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Engine, delete, select
from sqlalchemy.orm import Session

from hotline.store.accounts import as_utc
from hotline.store.sip_binding_tables import SipBindingRow


@dataclass(frozen=True)
class StoredBinding:
    """One contact registered for an address of record (`aor`) of the extension `username`."""

    username: str
    aor: str
    contact: str
    expires_at: datetime
    registered_at: datetime
    call_id: str
    cseq: int
    q: float = 1.0
    source_host: str | None = None
    source_port: int | None = None
    transport: str | None = None


def save_bindings(engine: Engine, changes: Mapping[str, Sequence[StoredBinding]],
                  now: datetime | None = None) -> None:
    """Make each AOR's rows its bindings in `changes` (an empty sequence deletes them), all in
    one transaction; with `now`, also drop every row expired by then. A `ValueError` when a
    binding is filed under another AOR than its own."""
    with Session(engine) as session, session.begin():
        if changes:
            session.execute(delete(SipBindingRow).where(SipBindingRow.aor.in_(list(changes))))
        for aor, bindings in changes.items():
            for binding in bindings:
                if binding.aor != aor:
                    raise ValueError(f"a binding of {binding.aor!r} filed under {aor!r}")
                session.add(_row(binding))
        if now is not None:
            session.execute(delete(SipBindingRow).where(SipBindingRow.expires_at <= as_utc(now)))


def delete_bindings(engine: Engine, aor: str) -> None:
    """Forget every binding of `aor` (it unregistered, or they expired)."""
    save_bindings(engine, {aor: []})


def load_bindings(engine: Engine, now: datetime) -> list[StoredBinding]:
    """Every binding unexpired at `now`, by AOR and then as saved; the expired rows are
    deleted on the way."""
    with Session(engine) as session, session.begin():
        session.execute(delete(SipBindingRow).where(SipBindingRow.expires_at <= as_utc(now)))
        rows = session.scalars(
            select(SipBindingRow).order_by(SipBindingRow.aor, SipBindingRow.id)).all()
        return [_binding(row) for row in rows]


def bindings_of(session: Session, username: str, now: datetime) -> list[StoredBinding]:
    """The phones registered now as extension `username` (newest first). As written by the
    switch, so a registration of the last moment may not be here yet."""
    rows = session.scalars(
        select(SipBindingRow)
        .where(SipBindingRow.username == username, SipBindingRow.expires_at > as_utc(now))
        .order_by(SipBindingRow.registered_at.desc(), SipBindingRow.id)).all()
    return [_binding(row) for row in rows]


def _row(binding: StoredBinding) -> SipBindingRow:
    return SipBindingRow(
        username=binding.username, aor=binding.aor, contact=binding.contact,
        source_host=binding.source_host, source_port=binding.source_port,
        transport=binding.transport, expires_at=as_utc(binding.expires_at),
        registered_at=as_utc(binding.registered_at), call_id=binding.call_id,
        cseq=binding.cseq, q=binding.q)


def _binding(row: SipBindingRow) -> StoredBinding:
    return StoredBinding(
        username=row.username, aor=row.aor, contact=row.contact,
        expires_at=as_utc(row.expires_at), registered_at=as_utc(row.registered_at),
        call_id=row.call_id, cseq=row.cseq, q=row.q, source_host=row.source_host,
        source_port=row.source_port, transport=row.transport)
