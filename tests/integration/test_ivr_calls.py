"""Every shipped flow, driven as the simulator drives it (`IvrCall` in virtual time), with
callers who press random keys and hang up at random prompts: every call ends exactly once in
a defined way, and callers hang up at every prompt the flow plays to them."""

from __future__ import annotations

import heapq
import random
from collections.abc import Callable
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.pool import StaticPool

from hotline.core.events import CustomerHungUp, IvrFinished
from hotline.ivr import Flow, load_flow
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
from hotline.ivr.flow import PlayDigit, PlayOption, SelectLanguage
from hotline.switch.ivr_call import CallerBehaviour, IvrCall

FLOWS = sorted((Path(__file__).parents[2] / "examples" / "ivr").glob("*.yaml"))

CUSTOMERS = create_engine("sqlite://", poolclass=StaticPool)
with CUSTOMERS.begin() as _connection:
    _connection.execute(text("CREATE TABLE gas_usage (account TEXT, month TEXT, usage_m3 NUMERIC, "
                             "amount NUMERIC)"))
    _connection.execute(text("INSERT INTO gas_usage VALUES ('880012345', '2026-10', 20, 69)"))
    _connection.execute(text("CREATE TABLE members (member_no TEXT, pin TEXT, name TEXT, "
                             "tier TEXT)"))
    _connection.execute(text("INSERT INTO members VALUES ('10086', '1234', 'Chen', 'gold')"))


class _Handle:
    def __init__(self, callback: Callable[[], None]) -> None:
        self.callback: Callable[[], None] | None = callback

    def cancel(self) -> None:
        self.callback = None


class VirtualShell:
    """A virtual clock and an event heap, as the simulator has them."""

    def __init__(self, flows: dict[str, Flow]) -> None:
        self.clock = 1_700_000_000.0
        self.tickets: list[tuple[str, OpenTicket]] = []
        self.heap: list[tuple[float, int, _Handle]] = []
        self.seq = 0
        self.flows = flows
        self.outcomes: list[IvrFinished | CustomerHungUp] = []

    def now(self) -> float:
        return self.clock

    def later(self, delay: float, callback: Callable[[], None]) -> _Handle:
        handle = _Handle(callback)
        self.seq += 1
        heapq.heappush(self.heap, (self.clock + delay, self.seq, handle))
        return handle

    def query(self, query: Query, done: Callable[[QueryResult | QueryFailed], None]) -> None:
        done(run_query(CUSTOMERS, query))

    def http(self, call: HttpCall, done: Callable[[HttpResult | HttpFailed], None]) -> None:
        done(HttpFailed("no network in this test"))

    def ticket(self, request: OpenTicket, interaction_id: str, ani: str,
               done: Callable[[TicketOpened | TicketFailed], None]) -> None:
        self.tickets.append((interaction_id, request))
        done(TicketOpened(str(len(self.tickets))) if len(self.tickets) % 2
             else TicketFailed("every other one is refused"))

    def flow(self, name: str) -> Flow | None:
        return self.flows.get(name)

    def finished(self, event: IvrFinished | CustomerHungUp) -> None:
        self.outcomes.append(event)

    def run(self, limit: float = 3600.0) -> None:
        end = self.clock + limit
        while self.heap and self.heap[0][0] <= end:
            at, _, handle = heapq.heappop(self.heap)
            self.clock = at
            if handle.callback is not None:
                handle.callback()


def random_keys(flow: Flow) -> CallerBehaviour:
    """Callers who press any key a menu offers (and some it does not), or type numbers."""
    keys: dict[str, dict[str, float]] = {}
    for node in flow.nodes.values():
        if isinstance(node, PlayOption):
            choices = [k for k in node.exits if len(k) == 1] + ["*"]
        elif isinstance(node, SelectLanguage):
            choices = [*node.options, "7"]
        elif isinstance(node, PlayDigit):
            choices = ["1", "4", "1234#", "880012345#", "10086#", "99"]
        else:
            continue
        keys[node.id] = {choice: 0.9 / len(choices) for choice in choices}
    return CallerBehaviour(keys=keys, hang_up=0.3, think_seconds=1.5)


@pytest.mark.parametrize("path", FLOWS, ids=[p.stem for p in FLOWS])
def test_random_callers_end_once_and_hang_up_at_every_prompt(path: Path) -> None:
    flow = load_flow(path)
    shell = VirtualShell({f.name: f for f in map(load_flow, FLOWS)})
    behaviour = random_keys(flow)
    rng = random.Random(7)
    calls = [IvrCall(f"c{i}", flow, shell, behaviour, rng, ani="13800000000")
             for i in range(400)]
    played: dict[str, int] = {}
    hung_up_at: set[str] = set()
    for call in calls:
        original = call._perform

        def perform(actions: list[object], call: IvrCall = call,
                    original: Callable[..., None] = original) -> None:
            if any(type(a).__name__ == "Play" for a in actions) and call.session.visited:
                node = call.session.visited[-1]
                played[node] = played.get(node, 0) + 1
            original(actions)

        hang_up = call.hang_up

        def hang_up_here(call: IvrCall = call, hang_up: Callable[[], None] = hang_up) -> None:
            if call.session.visited and not call.caller_gone:
                hung_up_at.add(call.session.visited[-1])
            hang_up()

        call._perform = perform  # type: ignore[method-assign]
        call.hang_up = hang_up_here  # type: ignore[method-assign]
        call.start()
    shell.run()
    assert all(call.done or call.caller_gone for call in calls)
    ended = [event.interaction_id for event in shell.outcomes]
    assert sorted(ended) == sorted(call.interaction_id for call in calls), "each call ends once"
    outcomes = {type(e).__name__ if isinstance(e, CustomerHungUp) else e.outcome
                for e in shell.outcomes}
    assert outcomes <= {"CustomerHungUp", "queue", "number", "self_service", "error"}
    often = {node for node, count in played.items() if count >= 15}
    assert often, "callers reached the flow's prompts"
    assert often <= hung_up_at, f"nobody hung up at {sorted(often - hung_up_at)}"
