"""`/api/users`: admins manage the people of their own tenant; every change is audited."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.integration.api.conftest import PASSWORD, Clients

NEW_USER = {"username": "li.na", "password": "s3cret-enough", "role": "supervisor",
            "display_name": "Li Na", "language": "zh"}


def user_id(client: TestClient, username: str) -> int:
    return next(u["id"] for u in client.get("/api/users").json() if u["username"] == username)


def audit(client: TestClient, **filters: str) -> list[dict[str, Any]]:
    response = client.get("/api/audit", params=filters)
    assert response.status_code == 200, response.text
    entries: list[dict[str, Any]] = response.json()
    return entries


def test_create_read_update_delete_a_user(admin: TestClient, anonymous: TestClient) -> None:
    created = admin.post("/api/users", json=NEW_USER)
    assert created.status_code == 201, created.text
    user = created.json()
    assert {k: user[k] for k in ("username", "role", "display_name", "language", "disabled",
                                 "agent_id")} == {
        "username": "li.na", "role": "supervisor", "display_name": "Li Na", "language": "zh",
        "disabled": False, "agent_id": None}
    assert "password" not in user and "password_hash" not in user
    assert admin.get(f"/api/users/{user['id']}").json() == user
    assert [u["username"] for u in admin.get("/api/users").json()] == [
        "admin", "agent", "li.na", "supervisor"]

    login = {"tenant": "acme", "username": "li.na", "password": "s3cret-enough"}
    assert anonymous.post("/api/auth/login", json=login).status_code == 200

    changed = admin.patch(f"/api/users/{user['id']}", json={"role": "agent", "agent_id": "1001"})
    assert changed.status_code == 200
    assert (changed.json()["role"], changed.json()["agent_id"]) == ("agent", "1001")

    assert admin.delete(f"/api/users/{user['id']}").status_code == 204
    assert admin.get(f"/api/users/{user['id']}").status_code == 404
    assert anonymous.post("/api/auth/login", json=login).status_code == 401


def test_every_user_change_is_audited_with_before_and_after(admin: TestClient) -> None:
    uid = admin.post("/api/users", json=NEW_USER).json()["id"]
    admin.patch(f"/api/users/{uid}", json={"display_name": "Li Na (team lead)"})
    admin.delete(f"/api/users/{uid}")
    entries = audit(admin, entity="user")
    assert [(e["action"], e["entity_key"], e["username"]) for e in entries] == [
        ("delete", "li.na", "admin"), ("update", "li.na", "admin"), ("create", "li.na", "admin")]
    deleted, updated, created = entries
    assert created["before"] is None and created["after"]["display_name"] == "Li Na"
    assert updated["before"]["display_name"] == "Li Na"
    assert updated["after"]["display_name"] == "Li Na (team lead)"
    assert deleted["before"]["username"] == "li.na" and deleted["after"] is None
    assert all("password" not in str(e) for e in entries)


def test_a_taken_username_is_a_conflict(admin: TestClient) -> None:
    response = admin.post("/api/users", json={**NEW_USER, "username": "agent"})
    assert response.status_code == 409
    assert response.json()["detail"] == "user 'agent' already exists in this tenant"


def test_usernames_are_per_tenant(other_admin: TestClient) -> None:
    """globex may have its own 'li.na' even when acme has one."""
    assert other_admin.post("/api/users", json=NEW_USER).status_code == 201


def test_a_user_can_only_be_linked_to_an_existing_agent(admin: TestClient) -> None:
    response = admin.post("/api/users", json={**NEW_USER, "agent_id": "9999"})
    assert response.status_code == 422
    assert "agent_id '9999'" in response.json()["detail"]
    uid = user_id(admin, "supervisor")
    response = admin.patch(f"/api/users/{uid}", json={"agent_id": "9999"})
    assert response.status_code == 422
    assert admin.get(f"/api/users/{uid}").json()["agent_id"] is None


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({**NEW_USER, "password": "short"}, "password"),
        ({**NEW_USER, "role": "owner"}, "role"),
        ({**NEW_USER, "username": "has space"}, "username"),
        ({**NEW_USER, "username": ""}, "username"),
        ({**NEW_USER, "language": "fr"}, "language"),
        ({**NEW_USER, "display_name": "bell\x07"}, "display_name"),
        ({**NEW_USER, "is_root": True}, "is_root"),
        ({k: v for k, v in NEW_USER.items() if k != "role"}, "role"),
    ],
    ids=["short-password", "unknown-role", "bad-username", "empty-username", "language",
         "control-character", "unknown-field", "missing-role"],
)
def test_bad_user_bodies_are_refused_naming_the_field_and_change_nothing(
    admin: TestClient, body: dict[str, Any], field: str
) -> None:
    before = admin.get("/api/users").json()
    response = admin.post("/api/users", json=body)
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"][-1] == field
    assert admin.get("/api/users").json() == before
    assert audit(admin, entity="user") == []


@pytest.mark.parametrize("body", [{"role": None}, {"disabled": None}, {"password": "x"},
                                  {"role": "root"}, {"username": "renamed"}])
def test_bad_user_changes_are_refused_and_change_nothing(
    admin: TestClient, body: dict[str, Any]
) -> None:
    uid = user_id(admin, "agent")
    before = admin.get(f"/api/users/{uid}").json()
    response = admin.patch(f"/api/users/{uid}", json=body)
    assert response.status_code == 422
    assert admin.get(f"/api/users/{uid}").json() == before


def test_the_last_enabled_admin_cannot_be_removed_demoted_or_disabled(admin: TestClient) -> None:
    uid = user_id(admin, "admin")
    for change in ({"role": "supervisor"}, {"disabled": True}):
        response = admin.patch(f"/api/users/{uid}", json=change)
        assert response.status_code == 409
        assert "last enabled admin" in response.json()["detail"]
    assert admin.delete(f"/api/users/{uid}").status_code == 409
    assert admin.get("/api/auth/me").status_code == 200


def test_with_a_second_admin_the_first_may_step_down(admin: TestClient) -> None:
    admin.post("/api/users", json={**NEW_USER, "role": "admin"})
    uid = user_id(admin, "admin")
    assert admin.patch(f"/api/users/{uid}", json={"role": "supervisor"}).status_code == 200
    assert admin.get("/api/users").status_code == 401  # a role change ends the user's logins


def test_a_new_password_or_disabling_ends_the_users_logins(
    clients: Clients, admin: TestClient
) -> None:
    agent = clients.log_in("acme", "agent")
    uid = user_id(admin, "agent")
    assert admin.patch(f"/api/users/{uid}", json={"password": "brand new pass"}).status_code == 200
    assert agent.get("/api/auth/me").status_code == 401

    supervisor = clients.log_in("acme", "supervisor")
    uid = user_id(admin, "supervisor")
    assert admin.patch(f"/api/users/{uid}", json={"disabled": True}).status_code == 200
    assert supervisor.get("/api/auth/me").status_code == 401
    login = {"tenant": "acme", "username": "supervisor", "password": PASSWORD}
    assert clients.anonymous().post("/api/auth/login", json=login).status_code == 401


def test_unlinking_the_agent_with_null(admin: TestClient) -> None:
    uid = user_id(admin, "agent")
    response = admin.patch(f"/api/users/{uid}", json={"agent_id": None})
    assert response.status_code == 200 and response.json()["agent_id"] is None


@pytest.mark.parametrize("user_path", ["0", "-1", "2147483648", "abc", "99999"])
def test_unknown_or_malformed_user_ids(admin: TestClient, user_path: str) -> None:
    response = admin.get(f"/api/users/{user_path}")
    assert response.status_code in (404, 422)
    assert response.json()["detail"]
