"""A queue's waiting line: highest priority first, then longest waiting (R6, R8).

A heap keyed by (-priority, waiting since, arrival order). An interaction that leaves the line
(answered elsewhere, abandoned, overflowed) is invalidated by bumping its `line_token` rather
than searched for; stale entries are skipped at the top and swept out when they outnumber the
live ones. An interaction put back after ring-no-answer keeps its key, so it regains its place.
"""

from __future__ import annotations

import heapq
from collections.abc import Callable

from hotline.core.live import LiveInteraction

_Entry = tuple[int, float, int, int, LiveInteraction]


class WaitingLine:
    __slots__ = ("_heap", "_size")

    def __init__(self) -> None:
        self._heap: list[_Entry] = []
        self._size = 0

    def __len__(self) -> int:
        return self._size

    def push(self, ix: LiveInteraction) -> None:
        assert ix.waiting_since is not None
        ix.line_token += 1
        heapq.heappush(self._heap, (-ix.priority, ix.waiting_since, ix.order, ix.line_token, ix))
        self._size += 1

    def remove(self, ix: LiveInteraction) -> None:
        """Take `ix` out of the line (it must be in it)."""
        ix.line_token += 1
        self._size -= 1
        if len(self._heap) > 2 * self._size + 64:
            self._heap = [e for e in self._heap if e[3] == e[4].line_token]
            heapq.heapify(self._heap)

    def peek(self) -> LiveInteraction | None:
        heap = self._heap
        while heap:
            entry = heap[0]
            if entry[3] == entry[4].line_token:
                return entry[4]
            heapq.heappop(heap)
        return None

    def first_where(self, wanted: Callable[[LiveInteraction], bool]) -> LiveInteraction | None:
        """The first interaction in line order that `wanted` accepts (left in the line)."""
        heap = self._heap
        passed: list[_Entry] = []
        found = None
        while heap:
            entry = heapq.heappop(heap)
            if entry[3] != entry[4].line_token:
                continue  # stale: dropped for good
            passed.append(entry)
            if wanted(entry[4]):
                found = entry[4]
                break
        for entry in passed:
            heapq.heappush(heap, entry)
        return found

    def pop(self) -> LiveInteraction | None:
        ix = self.peek()
        if ix is not None:
            heapq.heappop(self._heap)
            ix.line_token += 1
            self._size -= 1
        return ix

    def members(self) -> list[LiveInteraction]:
        """The interactions waiting, in no particular order (for live figures)."""
        return [e[4] for e in self._heap if e[3] == e[4].line_token]
