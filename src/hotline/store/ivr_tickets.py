"""Tickets opened by IVR flows (a `create_ticket` node): a repair reported by keys, a
callback asked for after hours.

The flow's `OpenTicket` arrives with text only (the flow's variables); its custom fields are
read as the kinds the tenant defined for the ticket type and checked like any other ticket's.
The ticket is created by the user name `ivr`, linked to the call it came from and to the
customer whose phone number the caller called from, and due by the type's SLA. Any refusal
(an unknown field, a store that is away) is a `TicketFailed` for the flow to take its
`error` exit; nothing is half-made, and the call goes on.
"""

from __future__ import annotations

import logging
from datetime import datetime

from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from hotline.crm.ticket_fields import TicketFieldError, check_fields, values_from_text
from hotline.crm.ticket_workflow import TicketType
from hotline.ivr.actions import OpenTicket
from hotline.ivr.events import TicketFailed, TicketOpened
from hotline.store import customers, ticket_types, tickets
from hotline.store.account_tables import AuditEntry
from hotline.store.accounts import tenant_named

log = logging.getLogger(__name__)

CREATED_BY = "ivr"
"""The user name a ticket opened by a flow is created by."""


def open_ivr_ticket(sessions: sessionmaker[Session], tenant: str, request: OpenTicket,
                    interaction_id: str, ani: str, now: datetime) -> TicketOpened | TicketFailed:
    """Open the ticket `request` asks for, committed with an audit entry; its id is the
    reference."""
    try:
        with sessions.begin() as session:
            row = tenant_named(session, tenant)
            if row is None:
                return TicketFailed(f"no tenant {tenant!r}")
            ticket_type = TicketType(request.ticket_type)
            definitions = ticket_types.fields_for(session, row.id, ticket_type)
            custom = check_fields(definitions, values_from_text(definitions, request.fields))
            customer = _customer(session, row.id, ani)
            ticket = tickets.create_ticket(session, row.id, CREATED_BY, {
                "type": ticket_type.value, "priority": request.priority,
                "title": request.title[:200], "description": request.description[:8000],
                "customer_phone": ani[:32] or None, "customer_id": customer,
                "custom_fields": custom, "interaction_id": interaction_id,
                "comment": "opened by the IVR"}, now)
            session.add(AuditEntry(tenant_id=row.id, at=now, username=CREATED_BY,
                                   action="create",
                                   entity="ticket", entity_key=str(ticket.id),
                                   before=None, after={"interaction_id": interaction_id,
                                                       "type": ticket_type.value}))
            reference = str(ticket.id)
    except (TicketFieldError, tickets.TicketError, ValueError) as error:
        log.warning("tenant %s: the IVR's ticket for %s was refused: %s", tenant,
                    interaction_id, error)
        return TicketFailed(str(error))
    except SQLAlchemyError as error:
        log.error("tenant %s: the IVR's ticket for %s could not be stored: %s", tenant,
                  interaction_id, error)
        return TicketFailed("the ticket store is not available")
    return TicketOpened(reference)


def _customer(session: Session, tenant_id: int, ani: str) -> int | None:
    try:
        found = customers.lookup(session, tenant_id, phone=ani)
    except ValueError:
        return None
    return found.id if found is not None else None
