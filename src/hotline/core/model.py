"""The contact center's configuration: tenants, agents, teams, skills, queues, routing.

These records are immutable descriptions set by an administrator (or a scenario file); the
server's moving parts (who is ready, who waits where) live in the server and its state
machines. Durations are seconds; times of day are seconds after local midnight.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from types import MappingProxyType

from hotline.core.hours import BusinessHours


class Channel(StrEnum):
    """How the customer reached the center."""

    VOICE = "voice"
    EMAIL = "email"
    CHAT = "chat"
    CALLBACK = "callback"


class AgentType(StrEnum):
    """The seed's agent types (R1)."""

    STANDARD = "standard"
    EXPERT = "expert"
    SUPERVISOR = "supervisor"


class Strategy(StrEnum):
    """How a queue chooses among its ready agents (R5)."""

    LONGEST_IDLE = "longest_idle"
    FEWEST_CALLS = "fewest_calls"
    FEWEST_CALLS_THEN_LONGEST_SINCE_HANGUP = "fewest_calls_then_longest_since_hangup"
    HIGHEST_SKILL = "highest_skill"
    ROUND_ROBIN = "round_robin"
    RANDOM = "random"


DEFAULT_STRATEGY = Strategy.FEWEST_CALLS_THEN_LONGEST_SINCE_HANGUP
"""The seed's default (seed 000): fewest calls handled, then longest since the last hang-up."""


@dataclass(frozen=True, slots=True)
class ServiceLevelGoal:
    """Answer `target` (a fraction) of offered calls within `threshold` seconds."""

    threshold: float = 20.0
    target: float = 0.8


@dataclass(frozen=True, slots=True)
class Overflow:
    """After waiting `after` seconds in a queue, an interaction moves to queue `to`."""

    after: float
    to: str


@dataclass(frozen=True, slots=True)
class Queue:
    """A queue (skill group / campaign entry) that interactions wait in.

    An agent serves the queue when they hold every skill in `skills` at least at its level.
    `priority` ranks queues when an agent who serves several becomes ready (higher first).
    """

    name: str
    skills: Mapping[str, int] = field(default_factory=lambda: MappingProxyType({}))
    priority: int = 0
    strategy: Strategy = DEFAULT_STRATEGY
    service_level: ServiceLevelGoal = ServiceLevelGoal()
    max_wait: float | None = None
    overflow: Overflow | None = None
    ring_timeout: float = 20.0


@dataclass(frozen=True, slots=True)
class Team:
    """A team of agents (4–10 in the seed) led by a supervisor."""

    name: str
    supervisor: str | None = None


@dataclass(frozen=True, slots=True)
class Agent:
    """An agent's configuration. `wrap_up` is timed after-call work in seconds, or None for
    wrap-up that lasts until the agent ends it."""

    id: str
    name: str = ""
    type: AgentType = AgentType.STANDARD
    skills: Mapping[str, int] = field(default_factory=lambda: MappingProxyType({}))
    team: str | None = None
    wrap_up: float | None = 0.0

    def serves(self, queue: Queue) -> bool:
        """True when the agent's skills meet every minimum level the queue requires."""
        return all(self.skills.get(skill, 0) >= level for skill, level in queue.skills.items())

    def skill_level_for(self, queue: Queue) -> int:
        """The agent's combined level in the queue's skills (highest-skill selection)."""
        return sum(self.skills.get(skill, 0) for skill in queue.skills)


@dataclass(frozen=True, slots=True)
class Tenant:
    """One organisation's contact center: its people, queues and routing rules (R4–R7, R10).

    `timezone` (IANA) is where the tenant's days begin and end, for reports and wall boards.

    Routing, in order: the ANI blacklist rejects with busy; the arrival's own `queue`, else the
    DNIS route, else `default_queue` picks a queue; outside business hours the interaction goes
    to `after_hours_queue` (duty agents) or is rejected as closed. Callers on `vip_numbers` or
    with attribute `tier=vip` get `vip_priority` added. With `sticky_wait` set, a caller's
    last agent gets the call if ready, or it is kept for them up to that many seconds; a caller
    is remembered for `sticky_memory` seconds after their last answered call.

    IVR: an arrival that names no queue first runs the flow its DNIS maps to in `dnis_flows`;
    a DNIS with a `dnis_routes` entry and no flow goes straight to its queue; any other arrival
    runs `default_flow` (none: straight to routing). Flows are run by the gateway.
    """

    name: str
    timezone: str = "UTC"
    queues: tuple[Queue, ...] = ()
    agents: tuple[Agent, ...] = ()
    teams: tuple[Team, ...] = ()
    not_ready_reasons: tuple[str, ...] = (
        "break", "lunch", "meeting", "training", "no_answer", "declined",
    )
    dnis_routes: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))
    default_queue: str | None = None
    blacklist: frozenset[str] = frozenset()
    vip_numbers: frozenset[str] = frozenset()
    vip_priority: int = 10
    business_hours: BusinessHours | None = None
    after_hours_queue: str | None = None
    sticky_wait: float | None = None
    sticky_memory: float = 7 * 86400.0
    dnis_flows: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))
    default_flow: str | None = None
