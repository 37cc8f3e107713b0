"""What an IVR walk needs from the asyncio loop it runs on, shared by the demo and SIP.

`LoopIvrShell` is the part of `switch.ivr_call.IvrShell` that does not depend on who the
caller is: the clock, timers, the flow's database queries (in a worker thread), its webhooks
(the standard library's HTTP client, in a worker thread), tickets (the store, in a worker
thread) and the tenant's published flows. The demo's synthetic callers and the SIP gateway's
real ones each add `finished`.
"""

from __future__ import annotations

import asyncio
import functools
from collections.abc import Callable, Mapping
from typing import TypeVar

from sqlalchemy import Engine

from hotline.ivr.actions import HttpCall, OpenTicket, Query
from hotline.ivr.database import run_query
from hotline.ivr.events import (
    HttpFailed,
    HttpResult,
    QueryFailed,
    QueryResult,
    TicketFailed,
    TicketOpened,
)
from hotline.ivr.flow import Flow
from hotline.runtime import TenantRuntime
from hotline.switch.webhook import http_request

T = TypeVar("T")

TicketOpener = Callable[[OpenTicket, str, str], TicketOpened | TicketFailed]
"""Open the ticket an IVR asks for: (request, interaction id, caller's number) -> outcome."""


class LoopIvrShell:
    """Clock, timers, queries, webhooks, tickets and flows for IVR walks of one tenant."""

    def __init__(self, runtime: TenantRuntime, *, databases: Mapping[str, Engine] | None = None,
                 tickets: TicketOpener | None = None) -> None:
        self.runtime = runtime
        self.databases = dict(databases or {})
        self.tickets = tickets
        self._loop: asyncio.AbstractEventLoop | None = None

    def now(self) -> float:
        return self.runtime.now()

    def later(self, delay: float, callback: Callable[[], None]) -> asyncio.TimerHandle:
        assert self._loop is not None
        return self._loop.call_later(delay, callback)

    def query(self, query: Query, done: Callable[[QueryResult | QueryFailed], None]) -> None:
        engine = self.databases.get(query.database)
        if engine is None:
            done(QueryFailed(f"no database {query.database!r} is configured"))
            return
        self._off_loop(functools.partial(run_query, engine, query), done)

    def http(self, call: HttpCall, done: Callable[[HttpResult | HttpFailed], None]) -> None:
        self._off_loop(functools.partial(http_request, call), done)

    def ticket(self, request: OpenTicket, interaction_id: str, ani: str,
               done: Callable[[TicketOpened | TicketFailed], None]) -> None:
        if self.tickets is None:
            done(TicketFailed("no ticket store is configured"))
            return
        self._off_loop(functools.partial(self.tickets, request, interaction_id, ani), done)

    def flow(self, name: str) -> Flow | None:
        return self.runtime.flows.get(name)

    def _off_loop(self, work: Callable[[], T], done: Callable[[T], None]) -> None:
        assert self._loop is not None
        future = self._loop.run_in_executor(None, work)
        future.add_done_callback(lambda f: done(f.result()))
