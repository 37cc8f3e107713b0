"""The configuration resources: CRUD in the caller's tenant only, checked, and audited."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.integration.api.conftest import PASSWORD


@dataclass(frozen=True)
class Resource:
    path: str
    entity: str
    key: str
    create: dict[str, Any]
    change: dict[str, Any]
    bad: dict[str, Any]
    bad_field: str

    @property
    def id(self) -> str:
        return str(self.create[self.key])


RESOURCES = [
    Resource("/api/skills", "skill", "name", {"name": "repair", "description": "Gas leaks"},
             {"description": "Leaks and faults"}, {"name": "has space"}, "name"),
    Resource("/api/teams", "team", "name", {"name": "booking-1"}, {"supervisor": "1001"},
             {"name": "t", "supervisor": 1001}, "supervisor"),
    Resource("/api/queues", "queue", "name", {"name": "billing"}, {"priority": 5},
             {"name": "q", "priority": 101}, "priority"),
    Resource("/api/agents", "agent", "id", {"id": "1002", "name": "Wang Fang"},
             {"wrap_up": 15.0}, {"id": "1003", "wrap_up": -1}, "wrap_up"),
    Resource("/api/dnis_routes", "DNIS route", "dnis", {"dnis": "96777", "queue": "inquiry"},
             {"queue": "complaints"}, {"dnis": "not a number", "queue": "inquiry"}, "dnis"),
    Resource("/api/not_ready_reasons", "not-ready reason", "code",
             {"code": "lunch", "label": "Lunch break"}, {"label": "Lunch"},
             {"code": "lunch", "label": ""}, "label"),
    Resource("/api/caller_lists", "caller list entry", "number",
             {"number": "13800138000", "list": "blacklist", "note": "abusive"}, {"list": "vip"},
             {"number": "13800138000", "list": "grey"}, "list"),
]
IDS = [resource.path.removeprefix("/api/") for resource in RESOURCES]


@pytest.fixture
def configured(admin: TestClient) -> TestClient:
    """acme with the queues the DNIS routes point at."""
    for name in ("inquiry", "complaints"):
        assert admin.post("/api/queues", json={"name": name}).status_code == 201
    return admin


def audit(client: TestClient, entity: str) -> list[dict[str, Any]]:
    entries: list[dict[str, Any]] = client.get("/api/audit", params={"entity": entity}).json()
    return entries


def without(items: list[dict[str, Any]], key: str, value: str) -> list[dict[str, Any]]:
    return [item for item in items if item[key] != value]


@pytest.mark.parametrize("resource", RESOURCES, ids=IDS)
def test_create_read_update_delete(configured: TestClient, resource: Resource) -> None:
    admin = configured
    existing = admin.get(resource.path).json()
    created = admin.post(resource.path, json=resource.create)
    assert created.status_code == 201, created.text
    record = created.json()
    assert {k: record[k] for k in resource.create} == resource.create
    assert admin.get(f"{resource.path}/{resource.id}").json() == record
    assert resource.id in [str(item[resource.key]) for item in admin.get(resource.path).json()]

    changed = admin.patch(f"{resource.path}/{resource.id}", json=resource.change)
    assert changed.status_code == 200, changed.text
    assert changed.json() == record | resource.change
    assert admin.get(f"{resource.path}/{resource.id}").json() == record | resource.change

    assert admin.delete(f"{resource.path}/{resource.id}").status_code == 204
    missing = admin.get(f"{resource.path}/{resource.id}")
    assert missing.status_code == 404 and resource.id in missing.json()["detail"]
    assert admin.get(resource.path).json() == existing


@pytest.mark.parametrize("resource", RESOURCES, ids=IDS)
def test_each_change_is_audited_with_before_and_after(
    configured: TestClient, resource: Resource
) -> None:
    admin = configured
    record = admin.post(resource.path, json=resource.create).json()
    changed = admin.patch(f"{resource.path}/{resource.id}", json=resource.change).json()
    admin.delete(f"{resource.path}/{resource.id}")
    entries = [e for e in audit(admin, resource.entity) if e["entity_key"] == resource.id]
    assert [(e["action"], e["username"]) for e in entries] == [
        ("delete", "admin"), ("update", "admin"), ("create", "admin")]
    deleted, updated, created = entries
    assert (created["before"], created["after"]) == (None, record)
    assert (updated["before"], updated["after"]) == (record, changed)
    assert (deleted["before"], deleted["after"]) == (changed, None)


@pytest.mark.parametrize("resource", RESOURCES, ids=IDS)
def test_bad_bodies_are_refused_naming_the_field_and_change_nothing(
    configured: TestClient, resource: Resource
) -> None:
    admin = configured
    before, audited = admin.get(resource.path).json(), audit(admin, resource.entity)
    response = admin.post(resource.path, json=resource.bad)
    assert response.status_code == 422
    assert resource.bad_field in response.json()["detail"][0]["loc"]
    assert admin.post(resource.path, json={**resource.create, "unknown": 1}).status_code == 422
    assert admin.post(resource.path, content=b"{not json",
                      headers={"content-type": "application/json"}).status_code == 422
    assert admin.get(resource.path).json() == before
    assert audit(admin, resource.entity) == audited


@pytest.mark.parametrize("resource", RESOURCES, ids=IDS)
def test_a_tenant_never_sees_or_touches_another_tenants_records(
    configured: TestClient, other_admin: TestClient, resource: Resource
) -> None:
    configured.post(resource.path, json=resource.create)
    url = f"{resource.path}/{resource.id}"
    assert resource.id not in [str(i[resource.key]) for i in other_admin.get(resource.path).json()]
    assert other_admin.get(url).status_code == 404
    assert other_admin.patch(url, json=resource.change).status_code == 404
    assert other_admin.delete(url).status_code == 404
    assert configured.get(url).status_code == 200
    assert audit(other_admin, resource.entity) == []


def test_the_same_names_may_exist_in_two_tenants(
    configured: TestClient, other_admin: TestClient
) -> None:
    assert other_admin.post("/api/queues", json={"name": "inquiry"}).status_code == 201
    other_admin.patch("/api/queues/inquiry", json={"priority": 9})
    assert configured.get("/api/queues/inquiry").json()["priority"] == 0


def test_a_queue_needing_an_unknown_skill_is_refused_with_the_reason(admin: TestClient) -> None:
    response = admin.post("/api/queues", json={"name": "repair", "skills": {"gas": 2}})
    assert response.status_code == 422
    assert "gas" in response.json()["detail"]
    assert admin.get("/api/queues").json() == []


def test_a_duplicate_is_refused(configured: TestClient) -> None:
    response = configured.post("/api/queues", json={"name": "inquiry"})
    assert response.status_code == 422
    assert response.json()["detail"] == "queue 'inquiry': already exists in tenant 'acme'"


def test_what_is_still_used_cannot_be_deleted(configured: TestClient) -> None:
    configured.post("/api/dnis_routes", json={"dnis": "96777", "queue": "inquiry"})
    response = configured.delete("/api/queues/inquiry")
    assert response.status_code == 422
    assert "still used by" in response.json()["detail"]
    assert configured.get("/api/queues/inquiry").status_code == 200


def test_renaming_a_queue_follows_into_its_routes(configured: TestClient) -> None:
    configured.post("/api/dnis_routes", json={"dnis": "96777", "queue": "inquiry"})
    assert configured.patch("/api/queues/inquiry", json={"name": "questions"}).status_code == 200
    assert configured.get("/api/dnis_routes/96777").json()["queue"] == "questions"
    assert configured.get("/api/queues/inquiry").status_code == 404


def test_null_only_where_a_field_may_be_empty(configured: TestClient) -> None:
    response = configured.patch("/api/queues/inquiry", json={"priority": None})
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["body", "priority"]
    assert configured.patch("/api/queues/inquiry", json={"max_wait": None}).status_code == 200


def test_the_tenants_own_settings(configured: TestClient, other_admin: TestClient) -> None:
    tenant = configured.get("/api/tenant").json()
    assert (tenant["name"], tenant["timezone"]) == ("acme", "Asia/Shanghai")
    hours = {"mon": ["08:00-20:00"]}
    changed = configured.patch("/api/tenant", json={"business_hours": hours,
                                                    "default_queue": "inquiry"})
    assert changed.status_code == 200, changed.text
    assert changed.json() == tenant | {"business_hours": hours, "default_queue": "inquiry"}
    assert other_admin.get("/api/tenant").json()["default_queue"] is None
    [entry] = audit(configured, "tenant")
    assert (entry["action"], entry["entity_key"]) == ("update", "acme")
    assert (entry["before"], entry["after"]) == (tenant, changed.json())


@pytest.mark.parametrize(
    ("body", "message"),
    [({"timezone": "Mars/Olympus"}, "unknown time zone"),
     ({"default_queue": "nowhere"}, "nowhere"),
     ({"business_hours": {"mon": ["20:00-08:00"]}}, "opening period"),
     ({"name": "renamed"}, "name")],
)
def test_bad_tenant_changes_are_refused_and_change_nothing(
    configured: TestClient, body: dict[str, Any], message: str
) -> None:
    before = configured.get("/api/tenant").json()
    response = configured.patch("/api/tenant", json=body)
    assert response.status_code == 422
    assert message in str(response.json()["detail"])
    assert configured.get("/api/tenant").json() == before


def test_the_audit_log_filters_and_pages(configured: TestClient, anonymous: TestClient) -> None:
    for code in ("a", "b", "c"):
        configured.post("/api/not_ready_reasons", json={"code": code, "label": code})
    page = configured.get("/api/audit", params={"entity": "not-ready reason", "limit": 2}).json()
    assert [e["entity_key"] for e in page] == ["c", "b"]
    rest = configured.get("/api/audit", params={"entity": "not-ready reason", "limit": 2,
                                                "offset": 2}).json()
    assert [e["entity_key"] for e in rest] == ["a"]
    anonymous.post("/api/auth/login", json={"tenant": "acme", "username": "supervisor",
                                            "password": PASSWORD})
    logins = configured.get("/api/audit", params={"action": "login"}).json()
    assert [e["username"] for e in logins] == ["supervisor"]
    assert configured.get("/api/audit", params={"since": "2999-01-01T00:00:00Z"}).json() == []
    assert configured.get("/api/audit", params={"limit": 0}).status_code == 422
