"""The running process's reminders and escalations: `ticket_escalation.sweep` every
`period` seconds on the wall clock, its notices pushed to whoever is connected.

The sweep runs in a worker thread (it reads and writes the database) and commits before any
notice goes out, so that nobody is told of a reminder the database does not hold. A failed
sweep is logged and tried again at the next period; the process keeps serving.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from sqlalchemy.orm import Session, sessionmaker

from hotline.api.notices import NoticeHub
from hotline.api.tickets import TicketRead, deliver_ticket_notice
from hotline.store.ticket_escalation import sweep
from hotline.store.ticket_tables import TicketRow

log = logging.getLogger(__name__)

PERIOD = 30.0
REMIND_BEFORE = timedelta(minutes=30)


def _wall_clock() -> datetime:
    return datetime.now(UTC)


class TicketSweeper:
    """Reminds and escalates the tickets of every tenant while the process runs."""

    def __init__(self, sessions: sessionmaker[Session], hub: NoticeHub, *,
                 period: float = PERIOD, remind_before: timedelta = REMIND_BEFORE,
                 clock: Callable[[], datetime] = _wall_clock) -> None:
        self._sessions = sessions
        self._hub = hub
        self.period = period
        self.remind_before = remind_before
        self._clock = clock
        self._task: asyncio.Task[None] | None = None

    def sweep_once(self) -> int:
        """One sweep, committed, its notices delivered; how many notices."""
        with self._sessions.begin() as session:
            notices = sweep(session, self._clock(), self.remind_before)
            shown = [(told, TicketRead.model_validate(session.get(TicketRow, told.ticket_id)))
                     for told in notices]
        for told, ticket in shown:
            deliver_ticket_notice(self._hub, told, ticket)
        return len(shown)

    def start(self) -> None:
        """Sweep every `period` seconds from now on (call inside the running loop)."""
        self._task = asyncio.get_running_loop().create_task(self._run())

    async def stop(self) -> None:
        task, self._task = self._task, None
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task

    async def _run(self) -> None:
        while True:
            try:
                await asyncio.to_thread(self.sweep_once)
            except Exception:  # the database may be away for a while: try again later
                log.exception("ticket sweep failed")
            await asyncio.sleep(self.period)
