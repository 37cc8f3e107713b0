"""Logging in and out: tokens, the session cookie, and slowing down password guessing."""

from __future__ import annotations

from datetime import timedelta

import pytest
from argon2 import PasswordHasher
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import select

from hotline.api.auth import SESSION_COOKIE, principal_from_token
from hotline.store import accounts
from hotline.store.account_tables import Role, User, utc_now
from hotline.store.config_tables import TenantRow
from hotline.store.database import session_factory
from tests.integration.api.conftest import PASSWORD, Clients, SleepRecorder, VirtualClock

LOGIN = "/api/auth/login"


def credentials(password: str = PASSWORD, username: str = "agent", tenant: str = "acme") -> dict:
    return {"tenant": tenant, "username": username, "password": password}


def fail(client: TestClient, times: int) -> None:
    for _ in range(times):
        assert client.post(LOGIN, json=credentials("wrong password")).status_code == 401


def test_login_returns_a_bearer_token_and_the_user(anonymous: TestClient) -> None:
    response = anonymous.post(LOGIN, json=credentials())
    assert response.status_code == 200
    body = response.json()
    assert body["token_type"] == "bearer" and len(body["token"]) >= 40
    assert body["user"]["username"] == "agent"
    assert body["user"]["tenant"] == "acme"
    assert body["user"]["role"] == "agent"
    assert body["user"]["agent_id"] == "1001"
    assert "password" not in str(body["user"])
    me = anonymous.get("/api/auth/me", headers={"Authorization": f"Bearer {body['token']}"})
    assert me.json()["username"] == "agent"


def test_login_sets_an_http_only_same_site_cookie_that_authenticates(
    anonymous: TestClient,
) -> None:
    response = anonymous.post(LOGIN, json=credentials())
    cookie = response.headers["set-cookie"]
    assert cookie.startswith(f"{SESSION_COOKIE}={response.json()['token']};")
    assert "HttpOnly" in cookie and "SameSite=lax" in cookie and "Path=/" in cookie
    me = anonymous.get("/api/auth/me")  # the client sends the cookie back, no header
    assert me.status_code == 200 and me.json()["username"] == "agent"


@pytest.mark.parametrize(
    "body",
    [
        credentials("wrong password"),
        credentials(username="nobody"),
        credentials(tenant="globex", username="nobody"),
        credentials(tenant="no-such-tenant"),
    ],
    ids=["wrong-password", "unknown-user", "user-of-no-tenant", "unknown-tenant"],
)
def test_failed_logins_all_look_the_same(anonymous: TestClient, body: dict) -> None:
    response = anonymous.post(LOGIN, json=body)
    assert response.status_code == 401
    assert response.json() == {"detail": "unknown tenant, username or password"}
    assert "set-cookie" not in response.headers


def test_a_user_cannot_log_in_to_another_tenant(anonymous: TestClient) -> None:
    """Usernames are per tenant: globex's admin password works only for globex."""
    assert anonymous.post(LOGIN, json=credentials(username="admin", tenant="globex")).json()[
        "user"]["tenant"] == "globex"


def test_disabled_user_cannot_log_in(app: FastAPI, admin: TestClient,
                                     anonymous: TestClient) -> None:
    agent_id = next(u["id"] for u in admin.get("/api/users").json() if u["username"] == "agent")
    assert admin.patch(f"/api/users/{agent_id}", json={"disabled": True}).status_code == 200
    assert anonymous.post(LOGIN, json=credentials()).status_code == 401


@pytest.mark.parametrize("header", [None, "Bearer not-a-token", "Basic YTpi", "Bearer "])
def test_requests_without_a_valid_token_are_refused(
    anonymous: TestClient, header: str | None
) -> None:
    headers = {"Authorization": header} if header else {}
    response = anonymous.get("/api/auth/me", headers=headers)
    assert response.status_code == 401
    assert response.headers["www-authenticate"] == "Bearer"
    assert response.json()["detail"]


def test_logout_revokes_the_token_and_clears_the_cookie(anonymous: TestClient) -> None:
    token = anonymous.post(LOGIN, json=credentials()).json()["token"]
    response = anonymous.post("/api/auth/logout")
    assert response.status_code == 204
    assert f'{SESSION_COOKIE}=""' in response.headers["set-cookie"]
    assert "Max-Age=0" in response.headers["set-cookie"]
    assert anonymous.get("/api/auth/me").status_code == 401
    assert anonymous.get("/api/auth/me",
                         headers={"Authorization": f"Bearer {token}"}).status_code == 401


