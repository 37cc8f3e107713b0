"""The interaction server's read-only side: what wall boards, the CTI and tests may ask.

`ServerViews` holds the server's live records (filled in by `InteractionServer`) and answers
questions about them without changing anything: states, who waits where, an agent's status,
a screen pop's caller data.
"""

from __future__ import annotations

from hotline.core.agent_fsm import AgentState
from hotline.core.errors import CoreError, UnknownAgent, UnknownInteraction
from hotline.core.interaction_fsm import InteractionState
from hotline.core.live import LiveAgent, LiveInteraction, LiveQueue
from hotline.core.model import Tenant
from hotline.core.views import AgentStatus, InteractionDetails, QueueStatus

A = AgentState
I = InteractionState  # noqa: E741


class ServerViews:
    """Read-only questions about a server's agents, queues and interactions."""

    tenant: Tenant
    _queues: dict[str, LiveQueue]
    _agents: dict[str, LiveAgent]
    _interactions: dict[str, LiveInteraction]

    def agent_state(self, agent_id: str) -> AgentState:
        return self._agent(agent_id).state

    def agent_interaction(self, agent_id: str) -> str | None:
        ix = self._agent(agent_id).interaction
        return ix.id if ix is not None else None

    def interaction_state(self, interaction_id: str) -> InteractionState | None:
        """The state of an interaction in progress; None once completed (or never seen)."""
        ix = self._interactions.get(interaction_id)
        return ix.state if ix is not None else None

    def waiting(self, queue: str) -> list[str]:
        """Interactions waiting in `queue` (in its line or held for a sticky agent), by place."""
        q = self._queues.get(queue)
        if q is None:
            raise CoreError(f"tenant {self.tenant.name!r} has no queue {queue!r}")
        members = [ix for ix in self._interactions.values()
                   if ix.queue is q and ix.state is I.QUEUED]
        members.sort(key=lambda ix: (-ix.priority, ix.waiting_since, ix.order))
        return [ix.id for ix in members]

    def agent_status(self, agent_id: str) -> AgentStatus:
        """What a wall board shows of an agent: state, reason, since when, on what."""
        agent = self._agent(agent_id)
        ix = agent.interaction
        return AgentStatus(agent.id, agent.state, agent.reason, agent.since,
                           ix.id if ix is not None else None,
                           tuple(q.name for q in agent.serving), agent.calls_handled)

    def queue_status(self, queue: str) -> QueueStatus:
        """What a wall board shows of a queue now: how many wait, since when the longest."""
        if queue not in self._queues:
            raise CoreError(f"tenant {self.tenant.name!r} has no queue {queue!r}")
        return next(status for status in self.queue_statuses() if status.queue == queue)

    def queue_statuses(self) -> list[QueueStatus]:
        """`queue_status` of every queue, in configuration order, from one pass over the
        interactions in progress."""
        waiting = dict.fromkeys(self._queues, 0)
        oldest: dict[str, float] = {}
        for ix in self._interactions.values():
            q = ix.queue
            if q is not None and ix.state is I.QUEUED:
                waiting[q.name] += 1
                since = ix.waiting_since
                if since is not None and since < oldest.get(q.name, since + 1):
                    oldest[q.name] = since
        ready = dict.fromkeys(self._queues, 0)
        for agent in self._agents.values():
            if agent.state is A.READY:
                for q in agent.serving:
                    ready[q.name] += 1
        return [QueueStatus(name, waiting[name], oldest.get(name), ready[name])
                for name in self._queues]

    def interaction_details(self, interaction_id: str) -> InteractionDetails | None:
        """Caller data of an interaction in progress (for a screen pop), or None."""
        ix = self._interactions.get(interaction_id)
        if ix is None:
            return None
        return InteractionDetails(ix.id, ix.state, ix.channel, ix.ani, ix.dnis,
                                  dict(ix.attributes),
                                  ix.queue.name if ix.queue is not None else None,
                                  ix.agent.id if ix.agent is not None else None,
                                  ix.waiting_since, ix.priority, ix.direction, ix.parent)

    def queue_names(self) -> list[str]:
        return list(self._queues)

    def active_interactions(self) -> list[str]:
        return list(self._interactions)

    def agent_ids(self) -> list[str]:
        return list(self._agents)

    # -- lookups --------------------------------------------------------------------------------

    def _agent(self, agent_id: str) -> LiveAgent:
        agent = self._agents.get(agent_id)
        if agent is None:
            raise UnknownAgent(f"tenant {self.tenant.name!r} has no agent {agent_id!r}")
        return agent

    def _interaction(self, interaction_id: str) -> LiveInteraction:
        ix = self._interactions.get(interaction_id)
        if ix is None:
            raise UnknownInteraction(f"no interaction {interaction_id!r} is in progress")
        return ix
