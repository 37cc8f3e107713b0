"""The wall board's figures (S1): today's queue figures from the facts, and the live state of
every queue and agent from the core.

Today's figures are a `KpiProjection` over the tenant's local day in 30-minute intervals,
started afresh at local midnight; the live part (who waits, since when, every agent's state and
time in state) is read from the interaction server at the moment the board is drawn.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from datetime import datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from hotline.analytics.kpi import KpiProjection
from hotline.core import InteractionServer
from hotline.core.facts import Fact
from hotline.core.model import Tenant

INTERVAL = 1800.0


class WallBoard:
    """Folds one tenant's facts into today's figures and draws the board on request."""

    def __init__(self, tenant: Tenant, now: float) -> None:
        self._configure(tenant)
        self._new_day(now)

    def _configure(self, tenant: Tenant) -> None:
        self.tenant = tenant
        self._zone = ZoneInfo(tenant.timezone)
        self._thresholds = {q.name: q.service_level.threshold for q in tenant.queues}
        self._serving = {a.id: [q.name for q in tenant.queues if a.serves(q)]
                         for a in tenant.agents}
        self._names = {a.id: a.name for a in tenant.agents}
        self._teams = {a.id: a.team for a in tenant.agents}

    def reconfigure(self, tenant: Tenant) -> None:
        """A changed configuration: new queues start counting today from now; today's figures
        so far are kept (a new time zone takes effect at the next local midnight)."""
        zone = self._zone
        self._configure(tenant)
        self._zone = zone
        self._today.reconfigure(self._thresholds, self._serving)

    def _new_day(self, now: float) -> None:
        local = datetime.fromtimestamp(now, self._zone)
        midnight = datetime.combine(local.date(), time(), self._zone)
        self._day_start = midnight.timestamp()
        self._day_end = (midnight + timedelta(days=1)).timestamp()
        intervals = round((self._day_end - self._day_start) / INTERVAL)  # 46–50 on DST days
        self._today = KpiProjection(self._day_start, INTERVAL, intervals, self._thresholds,
                                    self._serving)

    def feed(self, facts: Sequence[Fact]) -> None:
        if facts and facts[-1].at >= self._day_end:
            self._new_day(facts[-1].at)
        self._today.feed(facts)

    def snapshot(self, server: InteractionServer, now: float) -> dict[str, Any]:
        """The board as JSON-ready data."""
        if now >= self._day_end:
            self._new_day(now)
        report = self._today.report()
        queues = []
        for line in server.queue_statuses():
            name = line.queue
            today = report.queues[name]
            queues.append({
                "queue": name,
                "waiting": line.waiting,
                "longest_wait_seconds": (round(now - line.oldest_waiting_since, 1)
                                         if line.oldest_waiting_since is not None else 0.0),
                "ready_agents": line.ready_agents,
                "offered": today.offered,
                "answered": today.answered,
                "abandoned": today.abandoned,
                "service_level": today.service_level,
                "asa_seconds": today.asa_seconds,
            })
        agents = []
        per_team: dict[str | None, Counter[str]] = {}
        for agent_id in server.agent_ids():
            status = server.agent_status(agent_id)
            team = self._teams.get(agent_id)
            per_team.setdefault(team, Counter())[status.state.value] += 1
            agents.append({
                "agent_id": agent_id,
                "name": self._names.get(agent_id, ""),
                "team": team,
                "state": status.state.value,
                "reason": status.reason,
                "seconds_in_state": round(max(0.0, now - status.since), 1),
                "interaction": status.interaction_id,
                "calls_handled": status.calls_handled,
            })
        teams = [{"team": team, **dict(counts)} for team, counts in per_team.items()
                 if team is not None]
        totals = report.totals
        return {
            "tenant": self.tenant.name,
            "at": now,
            "totals": {
                "waiting": sum(q["waiting"] for q in queues),
                "offered": totals.offered,
                "answered": totals.answered,
                "abandoned": totals.abandoned,
                "service_level": totals.service_level,
                "asa_seconds": totals.asa_seconds,
                "self_service": totals.self_service,
                "abandoned_in_ivr": totals.abandoned_in_ivr,
            },
            "queues": queues,
            "teams": teams,
            "agents": agents,
        }
