"""Tickets opened by an IVR flow, on both databases: the flow's text values read as the
tenant's field kinds, the ticket linked to the call and to the customer calling, due by the
tenant's SLA and in the audit log; a refused or impossible ticket is a `TicketFailed` and
stores nothing."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from types import MappingProxyType

import pytest
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session, sessionmaker

from hotline.crm.ticket_fields import parse_definitions, values_from_text
from hotline.crm.ticket_workflow import TicketType
from hotline.ivr.actions import OpenTicket
from hotline.ivr.events import TicketFailed, TicketOpened
from hotline.store import customers, ticket_types
from hotline.store.account_tables import AuditEntry
from hotline.store.config_yaml import import_config
from hotline.store.customers import CustomerCreate
from hotline.store.database import session_factory
from hotline.store.ivr_tickets import open_ivr_ticket
from hotline.store.ticket_tables import TicketRow

NOW = datetime(2026, 11, 22, 9, 30, tzinfo=UTC)
FIELDS = [{"name": "meter", "label": "Meter", "kind": "text"},
          {"name": "smell", "label": "Smell", "kind": "boolean", "required": True},
          {"name": "floor", "label": "Floor", "kind": "number"}]


@pytest.fixture
def sessions(engine: Engine) -> Iterator[sessionmaker[Session]]:
    made = session_factory(engine)
    with made.begin() as session:
        tenant = import_config(session, {"name": "gas", "timezone": "UTC"}, replace=False)
        ticket_types.set_type(session, tenant.id, TicketType.REPAIR, 90,
                              parse_definitions(FIELDS))
        customers.create(session, tenant.id, CustomerCreate(name="Zhao Min",
                                                            phones=["139-0000-0001"]))
    yield made


def request(**fields: str) -> OpenTicket:
    return OpenTicket("repair", "urgent", "Leak at 13900000001", "Reported in the IVR",
                      MappingProxyType(fields))


def test_a_flows_ticket_is_stored_typed_and_linked(sessions: sessionmaker[Session]) -> None:
    answer = open_ivr_ticket(sessions, "gas", request(meter="GZ-7", smell="yes", floor="3",),
                             "call-9", "13900000001", NOW)
    assert isinstance(answer, TicketOpened)
    with sessions() as session:
        ticket = session.get(TicketRow, int(answer.reference))
        assert ticket is not None
        assert ticket.custom_fields == {"meter": "GZ-7", "smell": True, "floor": 3}
        assert (ticket.created_by, ticket.priority, ticket.interaction_id) == (
            "ivr", "urgent", "call-9")
        found = customers.lookup(session, ticket.tenant_id, phone="13900000001")
        assert found is not None and ticket.customer_id == found.id
        assert ticket.due_at.replace(tzinfo=UTC) == NOW + timedelta(minutes=90)
        audit = session.scalars(select(AuditEntry).where(AuditEntry.entity == "ticket")).one()
        assert (audit.username, audit.entity_key) == ("ivr", answer.reference)


def test_a_stranger_gets_a_ticket_without_a_customer(sessions: sessionmaker[Session]) -> None:
    answer = open_ivr_ticket(sessions, "gas", request(smell="true"), "call-1", "anonymous",
                             NOW)
    assert isinstance(answer, TicketOpened)
    with sessions() as session:
        ticket = session.get(TicketRow, int(answer.reference))
        assert ticket is not None and ticket.customer_id is None


@pytest.mark.parametrize(("fields", "fragment"), [
    ({}, "smell"),  # required, not given
    ({"smell": "maybe"}, "smell"),  # not a yes or no
    ({"smell": "true", "floor": "third"}, "floor"),
    ({"smell": "true", "colour": "red"}, "colour"),  # not a field of repairs
])
def test_a_refused_ticket_fails_the_node_and_stores_nothing(
    sessions: sessionmaker[Session], fields: dict[str, str], fragment: str
) -> None:
    answer = open_ivr_ticket(sessions, "gas", request(**fields), "call-2", "13900000001", NOW)
    assert isinstance(answer, TicketFailed) and fragment in answer.reason
    nowhere = open_ivr_ticket(sessions, "nowhere", request(smell="true"), "c", "1", NOW)
    assert isinstance(nowhere, TicketFailed) and "no tenant 'nowhere'" in nowhere.reason
    with sessions() as session:
        assert session.scalar(select(func.count()).select_from(TicketRow)) == 0
        assert session.scalar(select(func.count()).select_from(AuditEntry)) == 0


def test_text_values_are_read_as_their_kinds() -> None:
    definitions = parse_definitions([*FIELDS, {"name": "day", "label": "Day", "kind": "date"}])
    assert values_from_text(definitions, {
        "meter": "  ", "smell": "NO", "floor": "2.5", "day": "2026-12-01"}) == {
        "smell": False, "floor": 2.5, "day": "2026-12-01"}
    assert values_from_text(definitions, {"floor": "", "smell": "", "x": "1"}) == {"x": "1"}
    assert values_from_text(definitions, {"floor": "1e3"}) == {"floor": 1000.0}
