"""The demo contact center: tenant `demo` from the gas-utility seed, with its users.

`ensure_demo` creates, once, the tenant from `demo_tenant.yaml` (repair, gas delivery
booking, complaints and inquiries, agents 1001–1020) and the users `admin`, `supervisor` and one
per agent (user name = agent id). They all share one password: `HOTLINE_DEMO_PASSWORD` when
set, otherwise one generated when the demo is first created and kept in `var/demo-password` so
that later starts can print it again.

Each agent has a SIP extension of the same number (SIP username = number, unless another
tenant holds it), bound to the agent, with a password of its own: generated once and kept in
`var/demo-extensions.txt` (one `username password` a line), like the users' password; later
starts reuse them, and set them again on extensions whose digests no longer match. The numbers
`DEMO_DIDS` are the tenant's DIDs: 4001 has a DNIS route straight to the inquiry queue, 4000
none (its calls run the IVR).

Callers run the gas-utility IVR flow (`demo_flow_gas.yaml`, published once as the tenant's
default flow) and key as `DEMO_CALLERS` says; the flow's usage query and member check read the
demo customer database, `var/demo-customers.db` (SQLite, made once), whose accounts
`DEMO_ACCOUNTS` lists.
"""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

import yaml
from sqlalchemy import Engine, create_engine, select, text
from sqlalchemy.orm import Session

from hotline.demo_crm import ensure_demo_crm
from hotline.store import telephony
from hotline.store.account_tables import utc_now
from hotline.store.accounts import (
    create_user,
    set_password,
    tenant_named,
    user_by_name,
    verify_password,
)
from hotline.store.config_tables import AgentRow, DnisRouteRow, QueueRow
from hotline.store.config_yaml import Lines, import_config, read_config_yaml
from hotline.store.database import session_factory
from hotline.store.ivr_flows import import_published, published_flows
from hotline.store.telephony_schemas import DidCreate, ExtensionCreate
from hotline.store.telephony_tables import DidRow
from hotline.switch.ivr_call import CallerBehaviour

TENANT = "demo"
PASSWORD_FILE = Path("var/demo-password")
EXTENSIONS_FILE = Path("var/demo-extensions.txt")
CUSTOMERS_FILE = Path("var/demo-customers.db")
FLOW = "gas_utility"

DEMO_DIDS = ("4000", "4001")
DIRECT_ROUTE = ("4001", "inquiry")

DEMO_ACCOUNTS = ("880012345", "880054321", "880077777")
"""Gas accounts in the demo customer database, each with six months of usage."""

DEMO_MEMBERS = (("10086", "1234", "Chen Jing", "gold"), ("10010", "4321", "Li Wei", "vip"))

DEMO_CALLERS = CallerBehaviour(
    keys={
        "choose_language": {"1": 0.85, "2": 0.12},
        "main_menu": {"1": 0.2, "2": 0.25, "3": 0.1, "4": 0.05, "5": 0.15, "6": 0.05,
                      "0": 0.15},
        "ask_account": {f"{DEMO_ACCOUNTS[0]}#": 0.4, f"{DEMO_ACCOUNTS[1]}#": 0.3,
                        f"{DEMO_ACCOUNTS[2]}#": 0.15, "123456#": 0.1},
        "anything_else": {"9": 0.1},
        "ask_member": {"10086#": 0.6, "10010#": 0.3},
        "ask_pin": {"1234#": 0.5, "4321#": 0.3},
    },
    hang_up=0.01,
)
"""How the demo's synthetic callers key in the gas flow (invented shares)."""


@dataclass(frozen=True)
class DemoCredentials:
    tenant: str
    usernames: tuple[str, ...]
    password: str
    created: bool
    extensions: dict[str, str]
    """SIP username -> password of each demo extension."""


def demo_config() -> tuple[Any, Lines]:
    """The demo tenant's configuration as shipped, with the line of each key, and its IVR."""
    text = resources.files("hotline").joinpath("demo_tenant.yaml").read_text(encoding="utf-8")
    document, lines = read_config_yaml(text)
    document["flows"] = [demo_flow()]
    document["default_flow"] = FLOW
    return document, lines


