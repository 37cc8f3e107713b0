"""The public request form (C4): a customer files a ticket without signing in, linked
to the customer record that holds their phone number, due by the tenant's SLA for the type;
bad input, the honeypot and an unknown tenant store nothing; floods are cut off per address
and per tenant on a virtual clock; tenants are kept apart."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import select

from hotline.api.public_rate_limit import PublicRateLimit
from hotline.store.ticket_tables import TicketRow
from tests.integration.api.conftest import Clients, VirtualClock

REPAIR_FIELDS = [
    {"name": "meter", "label": "Meter number", "kind": "text", "required": True,
     "max_length": 12},
    {"name": "floor", "label": "Floor", "kind": "number"},
    {"name": "area", "label": "Area", "kind": "choice", "choices": ["north", "south"]},
    {"name": "since", "label": "Since", "kind": "date"},
    {"name": "smell", "label": "Gas smell", "kind": "boolean"},
]
GOOD = {
    "type": "repair", "name": "Wang Fang", "phone": "139 1234 5678",
    "email": "Wang@Example.com", "title": "No gas since this morning",
    "description": "The stove does not light.",
    "fields": {"meter": "GZ-20391", "floor": 3, "area": "north", "since": "2024-05-31",
               "smell": False},
    "website": "",
}


@pytest.fixture
def app(app: FastAPI, clock: VirtualClock) -> FastAPI:
    """The API with the public form's rate limit on the virtual clock."""
    app.state.public_rate_limit = PublicRateLimit(clock=clock)
    return app


@pytest.fixture
def repair_set_up(admin: TestClient) -> None:
    """acme's repairs have custom fields and a 90-minute SLA."""
    reply = admin.put("/api/ticket_types/repair",
                      json={"sla_minutes": 90, "fields": REPAIR_FIELDS})
    assert reply.status_code == 200, reply.text


def file(client: TestClient, tenant: str = "acme", **changes: Any) -> Any:
    return client.post(f"/api/public/{tenant}/tickets", json={**GOOD, **changes})


def ticket_count(app: FastAPI) -> int:
    with app.state.sessions() as session:
        return len(session.scalars(select(TicketRow.id)).all())


@pytest.mark.usefixtures("repair_set_up")
def test_a_request_becomes_a_ticket_of_the_known_customer_due_by_the_type_sla(
    app: FastAPI, clients: Clients, admin: TestClient
) -> None:
    customer = admin.post("/api/customers", json={"name": "Wang Fang",
                                                   "phones": ["139-1234-5678"]})
    assert customer.status_code == 201, customer.text
    filed = file(clients.anonymous("203.0.113.5"))
    assert filed.status_code == 201, filed.text
    receipt = filed.json()
    ticket = admin.get(f"/api/tickets/{receipt['reference']}").json()
    assert (ticket["type"], ticket["state"], ticket["priority"], ticket["created_by"]) == (
        "repair", "new", "normal", "web-form")
    assert ticket["title"] == "No gas since this morning"
    assert ticket["customer_phone"] == "13912345678"
    assert ticket["custom_fields"] == GOOD["fields"]
    for text in ("The stove does not light.", "Name: Wang Fang", "E-mail: wang@example.com"):
        assert text in ticket["description"]
    due = datetime.fromisoformat(receipt["due_at"])
    assert due == datetime.fromisoformat(ticket["due_at"])
    assert due - datetime.fromisoformat(ticket["created_at"]) == timedelta(minutes=90)
    with app.state.sessions() as session:
        row = session.get(TicketRow, receipt["reference"])
        assert row is not None and row.customer_id == customer.json()["id"]
    audit = admin.get("/api/audit", params={"entity": "ticket"}).json()
    assert [(e["username"], e["action"], e["entity_key"]) for e in audit] == [
        ("web-form", "create", str(receipt["reference"]))]


def test_a_request_with_only_an_e_mail_finds_the_customer_by_it_and_keeps_the_default_sla(
    app: FastAPI, anonymous: TestClient, admin: TestClient
) -> None:
    customer = admin.post("/api/customers", json={"name": "Li Lei",
                                                   "emails": ["li@example.com"]}).json()
    filed = file(anonymous, type="suggestion", phone="", email=" LI@example.com ", fields={})
    assert filed.status_code == 201, filed.text
    ticket = admin.get(f"/api/tickets/{filed.json()['reference']}").json()
    assert ticket["customer_phone"] is None
    created = datetime.fromisoformat(ticket["created_at"])
    assert datetime.fromisoformat(ticket["due_at"]) - created == timedelta(hours=72)
    with app.state.sessions() as session:
        row = session.get(TicketRow, ticket["id"])
        assert row is not None and row.customer_id == customer["id"]
    # Nobody holds this number: the ticket is filed all the same, linked to no one.
    stranger = file(anonymous, type="complaint", phone="+1 555 0100", fields={})
    with app.state.sessions() as session:
        row = session.get(TicketRow, stranger.json()["reference"])
        assert row is not None and row.customer_id is None


