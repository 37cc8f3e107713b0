"""The ticket (work order) state machine (C2).

Theory of operation
-------------------
A ticket is in exactly one state. People move it on with actions: an agent takes a customer's
request (`new`), someone accepts it as a real piece of work, dispatches it to a person or a
team, who start work, may wait for an approval or an instruction, and resolve it; the agent
then replies to the customer and closes it. A resolved, replied or closed ticket may be
reopened when the customer is not satisfied. The whole machine is the table
`TRANSITIONS[state][action] -> new state`; an action the table does not allow in the current
state raises `IllegalTicketTransition` naming both, and changes nothing.

    new --accept--> accepted --dispatch--> dispatched --start--> in_progress
    in_progress --request_approval--> awaiting_approval --resume--> in_progress
    in_progress --request_instruction--> awaiting_instruction --resume--> in_progress
    in_progress --resolve--> resolved --reply--> replied --close--> closed
    resolved / replied / closed --reopen--> accepted

An accepted ticket may also be started by whoever holds it, or resolved at once (a question
answered on the call); a dispatched or in-progress ticket may be dispatched again (to another
person or team).

The due time comes from the SLA of the ticket's type (`SLA`), counted from its creation.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from enum import StrEnum


class TicketState(StrEnum):
    NEW = "new"
    ACCEPTED = "accepted"
    DISPATCHED = "dispatched"
    IN_PROGRESS = "in_progress"
    AWAITING_APPROVAL = "awaiting_approval"
    AWAITING_INSTRUCTION = "awaiting_instruction"
    RESOLVED = "resolved"
    REPLIED = "replied"
    CLOSED = "closed"


class TicketAction(StrEnum):
    ACCEPT = "accept"
    DISPATCH = "dispatch"
    START = "start"
    REQUEST_APPROVAL = "request_approval"
    REQUEST_INSTRUCTION = "request_instruction"
    RESUME = "resume"
    RESOLVE = "resolve"
    REPLY = "reply"
    CLOSE = "close"
    REOPEN = "reopen"


class TicketType(StrEnum):
    """The kinds of request the seeds' centers handle."""

    REPAIR = "repair"  # 抢修
    COMPLAINT = "complaint"  # 投诉
    SUGGESTION = "suggestion"  # 建议
    APPOINTMENT = "appointment"  # 预约
    BUSINESS = "business"  # 业务办理


class Priority(StrEnum):
    LOW = "low"
    NORMAL = "normal"
    HIGH = "high"
    URGENT = "urgent"


S = TicketState
A = TicketAction

TRANSITIONS: dict[TicketState, dict[TicketAction, TicketState]] = {
    S.NEW: {A.ACCEPT: S.ACCEPTED},
    S.ACCEPTED: {A.DISPATCH: S.DISPATCHED, A.START: S.IN_PROGRESS, A.RESOLVE: S.RESOLVED},
    S.DISPATCHED: {A.DISPATCH: S.DISPATCHED, A.START: S.IN_PROGRESS},
    S.IN_PROGRESS: {
        A.REQUEST_APPROVAL: S.AWAITING_APPROVAL,
        A.REQUEST_INSTRUCTION: S.AWAITING_INSTRUCTION,
        A.RESOLVE: S.RESOLVED,
        A.DISPATCH: S.DISPATCHED,
    },
    S.AWAITING_APPROVAL: {A.RESUME: S.IN_PROGRESS},
    S.AWAITING_INSTRUCTION: {A.RESUME: S.IN_PROGRESS},
    S.RESOLVED: {A.REPLY: S.REPLIED, A.REOPEN: S.ACCEPTED},
    S.REPLIED: {A.CLOSE: S.CLOSED, A.REOPEN: S.ACCEPTED},
    S.CLOSED: {A.REOPEN: S.ACCEPTED},
}
"""Every legal move of a ticket; anything else is an `IllegalTicketTransition`."""

FINISHED: frozenset[TicketState] = frozenset({S.RESOLVED, S.REPLIED, S.CLOSED})
"""States in which the work is done: such a ticket is never overdue."""

SLA: dict[TicketType, timedelta] = {
    TicketType.REPAIR: timedelta(hours=4),
    TicketType.COMPLAINT: timedelta(hours=24),
    TicketType.APPOINTMENT: timedelta(hours=48),
    TicketType.SUGGESTION: timedelta(hours=72),
    TicketType.BUSINESS: timedelta(hours=48),
}
"""How long each type of ticket may take from creation to resolution."""


class IllegalTicketTransition(ValueError):
    """An action that the ticket's current state does not allow."""

    def __init__(self, ticket_id: object, state: TicketState, action: TicketAction) -> None:
        allowed = ", ".join(sorted(TRANSITIONS[state])) or "nothing"
        super().__init__(
            f"ticket {ticket_id} cannot {action.value!r} while {state.value!r} "
            f"(allowed: {allowed})"
        )
        self.ticket_id = ticket_id
        self.state = state
        self.action = action


def next_ticket_state(ticket_id: object, state: TicketState,
                      action: TicketAction) -> TicketState:
    """The state `action` leads to from `state`, or `IllegalTicketTransition`."""
    new = TRANSITIONS[state].get(action)
    if new is None:
        raise IllegalTicketTransition(ticket_id, state, action)
    return new


def due_time(ticket_type: TicketType, created_at: datetime) -> datetime:
    """When a ticket of `ticket_type` created at `created_at` must be resolved."""
    return created_at + SLA[ticket_type]
