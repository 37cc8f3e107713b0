"""The real-time shell around the core: one process, wall-clock time.

Each tenant's `InteractionServer` runs inside a `TenantRuntime` on the asyncio loop. Events come
from gateways (the demo's synthetic callers and agents, the CTI WebSocket, later SIP); the
runtime passes them to the core with the current time, journals the facts that come out (the
journal writer commits them in batches on its own thread), hands the facts to subscribers (CTI
connections, live figures) and the commands to the gateways, and wakes the core when its next
timer falls due.

Durability: `submit(event)` returns only once the facts the event produced are committed, so an
API that awaits it never reports as done something a crash could take back.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import json
import logging
import math
import time
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import Future
from typing import Any, Protocol

from hotline.analytics.wallboard import WallBoard
from hotline.core import InteractionServer
from hotline.core.commands import Command
from hotline.core.events import Event, InteractionArrived, TimerFired
from hotline.core.facts import Fact
from hotline.core.model import Tenant
from hotline.ivr import Flow

log = logging.getLogger("hotline.runtime")


class JournalSink(Protocol):
    """Where facts go to become durable (see `hotline.store.journal.JournalWriter`)."""

    def submit(self, tenant: str, facts: Sequence[Fact]) -> Future[int]: ...


class Gateway(Protocol):
    """Something that carries out the core's commands (rings phones, plays music...)."""

    def carry_out(self, commands: Sequence[Command]) -> None: ...


FactListener = Callable[[Sequence[Fact]], None]

LIVE_TICK = 0.2
"""Seconds for which one drawing of the wall board serves every reader, when nothing changed."""