def test_the_form_reads_the_types_and_their_fields_without_signing_in(
    anonymous: TestClient
) -> None:
    assert anonymous.get("/api/public/acme/ticket_types").json()[0]["fields"] == []
    anonymous_types = anonymous.get("/api/public/acme/ticket_types")
    assert [t["type"] for t in anonymous_types.json()] == [
        "repair", "complaint", "suggestion", "appointment", "business"]


@pytest.mark.usefixtures("repair_set_up")
def test_the_types_show_the_tenant_fields_and_sla(anonymous: TestClient) -> None:
    repair = anonymous.get("/api/public/acme/ticket_types").json()[0]
    assert repair["sla_minutes"] == 90
    assert [f["name"] for f in repair["fields"]] == ["meter", "floor", "area", "since", "smell"]


@pytest.mark.usefixtures("repair_set_up")
@pytest.mark.parametrize(("changes", "where"), [
    ({"phone": "", "email": ""}, ["body", "phone"]),
    ({"phone": "call me"}, ["body", "phone"]),
    ({"phone": "12"}, ["body", "phone"]),
    ({"phone": "1" * 33}, ["body", "phone"]),
    ({"phone": "1-2-3-+4"}, ["body", "phone"]),
    ({"email": "not-an-address"}, ["body", "email"]),
    ({"email": "a@b"}, ["body", "email"]),
    ({"title": ""}, ["body", "title"]),
    ({"title": "   "}, ["body", "title"]),
    ({"title": "x" * 201}, ["body", "title"]),
    ({"description": "x" * 4001}, ["body", "description"]),
    ({"type": "gossip"}, ["body", "type"]),
    ({"colour": "red"}, ["body", "colour"]),
    ({"fields": {"meter": "GZ-1", "floor": "third"}}, ["body", "fields", "floor"]),
    ({"fields": {"floor": 3}}, ["body", "fields", "meter"]),
    ({"fields": {"meter": "   "}}, ["body", "fields", "meter"]),
    ({"fields": {"meter": "GZ-1", "colour": "red"}}, ["body", "fields", "colour"]),
    ({"fields": {"meter": "GZ-1", "area": "east"}}, ["body", "fields", "area"]),
    ({"fields": {"meter": "GZ-1", "since": "31/05/2024"}}, ["body", "fields", "since"]),
    ({"fields": {"meter": "GZ-1", "since": "2024-02-30"}}, ["body", "fields", "since"]),
    ({"fields": {"meter": "x" * 13}}, ["body", "fields", "meter"]),
    ({"fields": {"meter": "GZ-1", "smell": "yes"}}, ["body", "fields", "smell"]),
    ({"fields": {"meter": {"nested": 1}}}, ["body", "fields", "meter"]),
])
def test_bad_input_is_a_422_located_at_its_field_and_stores_nothing(
    app: FastAPI, anonymous: TestClient, changes: dict[str, Any], where: list[str]
) -> None:
    refused = file(anonymous, **changes)
    assert refused.status_code == 422, refused.text
    locations = [item["loc"][:len(where)] for item in refused.json()["detail"]]
    assert where in locations
    assert ticket_count(app) == 0


@pytest.mark.usefixtures("repair_set_up")
def test_every_bad_field_is_named_at_once(anonymous: TestClient) -> None:
    refused = file(anonymous, phone="", email="", fields={"floor": "x", "area": "east"})
    assert {tuple(item["loc"]) for item in refused.json()["detail"]} == {
        ("body", "phone"), ("body", "fields", "floor"), ("body", "fields", "area"),
        ("body", "fields", "meter")}


@pytest.mark.usefixtures("repair_set_up")
def test_a_filled_honeypot_is_rejected_and_stores_nothing(app: FastAPI,
                                                        anonymous: TestClient) -> None:
    refused = file(anonymous, website="http://spam.example")
    assert (refused.status_code, refused.json()) == (422, {"detail": "rejected"})
    assert ticket_count(app) == 0


def test_an_unknown_tenant_is_a_404(app: FastAPI, anonymous: TestClient) -> None:
    assert file(anonymous, tenant="initech", fields={}).status_code == 404
    assert anonymous.get("/api/public/initech/ticket_types").status_code == 404
    assert ticket_count(app) == 0


