"""Agent selection: each of a queue's six strategies picks the agent it promises (R5)."""

from __future__ import annotations

import heapq
from collections import Counter
from itertools import pairwise

import pytest

from hotline.core.agent_fsm import AgentState
from hotline.core.events import AgentLoggedOut
from hotline.core.live import LiveAgent
from hotline.core.model import DEFAULT_STRATEGY, Agent, Queue, Strategy
from hotline.core.selection import OrderedPool
from tests.unit.core.core_harness import Switch, agent, one_queue, tenant


def _ready_in_order(switch: Switch, *agent_ids: str, start: float = 1.0) -> None:
    """Log the agents in and make them ready one second apart, in the order given."""
    for i, agent_id in enumerate(agent_ids):
        switch.login(agent_id, at=start + i)


def _who_gets(switch: Switch, interaction_id: str, at: float | None = None,
              queue: str | None = None) -> str:
    """Deliver a call (to `queue`, else the default queue) and return who it is offered to."""
    switch.arrive(interaction_id, at=at, queue=queue)
    for agent_id in switch.server.agent_ids():
        if switch.offered_to(agent_id) == interaction_id:
            return agent_id
    raise AssertionError(f"{interaction_id} was not offered to anyone")


def _picks(switch: Switch, calls: int, first_at: float = 100.0) -> list[str]:
    """Deliver calls one at a time, each answered and finished at once; who got each."""
    picks = []
    for n in range(calls):
        chosen = _who_gets(switch, f"c{n}", at=first_at + n)
        switch.serve(chosen)
        picks.append(chosen)
    return picks


def test_default_strategy_is_fewest_calls_then_longest_since_hangup() -> None:
    assert Queue("q").strategy is DEFAULT_STRATEGY
    assert DEFAULT_STRATEGY is Strategy.FEWEST_CALLS_THEN_LONGEST_SINCE_HANGUP


# -- longest idle -------------------------------------------------------------------------------


def test_longest_idle_agent_gets_the_call() -> None:
    switch = Switch(one_queue("a", "b", "c", strategy=Strategy.LONGEST_IDLE))
    _ready_in_order(switch, "b", "c", "a")
    assert _who_gets(switch, "c1", at=10) == "b"
    assert _who_gets(switch, "c2", at=11) == "c"
    assert _who_gets(switch, "c3", at=12) == "a"


def test_longest_idle_counts_from_the_last_time_the_agent_became_ready() -> None:
    switch = Switch(one_queue("a", "b", strategy=Strategy.LONGEST_IDLE))
    _ready_in_order(switch, "a", "b")
    switch.not_ready("a", at=5)
    switch.ready("a", at=6)
    assert _who_gets(switch, "c1", at=10) == "b"


# -- fewest calls -------------------------------------------------------------------------------


def test_fewest_calls_agent_gets_the_call_even_if_another_waited_longer() -> None:
    switch = Switch(one_queue("a", "b", strategy=Strategy.FEWEST_CALLS))
    switch.login("a", at=0)
    switch.login("b", ready=False, at=0)
    _who_gets(switch, "c1", at=1)
    switch.serve("a", hang_up_at=2)
    _who_gets(switch, "c2", at=3)
    switch.serve("a", hang_up_at=4)  # a: two calls, ready since 4
    switch.ready("b", at=20)  # b: no calls, ready since 20
    assert _who_gets(switch, "c3", at=30) == "b"


def test_fewest_calls_ties_go_to_the_agent_ready_longest() -> None:
    switch = Switch(one_queue("a", "b", strategy=Strategy.FEWEST_CALLS))
    _ready_in_order(switch, "b", "a")
    assert _who_gets(switch, "c1", at=10) == "b"


# -- fewest calls, then longest since hang-up (the default) ----------------------------------


def test_default_when_calls_tie_the_longest_since_hangup_gets_the_call() -> None:
    switch = Switch(one_queue("a", "b"))
    switch.login("a", "b", at=0)
    assert _who_gets(switch, "c1", at=10) == "a"
    switch.answer("a", at=11)
    assert _who_gets(switch, "c2", at=20) == "b"
    switch.answer("b", at=21)
    switch.agent_hangs_up("a", at=100)  # a: one call, hung up at 100
    switch.not_ready("a", "break", at=101)
    switch.agent_hangs_up("b", at=200)  # b: one call, hung up at 200, ready since 200
    switch.ready("a", at=300)  # a: ready only since 300
    assert _who_gets(switch, "c3", at=400) == "a"


