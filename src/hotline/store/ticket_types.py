"""The ticket types of a tenant (C2): their custom fields and their SLA.

Every tenant has the five types of `TicketType`. Until an admin sets a type up it has no
custom fields and the default SLA of `ticket_workflow.SLA`; `set_type` replaces a type's
definition as a whole (fields and SLA override together). Stored definitions are read back
through `ticket_fields.parse_definitions`, so what a ticket is checked against is always a
well-formed list. Nothing here commits: the caller commits the change with its audit entry.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from hotline.crm.ticket_fields import FieldDefinition, parse_definitions
from hotline.crm.ticket_workflow import SLA, TicketType
from hotline.store.ticket_type_tables import TicketTypeRow

MAX_SLA_MINUTES = 366 * 24 * 60
"""The longest SLA a type may be given: a year."""


class TicketTypeError(ValueError):
    """A ticket type setting that cannot be stored."""


@dataclass(frozen=True)
class TicketTypeSetup:
    """A ticket type as one tenant has it: its effective SLA, whether that is the tenant's
    own, and its custom fields."""

    type: TicketType
    sla: timedelta
    sla_overridden: bool
    fields: tuple[FieldDefinition, ...]

    @property
    def sla_minutes(self) -> int:
        return int(self.sla.total_seconds()) // 60


def _row(session: Session, tenant_id: int, ticket_type: TicketType) -> TicketTypeRow | None:
    return session.scalars(select(TicketTypeRow).where(
        TicketTypeRow.tenant_id == tenant_id, TicketTypeRow.type == ticket_type.value)).first()


def _setup(ticket_type: TicketType, row: TicketTypeRow | None) -> TicketTypeSetup:
    if row is None:
        return TicketTypeSetup(ticket_type, SLA[ticket_type], False, ())
    overridden = row.sla_minutes is not None
    sla = timedelta(minutes=row.sla_minutes) if row.sla_minutes is not None else SLA[ticket_type]
    return TicketTypeSetup(ticket_type, sla, overridden, parse_definitions(row.fields))


def setup_of(session: Session, tenant_id: int, ticket_type: TicketType) -> TicketTypeSetup:
    """How the tenant has `ticket_type`."""
    return _setup(ticket_type, _row(session, tenant_id, ticket_type))


def all_setups(session: Session, tenant_id: int) -> list[TicketTypeSetup]:
    """Every ticket type as the tenant has it, in `TicketType`'s order."""
    rows = {row.type: row for row in session.scalars(
        select(TicketTypeRow).where(TicketTypeRow.tenant_id == tenant_id))}
    return [_setup(ticket_type, rows.get(ticket_type.value)) for ticket_type in TicketType]


def fields_for(session: Session, tenant_id: int,
               ticket_type: TicketType | str) -> tuple[FieldDefinition, ...]:
    """The custom fields a ticket of `ticket_type` has in the tenant."""
    return setup_of(session, tenant_id, TicketType(ticket_type)).fields


def sla_for(session: Session, tenant_id: int, ticket_type: TicketType | str) -> timedelta:
    """How long a ticket of `ticket_type` may take in the tenant: its override, or the
    default of `ticket_workflow.SLA`."""
    return setup_of(session, tenant_id, TicketType(ticket_type)).sla


def set_type(
    session: Session,
    tenant_id: int,
    ticket_type: TicketType,
    sla_minutes: int | None,
    fields: Sequence[FieldDefinition],
) -> TicketTypeSetup:
    """Replace the tenant's definition of `ticket_type`: its SLA override (None: the
    default) and its custom fields. `TicketTypeError` for an SLA out of range, and a
    `TicketFieldError` from `parse_definitions` for fields that do not hold together; either
    stores nothing."""
    if sla_minutes is not None and not 1 <= sla_minutes <= MAX_SLA_MINUTES:
        raise TicketTypeError(f"sla_minutes must be from 1 to {MAX_SLA_MINUTES} (a year), "
                              f"or null for the default; not {sla_minutes}")
    stored = [definition.as_json() for definition in fields]
    parse_definitions(stored)  # names unique, at most MAX_FIELDS...
    row = _row(session, tenant_id, ticket_type)
    if row is None:
        row = TicketTypeRow(tenant_id=tenant_id, type=ticket_type.value)
        session.add(row)
    row.sla_minutes = sla_minutes
    row.fields = stored
    session.flush()
    return _setup(ticket_type, row)
