"""`hotline user create`: adding a user from the command line, e.g. the first admin."""

from __future__ import annotations

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from hotline.cli import app as cli


@pytest.fixture
def run(app: FastAPI, monkeypatch: pytest.MonkeyPatch) -> CliRunner:
    url = app.state.engine.url.render_as_string(hide_password=False)
    monkeypatch.setenv("HOTLINE_DATABASE_URL", url)
    monkeypatch.delenv("HOTLINE_USER_PASSWORD", raising=False)
    return CliRunner()


def login(client: TestClient, username: str, password: str) -> int:
    body = {"tenant": "acme", "username": username, "password": password}
    return client.post("/api/auth/login", json=body).status_code


def test_creates_a_user_who_can_log_in(run: CliRunner, anonymous: TestClient) -> None:
    result = run.invoke(cli, ["user", "create", "--tenant", "acme", "--username", "boss",
                              "--role", "admin", "--password", "a long password"])
    assert result.exit_code == 0, result.output
    assert "created admin 'boss' in tenant 'acme'" in result.output
    response = anonymous.post("/api/auth/login", json={
        "tenant": "acme", "username": "boss", "password": "a long password"})
    assert response.json()["user"]["role"] == "admin"


def test_asks_for_the_password_twice_when_not_given(
    run: CliRunner, anonymous: TestClient
) -> None:
    result = run.invoke(
        cli, ["user", "create", "--tenant", "acme", "--username", "chen", "--role", "agent",
              "--agent-id", "1001"],
        input="typed in secret\ntyped in secret\n",
    )
    assert result.exit_code == 0, result.output
    assert login(anonymous, "chen", "typed in secret") == 200


@pytest.mark.parametrize(
    ("options", "message"),
    [
        (["--tenant", "nowhere", "--username", "x", "--role", "admin"], "no tenant 'nowhere'"),
        (["--tenant", "acme", "--username", "x", "--role", "root"], "--role must be"),
        (["--tenant", "acme", "--username", "x", "--role", "admin", "--language", "fr"],
         "--language must be zh or en"),
        (["--tenant", "acme", "--username", "admin", "--role", "admin"], "already exists"),
        (["--tenant", "acme", "--username", "x", "--role", "agent", "--agent-id", "9"],
         "no such agent"),
        (["--tenant", "acme", "--username", "bad name", "--role", "admin"], "not allowed"),
    ],
    ids=["unknown-tenant", "bad-role", "bad-language", "taken", "unknown-agent", "bad-name"],
)
def test_bad_options_are_usage_errors(run: CliRunner, options: list[str], message: str) -> None:
    result = run.invoke(cli, ["user", "create", *options, "--password", "long enough"])
    assert result.exit_code == 2
    assert message in result.output


def test_a_short_password_is_refused(run: CliRunner, anonymous: TestClient) -> None:
    result = run.invoke(cli, ["user", "create", "--tenant", "acme", "--username", "x",
                              "--role", "admin", "--password", "short"])
    assert result.exit_code == 2 and "password must have 8" in result.output
    assert login(anonymous, "x", "short") == 401