def test_default_fewer_calls_win_even_against_an_older_hangup() -> None:
    switch = Switch(one_queue("a", "b"))
    switch.login("a", "b", at=0)
    _who_gets(switch, "c1", at=10)
    switch.serve("a", hang_up_at=20)  # a: one call
    assert _who_gets(switch, "c2", at=30) == "b"
    switch.answer("b", at=31)
    assert _who_gets(switch, "c3", at=40) == "a"
    switch.serve("a", hang_up_at=50)  # a: two calls, hung up at 50
    switch.agent_hangs_up("b", at=1000)  # b: one call, hung up at 1000
    assert _who_gets(switch, "c4", at=1100) == "b"


def test_calls_handled_count_afresh_from_each_login() -> None:
    switch = Switch(one_queue("a", "b", strategy=Strategy.FEWEST_CALLS))
    switch.login("a", at=0)
    _who_gets(switch, "c1", at=1)
    switch.serve("a")
    switch.not_ready("a", at=2)
    switch.send(AgentLoggedOut("a"), at=3)
    switch.login("b", at=4)
    _who_gets(switch, "c2", at=5)
    switch.serve("b")  # b: one call, ready since 5
    switch.login("a", at=6)  # a: logged in again, no calls this session
    assert _who_gets(switch, "c3", at=10) == "a"


# -- highest skill ------------------------------------------------------------------------------


def _skilled(strategy: Strategy, levels: dict[str, dict[str, int]],
             needs: dict[str, int]) -> Switch:
    return Switch(tenant([Queue("q", skills=needs, strategy=strategy)],
                         [agent(a, skills) for a, skills in levels.items()]))


def test_highest_skill_agent_gets_the_call() -> None:
    switch = _skilled(Strategy.HIGHEST_SKILL,
                      {"a": {"sales": 3}, "b": {"sales": 7}, "c": {"sales": 5}}, {"sales": 1})
    _ready_in_order(switch, "a", "b", "c")
    assert _who_gets(switch, "c1", at=10) == "b"
    assert _who_gets(switch, "c2", at=11) == "c"
    assert _who_gets(switch, "c3", at=12) == "a"


def test_highest_skill_adds_up_the_levels_of_every_skill_the_queue_needs() -> None:
    switch = _skilled(Strategy.HIGHEST_SKILL,
                      {"a": {"sales": 9, "en": 1, "fr": 10}, "b": {"sales": 5, "en": 6}},
                      {"sales": 1, "en": 1})
    _ready_in_order(switch, "a", "b")
    assert _who_gets(switch, "c1", at=10) == "b"  # 11 against 10; French does not count


def test_highest_skill_ties_go_to_the_agent_ready_longest() -> None:
    switch = _skilled(Strategy.HIGHEST_SKILL,
                      {"a": {"sales": 5}, "b": {"sales": 5}}, {"sales": 1})
    _ready_in_order(switch, "b", "a")
    assert _who_gets(switch, "c1", at=10) == "b"


# -- round robin --------------------------------------------------------------------------------


def test_round_robin_rotates_in_configuration_order_across_repeated_offers() -> None:
    switch = Switch(one_queue("a", "b", "c", strategy=Strategy.ROUND_ROBIN))
    _ready_in_order(switch, "c", "b", "a")  # longest idle would start with c
    assert _picks(switch, 7) == ["a", "b", "c", "a", "b", "c", "a"]


def test_round_robin_skips_an_agent_who_is_not_ready_and_keeps_their_turn() -> None:
    switch = Switch(one_queue("a", "b", "c", strategy=Strategy.ROUND_ROBIN))
    _ready_in_order(switch, "a", "b", "c")
    assert _picks(switch, 1, first_at=10) == ["a"]
    switch.not_ready("b", at=20)
    assert _picks(switch, 2, first_at=30) == ["c", "a"]
    switch.ready("b", at=40)
    assert _picks(switch, 3, first_at=50) == ["b", "c", "a"]


