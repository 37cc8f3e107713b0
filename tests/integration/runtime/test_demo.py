"""The demo tenant: created once from the shipped configuration, its users able to log in with
the password that is printed — also after the password changes or the server starts from
another directory."""

from __future__ import annotations

from pathlib import Path

import pytest
from argon2 import PasswordHasher
from sqlalchemy import Engine, delete, text

from hotline.demo import DEMO_ACCOUNTS, demo_customers, ensure_demo
from hotline.store import accounts
from hotline.store.accounts import authenticate
from hotline.store.config_repo import load_tenant
from hotline.store.database import session_factory
from hotline.store.ivr_flows import published_flows
from hotline.store.ivr_tables import FlowVersionRow


def _can_log_in(engine: Engine, username: str, password: str) -> bool:
    with session_factory(engine)() as session:
        return authenticate(session, "demo", username, password) is not None


def test_the_demo_is_created_once_and_the_printed_password_works(
    engine: Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Real argon2 strength costs ~0.1 s a hash; this test is about which password works.
    monkeypatch.setattr(accounts, "HASHER", PasswordHasher(time_cost=1, memory_cost=8,
                                                           parallelism=1))
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("HOTLINE_DEMO_PASSWORD", raising=False)
    first = ensure_demo(engine)
    assert first.created and len(first.usernames) == 22
    assert (tmp_path / "var" / "demo-password").read_text().strip() == first.password
    with session_factory(engine)() as session:
        tenant = load_tenant(session, "demo")
    assert {q.name for q in tenant.queues} >= {"repair", "delivery", "inquiry", "complaint"}
    assert [a.id for a in tenant.agents][:2] == ["1001", "1002"]
    assert _can_log_in(engine, "1001", first.password)

    again = ensure_demo(engine)
    assert not again.created and again.password == first.password

    monkeypatch.setenv("HOTLINE_DEMO_PASSWORD", "a-new-demo-password")
    changed = ensure_demo(engine)
    assert changed.password == "a-new-demo-password"
    assert _can_log_in(engine, "supervisor", "a-new-demo-password")
    assert not _can_log_in(engine, "supervisor", first.password)


def test_the_demo_runs_the_gas_flow_for_new_calls_also_when_made_before_it_had_one(
    engine: Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(accounts, "HASHER", PasswordHasher(time_cost=1, memory_cost=8,
                                                           parallelism=1))
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("HOTLINE_DEMO_PASSWORD", "demo-password")
    ensure_demo(engine)
    with session_factory(engine).begin() as session:
        tenant = load_tenant(session, "demo")
        assert tenant.default_flow == "gas_utility"
        row = accounts.tenant_named(session, "demo")
        assert row is not None
        assert set(published_flows(session, row.id)) == {"gas_utility"}
        # As a demo made by an earlier version: no flow, no default.
        row.default_flow = None
        session.execute(delete(FlowVersionRow))
    ensure_demo(engine)
    with session_factory(engine)() as session:
        assert load_tenant(session, "demo").default_flow == "gas_utility"
    # The customer database the flow reads has the documented accounts.
    customers = demo_customers(tmp_path / "customers.db")
    with customers.connect() as connection:
        accounts_found = connection.execute(text("SELECT DISTINCT account FROM gas_usage "
                                                 "ORDER BY account")).scalars().all()
    assert tuple(accounts_found) == DEMO_ACCOUNTS
