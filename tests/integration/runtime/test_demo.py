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
from hotline.store.config_tables import DnisRouteRow
from hotline.store.database import session_factory
from hotline.store.ivr_flows import published_flows
from hotline.store.ivr_tables import FlowVersionRow
from hotline.store.telephony import SIP_REALM
from hotline.store.telephony_directory import load_telephony
from hotline.switch.sip.digest import ha1


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


def _extension_works(engine: Engine, username: str, password: str) -> bool:
    entry = load_telephony(engine).extension(username)
    return entry is not None and entry.ha1["SHA-256"] == ha1(username, SIP_REALM, password,
                                                             "SHA-256")


def test_each_demo_agent_has_an_extension_whose_printed_password_works(
    engine: Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(accounts, "HASHER", PasswordHasher(time_cost=1, memory_cost=8,
                                                           parallelism=1))
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("HOTLINE_DEMO_PASSWORD", "demo-password")
    first = ensure_demo(engine)
    assert list(first.extensions) == [str(number) for number in range(1001, 1021)]
    assert len(set(first.extensions.values())) == 20  # a password each
    kept = (tmp_path / "var" / "demo-extensions.txt").read_text().splitlines()
    assert kept == [f"{username} {password}" for username, password in first.extensions.items()]
    snapshot = load_telephony(engine)
    entry = snapshot.extension_of_agent("demo", "1007")
    assert entry is not None and (entry.number, entry.username) == ("1007", "1007")
    assert all(_extension_works(engine, u, p) for u, p in first.extensions.items())
    for number in ("4000", "4001"):
        did = snapshot.did(number)
        assert did is not None and did.tenant == "demo"
    with session_factory(engine)() as session:
        tenant = load_tenant(session, "demo")
    assert tenant.dnis_routes.get("4001") == "inquiry" and "4000" not in tenant.dnis_routes
    assert "4001" not in tenant.dnis_flows  # straight to the queue, no IVR
    # A demo made before it had DIDs (no 4001 route) gets the route on its next start.
    with session_factory(engine).begin() as session:
        session.execute(delete(DnisRouteRow).where(DnisRouteRow.dnis == "4001"))
    ensure_demo(engine)
    with session_factory(engine)() as session:
        assert load_tenant(session, "demo").dnis_routes.get("4001") == "inquiry"

    # A later start reuses the passwords; one from another directory sets new ones that work.
    assert ensure_demo(engine).extensions == first.extensions
    monkeypatch.chdir(tmp_path / "var")
    moved = ensure_demo(engine)
    assert moved.extensions.keys() == first.extensions.keys()
    assert moved.extensions != first.extensions
    assert _extension_works(engine, "1001", moved.extensions["1001"])
    assert not _extension_works(engine, "1001", first.extensions["1001"])
