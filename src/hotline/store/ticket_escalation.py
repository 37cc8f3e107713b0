"""Reminders before a ticket falls due and escalation when it has (C2 "催办").

`sweep` looks at every tenant's unfinished tickets at a time passed in (so that tests and
simulations run it on virtual time) and does each thing once per ticket: a ticket due within
`remind_before` that has not been reminded of is marked `reminded_at` and its holders are
told; a ticket past due that has not been escalated is marked `escalated_at` and its holders
and the supervisor answerable for it are told. Both are logged on the ticket as the system's
actions (`remind`, `escalate`) without changing its state. Reopening a ticket clears both
marks. A sweep handles at most `batch` tickets of each kind, the most urgent first; the next
sweep takes the rest. Nothing here commits: the caller commits, then delivers the notices.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from hotline.crm.ticket_workflow import FINISHED
from hotline.store.ticket_notices import TicketNotice, holders, notice, supervisors
from hotline.store.ticket_tables import TicketEventRow, TicketRow

SYSTEM = "system"
"""The user name the log gives for what the sweep did."""

REMIND = "remind"
ESCALATE = "escalate"

_FINISHED = [state.value for state in FINISHED]


def sweep(session: Session, now: datetime, remind_before: timedelta,
          batch: int = 500) -> list[TicketNotice]:
    """Remind and escalate what is due at `now` (see the module's docstring); the notices
    to deliver once the session is committed."""
    notices: list[TicketNotice] = []
    unfinished = TicketRow.state.not_in(_FINISHED)
    late = session.scalars(
        select(TicketRow).where(unfinished, TicketRow.escalated_at.is_(None),
                                TicketRow.due_at < now)
        .order_by(TicketRow.due_at, TicketRow.id).limit(batch)).all()
    for ticket in late:
        ticket.escalated_at = now
        ticket.reminded_at = ticket.reminded_at or now
        _log(session, ticket, ESCALATE, now,
             f"overdue since {ticket.due_at.isoformat()}: escalated")
        told = notice(ticket, "escalated", holders(session, ticket) | supervisors(session,
                                                                                  ticket))
        if told is not None:
            notices.append(told)
    soon = session.scalars(
        select(TicketRow).where(unfinished, TicketRow.reminded_at.is_(None),
                                TicketRow.due_at >= now, TicketRow.due_at <= now + remind_before)
        .order_by(TicketRow.due_at, TicketRow.id).limit(batch)).all()
    for ticket in soon:
        ticket.reminded_at = now
        _log(session, ticket, REMIND, now, f"due at {ticket.due_at.isoformat()}")
        told = notice(ticket, "reminder", holders(session, ticket))
        if told is not None:
            notices.append(told)
    session.flush()
    return notices


def _log(session: Session, ticket: TicketRow, action: str, now: datetime, comment: str) -> None:
    session.add(TicketEventRow(ticket_id=ticket.id, at=now, username=SYSTEM, action=action,
                               from_state=ticket.state, to_state=ticket.state,
                               assignee=ticket.assignee, team=ticket.team, comment=comment))
