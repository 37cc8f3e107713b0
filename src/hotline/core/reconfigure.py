"""Taking a changed configuration into a running interaction server, without a restart.

New queues and agents join (agents logged out); changed ones take their new settings for what
happens from now on (a queue's new strategy ranks its ready agents afresh; an agent's new
skills count from their next log-in; waits and rings under way keep the limits they started
with). A queue may go only while no interaction is in it, an agent only while logged out.
"""

from __future__ import annotations

import random

from hotline.core.errors import CoreError
from hotline.core.live import LiveAgent, LiveQueue
from hotline.core.model import Tenant
from hotline.core.selection import pool_for
from hotline.core.server_views import A, ServerViews
from hotline.core.tenant_check import check_tenant
from hotline.core.waiting import WaitingLine


class Reconfiguration(ServerViews):
    """`reconfigure` for the interaction server."""

    _rng: random.Random
    _next_index: int
    _queue_names: frozenset[str]

    def reconfigure(self, tenant: Tenant) -> None:
        """Take a changed configuration of the same tenant, without a restart.

        New queues and agents join (agents logged out); changed ones take their new settings
        for what happens from now on (a queue's new strategy ranks its ready agents afresh; an
        agent's new skills count from their next log-in; waits and rings under way keep the
        limits they started with). A queue may go only while no interaction is in it, an agent
        only while logged out: otherwise `CoreError` says which, and nothing changes.
        """
        check_tenant(tenant)
        if tenant.name != self.tenant.name:
            raise CoreError(f"server of tenant {self.tenant.name!r} cannot take the "
                            f"configuration of tenant {tenant.name!r}")
        queues = {q.name: q for q in tenant.queues}
        agents = {a.id: a for a in tenant.agents}
        gone_queues = [name for name in self._queues if name not in queues]
        busy = sorted({ix.queue.name for ix in self._interactions.values()
                       if ix.queue is not None and ix.queue.name in gone_queues})
        if busy:
            raise CoreError(f"queue {busy[0]!r} cannot be removed while interactions are in it")
        present = sorted(a.id for a in self._agents.values()
                         if a.id not in agents and a.state is not A.LOGGED_OUT)
        if present:
            raise CoreError(f"agent {present[0]!r} cannot be removed while logged in")
        # Checks done; from here on nothing can fail.
        for name in gone_queues:
            q = self._queues.pop(name)
            for agent in self._agents.values():
                if q in agent.serving:
                    agent.serving.remove(q)
        for queue_config in tenant.queues:
            live = self._queues.get(queue_config.name)
            if live is None:
                self._queues[queue_config.name] = LiveQueue(queue_config, WaitingLine(),
                                                            pool_for(queue_config, self._rng))
                continue
            old, live.config = live.config, queue_config
            if queue_config.strategy is not old.strategy:
                live.pool = pool_for(queue_config, self._rng)
                for agent in self._agents.values():
                    if agent.state is A.READY and live in agent.serving:
                        live.pool.add(agent)
        for agent_id in [a for a in self._agents if a not in agents]:
            del self._agents[agent_id]
        for config in tenant.agents:
            live_agent = self._agents.get(config.id)
            if live_agent is None:
                # A fresh index: the pools key agents by it, and may still hold stale entries
                # of a removed agent.
                self._agents[config.id] = LiveAgent(config, self._next_index)
                self._next_index += 1
            else:
                live_agent.config = config
        self._queue_names = frozenset(self._queues)
        self.tenant = tenant
