"""Customers (C1): records with several phones, e-mails and account numbers, looked up by
any of them after normalization; one value belongs to one customer; agents do not see notes
nor set the tier; only admins delete, export and import; tenants see only their own; a CSV
export imports back into an empty tenant unchanged, and a bad CSV stores nothing."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from hotline.api import customers
from hotline.api.app import create_app
from hotline.api.login_throttle import LoginThrottle
from tests.integration.api.conftest import SleepRecorder, VirtualClock

CSV = {"Content-Type": "text/csv"}


@pytest.fixture
def app(engine: Engine, clock: VirtualClock, sleeps: SleepRecorder) -> FastAPI:
    """The API on the virtual clock."""
    return create_app(engine, login_throttle=LoginThrottle(clock=clock, sleep=sleeps))


WANG = {"name": "Wang Fang", "phones": ["+86 139-1234-5678", "010 6543 2100"],
        "emails": ["Wang.Fang@Example.COM"], "accounts": ["GAS-0012345"],
        "address": "12 Jianguo Road, Beijing", "tier": "vip", "tags": ["repair", "elderly"],
        "notes": "Prefers calls after 10:00"}


def _create(client: TestClient, body: dict[str, Any]) -> dict[str, Any]:
    response = client.post("/api/customers", json=body)
    assert response.status_code == 201, response.text
    result: dict[str, Any] = response.json()
    return result


def test_a_customer_is_created_read_changed_and_deleted(admin: TestClient) -> None:
    created = _create(admin, WANG)
    assert created["phones"] == ["+8613912345678", "01065432100"]
    assert created["emails"] == ["wang.fang@example.com"]
    assert created["tags"] == ["elderly", "repair"]
    ident = created["id"]
    assert admin.get(f"/api/customers/{ident}").json() == created
    changed = admin.patch(f"/api/customers/{ident}", json={
        "phones": ["+86 139 1234 5678"], "tier": "standard", "notes": ""})
    assert changed.status_code == 200, changed.text
    assert changed.json()["phones"] == ["+8613912345678"]
    assert changed.json()["tier"] == "standard"
    assert changed.json()["emails"] == ["wang.fang@example.com"]
    # The dropped number is free again.
    assert admin.get("/api/customers/lookup", params={"phone": "01065432100"}
                     ).status_code == 404
    assert admin.patch(f"/api/customers/{ident}", json={"name": None}).status_code == 422
    assert admin.delete(f"/api/customers/{ident}").status_code == 204
    assert admin.get(f"/api/customers/{ident}").status_code == 404
    assert admin.get("/api/customers/lookup", params={"phone": "+8613912345678"}
                     ).status_code == 404
    audit = admin.get("/api/audit", params={"entity": "customer"}).json()
    assert {entry["action"] for entry in audit} >= {"create", "update", "delete"}


@pytest.mark.parametrize(("kind", "asked"), [
    ("phone", "+86 139-1234-5678"), ("phone", "+86 (139) 1234.5678"),
    ("phone", "010-6543-2100"), ("email", " WANG.fang@example.com "),
    ("account", "GAS-0012345")])
def test_lookup_finds_the_customer_by_any_normalized_value(
        supervisor: TestClient, kind: str, asked: str) -> None:
    created = _create(supervisor, WANG)
    found = supervisor.get("/api/customers/lookup", params={kind: asked})
    assert found.status_code == 200, found.text
    assert found.json()["id"] == created["id"]


def test_lookup_needs_exactly_one_well_formed_value(agent: TestClient) -> None:
    assert agent.get("/api/customers/lookup").status_code == 422
    assert agent.get("/api/customers/lookup",
                     params={"phone": "123456", "email": "a@b.cn"}).status_code == 422
    bad = agent.get("/api/customers/lookup", params={"phone": "call me"})
    assert bad.status_code == 422 and "not a phone number" in bad.text
    assert agent.get("/api/customers/lookup", params={"email": "nobody"}).status_code == 422
    assert agent.get("/api/customers/lookup", params={"phone": "123456"}).status_code == 404


def test_two_customers_cannot_share_a_phone_email_or_account(admin: TestClient) -> None:
    first = _create(admin, WANG)
    for field, value in (("phones", ["+8613912345678"]), ("emails", ["wang.fang@EXAMPLE.com"]),
                         ("accounts", ["GAS-0012345"])):
        refused = admin.post("/api/customers", json={"name": "Li Lei", field: value})
        assert refused.status_code == 409, refused.text
        assert f"already belongs to customer {first['id']}" in refused.json()["detail"]
    other = _create(admin, {"name": "Li Lei", "phones": ["13800000000"]})
    taken = admin.patch(f"/api/customers/{other['id']}",
                        json={"phones": ["13800000000", "+86 139 1234 5678"]})
    assert taken.status_code == 409
    assert admin.get(f"/api/customers/{other['id']}").json()["phones"] == ["13800000000"]
    assert admin.get("/api/customers").json()["total"] == 2


def test_bad_customers_are_refused_with_422(admin: TestClient) -> None:
    for body in ({"name": ""}, {"name": "x" * 201}, {"name": "A", "tier": "gold"},
                 {"name": "A", "phones": ["12"]}, {"name": "A", "emails": ["not-mail"]},
                 {"name": "A", "tags": ["two words"]}, {"name": "A", "colour": "red"},
                 {"name": "A", "phones": ["1"] * 21}, {"name": "A", "phones": "123456"}):
        assert admin.post("/api/customers", json=body).status_code == 422, body
    assert admin.get("/api/customers").json()["total"] == 0


def test_search_filters_by_name_prefix_tag_and_tier_a_page_at_a_time(
        agent: TestClient, admin: TestClient) -> None:
    for number in range(5):
        _create(admin, {"name": f"Zhang {number}", "tags": ["gas"] if number % 2 else [],
                        "tier": "vip" if number < 2 else "standard",
                        "phones": [f"1390000000{number}"]})
    _create(admin, {"name": "Wei_Li", "tags": ["gas"]})
    page = agent.get("/api/customers", params={"name": "zhang", "limit": 2, "offset": 2}).json()
    assert page["total"] == 5
    assert [c["name"] for c in page["items"]] == ["Zhang 2", "Zhang 3"]
    tagged = agent.get("/api/customers", params={"tag": "gas"}).json()
    assert [c["name"] for c in tagged["items"]] == ["Wei_Li", "Zhang 1", "Zhang 3"]
    vip = agent.get("/api/customers", params={"tier": "vip", "tag": "gas"}).json()
    assert [c["name"] for c in vip["items"]] == ["Zhang 1"]
    assert agent.get("/api/customers", params={"name": "Wei%"}).json()["total"] == 0
    assert agent.get("/api/customers", params={"limit": 0}).status_code == 422


def test_agents_read_and_correct_customers_but_not_notes_tier_or_deletion(
        agent: TestClient, supervisor: TestClient, admin: TestClient) -> None:
    created = _create(supervisor, WANG)
    ident = created["id"]
    seen = agent.get(f"/api/customers/{ident}").json()
    assert seen["notes"] is None and seen["address"] == WANG["address"]
    assert agent.get("/api/customers/lookup", params={"phone": "13912345678"}
                     ).status_code == 404
    assert agent.get("/api/customers/lookup", params={"phone": "+8613912345678"}
                     ).json()["notes"] is None
    assert agent.get("/api/customers").json()["items"][0]["notes"] is None
    assert agent.patch(f"/api/customers/{ident}", json={"tier": "standard"}).status_code == 403
    assert agent.patch(f"/api/customers/{ident}", json={"notes": "x"}).status_code == 403
    assert agent.post("/api/customers", json={"name": "New", "tier": "vip"}).status_code == 403
    fixed = agent.patch(f"/api/customers/{ident}", json={"address": "14 Jianguo Road"})
    assert fixed.status_code == 200 and fixed.json()["notes"] is None
    assert admin.get(f"/api/customers/{ident}").json()["notes"] == WANG["notes"]
    new = agent.post("/api/customers", json={"name": "Caller", "phones": ["13700000000"]})
    assert new.status_code == 201
    for client in (agent, supervisor):
        assert client.delete(f"/api/customers/{ident}").status_code == 403
        assert client.get("/api/customers/export.csv").status_code == 403
        assert client.post("/api/customers/import", content="name\nA\n",
                           headers=CSV).status_code == 403


def test_tenants_see_only_their_own_customers(admin: TestClient,
                                              other_admin: TestClient) -> None:
    created = _create(admin, WANG)
    ident = created["id"]
    assert other_admin.get(f"/api/customers/{ident}").status_code == 404
    assert other_admin.patch(f"/api/customers/{ident}", json={"name": "X"}).status_code == 404
    assert other_admin.delete(f"/api/customers/{ident}").status_code == 404
    assert other_admin.get("/api/customers/lookup", params={"phone": "+8613912345678"}
                           ).status_code == 404
    assert other_admin.get("/api/customers").json()["total"] == 0
    assert other_admin.get("/api/customers/export.csv").text.strip() == ",".join(
        customers.customers.COLUMNS)
    # The same phone may belong to a customer of another tenant.
    assert other_admin.post("/api/customers", json=WANG).status_code == 201


def _comparable(client: TestClient) -> list[dict[str, Any]]:
    items = client.get("/api/customers", params={"limit": 200}).json()["items"]
    return [{k: v for k, v in c.items() if k not in ("id", "created_at", "updated_at")}
            for c in items]


def test_an_exported_csv_imports_into_an_empty_tenant_unchanged(
        admin: TestClient, other_admin: TestClient) -> None:
    _create(admin, WANG)
    _create(admin, {"name": "=SUM(A1)", "phones": ["+1 555 0100"], "address": "Line 1\nLine 2",
                    "notes": 'Said "hello", then; left', "tags": ["@home"]})
    _create(admin, {"name": "'quoted", "accounts": ["-42"]})
    _create(admin, {"name": "张伟", "emails": ["zw@example.cn"]})
    exported = admin.get("/api/customers/export.csv")
    assert exported.status_code == 200
    assert exported.headers["content-type"].startswith("text/csv")
    assert "\r\n'=SUM(A1)," in exported.text
    imported = other_admin.post("/api/customers/import", content=exported.content,
                                headers=CSV)
    assert imported.status_code == 201, imported.text
    assert imported.json() == {"imported": 4}
    assert _comparable(other_admin) == _comparable(admin)
    found = other_admin.get("/api/customers/lookup", params={"phone": "+15550100"})
    assert found.json()["name"] == "=SUM(A1)"


def test_a_bad_csv_lists_its_bad_rows_and_changes_nothing(admin: TestClient) -> None:
    _create(admin, WANG)
    text = ("name,phones,emails,tier\n"
            "Good One,13700000001,,standard\n"
            ",13700000002,,standard\n"
            "Bad Tier,,,gold\n"
            "Taken,+86 139 1234 5678,,\n"
            "Twice,13700000001;bad phone,,\n")
    refused = admin.post("/api/customers/import", content=text.encode(), headers=CSV)
    assert refused.status_code == 422, refused.text
    rows = {problem["row"]: problem["problems"] for problem in refused.json()["detail"]}
    assert sorted(rows) == [3, 4, 5, 6]
    assert any("name" in p for p in rows[3])
    assert any("tier" in p for p in rows[4])
    assert any("already belongs to customer" in p for p in rows[5])
    assert any("not a phone number" in p for p in rows[6])
    assert admin.get("/api/customers").json()["total"] == 1
    duplicate = "name,phones\nA,13700000009\nB,137-0000-0009\n"
    again = admin.post("/api/customers/import", content=duplicate.encode(), headers=CSV)
    assert again.status_code == 422 and "also on row 2" in again.text
    for body, headers, code in (
            (b"colour\nred\n", CSV, 422), (b"", CSV, 422), (b"name\n\xff\n", CSV, 422),
            (b"name\nA\n", {"Content-Type": "application/json"}, 415),
            (b"name\nA,extra\n", CSV, 422),
            (b"name\n" + b"A\n" * (4 * 1024 * 1024 + 1), CSV, 413)):
        assert admin.post("/api/customers/import", content=body, headers=headers
                          ).status_code == code, body[:20]
    assert admin.get("/api/customers").json()["total"] == 1
