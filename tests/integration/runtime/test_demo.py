"""The demo tenant: created once from the shipped configuration, its users able to log in with
the password that is printed — also after the password changes or the server starts from
another directory."""

from __future__ import annotations

from pathlib import Path

import pytest
from argon2 import PasswordHasher
from sqlalchemy import Engine

from hotline.demo import ensure_demo
from hotline.store import accounts
from hotline.store.accounts import authenticate
from hotline.store.config_repo import load_tenant
from hotline.store.database import session_factory


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
