"""Builders and a stand-in switch for the interaction server's unit tests.

`Switch` plays the gateway around one `InteractionServer`: it moves a virtual clock forward,
fires the server's timers at their own deadlines on the way (as the documented protocol says:
`handle(TimerFired(), deadline)`), and keeps every command and fact so a test can assert on what
happened, not on how.
"""

from __future__ import annotations

from collections.abc import Iterable

from hotline.core import InteractionServer
from hotline.core.agent_fsm import AgentState
from hotline.core.commands import Command
from hotline.core.events import (
    AgentAnswered,
    AgentDeclined,
    AgentHungUp,
    AgentLoggedIn,
    AgentNotReady,
    AgentReady,
    CustomerHungUp,
    Event,
    InteractionArrived,
    TimerFired,
    WrapUpEnded,
)
from hotline.core.facts import AgentStateChanged, Fact, InteractionStateChanged
from hotline.core.interaction_fsm import InteractionState
from hotline.core.model import Agent, Queue, Tenant


def agent(agent_id: str, skills: dict[str, int] | None = None, *,
          wrap_up: float | None = 0.0) -> Agent:
    """An agent with the given skill levels and (by default) no after-call work."""
    return Agent(agent_id, skills=skills or {}, wrap_up=wrap_up)


def tenant(queues: Iterable[Queue], agents: Iterable[Agent], **rules: object) -> Tenant:
    """A tenant whose default queue is its first queue unless `rules` says otherwise."""
    queues = tuple(queues)
    rules.setdefault("default_queue", queues[0].name if queues else None)
    return Tenant("acme", queues=queues, agents=tuple(agents), **rules)  # type: ignore[arg-type]


def one_queue(*agent_ids: str, wrap_up: float | None = 0.0, **queue_settings: object) -> Tenant:
    """A tenant with queue `q` (settings as given) served by agents with no skills needed."""
    return tenant(
        [Queue("q", **queue_settings)],  # type: ignore[arg-type]
        [agent(a, wrap_up=wrap_up) for a in agent_ids],
    )


class Switch:
    """Applies events to a server in virtual time and records everything that comes out."""

    def __init__(self, tenant: Tenant, *, seed: int = 0, start: float = 0.0) -> None:
        self.server = InteractionServer(tenant, seed=seed)
        self.now = start
        self.commands: list[Command] = []
        self.facts: list[Fact] = []

    # -- time and events --------------------------------------------------------------------

    def advance(self, to: float) -> list[Command]:
        """Move the clock to `to`, firing every timer that falls due on the way at its deadline."""
        assert to >= self.now, f"time runs forward: {to} < {self.now}"
        out: list[Command] = []
        while (deadline := self.server.next_timer()) is not None and deadline <= to:
            assert deadline >= self.now, f"server asked for a timer in the past: {deadline}"
            out += self._apply(TimerFired(), deadline)
        self.now = to
        return out

    def send(self, event: Event, at: float | None = None) -> list[Command]:
        """Apply `event` at `at` (default: now) after firing the timers due before it;
        returns the commands for the event itself."""
        self.advance(self.now if at is None else at)
        return self._apply(event, self.now)

    def _apply(self, event: Event, now: float) -> list[Command]:
        self.now = now
        out = self.server.handle(event, now)
        self.commands += out
        self.facts += self.server.drain_facts()
        return out

    # -- the usual moves --------------------------------------------------------------------

    def login(self, *agent_ids: str, ready: bool = True, at: float | None = None,
              queues: tuple[str, ...] | None = None) -> None:
        for agent_id in agent_ids:
            self.send(AgentLoggedIn(agent_id, queues), at)
            if ready:
                self.send(AgentReady(agent_id))

    def arrive(self, interaction_id: str, at: float | None = None,
               **details: object) -> list[Command]:
        return self.send(InteractionArrived(interaction_id, **details), at)  # type: ignore[arg-type]

    def ready(self, agent_id: str, at: float | None = None) -> list[Command]:
        return self.send(AgentReady(agent_id), at)

    def not_ready(self, agent_id: str, reason: str = "break",
                  at: float | None = None) -> list[Command]:
        return self.send(AgentNotReady(agent_id, reason), at)

    def answer(self, agent_id: str, at: float | None = None) -> str:
        """The agent answers whatever is ringing for them; returns its id."""
        interaction_id = self.offered_to(agent_id)
        assert interaction_id is not None, f"nothing is ringing for {agent_id}"
        self.send(AgentAnswered(interaction_id, agent_id), at)
        return interaction_id

    def decline(self, agent_id: str, at: float | None = None) -> list[Command]:
        interaction_id = self.offered_to(agent_id)
        assert interaction_id is not None, f"nothing is ringing for {agent_id}"
        return self.send(AgentDeclined(interaction_id, agent_id), at)

    def agent_hangs_up(self, agent_id: str, at: float | None = None) -> list[Command]:
        interaction_id = self.server.agent_interaction(agent_id)
        assert interaction_id is not None, f"{agent_id} is not on a call"
        return self.send(AgentHungUp(interaction_id, agent_id), at)

    def customer_hangs_up(self, interaction_id: str, at: float | None = None) -> list[Command]:
        return self.send(CustomerHungUp(interaction_id), at)

    def end_wrap_up(self, agent_id: str, at: float | None = None) -> list[Command]:
        return self.send(WrapUpEnded(agent_id), at)

    def serve(self, agent_id: str, answer_at: float | None = None,
              hang_up_at: float | None = None) -> str:
        """The agent answers what rings for them and later hangs up; returns its id."""
        interaction_id = self.answer(agent_id, answer_at)
        self.agent_hangs_up(agent_id, hang_up_at)
        return interaction_id

    # -- what happened ----------------------------------------------------------------------

    def state(self, agent_id: str) -> AgentState:
        return self.server.agent_state(agent_id)

    def offered_to(self, agent_id: str) -> str | None:
        """The interaction ringing for `agent_id`, or None."""
        if self.server.agent_state(agent_id) is not AgentState.RESERVED:
            return None
        return self.server.agent_interaction(agent_id)

    def interaction_moves(self, interaction_id: str) -> list[InteractionStateChanged]:
        return [f for f in self.facts
                if isinstance(f, InteractionStateChanged) and f.interaction_id == interaction_id]

    def path(self, interaction_id: str) -> list[str]:
        """The states the interaction went through, e.g. ['delivered', 'routing', ...]."""
        moves = self.interaction_moves(interaction_id)
        return [moves[0].old.value, *(m.new.value for m in moves)] if moves else []

    def agent_moves(self, agent_id: str) -> list[AgentStateChanged]:
        return [f for f in self.facts
                if isinstance(f, AgentStateChanged) and f.agent_id == agent_id]

    def last_agent_move(self, agent_id: str) -> AgentStateChanged:
        return self.agent_moves(agent_id)[-1]

    def outcome(self, interaction_id: str) -> tuple[InteractionState, str]:
        """The interaction's latest state and the reason recorded for it."""
        last = self.interaction_moves(interaction_id)[-1]
        return last.new, last.reason
