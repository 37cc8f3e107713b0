"""The demo contact center: tenant `demo` from the gas-utility seed, with its users.

`ensure_demo` creates, once, the tenant from `demo_tenant.yaml` (repair, gas delivery
booking, complaints and inquiries, agents 1001–1020) and the users `admin`, `supervisor` and one
per agent (user name = agent id). They all share one password: `HOTLINE_DEMO_PASSWORD` when
set, otherwise one generated when the demo is first created and kept in `var/demo-password` so
that later starts can print it again.
"""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, select

from hotline.store.accounts import (
    create_user,
    set_password,
    tenant_named,
    user_by_name,
    verify_password,
)
from hotline.store.config_tables import AgentRow
from hotline.store.config_yaml import Lines, import_config, read_config_yaml
from hotline.store.database import session_factory

TENANT = "demo"
PASSWORD_FILE = Path("var/demo-password")


@dataclass(frozen=True)
class DemoCredentials:
    tenant: str
    usernames: tuple[str, ...]
    password: str
    created: bool


def demo_config() -> tuple[Any, Lines]:
    """The demo tenant's configuration as shipped, with the line of each key."""
    text = resources.files("hotline").joinpath("demo_tenant.yaml").read_text(encoding="utf-8")
    return read_config_yaml(text)


def ensure_demo(engine: Engine) -> DemoCredentials:
    """Create the demo tenant and its users unless they exist; say how to log in."""
    sessions = session_factory(engine)
    with sessions.begin() as session:
        created = tenant_named(session, TENANT) is None
        if created:
            document, lines = demo_config()
            import_config(session, document, replace=False, lines=lines)
        tenant = tenant_named(session, TENANT)
        assert tenant is not None
        agents = session.scalars(
            select(AgentRow.agent_id).where(AgentRow.tenant_id == tenant.id)
            .order_by(AgentRow.agent_id)).all()
        password = _password(fresh=created)
        usernames = [("admin", "admin", None), ("supervisor", "supervisor", None)]
        usernames += [(agent_id, "agent", agent_id) for agent_id in agents]
        # A new HOTLINE_DEMO_PASSWORD, or a start from another directory, would leave the
        # users with a password other than the one printed; one check (argon2 is slow on
        # purpose) tells whether they all need the printed one.
        admin = user_by_name(session, tenant.id, "admin")
        stale = admin is not None and not verify_password(admin, password)
        for username, role, agent_id in usernames:
            user = user_by_name(session, tenant.id, username)
            if user is None:
                create_user(session, tenant_id=tenant.id, username=username, password=password,
                            role=role, agent_id=agent_id,
                            display_name=f"Demo {role} {username}")
            elif stale:
                set_password(session, user, password)
    return DemoCredentials(TENANT, tuple(u for u, _, _ in usernames), password, created)


def _password(*, fresh: bool) -> str:
    chosen = os.environ.get("HOTLINE_DEMO_PASSWORD")
    if chosen:
        return chosen
    if not fresh and PASSWORD_FILE.exists():
        return PASSWORD_FILE.read_text(encoding="utf-8").strip()
    password = secrets.token_urlsafe(9)
    PASSWORD_FILE.parent.mkdir(parents=True, exist_ok=True)
    PASSWORD_FILE.write_text(password + "\n", encoding="utf-8")
    PASSWORD_FILE.chmod(0o600)
    return password
