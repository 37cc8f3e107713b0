"""Who sees which page, and how pages and their files are served (no browser needed)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from hotline.api.app import create_app
from hotline.store.accounts import create_user
from hotline.store.config_yaml import import_config
from hotline.store.database import make_engine, session_factory, upgrade

PASSWORD = "correct horse battery"
CONFIG = {
    "name": "acme",
    "timezone": "UTC",
    "default_queue": "support",
    "skills": [{"name": "support"}],
    "queues": [{"name": "support", "skills": {"support": 1}}],
    "agents": [{"id": "1001", "name": "Li Lei", "skills": {"support": 5}, "wrap_up": 30}],
}
USERS = [("root", "admin", None), ("boss", "supervisor", None), ("lilei", "agent", "1001")]


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[FastAPI]:
    """The API with tenant `acme` and its users. Pages do not depend on the kind of
    database, so SQLite alone will do."""
    engine = make_engine(f"sqlite:///{tmp_path_factory.mktemp('web') / 'hotline.db'}")
    upgrade(engine)
    with session_factory(engine).begin() as session:
        tenant = import_config(session, CONFIG, replace=False)
        for username, role, agent_id in USERS:
            create_user(session, tenant_id=tenant.id, username=username, password=PASSWORD,
                        role=role, agent_id=agent_id)
    yield create_app(engine)
    engine.dispose()


def _browser(app: FastAPI, username: str | None) -> TestClient:
    client = TestClient(app, follow_redirects=False)
    if username is not None:
        reply = client.post("/api/auth/login", json={
            "tenant": "acme", "username": username, "password": PASSWORD})
        assert reply.status_code == 200, reply.text
    return client


@pytest.fixture(scope="module")
def visit(app: FastAPI) -> Iterator[dict[str | None, TestClient]]:
    """A browser per user (None: nobody logged in), each with its own cookies."""
    clients = {username: _browser(app, username)
               for username in [None, *(name for name, _, _ in USERS)]}
    yield clients
    for client in clients.values():
        client.close()


@pytest.mark.parametrize("path", ["/agent", "/board", "/board/tv"])
def test_a_page_sends_a_visitor_without_a_session_to_the_login_page_and_back(
    visit: dict[str | None, TestClient], path: str
) -> None:
    reply = visit[None].get(path)
    assert reply.status_code == 303
    assert reply.headers["location"] == f"/login?next={path}"
    assert visit[None].get("/").headers["location"] == "/login"
    assert visit[None].get("/login").status_code == 200


def test_agents_get_the_desktop_and_supervisors_and_admins_the_wall_board(
    visit: dict[str | None, TestClient],
) -> None:
    agent = visit["lilei"]
    assert agent.get("/").headers["location"] == "/agent"
    assert agent.get("/board").headers["location"] == "/agent"
    desk = agent.get("/agent")
    assert desk.status_code == 200
    assert 'data-agent="1001"' in desk.text and 'data-wrap-up="30"' in desk.text
    assert ">Li Lei<" in desk.text and ">acme / lilei<" in desk.text
    for staff in ("boss", "root"):
        assert visit[staff].get("/").headers["location"] == "/board"
        assert visit[staff].get("/agent").headers["location"] == "/board"
        assert visit[staff].get("/board").status_code == 200
        assert visit[staff].get("/board/tv").status_code == 200


def test_a_signed_out_session_no_longer_opens_a_page(app: FastAPI) -> None:
    with _browser(app, "lilei") as agent:
        assert agent.get("/agent").status_code == 200
        assert agent.post("/api/auth/logout").status_code == 204
        assert agent.get("/agent").headers["location"] == "/login?next=/agent"


def test_pages_allow_only_their_own_scripts_and_are_not_cached(
    visit: dict[str | None, TestClient],
) -> None:
    reply = visit[None].get("/login")
    policy = reply.headers["content-security-policy"]
    assert "script-src 'self'" in policy and "frame-ancestors 'none'" in policy
    assert reply.headers["cache-control"] == "no-store"


def test_static_files_are_served_and_nothing_beside_them(
    visit: dict[str | None, TestClient],
) -> None:
    script = visit[None].get("/static/js/agent.js")
    assert script.status_code == 200
    assert script.headers["content-type"].startswith("text/javascript")
    assert visit[None].get("/static/css/hotline.css").status_code == 200
    for path in ["/static/js/missing.js", "/static/../pages.py", "/static/%2e%2e/pages.py",
                 "/static/..%2fpages.py", "/static/"]:
        assert visit[None].get(path).status_code == 404, path
