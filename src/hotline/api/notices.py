"""Notices for people, delivered on their CTI WebSocket: the way a change made in one place
(a ticket dispatched through the REST API, a reminder from the sweep) reaches whoever has
to hear of it at once.

A CTI connection subscribes under its tenant and user name with a function that queues a
message on its own event loop. `publish` may be called from any thread (the REST handlers
run in a thread pool): it hands each message to the subscriber's loop with
`call_soon_threadsafe` and never waits. A user with no connection open misses the push and
sees the change the next time their page reads the list; nothing is queued for them.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

Deliver = Callable[[dict[str, Any]], None]


@dataclass(frozen=True, eq=False)
class _Subscriber:
    deliver: Deliver
    loop: asyncio.AbstractEventLoop


class NoticeHub:
    """Who listens for notices, by (tenant id, user name)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._subscribers: dict[tuple[int, str], list[_Subscriber]] = {}

    def subscribe(self, tenant_id: int, username: str, deliver: Deliver) -> Callable[[], None]:
        """Call `deliver(message)` on the running loop for each notice to this user; returns
        the function that stops it. Call from inside the subscriber's loop."""
        key = (tenant_id, username)
        subscriber = _Subscriber(deliver, asyncio.get_running_loop())
        with self._lock:
            self._subscribers.setdefault(key, []).append(subscriber)

        def stop() -> None:
            with self._lock:
                listening = self._subscribers.get(key, [])
                if subscriber in listening:
                    listening.remove(subscriber)
                if not listening:
                    self._subscribers.pop(key, None)
        return stop

    def publish(self, tenant_id: int, usernames: Iterable[str], message: dict[str, Any]) -> int:
        """Send `message` to every open connection of these users; how many there were."""
        with self._lock:
            targets = [subscriber for name in usernames
                       for subscriber in self._subscribers.get((tenant_id, name), ())]
        sent = 0
        for subscriber in targets:
            try:
                subscriber.loop.call_soon_threadsafe(subscriber.deliver, message)
                sent += 1
            except RuntimeError:  # that loop has closed: its connection is gone
                continue
        return sent
