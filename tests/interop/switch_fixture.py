"""A running embedded switch for interop tests: a real store (SQLite), a tenant with queues,
agents, extensions, a trunk trusted from 127.0.0.1 and DIDs, its interaction server in real
time, and the SIP gateway with the local media engine on free ports — all on one asyncio loop,
in a thread, so that a test can drive real peers (SIPp, baresip) from outside as a user would.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import Future
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from sqlalchemy import Engine, select

from hotline.core.events import AgentLoggedIn, AgentReady, Event
from hotline.core.facts import Fact
from hotline.core.model import Tenant
from hotline.ivr import Flow
from hotline.runtime import Runtime, TenantRuntime
from hotline.store.accounts import tenant_named
from hotline.store.config_repo import load_tenant
from hotline.store.config_tables import TenantRow
from hotline.store.config_yaml import import_config
from hotline.store.database import make_engine, session_factory, upgrade
from hotline.store.ivr_flows import import_published, published_flows
from hotline.store.journal import Journal
from hotline.store.journal_writer import JournalWriter
from hotline.store.telephony import create_did, create_extension, create_trunk
from hotline.store.telephony_schemas import DidCreate, ExtensionCreate, TrunkCreate
from hotline.store.telephony_tables import TrunkRow
from hotline.telephony import Switch, SwitchOptions
from tests.interop.peers import free_port

T = TypeVar("T")

TENANT = "gasco"
CONFIG: dict[str, Any] = {
    "name": TENANT,
    "timezone": "UTC",
    "default_queue": "general",
    "skills": [{"name": "general"}],
    "queues": [{"name": "general", "skills": {"general": 1}}],
    "agents": [{"id": f"10{n:02d}", "name": f"Agent {n}", "skills": {"general": 5},
                "wrap_up": 0} for n in range(1, 5)],
    "dnis_routes": [{"dnis": "4001", "queue": "general"}],
}
PASSWORDS = {f"10{n:02d}": f"secret-{n}-pass" for n in range(1, 5)}


@dataclass
class RunningSwitch:
    """The switch and a way to run things on its loop from the test's thread."""

    engine: Engine
    loop: asyncio.AbstractEventLoop
    runtime: TenantRuntime
    switch: Switch
    trunk_port: int
    facts: list[Fact] = field(default_factory=list)

    @property
    def sip_address(self) -> str:
        return f"127.0.0.1:{self.switch.gateway.port}"

    def call(self, work: Callable[[], T]) -> T:
        """Run `work` on the switch's loop and return its result."""
        future: Future[T] = Future()

        def run() -> None:
            try:
                future.set_result(work())
            except BaseException as error:  # handed to the test's thread
                future.set_exception(error)

        self.loop.call_soon_threadsafe(run)
        return future.result(timeout=10)

    def handle(self, event: Event) -> None:
        self.call(lambda: self.runtime.handle(event))

    def agent_ready(self, agent_id: str) -> None:
        self.handle(AgentLoggedIn(agent_id))
        self.handle(AgentReady(agent_id))

    def fact_names(self) -> list[str]:
        return self.call(lambda: [type(fact).__name__ for fact in self.facts])


def running_switch(tmp_path: Path, flow: dict[str, Any] | None = None, *,
                   reuse_database: bool = False) -> Iterator[RunningSwitch]:
    """Start everything; stop it when the generator is closed. `flow` (a flow document) is
    published and made the tenant's default flow: calls to 4000 (no DNIS route) run it.
    `reuse_database`: start on the database that an earlier `running_switch` on the same
    `tmp_path` left behind (its tenant, extensions, trunk and flows — and whatever that
    switch kept there), as a restarted `hotline serve` would; `flow` is then ignored."""
    engine = make_engine(f"sqlite:///{tmp_path / 'hotline.db'}")
    if reuse_database:
        core_tenant, flows, trunk_port = _open_database(engine)
    else:
        trunk_port = free_port()
        core_tenant, flows = _make_database(engine, flow, trunk_port)
    writer = JournalWriter(Journal(engine))
    loop = asyncio.new_event_loop()
    ready: Future[RunningSwitch] = Future()

    async def main() -> None:
        runtime = Runtime()
        tenant = TenantRuntime(core_tenant, journal=writer, flows=lambda: flows)
        runtime.add(tenant)
        switch = Switch(engine, runtime, SwitchOptions(
            "127.0.0.1", 0, range(free_port(), 65000),
            recordings_root=tmp_path / "recordings"))
        await switch.start()
        runtime.start()
        running = RunningSwitch(engine, loop, tenant, switch, trunk_port)
        tenant.listen(running.facts.extend)
        ready.set_result(running)
        await stopping.wait()
        await switch.close()
        await runtime.stop()

    stopping = asyncio.Event()
    thread = threading.Thread(target=loop.run_until_complete, args=(main(),), daemon=True)
    thread.start()
    running = ready.result(timeout=10)
    try:
        yield running
    finally:
        loop.call_soon_threadsafe(stopping.set)
        thread.join(10)
        writer.close()
        engine.dispose()


def _make_database(engine: Engine, flow: dict[str, Any] | None,
                   trunk_port: int) -> tuple[Tenant, dict[str, Flow]]:
    """The schema and the tenant with its extensions, trunk and DIDs; the tenant as the core
    sees it and its published flows."""
    upgrade(engine)
    with session_factory(engine).begin() as session:
        tenant_row = import_config(session, CONFIG, replace=False)
        if flow is not None:
            import_published(session, tenant_row.id, [flow], user="test")
            row = session.get(TenantRow, tenant_row.id)
            assert row is not None
            row.default_flow = flow["name"]
        for number, password in PASSWORDS.items():
            create_extension(session, tenant_row.id, ExtensionCreate(
                number=number, agent_id=number, password=password))
        create_trunk(session, tenant_row.id, TrunkCreate(
            name="carrier", host="127.0.0.1", port=trunk_port, sources=["127.0.0.1/32"]))
        for number in ("4000", "4001"):
            create_did(session, tenant_row.id, DidCreate(number=number))
        return load_tenant(session, TENANT), published_flows(session, tenant_row.id)


def _open_database(engine: Engine) -> tuple[Tenant, dict[str, Flow], int]:
    """What `_make_database` made earlier: the tenant, its flows and the trunk's port."""
    with session_factory(engine).begin() as session:
        tenant_row = tenant_named(session, TENANT)
        assert tenant_row is not None, "reuse_database needs an earlier running_switch"
        trunk_port = session.scalars(select(TrunkRow.port).where(
            TrunkRow.tenant_id == tenant_row.id, TrunkRow.name == "carrier")).one()
        return load_tenant(session, TENANT), published_flows(session, tenant_row.id), trunk_port