class TenantRuntime:
    """One tenant's interaction server, driven in real time."""

    def __init__(
        self,
        tenant: Tenant,
        *,
        journal: JournalSink | None = None,
        clock: Callable[[], float] = time.time,
        seed: int = 0,
        flows: Callable[[], Mapping[str, Flow]] | None = None,
        identify: Callable[[str], Mapping[str, str]] | None = None,
    ) -> None:
        self.tenant = tenant
        self._identify = identify
        self._load_flows = flows
        self.flows: Mapping[str, Flow] = flows() if flows is not None else {}
        self.server = InteractionServer(tenant, seed=seed)
        self._journal = journal
        self._clock = clock
        self._last = 0.0
        self._gateways: list[Gateway] = []
        self._listeners: list[FactListener] = []
        self._wake: asyncio.Event | None = None
        self._timer_task: asyncio.Task[None] | None = None
        self._stopping = False
        self.board = WallBoard(tenant, clock())
        self._listeners.append(self.board.feed)
        self._changes = 0
        self._drawn: tuple[tuple[int, int], dict[str, Any], str] | None = None

    @property
    def name(self) -> str:
        return self.tenant.name

    def now(self) -> float:
        """The wall clock, never running backwards (the core refuses time that does)."""
        self._last = max(self._last, self._clock())
        return self._last

    def reconfigure(self, tenant: Tenant) -> None:
        """Take a changed configuration (see `InteractionServer.reconfigure`); raises
        `CoreError`, changing nothing, when the server cannot take it now."""
        self.server.reconfigure(tenant)
        self.tenant = tenant
        self.board.reconfigure(tenant)
        self._changes += 1

    def flows_changed(self) -> None:
        """The tenant's published IVR flows changed: new calls run the new versions (calls in
        a flow keep the version they started with)."""
        if self._load_flows is not None:
            self.flows = self._load_flows()

    def live_board(self) -> tuple[dict[str, Any], str]:
        """The wall board now, and the CTI `live` event carrying it as JSON text. One drawing
        serves every reader until the next fact or the next tick (`LIVE_TICK`), so fifty wall
        boards cost what one does."""
        now = self.now()
        key = (self._changes, math.floor(now / LIVE_TICK))
        if self._drawn is None or self._drawn[0] != key:
            board = self.board.snapshot(self.server, now)
            text = json.dumps({"event": "live", "board": board}, ensure_ascii=False)
            self._drawn = (key, board, text)
        return self._drawn[1], self._drawn[2]

    def add_gateway(self, gateway: Gateway) -> None:
        self._gateways.append(gateway)

    def listen(self, listener: FactListener) -> Callable[[], None]:
        """Call `listener` with every batch of facts; returns a function that stops it."""
        self._listeners.append(listener)
        return lambda: self._listeners.remove(listener)

    def handle(self, event: Event) -> tuple[list[Command], Future[int] | None]:
        """Apply `event` now. Returns the commands and a future that completes when the facts
        are durable (None when there were none or no journal). Raises `CoreError` for an event
        the core refuses; nothing has changed then."""
        commands = self.server.handle(event, self.now())
        facts = self.server.drain_facts()
        durable = None
        if facts:
            self._changes += 1
            if self._journal is not None:
                durable = self._journal.submit(self.tenant.name, facts)
                durable.add_done_callback(self._check_durable)
            for listener in list(self._listeners):
                try:
                    listener(facts)
                except Exception:  # a broken subscriber must not stop the switch
                    log.exception("fact listener failed")
        for gateway in self._gateways:
            gateway.carry_out(commands)
        if self._wake is not None:
            self._wake.set()
        return commands, durable

    def _check_durable(self, durable: Future[int]) -> None:
        # Most events (callers, timers) are not awaited by anyone: a journal failure must
        # still be loud.
        error = durable.exception()
        if error is not None:
            log.error("tenant %s: facts could not be written to the journal: %s",
                      self.tenant.name, error)

    async def identified(self, event: InteractionArrived) -> InteractionArrived:
        """`event` with the attributes that say who the caller is (`identify`, run in a
        worker thread; see `hotline.store.caller_id`); attributes the event brings win."""
        if "customer_id" in event.attributes:
            return event
        found = await self.customer_attributes(event.ani)
        if not found:
            return event
        return dataclasses.replace(event, attributes={**found, **event.attributes})

    async def customer_attributes(self, number: str) -> Mapping[str, str]:
        """The attributes that say whose number `number` is (none when nobody's, or when
        this runtime identifies nobody); the lookup runs in a worker thread."""
        if self._identify is None or not number:
            return {}
        return await asyncio.to_thread(self._identify, number)

    async def submit(self, event: Event) -> list[Command]:
        """Apply `event` and wait until what it changed is durable."""
        commands, durable = self.handle(event)
        if durable is not None:
            await asyncio.wrap_future(durable)
        return commands

    def start(self) -> None:
        """Start acting on the core's timers (call from inside the running loop)."""
        self._wake = asyncio.Event()
        self._stopping = False
        self._timer_task = asyncio.get_running_loop().create_task(self._run_timers())

    async def stop(self) -> None:
        """Stop acting on timers; the core keeps its state."""
        task, self._timer_task = self._timer_task, None
        if task is not None:
            self._stopping = True
            if self._wake is not None:
                self._wake.set()
            await task

    async def _run_timers(self) -> None:
        assert self._wake is not None
        wake = self._wake
        while not self._stopping:
            deadline = self.server.next_timer()
            wake.clear()
            if deadline is None:
                await wake.wait()
                continue
            delay = deadline - self._clock()
            if delay > 0:
                # asyncio.timeout, unlike wait_for on 3.11, never loses a cancellation.
                with contextlib.suppress(TimeoutError):
                    async with asyncio.timeout(delay):
                        await wake.wait()
                    continue  # something changed: look at the next deadline again
            try:
                self.handle(TimerFired())
            except Exception:
                log.exception("timer handling failed")


class Runtime:
    """Every tenant's runtime in this process, by tenant name."""

    def __init__(self) -> None:
        self.tenants: dict[str, TenantRuntime] = {}

    def add(self, runtime: TenantRuntime) -> None:
        self.tenants[runtime.name] = runtime

    def get(self, tenant: str) -> TenantRuntime | None:
        return self.tenants.get(tenant)

    def start(self) -> None:
        for runtime in self.tenants.values():
            runtime.start()

    async def stop(self) -> None:
        for runtime in self.tenants.values():
            await runtime.stop()