@pytest.mark.usefixtures("repair_set_up")
def test_a_flood_from_one_address_is_cut_off_until_the_window_passes(
    app: FastAPI, clients: Clients, clock: VirtualClock
) -> None:
    flooder = clients.anonymous("198.51.100.7")
    assert file(flooder, title="").status_code == 422  # refused requests count too
    for _ in range(4):
        assert file(flooder).status_code == 201
    clock.advance(60)
    cut_off = file(flooder)
    assert cut_off.status_code == 429
    assert cut_off.headers["Retry-After"] == "540"
    assert ticket_count(app) == 4
    assert file(clients.anonymous("198.51.100.8")).status_code == 201
    clock.advance(539)
    assert file(flooder).status_code == 429
    clock.advance(1)
    assert file(flooder).status_code == 201
    assert ticket_count(app) == 6


def test_a_tenant_takes_at_most_its_ceiling_from_all_addresses_together(
    app: FastAPI, clients: Clients, clock: VirtualClock
) -> None:
    app.state.public_rate_limit = PublicRateLimit(clock=clock, per_tenant=3)
    for number in range(3):
        assert file(clients.anonymous(f"192.0.2.{number}"), fields={}).status_code == 201
    ceiling = file(clients.anonymous("192.0.2.99"), fields={})
    assert ceiling.status_code == 429 and ceiling.headers["Retry-After"] == "3600"
    assert file(clients.anonymous("192.0.2.99"), tenant="globex", fields={}).status_code == 201
    assert ticket_count(app) == 4


def test_the_rate_limit_is_created_on_first_use(app: FastAPI, anonymous: TestClient) -> None:
    del app.state.public_rate_limit
    assert file(anonymous, fields={}).status_code == 201
    assert isinstance(app.state.public_rate_limit, PublicRateLimit)


@pytest.mark.usefixtures("repair_set_up")
def test_tenants_are_kept_apart(app: FastAPI, anonymous: TestClient, admin: TestClient,
                                other_admin: TestClient) -> None:
    admin.post("/api/customers", json={"name": "Wang Fang", "phones": ["13912345678"]})
    # globex's repairs have no custom fields and the default SLA.
    assert file(anonymous, tenant="globex").status_code == 422
    filed = file(anonymous, tenant="globex", fields={})
    assert filed.status_code == 201, filed.text
    theirs = other_admin.get(f"/api/tickets/{filed.json()['reference']}").json()
    created = datetime.fromisoformat(theirs["created_at"])
    assert datetime.fromisoformat(theirs["due_at"]) - created == timedelta(hours=4)
    assert admin.get(f"/api/tickets/{theirs['id']}").status_code == 404
    assert admin.get("/api/tickets").json()["total"] == 0
    with app.state.sessions() as session:
        row = session.get(TicketRow, theirs["id"])
        assert row is not None and row.customer_id is None  # acme's customer is not theirs


@pytest.mark.parametrize(("query", "accept_language", "heading"), [
    ("", None, "在线报事"),
    ("", "en-GB,en;q=0.9", "Contact us"),
    ("", "fr-FR,en;q=0.8,zh-CN;q=0.9", "在线报事"),
    ("", "en;q=0.5,zh-TW;q=0.5", "Contact us"),
    ("", "de,fr", "在线报事"),
    ("", "en;q=x,zh", "在线报事"),
    ("?lang=en", "zh-CN", "Contact us"),
    ("?lang=zh", "en", "在线报事"),
    ("?lang=fr", "en", "Contact us"),
])
def test_the_page_speaks_the_language_asked_for_or_the_browser_prefers(
    anonymous: TestClient, query: str, accept_language: str | None, heading: str
) -> None:
    headers = {} if accept_language is None else {"Accept-Language": accept_language}
    page = anonymous.get(f"/public/acme/request{query}", headers=headers)
    assert page.status_code == 200
    assert f"<h1>{heading}</h1>" in page.text
    assert 'data-tenant="acme"' in page.text and "/static/js/public_request.js" in page.text
    assert page.headers["Content-Security-Policy"].startswith("default-src 'self'")
    assert "<script>" not in page.text and "style=" not in page.text


def test_the_page_of_an_unknown_tenant_is_a_404(anonymous: TestClient) -> None:
    page = anonymous.get("/public/initech/request", headers={"Accept-Language": "en"})
    assert page.status_code == 404
    assert "There is no such service here" in page.text
    assert 'id="request-form"' not in page.text
