"""Fixtures for the API tests: an app on each database, two tenants with a user of each role,
a login throttle on a virtual clock, and logged-in clients.

Every test runs on SQLite and on PostgreSQL, as the suite's `engine` fixture does, but the
schema is built once per process and each test starts from the same two seeded tenants: a
copy of a migrated, seeded SQLite file, and a PostgreSQL database emptied and seeded again
between tests (creating and dropping a PostgreSQL database per test would cost seconds
each). Ids therefore differ between tests, and no test assumes one.
Passwords are hashed with deliberately cheap argon2 parameters so that the suite stays fast;
the production parameters are tested once, in `test_auth`.
"""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Iterator
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from argon2 import PasswordHasher
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.orm import Session

from hotline.api.app import create_app
from hotline.api.login_throttle import LoginThrottle
from hotline.store import accounts, config_repo
from hotline.store.config_schemas import TenantRead
from hotline.store.database import Base, make_engine, session_factory, upgrade

PASSWORD = "correct horse battery"
TENANTS = ("acme", "globex")
ROLES = ("agent", "supervisor", "admin")
CHEAP_HASHER = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)


@dataclass
class VirtualClock:
    """A monotonic clock that moves only when told to."""

    now: float = 1_000.0

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


@dataclass
class SleepRecorder:
    """Stands in for asyncio.sleep: notes each delay, waits for none."""

    delays: list[float] = field(default_factory=list)

    async def __call__(self, seconds: float) -> None:
        self.delays.append(seconds)


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A SQLite file with the schema at Alembic's head and the two tenants, copied for each
    test."""
    path = tmp_path_factory.mktemp("template") / "hotline.db"
    engine = make_engine(f"sqlite:///{path}")
    upgrade(engine)
    seed_tenants(engine)
    engine.dispose()
    return path


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """A PostgreSQL database of this test process, with the schema at Alembic's head. Fails
    (never skips) when `HOTLINE_TEST_POSTGRES` is set and the server cannot be reached."""
    admin_url = os.environ.get("HOTLINE_TEST_POSTGRES")
    if not admin_url:
        pytest.skip("set HOTLINE_TEST_POSTGRES to an admin URL to run PostgreSQL tests "
                    "(./dev test does)")
    name = f"hotline_api_{uuid.uuid4().hex[:12]}"
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
        url = admin_url.rsplit("/", 1)[0] + "/" + name
        engine = make_engine(url)
        upgrade(engine)
        engine.dispose()
        yield url
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def engine(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Engine]:
    """An engine on a database of each kind, the schema at Alembic's head, holding two tenants
    (acme and globex), each with an agent 1001 and a user of each role, named after the role
    (the agent user logs in as agent 1001)."""
    if request.param == "sqlite":
        path = tmp_path / "hotline.db"
        shutil.copy(request.getfixturevalue("sqlite_template"), path)
        engine = make_engine(f"sqlite:///{path}")
    else:
        engine = make_engine(request.getfixturevalue("postgres_url"))
        _empty(engine)
        seed_tenants(engine)
    yield engine
    engine.dispose()


def _empty(engine: Engine) -> None:
    """Delete every row: the tenants first (all they own goes with them), then the rest.
    (Much faster than TRUNCATE on tables this small.)"""
    tables = sorted(Base.metadata.sorted_tables, key=lambda table: table.name != "tenants")
    with engine.begin() as connection:
        for table in tables:
            connection.execute(table.delete())


@pytest.fixture(autouse=True)
def cheap_passwords(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(accounts, "HASHER", CHEAP_HASHER)


@pytest.fixture
def clock() -> VirtualClock:
    return VirtualClock()


@pytest.fixture
def sleeps() -> SleepRecorder:
    return SleepRecorder()


@pytest.fixture
def app(engine: Engine, clock: VirtualClock, sleeps: SleepRecorder) -> FastAPI:
    """The API on the two tenants' database, its login throttle on the virtual clock."""
    return create_app(engine, login_throttle=LoginThrottle(clock=clock, sleep=sleeps))


def make_tenant(session: Session, name: str) -> TenantRead:
    return config_repo.create_tenant(session, {"name": name, "timezone": "Asia/Shanghai"})


def seed_tenants(engine: Engine) -> None:
    with pytest.MonkeyPatch.context() as patch, session_factory(engine)() as session:
        patch.setattr(accounts, "HASHER", CHEAP_HASHER)
        for name in TENANTS:
            tenant = make_tenant(session, name)
            config_repo.agents.create(session, tenant.id, {"id": "1001", "name": "Chen Jing"})
            for role in ROLES:
                accounts.create_user(
                    session, tenant_id=tenant.id, username=role, password=PASSWORD,
                    role=role, display_name=f"{role} of {name}",
                    agent_id="1001" if role == "agent" else None,
                )
        session.commit()


class Clients:
    """Test clients of the app, each kept open (one event loop for all its requests) until the
    test ends."""

    def __init__(self, app: FastAPI, stack: ExitStack) -> None:
        self.app = app
        self.stack = stack

    def anonymous(self, source: str = "testclient") -> TestClient:
        return self.stack.enter_context(TestClient(self.app, client=(source, 50000)))

    def log_in(self, tenant: str, username: str) -> TestClient:
        """A client that sends a new bearer token of `username` (issued directly: `test_auth`
        tests logging in over HTTP)."""
        with self.app.state.sessions() as session:
            found = accounts.tenant_named(session, tenant)
            assert found is not None
            user = accounts.user_by_name(session, found.id, username)
            assert user is not None
            token = accounts.issue_token(session, user)
            session.commit()
        client = self.anonymous()
        client.headers["Authorization"] = f"Bearer {token}"
        return client


@pytest.fixture
def clients(app: FastAPI) -> Iterator[Clients]:
    with ExitStack() as stack:
        yield Clients(app, stack)


@pytest.fixture
def anonymous(clients: Clients) -> TestClient:
    return clients.anonymous()


@pytest.fixture
def admin(clients: Clients) -> TestClient:
    return clients.log_in("acme", "admin")


@pytest.fixture
def supervisor(clients: Clients) -> TestClient:
    return clients.log_in("acme", "supervisor")


@pytest.fixture
def agent(clients: Clients) -> TestClient:
    return clients.log_in("acme", "agent")


@pytest.fixture
def other_admin(clients: Clients) -> TestClient:
    """The admin of the other tenant, globex."""
    return clients.log_in("globex", "admin")