def demo_flow() -> dict[str, Any]:
    """The gas-utility IVR flow document the demo's callers run."""
    text = resources.files("hotline").joinpath("demo_flow_gas.yaml").read_text(encoding="utf-8")
    document: dict[str, Any] = yaml.safe_load(text)
    return document


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
        if FLOW not in published_flows(session, tenant.id):
            # A demo made before it had an IVR gets the flow now.
            import_published(session, tenant.id, [demo_flow()], user="demo")
            tenant.default_flow = FLOW
        ensure_demo_crm(session, tenant.id, utc_now())
        named = session.execute(
            select(AgentRow.agent_id, AgentRow.name).where(AgentRow.tenant_id == tenant.id)
            .order_by(AgentRow.agent_id)).all()
        agents = [agent_id for agent_id, _ in named]
        extensions = _extensions(session, tenant.id, dict(named))
        for number in DEMO_DIDS:
            if session.scalar(select(DidRow.id).where(DidRow.number == number)) is None:
                telephony.create_did(session, tenant.id, DidCreate(
                    number=number, description="Demo DID"))
        _ensure_direct_route(session, tenant.id)
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
    return DemoCredentials(TENANT, tuple(u for u, _, _ in usernames), password, created,
                           extensions)


def _ensure_direct_route(session: Session, tenant_id: int) -> None:
    """A demo made before it had DIDs gets 4001's route to the inquiry queue (its document
    has it, so a new demo already does); a route an administrator changed is left alone."""
    number, queue = DIRECT_ROUTE
    exists = session.scalar(select(DnisRouteRow.id).where(
        DnisRouteRow.tenant_id == tenant_id, DnisRouteRow.dnis == number))
    has_queue = session.scalar(select(QueueRow.id).where(
        QueueRow.tenant_id == tenant_id, QueueRow.name == queue))
    if exists is None and has_queue is not None:
        session.add(DnisRouteRow(tenant_id=tenant_id, dnis=number, queue=queue))


def _extensions(session: Session, tenant_id: int, agents: dict[str, str]) -> dict[str, str]:
    """An extension per agent (number = agent id), each with its password from
    `EXTENSIONS_FILE` or a new one; the file is rewritten when a password is new."""
    kept = _kept_extension_passwords()
    passwords: dict[str, str] = {}
    for agent_id, name in agents.items():
        row = telephony.extension(session, tenant_id, agent_id)
        if row is None:
            password = kept.get(agent_id) or telephony.new_password()
            row, _ = telephony.create_extension(session, tenant_id, ExtensionCreate(
                number=agent_id, agent_id=agent_id, display_name=name, password=password))
        else:
            password = kept.get(row.username) or telephony.new_password()
            if not telephony.password_matches(row, password):
                telephony.set_password(row, password)
        passwords[row.username] = password
    if passwords != kept:
        lines = [f"{username} {password}\n" for username, password in passwords.items()]
        EXTENSIONS_FILE.parent.mkdir(parents=True, exist_ok=True)
        EXTENSIONS_FILE.write_text("".join(lines), encoding="utf-8")
        EXTENSIONS_FILE.chmod(0o600)
    return passwords


def _kept_extension_passwords() -> dict[str, str]:
    if not EXTENSIONS_FILE.exists():
        return {}
    pairs = (line.split() for line in EXTENSIONS_FILE.read_text(encoding="utf-8").splitlines())
    return {pair[0]: pair[1] for pair in pairs if len(pair) == 2}


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


def demo_customers(path: Path = CUSTOMERS_FILE) -> Engine:
    """The demo customer database the gas flow queries (`customers`), made on first use."""
    path.parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(f"sqlite:///{path}")
    with engine.begin() as connection:
        exists = connection.execute(text(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name = 'gas_usage'"
        )).first()
        if exists is None:
            connection.execute(text("CREATE TABLE gas_usage (account TEXT, month TEXT, "
                                    "usage_m3 NUMERIC, amount NUMERIC)"))
            connection.execute(text("CREATE TABLE members (member_no TEXT, pin TEXT, "
                                    "name TEXT, tier TEXT)"))
            rows = [
                {"account": account, "month": f"2026-{month:02d}",
                 "usage": 12 + (index * 7 + month * 3) % 20,
                 "amount": round((12 + (index * 7 + month * 3) % 20) * 3.45, 2)}
                for index, account in enumerate(DEMO_ACCOUNTS) for month in range(5, 11)
            ]
            connection.execute(text("INSERT INTO gas_usage VALUES "
                                    "(:account, :month, :usage, :amount)"), rows)
            connection.execute(text("INSERT INTO members VALUES (:no, :pin, :name, :tier)"),
                               [{"no": no, "pin": pin, "name": name, "tier": tier}
                                for no, pin, name, tier in DEMO_MEMBERS])
    return engine
