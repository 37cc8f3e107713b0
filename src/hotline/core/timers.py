"""Deadlines the server must act on: ring-no-answer, wrap-up, overflow, maximum wait, sticky.

A binary heap ordered by deadline. Cancelling marks the entry dead rather than searching the
heap for it (lazy deletion); dead entries are dropped when they reach the top, so both
scheduling and cancelling cost O(log n).
"""

from __future__ import annotations

import heapq
from enum import Enum
from typing import Any


class TimerKind(Enum):
    RING_NO_ANSWER = 1
    WRAP_UP = 2
    OVERFLOW = 3
    MAX_WAIT = 4
    STICKY = 5


class Timer:
    """One scheduled deadline; `alive` turns False when it is cancelled or has fired."""

    __slots__ = ("alive", "at", "kind", "subject")

    def __init__(self, at: float, kind: TimerKind, subject: Any) -> None:
        self.at = at
        self.kind = kind
        self.subject = subject
        self.alive = True


class TimerQueue:
    """The server's pending deadlines."""

    __slots__ = ("_heap", "_seq")

    def __init__(self) -> None:
        self._heap: list[tuple[float, int, Timer]] = []
        self._seq = 0

    def schedule(self, at: float, kind: TimerKind, subject: Any) -> Timer:
        timer = Timer(at, kind, subject)
        self._seq += 1
        heapq.heappush(self._heap, (at, self._seq, timer))
        return timer

    @staticmethod
    def cancel(timer: Timer | None) -> None:
        if timer is not None:
            timer.alive = False

    def next_deadline(self) -> float | None:
        heap = self._heap
        while heap and not heap[0][2].alive:
            heapq.heappop(heap)
        return heap[0][0] if heap else None

    def pop_due(self, now: float) -> Timer | None:
        """The earliest live timer due at or before `now`, marked fired, or None."""
        heap = self._heap
        while heap:
            at, _, timer = heap[0]
            if not timer.alive:
                heapq.heappop(heap)
                continue
            if at > now:
                return None
            heapq.heappop(heap)
            timer.alive = False
            return timer
        return None

    def __len__(self) -> int:
        return sum(1 for _, _, timer in self._heap if timer.alive)