def test_round_robin_turns_belong_to_each_queue() -> None:
    switch = Switch(tenant(
        [Queue("x", strategy=Strategy.ROUND_ROBIN), Queue("y", strategy=Strategy.ROUND_ROBIN)],
        [agent("a"), agent("b")],
    ))
    _ready_in_order(switch, "a", "b")
    assert _who_gets(switch, "x1", at=10, queue="x") == "a"
    switch.serve("a")
    assert _who_gets(switch, "y1", at=11, queue="y") == "a"  # queue y has chosen no one yet
    switch.serve("a")
    assert _who_gets(switch, "x2", at=12, queue="x") == "b"


# -- random -------------------------------------------------------------------------------------


def _random_picks(seed: int, calls: int) -> list[str]:
    switch = Switch(one_queue("a", "b", "c", "d", strategy=Strategy.RANDOM), seed=seed)
    _ready_in_order(switch, "a", "b", "c", "d")
    return _picks(switch, calls)


def test_random_spreads_calls_evenly_over_ready_agents() -> None:
    picks = _random_picks(seed=1, calls=4000)
    counts = Counter(picks)
    assert set(counts) == {"a", "b", "c", "d"}
    chi_square = sum((n - 1000) ** 2 / 1000 for n in counts.values())
    assert chi_square < 16.27  # 3 degrees of freedom, p = 0.001
    # Unlike round robin, an agent sometimes gets the next call too (1 time in 4).
    repeats = sum(1 for x, y in pairwise(picks) if x == y)
    assert 0.2 < repeats / (len(picks) - 1) < 0.3


def test_random_is_the_same_for_the_same_seed_and_differs_for_another() -> None:
    assert _random_picks(seed=7, calls=50) == _random_picks(seed=7, calls=50)
    assert _random_picks(seed=7, calls=50) != _random_picks(seed=8, calls=50)


def test_random_only_picks_agents_who_are_ready() -> None:
    switch = Switch(one_queue("a", "b", "c", strategy=Strategy.RANDOM), seed=3)
    _ready_in_order(switch, "a", "b", "c")
    switch.not_ready("b", at=5)
    assert set(_picks(switch, 200)) == {"a", "c"}


# -- every strategy -----------------------------------------------------------------------------


@pytest.mark.parametrize("strategy", list(Strategy))
def test_every_strategy_offers_only_to_ready_agents_who_serve_the_queue(
    strategy: Strategy,
) -> None:
    switch = Switch(tenant(
        [Queue("q", skills={"sales": 2}, strategy=strategy)],
        [agent("novice", {"sales": 1}), agent("busy", {"sales": 5}),
         agent("away", {"sales": 5}), agent("free", {"sales": 3})],
    ))
    switch.login("novice", "busy", "away", "free", at=0)
    switch.arrive("first", at=1)
    holder = next(a for a in ("busy", "away", "free") if switch.offered_to(a) == "first")
    switch.answer(holder)
    others = [a for a in ("busy", "away", "free") if a != holder]
    switch.not_ready(others[0], at=2)
    switch.arrive("second", at=3)
    assert switch.offered_to(others[1]) == "second"
    assert switch.state("novice") is AgentState.READY  # logged in, but serves no queue


# -- the pools' bookkeeping ---------------------------------------------------------------------


def test_discarding_an_agent_who_was_never_pooled_does_not_make_the_pool_sweep(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # The server discards an agent from their pools whenever it offers them a call, including
    # an agent who took a waiting call the moment they became ready and so was never pooled.
    # Such discards must not upset the pool's count of live entries, or every later discard
    # rebuilds the whole heap.
    pool = OrderedPool(lambda a: (a.ready_since,))
    agents = [LiveAgent(Agent(f"a{i}"), i) for i in range(200)]
    for a in agents:
        a.state = AgentState.READY
    for a in agents[100:]:
        pool.discard(a)  # offered straight away: never in the pool
    for a in agents[:100]:
        pool.add(a)
    sweeps = 0
    real_heapify = heapq.heapify

    def counting_heapify(heap: list[object]) -> None:
        nonlocal sweeps
        sweeps += 1
        real_heapify(heap)

    monkeypatch.setattr(heapq, "heapify", counting_heapify)
    for a in agents[:10]:
        a.state = AgentState.RESERVED
        pool.discard(a)
    assert sweeps == 0
    assert pool.best() is agents[10]