def test_expired_tokens_are_refused(app: FastAPI, anonymous: TestClient) -> None:
    with session_factory(app.state.engine)() as session:
        user = session.scalars(select(User).where(User.username == "agent")).first()
        assert user is not None
        token = accounts.issue_token(
            session, user, lifetime=timedelta(hours=1), now=utc_now() - timedelta(hours=2)
        )
        session.commit()
    response = anonymous.get("/api/auth/me", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 401


def test_only_the_token_digest_is_stored(app: FastAPI, anonymous: TestClient) -> None:
    token = anonymous.post(LOGIN, json=credentials()).json()["token"]
    with app.state.engine.connect() as connection:
        stored = connection.exec_driver_sql("SELECT token_sha256 FROM api_tokens").scalars()
        assert token not in list(stored)


def test_principal_from_token_serves_the_websocket(app: FastAPI, anonymous: TestClient) -> None:
    token = anonymous.post(LOGIN, json=credentials()).json()["token"]
    principal = principal_from_token(app, token)
    assert principal is not None
    assert (principal.tenant, principal.username, principal.role, principal.agent_id) == (
        "acme", "agent", Role.AGENT, "1001")
    assert principal_from_token(app, "nonsense") is None


def test_failures_beyond_three_are_slowed_down_increasingly_up_to_a_cap(
    anonymous: TestClient, sleeps: SleepRecorder
) -> None:
    fail(anonymous, 3)
    assert sleeps.delays == []
    fail(anonymous, 6)
    assert sleeps.delays == [0.5, 1.0, 2.0, 4.0, 5.0, 5.0]


def test_ten_failures_lock_the_source_out_for_five_minutes(
    anonymous: TestClient, clock: VirtualClock
) -> None:
    fail(anonymous, 9)
    tenth = anonymous.post(LOGIN, json=credentials("wrong password"))
    assert tenth.status_code == 429
    assert tenth.headers["retry-after"] == "300"
    clock.advance(120)
    locked = anonymous.post(LOGIN, json=credentials())  # even the right password
    assert locked.status_code == 429
    assert locked.headers["retry-after"] == "180"
    assert "too many failed logins" in locked.json()["detail"]
    clock.advance(181)
    assert anonymous.post(LOGIN, json=credentials()).status_code == 200


def test_the_lock_out_is_per_source(clients: Clients, anonymous: TestClient) -> None:
    fail(anonymous, 9)
    assert anonymous.post(LOGIN, json=credentials("wrong password")).status_code == 429
    assert anonymous.post(LOGIN, json=credentials()).status_code == 429
    elsewhere = clients.anonymous("192.0.2.7")
    assert elsewhere.post(LOGIN, json=credentials()).status_code == 200


def test_failures_age_out_of_the_window(
    anonymous: TestClient, clock: VirtualClock, sleeps: SleepRecorder
) -> None:
    fail(anonymous, 9)
    clock.advance(901)
    fail(anonymous, 9)
    assert anonymous.post(LOGIN, json=credentials()).status_code == 200


def test_a_successful_login_clears_the_sources_failures(
    anonymous: TestClient, sleeps: SleepRecorder
) -> None:
    fail(anonymous, 5)
    assert anonymous.post(LOGIN, json=credentials()).status_code == 200
    sleeps.delays.clear()
    fail(anonymous, 3)
    assert sleeps.delays == []


def test_changing_ones_password_ends_every_login(
    clients: Clients, anonymous: TestClient
) -> None:
    agent = clients.log_in("acme", "agent")
    other_session = clients.log_in("acme", "agent")
    wrong = agent.post("/api/auth/password",
                       json={"current_password": "nope", "new_password": "a new password"})
    assert wrong.status_code == 403
    changed = agent.post("/api/auth/password",
                         json={"current_password": PASSWORD, "new_password": "a new password"})
    assert changed.status_code == 204
    assert other_session.get("/api/auth/me").status_code == 401
    assert anonymous.post(LOGIN, json=credentials()).status_code == 401
    assert anonymous.post(LOGIN, json=credentials("a new password")).status_code == 200


def test_a_too_short_new_password_is_refused(agent: TestClient) -> None:
    response = agent.post("/api/auth/password",
                          json={"current_password": PASSWORD, "new_password": "short"})
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["body", "new_password"]


def test_hashes_are_argon2_and_upgraded_when_the_parameters_change(
    app: FastAPI, anonymous: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    stronger = PasswordHasher(time_cost=2, memory_cost=16, parallelism=1)
    monkeypatch.setattr(accounts, "HASHER", stronger)
    assert anonymous.post(LOGIN, json=credentials()).status_code == 200
    with session_factory(app.state.engine)() as session:
        user = session.scalars(select(User).join(TenantRow, TenantRow.id == User.tenant_id)
                               .where(TenantRow.name == "acme", User.username == "agent")).one()
        assert user.password_hash.startswith("$argon2id$")
        assert not stronger.check_needs_rehash(user.password_hash)
        assert accounts.verify_password(user, PASSWORD)


def test_production_hasher_verifies_what_it_hashed() -> None:
    hashed = PasswordHasher().hash(PASSWORD)
    assert PasswordHasher().verify(hashed, PASSWORD)


def test_a_user_keeps_their_own_language_and_nothing_else_changes(
    agent: TestClient, admin: TestClient
) -> None:
    changed = agent.patch("/api/auth/me", json={"language": "zh"})
    assert changed.status_code == 200, changed.text
    assert agent.get("/api/auth/me").json()["language"] == "zh"
    assert agent.patch("/api/auth/me", json={"language": "fr"}).status_code == 422
    assert agent.patch("/api/auth/me", json={"language": "en", "role": "admin"}
                       ).status_code == 422
    me = agent.get("/api/auth/me").json()
    assert (me["language"], me["role"]) == ("zh", "agent")
    assert admin.get("/api/auth/me").json()["language"] == "en"
