"""The server's moving parts: each agent's and interaction's current state, and each queue's
waiting line and ready agents. Plain mutable records; the server alone changes them."""

from __future__ import annotations

from collections import deque
from collections.abc import Mapping
from types import MappingProxyType
from typing import TYPE_CHECKING

from hotline.core.agent_fsm import AgentState
from hotline.core.errors import CoreError
from hotline.core.interaction_fsm import InteractionState
from hotline.core.model import Agent, Channel, Queue

if TYPE_CHECKING:
    from hotline.core.selection import ReadyPool
    from hotline.core.timers import Timer
    from hotline.core.waiting import WaitingLine


_NO_SKILLS: Mapping[str, int] = MappingProxyType({})


def eligible(agent: LiveAgent, ix: LiveInteraction) -> bool:
    """True when `agent` has every skill `ix` needs beyond its queue's, at its level."""
    skills = agent.config.skills
    return all(skills.get(skill, 0) >= level for skill, level in ix.skills.items())


def check_skills(interaction_id: str, skills: Mapping[str, int]) -> None:
    """Refuse skill requirements that are not levels 1 to 10."""
    for skill, level in skills.items():
        if not isinstance(level, int) or isinstance(level, bool) or not 1 <= level <= 10:
            raise CoreError(f"interaction {interaction_id!r} needs skill {skill!r} at level "
                            f"{level!r}: a level is a whole number from 1 to 10")


class LiveAgent:
    """An agent as the ACD sees them now."""

    __slots__ = (
        "calls_handled",
        "config",
        "id",
        "index",
        "interaction",
        "last_hangup",
        "pending_not_ready",
        "ready_epoch",
        "ready_since",
        "reason",
        "serving",
        "since",
        "state",
        "sticky",
        "wrap_timer",
    )

    def __init__(self, config: Agent, index: int) -> None:
        self.config = config
        self.id = config.id
        self.index = index
        self.state = AgentState.LOGGED_OUT
        self.reason = ""
        self.since = 0.0
        self.serving: list[LiveQueue] = []
        self.interaction: LiveInteraction | None = None
        self.ready_since = 0.0
        self.ready_epoch = 0
        self.last_hangup = 0.0
        self.calls_handled = 0
        self.pending_not_ready: str | None = None
        self.wrap_timer: Timer | None = None
        self.sticky: deque[LiveInteraction] = deque()


class LiveInteraction:
    """An interaction in progress; forgotten by the server once completed."""

    __slots__ = (
        "agent",
        "ani",
        "attributes",
        "channel",
        "consult",
        "consulting",
        "direction",
        "dnis",
        "guests",
        "id",
        "leg",
        "line_token",
        "monitors",
        "order",
        "parent",
        "priority",
        "queue",
        "queued_since",
        "ring_timer",
        "root",
        "skills",
        "state",
        "sticky_agent",
        "sticky_timer",
        "wait_timers",
        "waiting_since",
    )

    def __init__(
        self,
        interaction_id: str,
        order: int,
        channel: Channel,
        ani: str,
        dnis: str,
        attributes: Mapping[str, str],
    ) -> None:
        self.id = interaction_id
        self.order = order
        self.channel = channel
        self.ani = ani
        self.dnis = dnis
        self.attributes = attributes
        self.state = InteractionState.DELIVERED
        self.priority = 0
        self.queue: LiveQueue | None = None
        self.queued_since = 0.0
        self.waiting_since: float | None = None
        self.agent: LiveAgent | None = None
        self.line_token = 0
        self.ring_timer: Timer | None = None
        self.wait_timers: list[Timer] = []
        self.sticky_agent: LiveAgent | None = None
        self.sticky_timer: Timer | None = None
        # Legs after transfers: ids are `root.leg` (the first leg keeps the caller's id).
        self.root = interaction_id
        self.leg = 1
        self.parent: str | None = None
        self.direction = "inbound"
        # Skills this interaction needs beyond its queue's (from the IVR: a language, say).
        self.skills: Mapping[str, int] = _NO_SKILLS
        self.monitors: dict[str, str] | None = None  # supervisor -> mode, while monitored
        # Consultation: on a customer's interaction, the consultation call in progress; on a
        # consultation call, the customer's interaction it is about. In a conference, the
        # agents on the customer's call besides `agent`.
        self.consult: LiveInteraction | None = None
        self.consulting: LiveInteraction | None = None
        self.guests: list[LiveAgent] = []


class LiveQueue:
    """A queue's waiting line and the pool of its ready agents."""

    __slots__ = ("config", "line", "name", "pool")

    def __init__(self, config: Queue, line: WaitingLine, pool: ReadyPool) -> None:
        self.config = config
        self.name = config.name
        self.line = line
        self.pool = pool
