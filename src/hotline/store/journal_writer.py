"""Group commit: facts submitted from any thread, written by one thread, in batches.

`JournalWriter.submit(tenant, facts)` returns at once with a `concurrent.futures.Future`; the
writer's thread takes everything submitted while it was busy with the previous transaction,
writes it in one transaction (`Journal.write_many`) and then resolves each future with the seq
of its own last fact. A future is done only after the commit, so whoever awaits it (the
runtime, before acknowledging an API command: `await asyncio.wrap_future(future)`) knows the
facts are durable. The busier the journal, the bigger the batches and the cheaper each fact.

When a transaction fails, the writer tries each submission of the group on its own, so one bad
submission fails only its own future; when the database itself fails, every future of the
group gets the error, and none of their facts was written.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Sequence
from concurrent.futures import Future
from typing import TYPE_CHECKING

from hotline.core.facts import Fact

if TYPE_CHECKING:
    from hotline.store.journal import Journal

log = logging.getLogger("hotline.journal")

_Submission = tuple[str, Sequence[Fact], "Future[int]"]


class JournalWriter:
    """Writes submitted facts through `journal` on a thread of its own, a group at a time.

    A group holds at most `max_batch` facts (more only when a single submission is bigger).
    `close()` writes everything already submitted and stops the thread; use the writer as a
    context manager to have it closed.
    """

    def __init__(self, journal: Journal, *, max_batch: int = 10_000) -> None:
        if max_batch < 1:
            raise ValueError(f"max_batch must be at least 1, not {max_batch}")
        self.journal = journal
        self.max_batch = max_batch
        self._pending: list[_Submission] = []
        self._condition = threading.Condition()
        self._closing = False
        self._last_seq = 0
        self._thread = threading.Thread(target=self._run, name="hotline-journal", daemon=True)
        self._thread.start()

    def submit(self, tenant: str, facts: Sequence[Fact]) -> Future[int]:
        """Queue `facts` (oldest first) of `tenant` for writing. The future resolves with the
        seq of the last of them once they are committed — or, with no facts, with the last seq
        committed so far, once everything submitted before is — or fails with the error that
        kept them from being written."""
        future: Future[int] = Future()
        with self._condition:
            if self._closing:
                raise RuntimeError("the journal writer is closed")
            self._pending.append((tenant, tuple(facts), future))
            self._condition.notify()
        return future

    def close(self, timeout: float | None = None) -> None:
        """Write everything submitted so far, then stop the writer's thread."""
        with self._condition:
            self._closing = True
            self._condition.notify()
        self._thread.join(timeout)

    def __enter__(self) -> JournalWriter:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    # -- the writer's thread ------------------------------------------------------------------

    def _run(self) -> None:
        while True:
            with self._condition:
                while not self._pending and not self._closing:
                    self._condition.wait()
                if not self._pending:
                    return
                group = self._take()
            self._write(group)

    def _take(self) -> list[_Submission]:
        """The oldest submissions, up to `max_batch` facts (at least one submission)."""
        count = 0
        taken = 0
        for _, facts, _ in self._pending:
            if taken and count + len(facts) > self.max_batch:
                break
            count += len(facts)
            taken += 1
        group, self._pending = self._pending[:taken], self._pending[taken:]
        return group

    def _write(self, group: list[_Submission]) -> None:
        live = [s for s in group if s[2].set_running_or_notify_cancel()]
        try:
            seqs = self.journal.write_many([(tenant, facts) for tenant, facts, _ in live])
        except BaseException as error:
            if len(live) == 1:
                log.error("journal write failed: %r", error)
                live[0][2].set_exception(error)
                return
            log.warning("journal group of %d failed (%r); writing its parts alone",
                        len(live), error)
            for submission in live:
                self._write_alone(submission)
            return
        for (_, facts, future), seq in zip(live, seqs, strict=True):
            if facts:
                self._last_seq = max(self._last_seq, seq)
            future.set_result(seq if facts else self._last_seq)

    def _write_alone(self, submission: _Submission) -> None:
        tenant, facts, future = submission
        try:
            seq = self.journal.write(tenant, facts)
        except BaseException as error:
            log.error("journal write of %d facts for %r failed: %r", len(facts), tenant, error)
            future.set_exception(error)
            return
        if facts:
            self._last_seq = max(self._last_seq, seq)
        future.set_result(seq if facts else self._last_seq)
