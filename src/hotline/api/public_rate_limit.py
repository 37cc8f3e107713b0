"""Keeping floods off the public forms: so many requests per source address, and per tenant.

Anyone on the internet may file a request through a tenant's public form, so the form must
not become a way to bury the agents under tickets. Each source address may send `per_source`
requests within `source_window` seconds, and each tenant takes at most `per_tenant` within
`tenant_window` (a ceiling on what many addresses together can do). Both are sliding
windows: a request is admitted when fewer than the limit were admitted in the window before
it, and a refused request is not counted, so a client that waits the `Retry-After` it is given
gets through. The record is in memory, per process, like `LoginThrottle`'s; the clock is
injected so that tests run in virtual time.

The application keeps one on `app.state.public_rate_limit`; `rate_limit_of(app_state)`
creates a default one there on first use, so the application needs no setup for it and a test
may put one on a virtual clock there first.
"""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable

from starlette.datastructures import State


class PublicRateLimit:
    """Counts admitted requests per source and per tenant; says when to refuse."""

    MAX_KEYS = 100_000
    """Beyond this many tracked sources (or tenants), forget those with nothing recent."""

    def __init__(
        self,
        *,
        clock: Callable[[], float] = time.monotonic,
        per_source: int = 5,
        source_window: float = 600.0,
        per_tenant: int = 300,
        tenant_window: float = 3600.0,
    ) -> None:
        self.clock = clock
        self.per_source = per_source
        self.source_window = source_window
        self.per_tenant = per_tenant
        self.tenant_window = tenant_window
        self._sources: dict[str, deque[float]] = {}
        self._tenants: dict[str, deque[float]] = {}

    def admit(self, source: str, tenant: str) -> float | None:
        """Count a request from `source` to `tenant`'s form and return None, or, when either
        limit is reached, count nothing and return the seconds until it may be tried again."""
        now = self.clock()
        by_source = self._recent(self._sources, source, now - self.source_window)
        by_tenant = self._recent(self._tenants, tenant, now - self.tenant_window)
        waits = []
        if len(by_source) >= self.per_source:
            waits.append(by_source[-self.per_source] + self.source_window - now)
        if len(by_tenant) >= self.per_tenant:
            waits.append(by_tenant[-self.per_tenant] + self.tenant_window - now)
        if waits:
            return max(waits)
        self._remember(self._sources, source, by_source, now, self.source_window)
        self._remember(self._tenants, tenant, by_tenant, now, self.tenant_window)
        return None

    @staticmethod
    def _recent(table: dict[str, deque[float]], key: str, horizon: float) -> deque[float]:
        times = table.get(key)
        if times is None:
            return deque()
        while times and times[0] <= horizon:
            times.popleft()
        return times

    def _remember(self, table: dict[str, deque[float]], key: str, times: deque[float],
                  now: float, window: float) -> None:
        if key not in table:
            if len(table) >= self.MAX_KEYS:
                self._forget_idle(table, now - window)
            table[key] = times
        times.append(now)

    @staticmethod
    def _forget_idle(table: dict[str, deque[float]], horizon: float) -> None:
        for key in [key for key, times in table.items() if not times or times[-1] <= horizon]:
            del table[key]


def rate_limit_of(state: State) -> PublicRateLimit:
    """The application's rate limit for public forms, created with the defaults on first
    use."""
    limit: PublicRateLimit | None = getattr(state, "public_rate_limit", None)
    if limit is None:
        limit = PublicRateLimit()
        state.public_rate_limit = limit
    return limit
