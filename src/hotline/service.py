"""`hotline serve`: one process with the database, the journal, every tenant's interaction
server in real time, the demo's synthetic traffic and the API, on one asyncio loop.

Start-up: upgrade the schema, import `--config`, create the demo if asked, then for each tenant
close what a crash may have left open (interactions end as `system_restart`, agents are logged
out) before its interaction server takes its first event. Shutdown (SIGTERM or Ctrl-C): the web
server stops, the demo stops, and the journal writer commits every fact still in flight.
"""

from __future__ import annotations

import asyncio
import functools
import gc
import logging
import signal
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import uvicorn
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from hotline.api.app import create_app
from hotline.demo import DEMO_CALLERS, demo_customers, ensure_demo
from hotline.demo_crm import known_numbers
from hotline.ivr import Flow
from hotline.ivr.actions import OpenTicket
from hotline.ivr.events import TicketFailed, TicketOpened
from hotline.runtime import Runtime, TenantRuntime
from hotline.store.accounts import tenant_named
from hotline.store.caller_id import CallerDirectory
from hotline.store.config_repo import load_tenant
from hotline.store.config_tables import TenantRow
from hotline.store.config_yaml import import_config, read_config_yaml
from hotline.store.database import make_engine, session_factory, upgrade
from hotline.store.ivr_flows import published_flows
from hotline.store.ivr_tickets import open_ivr_ticket
from hotline.store.journal import Journal
from hotline.store.journal_writer import JournalWriter
from hotline.switch.sim.realtime import DemoGateway, DemoTraffic
from hotline.telephony import SwitchOptions, start_switch
from hotline.ticket_sweeper import TicketSweeper

log = logging.getLogger("hotline")


@dataclass(frozen=True)
class ServeOptions:
    host: str = "127.0.0.1"
    port: int = 8080
    database_url: str | None = None
    config_file: Path | None = None
    demo: bool = False
    demo_calls_per_second: float = 0.5
    ticket_sweep_seconds: float = 30.0
    sip_port: int | None = 5060
    """None: no SIP switch; 0: any free port."""
    rtp_ports: range = range(20000, 30000)
    sip_digest: tuple[str, ...] = ("MD5",)


def serve(options: ServeOptions) -> None:
    """Run until SIGTERM or Ctrl-C."""
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: "
                        "%(message)s")
    try:
        import uvloop  # uvicorn[standard] brings it; faster sockets for SIP and RTP
    except ImportError:
        asyncio.run(_serve(options))
    else:
        uvloop.run(_serve(options))


