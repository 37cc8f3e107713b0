"""Read-only snapshots the server hands to wall boards, screen pops and tests."""

from __future__ import annotations

from dataclasses import dataclass

from hotline.core.agent_fsm import AgentState
from hotline.core.interaction_fsm import InteractionState
from hotline.core.model import Channel


@dataclass(frozen=True, slots=True)
class AgentStatus:
    agent_id: str
    state: AgentState
    reason: str
    since: float
    interaction_id: str | None
    queues: tuple[str, ...]
    calls_handled: int


@dataclass(frozen=True, slots=True)
class QueueStatus:
    queue: str
    waiting: int
    oldest_waiting_since: float | None
    ready_agents: int


@dataclass(frozen=True, slots=True)
class InteractionDetails:
    interaction_id: str
    state: InteractionState
    channel: Channel
    ani: str
    dnis: str
    attributes: dict[str, str]
    queue: str | None
    agent_id: str | None
    waiting_since: float | None
    priority: int
    direction: str = "inbound"
    parent: str | None = None
