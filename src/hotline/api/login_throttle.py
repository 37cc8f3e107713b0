"""Slowing down and locking out password guessing, per source address.

Each source (the client's IP address) has the times of its recent failed logins. From the
`slow_after`-th failure on, every further attempt waits first — `base_delay`, doubling with each
failure, at most `max_delay` — and once `lock_after` failures fall within `window` seconds the
source is refused outright for `lock_for` seconds. A successful login clears the source's
record: many agents share one office address, and their typing mistakes must not add up to a
lock-out. The record is in memory, per process; the clock and the sleep are injected so that
tests run in virtual time.
"""

from __future__ import annotations

import asyncio
import time
from collections import deque
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field


@dataclass
class _Source:
    failures: deque[float] = field(default_factory=deque)
    locked_until: float = 0.0


class LoginThrottle:
    """Counts failed logins per source; says how long to wait and when to refuse."""

    MAX_SOURCES = 100_000
    """Beyond this many tracked sources, forget those with nothing recent (bounded memory)."""

    def __init__(
        self,
        *,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
        slow_after: int = 3,
        lock_after: int = 10,
        window: float = 900.0,
        lock_for: float = 300.0,
        base_delay: float = 0.5,
        max_delay: float = 5.0,
    ) -> None:
        self.clock = clock
        self.sleep = sleep
        self.slow_after = slow_after
        self.lock_after = lock_after
        self.window = window
        self.lock_for = lock_for
        self.base_delay = base_delay
        self.max_delay = max_delay
        self._sources: dict[str, _Source] = {}

    def _recent(self, source: str) -> _Source | None:
        record = self._sources.get(source)
        if record is None:
            return None
        horizon = self.clock() - self.window
        while record.failures and record.failures[0] <= horizon:
            record.failures.popleft()
        return record

    def retry_after(self, source: str) -> float | None:
        """Seconds until `source` may try again, or None if it is not locked out."""
        record = self._recent(source)
        if record is None:
            return None
        left = record.locked_until - self.clock()
        return left if left > 0 else None

    def delay(self, source: str) -> float:
        """How long the next attempt from `source` waits before its password is checked."""
        record = self._recent(source)
        failures = len(record.failures) if record else 0
        if failures < self.slow_after:
            return 0.0
        return min(self.max_delay, self.base_delay * 2.0 ** (failures - self.slow_after))

    async def wait(self, source: str) -> None:
        """Hold the attempt back by `delay(source)` seconds."""
        seconds = self.delay(source)
        if seconds > 0:
            await self.sleep(seconds)

    def failed(self, source: str) -> None:
        """Count a failed login from `source`, locking it out when there are too many."""
        if source not in self._sources and len(self._sources) >= self.MAX_SOURCES:
            self._forget_idle()
        record = self._recent(source) or self._sources.setdefault(source, _Source())
        now = self.clock()
        record.failures.append(now)
        if len(record.failures) >= self.lock_after:
            record.locked_until = now + self.lock_for
            record.failures.clear()

    def succeeded(self, source: str) -> None:
        """A login from `source` worked: forget its failures."""
        self._sources.pop(source, None)

    def _forget_idle(self) -> None:
        now = self.clock()
        for source in list(self._sources):
            record = self._recent(source)
            if record is not None and not record.failures and record.locked_until <= now:
                del self._sources[source]