async def _serve(options: ServeOptions) -> None:
    engine = make_engine(options.database_url)
    upgrade(engine)
    sessions = session_factory(engine)
    if options.config_file is not None:
        document, lines = read_config_yaml(options.config_file.read_text(encoding="utf-8"))
        with sessions.begin() as session:
            import_config(session, document, replace=True, lines=lines)
        log.info("configuration imported from %s", options.config_file)
    credentials = ensure_demo(engine) if options.demo else None

    journal = Journal(engine)
    writer = JournalWriter(journal)
    runtime = Runtime()
    with sessions() as session:
        names = session.scalars(select(TenantRow.name).order_by(TenantRow.name)).all()
        for name in names:
            try:
                tenant = load_tenant(session, name)
            except ValueError as error:
                log.error("tenant %s not started: %s", name, error)
                continue
            report = journal.recover(name, time.time())
            if report.interactions or report.agents:
                log.warning("tenant %s: closed %d interactions as system_restart and logged "
                            "out %d agents left open by the last run", name,
                            len(report.interactions), len(report.agents))
            runtime.add(TenantRuntime(tenant, journal=writer,
                                      flows=functools.partial(_published, sessions, name),
                                      identify=CallerDirectory(engine, name).identify))

    app = create_app(engine, runtime=runtime)
    app.state.demo = {}
    runtime.start()
    sweeper = TicketSweeper(sessions, app.state.notices, period=options.ticket_sweep_seconds)
    sweeper.start()
    demo_runtime = runtime.get("demo") if options.demo else None
    if demo_runtime is not None:
        gateway = DemoGateway(demo_runtime,
                              DemoTraffic(calls_per_second=options.demo_calls_per_second),
                              callers=DEMO_CALLERS, databases={"customers": demo_customers()},
                              known_numbers=known_numbers(),
                              tickets=functools.partial(_ivr_ticket, sessions, "demo"))
        gateway.start()
        app.state.demo["demo"] = gateway

    switch = None
    if options.sip_port is not None:
        switch = await start_switch(engine, runtime, SwitchOptions(
            options.host, options.sip_port, options.rtp_ports, options.sip_digest))
    if switch is not None:
        app.state.telephony_listeners.append(switch.reload)
        app.state.prompt_listeners.append(switch.prompts_changed)
        app.state.switch = switch
        if "demo" in app.state.demo:
            switch.play_demo_agents(app.state.demo["demo"])

    # Everything made so far lives for the whole run: keep the cycle collector off it, so
    # that its passes stay short (a full pass over the core's objects took 80 ms).
    gc.collect()
    gc.freeze()

    server = uvicorn.Server(uvicorn.Config(app, host=options.host, port=options.port,
                                           log_level="info", lifespan="off"))
    base = f"http://{options.host}:{options.port}"
    print(f"Hotline is serving {len(runtime.tenants)} tenant(s) at {base}", flush=True)
    print(f"  API reference: {base}/api/docs   health: {base}/api/health", flush=True)
    print(f"  CTI WebSocket: ws://{options.host}:{options.port}/api/cti (see docs/cti.md)",
          flush=True)
    if switch is not None:
        print(f"  SIP: {options.host}:{switch.gateway.port} (UDP and TCP); "
              f"RTP ports {options.rtp_ports.start}–{options.rtp_ports.stop - 1}", flush=True)
    if credentials is not None:
        print(f"  demo tenant {credentials.tenant!r}: users admin, supervisor, 1001–1020; "
              f"password {credentials.password}", flush=True)
        print(f"  synthetic callers: {options.demo_calls_per_second} per second", flush=True)
        if switch is not None and credentials.extensions:
            print("  SIP phones: register extension N with its password at "
                  f"{options.host}:{switch.gateway.port}; a registered phone can call the "
                  "demo's DIDs 4000 (the gas IVR) and 4001 (straight to the inquiry "
                  "queue):", flush=True)
            pairs = sorted(credentials.extensions.items())
            for start in range(0, len(pairs), 5):
                print("    " + "   ".join(f"{user} {password}"
                                          for user, password in pairs[start:start + 5]),
                      flush=True)
    # uvicorn re-raises SIGTERM/SIGINT once it has stopped, with the handler it found
    # installed; with the default one the process would die before the journal is flushed.
    # Ours only asks the web server to stop, so the shutdown below always runs.
    def stop(_signal: int, _frame: object) -> None:
        server.should_exit = True

    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, stop)
    try:
        await server.serve()
    finally:
        for gateway in app.state.demo.values():
            gateway.stop()
        if switch is not None:
            await switch.close()
        await sweeper.stop()
        await runtime.stop()
        await asyncio.to_thread(writer.close)
        engine.dispose()
        log.info("stopped; every fact is in the journal")


def _ivr_ticket(sessions: sessionmaker[Session], tenant: str, request: OpenTicket,
                interaction_id: str, ani: str) -> TicketOpened | TicketFailed:
    return open_ivr_ticket(sessions, tenant, request, interaction_id, ani, datetime.now(UTC))


def _published(sessions: sessionmaker[Session], tenant: str) -> dict[str, Flow]:
    """The tenant's published IVR flows, read afresh."""
    with sessions() as session:
        row = tenant_named(session, tenant)
        return published_flows(session, row.id) if row is not None else {}
