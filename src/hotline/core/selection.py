"""Agent selection: which ready agent a queue's next interaction goes to (R5).

Each queue keeps a pool of its ready agents ordered by its strategy:

- longest_idle: the agent ready the longest.
- fewest_calls: fewest calls answered, then longest ready.
- fewest_calls_then_longest_since_hangup: the seed's default — fewest calls, then the longest
  since their last hang-up.
- highest_skill: highest combined level in the queue's skills, then longest ready.
- round_robin: the agent this queue chose least recently, in configuration order at first.
- random: uniformly among the ready agents (from the server's seeded generator).

A key never changes while its agent stays ready, so the ordered pools are heaps with lazy
deletion: an agent who stops being ready is skipped when reached (their `ready_epoch`, bumped
each time they become ready, no longer matches). `best()` looks without taking; the server
then offers, and the agent leaves every pool.
"""

from __future__ import annotations

import heapq
import random
from collections.abc import Callable
from typing import Protocol

from hotline.core.agent_fsm import AgentState
from hotline.core.live import LiveAgent
from hotline.core.model import Queue, Strategy

_READY = AgentState.READY


class ReadyPool(Protocol):
    def add(self, agent: LiveAgent) -> None:
        """`agent` has just become ready."""

    def discard(self, agent: LiveAgent) -> None:
        """`agent` is no longer ready."""

    def best(self) -> LiveAgent | None:
        """The agent the strategy picks now, or None when no agent is ready."""

    def best_where(self, wanted: Callable[[LiveAgent], bool]) -> LiveAgent | None:
        """The agent the strategy picks among those `wanted` accepts, or None."""

    def chosen(self, agent: LiveAgent) -> None:
        """The queue has just offered an interaction to `agent`."""


Key = tuple[float, ...]


class OrderedPool:
    """Ready agents ordered by a key computed when each becomes ready."""

    __slots__ = ("_heap", "_key", "_members")

    def __init__(self, key: Callable[[LiveAgent], Key]) -> None:
        self._key = key
        self._heap: list[tuple[Key, int, int, LiveAgent]] = []
        # Indexes of the agents in the pool: the server also discards agents it never added
        # (one who takes a waiting call the moment they become ready), which must not count.
        self._members: set[int] = set()

    def add(self, agent: LiveAgent) -> None:
        heapq.heappush(self._heap, (self._key(agent), agent.index, agent.ready_epoch, agent))
        self._members.add(agent.index)

    def discard(self, agent: LiveAgent) -> None:
        if agent.index not in self._members:
            return
        self._members.remove(agent.index)
        if len(self._heap) > 2 * len(self._members) + 64:
            self._heap = [e for e in self._heap if _valid(e)]
            heapq.heapify(self._heap)

    def best(self) -> LiveAgent | None:
        heap = self._heap
        while heap:
            entry = heap[0]
            if _valid(entry):
                return entry[3]
            heapq.heappop(heap)
        return None

    def best_where(self, wanted: Callable[[LiveAgent], bool]) -> LiveAgent | None:
        heap = self._heap
        passed: list[tuple[Key, int, int, LiveAgent]] = []
        found = None
        while heap:
            entry = heapq.heappop(heap)
            if not _valid(entry):
                continue  # stale: dropped for good
            passed.append(entry)
            if wanted(entry[3]):
                found = entry[3]
                break
        for entry in passed:
            heapq.heappush(heap, entry)
        return found

    def chosen(self, agent: LiveAgent) -> None:
        pass


def _valid(entry: tuple[Key, int, int, LiveAgent]) -> bool:
    agent = entry[3]
    return agent.state is _READY and agent.ready_epoch == entry[2]


class RoundRobinPool(OrderedPool):
    """Least recently chosen by this queue first; ties in configuration order."""

    __slots__ = ("_turn", "_turns")

    def __init__(self) -> None:
        self._turns: dict[int, int] = {}
        self._turn = 0
        super().__init__(lambda agent: (self._turns.get(agent.index, -1),))

    def chosen(self, agent: LiveAgent) -> None:
        self._turn += 1
        self._turns[agent.index] = self._turn


class RandomPool:
    """Uniform choice among ready agents: a list with an index for O(1) removal."""

    __slots__ = ("_agents", "_choice", "_position", "_rng")

    def __init__(self, rng: random.Random) -> None:
        self._rng = rng
        self._agents: list[LiveAgent] = []
        self._position: dict[int, int] = {}
        self._choice: LiveAgent | None = None

    def add(self, agent: LiveAgent) -> None:
        self._position[agent.index] = len(self._agents)
        self._agents.append(agent)
        self._choice = None

    def discard(self, agent: LiveAgent) -> None:
        position = self._position.pop(agent.index, None)
        if position is None:
            return
        last = self._agents.pop()
        if last is not agent:
            self._agents[position] = last
            self._position[last.index] = position
        self._choice = None

    def best(self) -> LiveAgent | None:
        # The choice is drawn once and kept until the pool changes, so looking twice
        # (as the server may) does not consume extra random numbers or change the answer.
        if self._choice is None and self._agents:
            self._choice = self._agents[self._rng.randrange(len(self._agents))]
        return self._choice

    def best_where(self, wanted: Callable[[LiveAgent], bool]) -> LiveAgent | None:
        fitting = [agent for agent in self._agents if wanted(agent)]
        return fitting[self._rng.randrange(len(fitting))] if fitting else None

    def chosen(self, agent: LiveAgent) -> None:
        pass


def pool_for(queue: Queue, rng: random.Random) -> ReadyPool:
    """A ready-agent pool that applies `queue`'s strategy."""
    strategy = queue.strategy
    if strategy is Strategy.RANDOM:
        return RandomPool(rng)
    if strategy is Strategy.ROUND_ROBIN:
        return RoundRobinPool()
    if strategy is Strategy.LONGEST_IDLE:
        return OrderedPool(lambda a: (a.ready_since,))
    if strategy is Strategy.FEWEST_CALLS:
        return OrderedPool(lambda a: (a.calls_handled, a.ready_since))
    if strategy is Strategy.FEWEST_CALLS_THEN_LONGEST_SINCE_HANGUP:
        return OrderedPool(lambda a: (a.calls_handled, a.last_hangup))
    if strategy is Strategy.HIGHEST_SKILL:
        return OrderedPool(lambda a: (-a.config.skill_level_for(queue), a.ready_since))
    raise ValueError(f"unknown selection strategy {strategy!r}")
