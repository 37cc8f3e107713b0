"""Ticket types per tenant: custom fields and SLA overrides through the API, admin-only
changes that are audited, bad definitions that change nothing, tenants kept apart; the store's
`sla_for` and `fields_for`; and the migration that builds the table as declared."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from hotline.crm.ticket_fields import FieldKind
from hotline.crm.ticket_workflow import SLA, TicketType
from hotline.store import ticket_types
from hotline.store.accounts import tenant_named
from hotline.store.database import Base
from hotline.store.ticket_type_tables import TicketTypeRow

REPAIR_FIELDS = [
    {"name": "meter", "label": "Meter number", "kind": "text", "required": True,
     "max_length": 20},
    {"name": "floor", "label": "Floor", "kind": "number"},
    {"name": "urgent", "label": "Gas smell", "kind": "boolean", "required": True},
    {"name": "area", "label": "Area", "kind": "choice", "choices": ["north", "south"]},
    {"name": "since", "label": "Since", "kind": "date"},
]


def put(client: TestClient, ticket_type: str, sla_minutes: int | None,
        fields: list[dict[str, Any]]) -> Any:
    return client.put(f"/api/ticket_types/{ticket_type}",
                      json={"sla_minutes": sla_minutes, "fields": fields})


def test_every_type_starts_with_its_default_sla_and_no_fields(agent: TestClient) -> None:
    listed = agent.get("/api/ticket_types")
    assert listed.status_code == 200
    assert [(t["type"], t["sla_minutes"], t["sla_overridden"], t["fields"])
            for t in listed.json()] == [
        (kind.value, int(SLA[kind].total_seconds()) // 60, False, []) for kind in TicketType]
    assert agent.get("/api/ticket_types/complaint").json()["sla_minutes"] == 24 * 60


def test_an_admin_sets_fields_and_an_sla_that_everyone_then_reads(
    admin: TestClient, agent: TestClient, app: FastAPI
) -> None:
    changed = put(admin, "repair", 90, REPAIR_FIELDS)
    assert changed.status_code == 200, changed.text
    body = changed.json()
    assert (body["sla_minutes"], body["sla_overridden"]) == (90, True)
    assert [f["name"] for f in body["fields"]] == ["meter", "floor", "urgent", "area", "since"]
    assert body["fields"][0]["max_length"] == 20
    assert body["fields"][1]["max_length"] is None and body["fields"][3]["choices"] == [
        "north", "south"]
    assert agent.get("/api/ticket_types/repair").json() == body
    assert [t for t in agent.get("/api/ticket_types").json() if t["type"] == "repair"] == [body]
    # The store answers the same, and what GET shows may be PUT back unchanged.
    with app.state.sessions() as session:
        tenant = tenant_named(session, "acme")
        assert tenant is not None
        assert ticket_types.sla_for(session, tenant.id, "repair") == timedelta(minutes=90)
        assert ticket_types.sla_for(session, tenant.id, "complaint") == timedelta(hours=24)
        fields = ticket_types.fields_for(session, tenant.id, TicketType.REPAIR)
        assert [(f.name, f.kind) for f in fields][:2] == [("meter", FieldKind.TEXT),
                                                          ("floor", FieldKind.NUMBER)]
    assert put(admin, "repair", 90, body["fields"]).json() == body
    # Back to the default SLA, the fields replaced as a whole.
    reset = put(admin, "repair", None, REPAIR_FIELDS[:1]).json()
    assert (reset["sla_minutes"], reset["sla_overridden"]) == (240, False)
    assert [f["name"] for f in reset["fields"]] == ["meter"]
    audit = admin.get("/api/audit", params={"entity": "ticket_type"}).json()
    assert [(e["action"], e["entity_key"]) for e in audit] == [("update", "repair")] * 3
    assert audit[-1]["before"]["sla_overridden"] is False
    assert audit[-1]["after"]["sla_minutes"] == 90


def test_only_an_admin_changes_a_type(agent: TestClient, supervisor: TestClient,
                                      anonymous: TestClient) -> None:
    assert put(agent, "repair", 30, []).status_code == 403
    assert put(supervisor, "repair", 30, []).status_code == 403
    assert put(anonymous, "repair", 30, []).status_code == 401
    assert anonymous.get("/api/ticket_types").status_code == 401
    assert agent.get("/api/ticket_types/repair").json()["sla_overridden"] is False


@pytest.mark.parametrize(("fields", "sla", "problem"), [
    ([{"name": "a", "label": "A", "kind": "text"}] * 2, None, "defined twice"),
    ([{"name": "a", "label": "A", "kind": "text", "choices": ["x"]}], None,
     "only a choice field has choices"),
    ([{"name": "a", "label": "A", "kind": "choice"}], None, "needs a list of 1 to"),
    ([{"name": "a", "label": "A", "kind": "choice", "choices": []}], None, "needs a list"),
    ([{"name": "a", "label": "A", "kind": "choice", "choices": ["x", "x"]}], None,
     "listed twice"),
    ([{"name": "a", "label": "A", "kind": "choice", "choices": [""]}], None,
     "each choice must be text"),
    ([{"name": "a", "label": "A", "kind": "number", "max_length": 5}], None,
     "only a text field has a max_length"),
    ([{"name": "a", "label": "A", "kind": "text", "max_length": 1001}], None,
     "max_length must be a whole number from 1 to 1000"),
    ([{"name": "1a", "label": "A", "kind": "text"}], None, "is not an identifier"),
    ([{"name": "a" * 65, "label": "A", "kind": "text"}], None, "is not an identifier"),
    ([{"name": "a", "label": " ", "kind": "text"}], None, "the label must be text"),
    ([{"name": "a", "label": "A", "kind": "colour"}], None, None),
    ([{"name": "a", "label": "A", "kind": "text", "hint": "x"}], None, None),
    ([{"name": f"f{i}", "label": "F", "kind": "text"} for i in range(51)], None, None),
    ([], 0, None),
    ([], 366 * 24 * 60 + 1, None),
])
def test_a_bad_definition_is_a_422_naming_the_problem_and_stores_nothing(
    admin: TestClient, fields: list[dict[str, Any]], sla: int | None, problem: str | None
) -> None:
    assert put(admin, "repair", 120, REPAIR_FIELDS).status_code == 200
    before = admin.get("/api/ticket_types/repair").json()
    refused = put(admin, "repair", sla, fields)
    assert refused.status_code == 422
    if problem is not None:
        assert problem in refused.json()["detail"]
    assert admin.get("/api/ticket_types/repair").json() == before
    assert len(admin.get("/api/audit", params={"entity": "ticket_type"}).json()) == 1


def test_every_problem_of_a_definition_list_is_named_at_once(admin: TestClient) -> None:
    refused = put(admin, "complaint", None, [
        {"name": "a", "label": "A", "kind": "text", "choices": ["x"]},
        {"name": "b", "label": "B", "kind": "choice"},
        {"name": "a", "label": "A again", "kind": "date"}])
    detail = refused.json()["detail"]
    for problem in ("only a choice field has choices", "needs a list", "defined twice"):
        assert problem in detail


def test_an_unknown_type_is_a_422(admin: TestClient) -> None:
    assert admin.get("/api/ticket_types/gossip").status_code == 422
    assert put(admin, "gossip", None, []).status_code == 422


def test_tenants_have_their_own_types(admin: TestClient, other_admin: TestClient) -> None:
    assert put(admin, "suggestion", 15, REPAIR_FIELDS[:2]).status_code == 200
    theirs = other_admin.get("/api/ticket_types/suggestion").json()
    assert (theirs["sla_minutes"], theirs["sla_overridden"], theirs["fields"]) == (
        72 * 60, False, [])
    assert put(other_admin, "suggestion", 30, []).status_code == 200
    assert admin.get("/api/ticket_types/suggestion").json()["sla_minutes"] == 15


def _ticket_types_only(obj: Any, _name: str | None, type_: str, _reflected: bool,
                       _other: Any) -> bool:
    table = obj if type_ == "table" else getattr(obj, "table", None)
    return table is not None and table.name == TicketTypeRow.__tablename__


def test_the_migration_builds_the_ticket_types_table_as_declared(engine: Engine) -> None:
    with engine.connect() as connection:
        context = MigrationContext.configure(
            connection, opts={"include_object": _ticket_types_only, "compare_type": True})
        assert compare_metadata(context, Base.metadata) == []
