"""The real-time shell: the core driven by the wall clock on the asyncio loop, with the demo's
synthetic callers and agents. Tests wait for facts (never for fixed sleeps), with short ring and
talk times so that they finish quickly."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Sequence
from pathlib import Path

import pytest
from sqlalchemy import Engine, create_engine, text

from hotline.core.agent_fsm import AgentState
from hotline.core.events import (
    AgentAnswered,
    AgentDialed,
    AgentLoggedIn,
    AgentReady,
    AgentTransferred,
    InteractionArrived,
)
from hotline.core.facts import (
    AgentStateChanged,
    Fact,
    InteractionDelivered,
    InteractionStateChanged,
)
from hotline.core.interaction_fsm import InteractionState
from hotline.core.model import Agent, Queue, Tenant
from hotline.ivr import load_flow
from hotline.runtime import TenantRuntime
from hotline.store.database import make_engine, upgrade
from hotline.store.journal import Journal
from hotline.store.journal_queries import list_interactions
from hotline.store.journal_writer import JournalWriter
from hotline.switch.ivr_call import CallerBehaviour
from hotline.switch.sim.realtime import DemoGateway, DemoTraffic


def _tenant(ring_timeout: float = 20.0) -> Tenant:
    return Tenant(
        "acme",
        queues=(Queue("q", skills={"q": 1}, ring_timeout=ring_timeout),),
        agents=tuple(Agent(f"a{i}", skills={"q": 5}, wrap_up=0.0) for i in range(3)),
        default_queue="q",
    )


async def _until(runtime: TenantRuntime, test: Callable[[Fact], bool], timeout: float = 10.0
                 ) -> Fact:
    """Wait until a fact passing `test` comes out of the runtime."""
    seen: asyncio.Future[Fact] = asyncio.get_running_loop().create_future()

    def listener(facts: Sequence[Fact]) -> None:
        for fact in facts:
            if test(fact) and not seen.done():
                seen.set_result(fact)

    stop = runtime.listen(listener)
    try:
        return await asyncio.wait_for(seen, timeout)
    finally:
        stop()


def test_ring_no_answer_fires_on_the_wall_clock() -> None:
    async def scenario() -> None:
        runtime = TenantRuntime(_tenant(ring_timeout=0.2))
        runtime.start()
        await runtime.submit(AgentLoggedIn("a0"))
        await runtime.submit(AgentReady("a0"))
        await runtime.submit(InteractionArrived("c1"))
        assert runtime.server.agent_state("a0") is AgentState.RESERVED
        fact = await _until(runtime, lambda f: type(f) is AgentStateChanged
                            and f.new is AgentState.NOT_READY)
        assert isinstance(fact, AgentStateChanged) and fact.reason == "no_answer"
        assert runtime.server.waiting("q") == ["c1"]
        await runtime.stop()

    asyncio.run(scenario())


def test_demo_callers_reach_simulated_agents_and_a_person_gets_real_offers() -> None:
    async def scenario() -> None:
        runtime = TenantRuntime(_tenant())
        demo = DemoGateway(runtime, DemoTraffic(calls_per_second=20, talk_seconds=0.05,
                                                patience_seconds=30, ring_seconds=0.01,
                                                wrap_up_seconds=0.01), seed=1)
        demo.take_over("a0")
        runtime.start()
        demo.start()
        assert runtime.server.agent_state("a0") is AgentState.LOGGED_OUT
        assert runtime.server.agent_state("a1") is AgentState.READY
        # Simulated agents answer and finish calls on their own.
        await _until(runtime, lambda f: type(f) is InteractionStateChanged
                     and f.new is InteractionState.COMPLETED and f.reason == "agent_hung_up")
        # The person logs in and is offered a call, which nobody answers for them.
        await runtime.submit(AgentLoggedIn("a0"))
        await runtime.submit(AgentReady("a0"))
        offer = await _until(runtime, lambda f: type(f) is AgentStateChanged
                             and f.agent_id == "a0" and f.new is AgentState.RESERVED)
        assert isinstance(offer, AgentStateChanged) and offer.interaction_id is not None
        await asyncio.sleep(0)  # let any wrongly scheduled simulated answer run
        assert runtime.server.agent_state("a0") is AgentState.RESERVED
        await runtime.submit(AgentAnswered(offer.interaction_id, "a0"))
        assert runtime.server.agent_state("a0") is AgentState.BUSY
        demo.stop()
        await runtime.stop()

    asyncio.run(scenario())


def test_in_the_demo_a_person_dials_out_and_transfers_to_simulated_agents() -> None:
    async def scenario() -> None:
        runtime = TenantRuntime(_tenant())
        demo = DemoGateway(runtime, DemoTraffic(calls_per_second=0, ring_seconds=0.01,
                                                talk_seconds=0.05, wrap_up_seconds=0.01),
                           seed=1)
        demo.take_over("a0")
        runtime.start()
        demo.start()
        await runtime.submit(AgentLoggedIn("a0"))
        await runtime.submit(AgentDialed("o1", "a0", "13700000000"))
        # The demo's far end picks up by itself.
        await _until(runtime, lambda f: type(f) is InteractionStateChanged
                     and f.interaction_id == "o1" and f.new is InteractionState.IN_SERVICE)
        await runtime.submit(AgentTransferred("o1", "a0", queue="q"))
        # A simulated agent takes the new leg and finishes it.
        done = await _until(runtime, lambda f: type(f) is InteractionStateChanged
                            and f.interaction_id == "o1.2"
                            and f.new is InteractionState.COMPLETED)
        assert isinstance(done, InteractionStateChanged)
        assert done.reason == "agent_hung_up" and done.agent in ("a1", "a2")
        demo.stop()
        await runtime.stop()

    asyncio.run(scenario())


@pytest.mark.parametrize("state", [AgentState.RESERVED, AgentState.BUSY])
def test_taking_over_an_agent_mid_call_ends_the_simulated_work_and_logs_it_out(
    state: AgentState,
) -> None:
    async def scenario() -> None:
        runtime = TenantRuntime(_tenant())
        ring = 3600.0 if state is AgentState.RESERVED else 0.01
        demo = DemoGateway(runtime, DemoTraffic(calls_per_second=0, ring_seconds=ring,
                                                talk_seconds=3600), seed=1)
        runtime.start()
        demo.start()
        runtime.handle(InteractionArrived("c1"))
        if state is AgentState.BUSY:
            await _until(runtime, lambda f: type(f) is AgentStateChanged and f.new is state)
        agent = runtime.server.agent_status("a0")
        assert agent.state is state and agent.interaction_id == "c1"
        demo.take_over("a0")
        assert runtime.server.agent_state("a0") is AgentState.LOGGED_OUT
        expected = InteractionState.QUEUED if state is AgentState.RESERVED else None
        if expected is None:
            assert runtime.server.interaction_state("c1") is None  # the call ended
        else:  # back in line, and straight away offered to the next simulated agent
            assert runtime.server.interaction_state("c1") in (
                InteractionState.QUEUED, InteractionState.OFFERED)
        demo.stop()
        await runtime.stop()

    asyncio.run(scenario())


def test_a_journal_failure_is_logged_even_when_nobody_awaits_the_event(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    # A database without Hotline's schema: every write fails.
    writer = JournalWriter(Journal(make_engine(f"sqlite:///{tmp_path / 'empty.db'}")))
    runtime = TenantRuntime(_tenant(), journal=writer)
    _, durable = runtime.handle(AgentLoggedIn("a0"))
    assert durable is not None
    with pytest.raises(Exception):  # noqa: B017 - whatever the database says
        durable.result(timeout=10)
    writer.close()
    assert "could not be written to the journal" in caplog.text


def test_demo_callers_arrive_at_the_asked_rate_even_when_the_loop_runs_late() -> None:
    async def scenario() -> None:
        runtime = TenantRuntime(_tenant())
        demo = DemoGateway(runtime, DemoTraffic(calls_per_second=200, talk_seconds=60),
                           seed=3)
        arrived: list[float] = []
        runtime.listen(lambda facts: arrived.extend(
            f.at for f in facts if type(f) is InteractionDelivered))
        runtime.start()
        demo.start()
        started = asyncio.get_running_loop().time()
        while asyncio.get_running_loop().time() - started < 1.0:
            time.sleep(0.05)  # the loop is busy elsewhere: arrivals fall behind...
            await asyncio.sleep(0)  # ...and must catch up rather than be lost
        await asyncio.sleep(0.05)
        demo.stop()
        await runtime.stop()
        # 200 a second for about a second: a Poisson count that is far above what
        # scheduling from each late arrival would give (about 20 per blocked 50 ms).
        assert len(arrived) > 120

    asyncio.run(scenario())


def test_one_drawing_of_the_wall_board_serves_every_reader_until_something_changes() -> None:
    clock = [1000.0]
    runtime = TenantRuntime(_tenant(), clock=lambda: clock[0])
    board, text = runtime.live_board()
    assert runtime.live_board() == (board, text) and runtime.live_board()[0] is board
    runtime.handle(InteractionArrived("c1"))  # a fact: drawn afresh
    changed, changed_text = runtime.live_board()
    assert changed["totals"]["waiting"] == 1 and changed_text != text
    assert '"event": "live"' in changed_text
    clock[0] += 1.0  # the next tick: times in state move on, drawn afresh
    later = runtime.live_board()[0]
    assert later is not changed and later["queues"][0]["longest_wait_seconds"] == 1.0


GAS_FLOW = Path(__file__).parents[3] / "examples" / "ivr" / "gas_utility.yaml"


def _gas_tenant() -> Tenant:
    desks = ("repair", "delivery", "complaint", "inquiry")
    return Tenant(
        "gas",
        queues=tuple(Queue(name) for name in desks),
        agents=(Agent("a0", wrap_up=0.0),),
        default_queue="inquiry",
        default_flow="gas_utility",
    )


def _customers(path: Path) -> Engine:
    engine = create_engine(f"sqlite:///{path}")
    with engine.begin() as connection:
        connection.execute(text("CREATE TABLE gas_usage (account TEXT, month TEXT, "
                                "usage_m3 NUMERIC, amount NUMERIC)"))
        connection.execute(text("INSERT INTO gas_usage VALUES ('880012345', '2026-10', 21, "
                                "63.5)"))
        connection.execute(text("CREATE TABLE members (member_no TEXT, pin TEXT, name TEXT, "
                                "tier TEXT)"))
    return engine


@pytest.mark.parametrize(("menu", "outcome"), [
    ("1", "self_service"),  # usage query answered from the customer database
    ("3", "queued"),  # a repair report goes to the repair desk, with what the flow collected
])
def test_demo_callers_walk_the_gas_flow_before_any_queue(
    tmp_path: Path, menu: str, outcome: str
) -> None:
    async def scenario() -> None:
        runtime = TenantRuntime(_gas_tenant(), flows=lambda: {"gas_utility": load_flow(GAS_FLOW)})
        callers = CallerBehaviour(keys={
            "choose_language": {"1": 1.0}, "main_menu": {menu: 1.0},
            "ask_account": {"880012345#": 1.0}, "anything_else": {"8": 1.0},
        }, pace=200.0, think_seconds=0.5)
        demo = DemoGateway(runtime, DemoTraffic(calls_per_second=0), callers=callers,
                           databases={"customers": _customers(tmp_path / "customers.db")})
        demo.take_over("a0")  # nobody answers: a queued caller stays queued
        runtime.start()
        demo.start()
        runtime.handle(InteractionArrived("c1", ani="13800000001"))
        assert runtime.server.interaction_state("c1") is InteractionState.IN_IVR
        if outcome == "self_service":
            done = await _until(runtime, lambda f: type(f) is InteractionStateChanged
                                and f.new is InteractionState.COMPLETED)
            assert isinstance(done, InteractionStateChanged) and done.reason == "self_service"
            assert runtime.live_board()[0]["totals"]["self_service"] == 1
        else:
            await _until(runtime, lambda f: type(f) is InteractionStateChanged
                         and f.new is InteractionState.QUEUED)
            details = runtime.server.interaction_details("c1")
            assert details is not None and details.queue == "repair"
            assert details.attributes.get("language") == "zh"
            assert details.priority > 0  # repairs are answered first
        demo.stop()
        await runtime.stop()

    asyncio.run(scenario())


SURVEY_FLOW = Path(__file__).parents[3] / "examples" / "ivr" / "satisfaction_survey.yaml"


def test_an_agent_transfers_the_caller_to_the_survey_and_the_score_is_kept_with_the_call(
    tmp_path: Path,
) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'journal.db'}")
    upgrade(engine)
    writer = JournalWriter(Journal(engine))

    async def scenario() -> None:
        runtime = TenantRuntime(_tenant(), journal=writer,
                                flows=lambda: {"satisfaction_survey": load_flow(SURVEY_FLOW)})
        callers = CallerBehaviour(keys={"ask_score": {"4": 1.0}}, pace=200.0,
                                  think_seconds=0.2)
        demo = DemoGateway(runtime, DemoTraffic(calls_per_second=0), callers=callers)
        for agent in ("a0", "a1", "a2"):
            demo.take_over(agent)  # only a0 will be in, played by the test
        runtime.start()
        demo.start()
        await runtime.submit(AgentLoggedIn("a0", ("q",)))
        await runtime.submit(AgentReady("a0"))
        await runtime.submit(InteractionArrived("c1", ani="13900000009", queue="q"))
        await runtime.submit(AgentAnswered("c1", "a0"))
        await runtime.submit(AgentTransferred("c1", "a0", flow="satisfaction_survey"))
        await _until(runtime, lambda f: type(f) is InteractionStateChanged
                     and f.interaction_id == "c1.2" and f.new is InteractionState.COMPLETED)
        demo.stop()
        await runtime.stop()

    asyncio.run(scenario())
    writer.close()
    rows, _ = list_interactions(engine, "acme")
    survey = next(row for row in rows if row.interaction_id == "c1.2")
    assert survey.parent_id == "c1" and survey.result == "self_service"
    assert survey.attributes["score"] == "4"
    assert survey.attributes["agent_id"] == "a0"
    assert survey.attributes["ivr_result"] == "survey_completed"
