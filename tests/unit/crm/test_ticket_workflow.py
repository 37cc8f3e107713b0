"""The ticket state table: every legal move leads where the table says, every other action
raises an error naming the state and the action; the due time follows the type's SLA."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from hotline.crm.ticket_workflow import (
    SLA,
    TRANSITIONS,
    IllegalTicketTransition,
    TicketAction,
    TicketState,
    TicketType,
    due_time,
    next_ticket_state,
)

S = TicketState
A = TicketAction

LEGAL = [
    (S.NEW, A.ACCEPT, S.ACCEPTED),
    (S.ACCEPTED, A.DISPATCH, S.DISPATCHED),
    (S.ACCEPTED, A.START, S.IN_PROGRESS),
    (S.ACCEPTED, A.RESOLVE, S.RESOLVED),
    (S.DISPATCHED, A.DISPATCH, S.DISPATCHED),
    (S.DISPATCHED, A.START, S.IN_PROGRESS),
    (S.IN_PROGRESS, A.REQUEST_APPROVAL, S.AWAITING_APPROVAL),
    (S.IN_PROGRESS, A.REQUEST_INSTRUCTION, S.AWAITING_INSTRUCTION),
    (S.IN_PROGRESS, A.RESOLVE, S.RESOLVED),
    (S.IN_PROGRESS, A.DISPATCH, S.DISPATCHED),
    (S.AWAITING_APPROVAL, A.RESUME, S.IN_PROGRESS),
    (S.AWAITING_INSTRUCTION, A.RESUME, S.IN_PROGRESS),
    (S.RESOLVED, A.REPLY, S.REPLIED),
    (S.RESOLVED, A.REOPEN, S.ACCEPTED),
    (S.REPLIED, A.CLOSE, S.CLOSED),
    (S.REPLIED, A.REOPEN, S.ACCEPTED),
    (S.CLOSED, A.REOPEN, S.ACCEPTED),
]
ILLEGAL = [(state, action) for state in S for action in A
           if (state, action) not in {(s, a) for s, a, _ in LEGAL}]


@pytest.mark.parametrize(("state", "action", "new"), LEGAL)
def test_a_legal_action_moves_the_ticket_as_the_table_says(
    state: TicketState, action: TicketAction, new: TicketState
) -> None:
    assert next_ticket_state(7, state, action) is new


def test_the_table_holds_exactly_the_legal_moves() -> None:
    table = {(s, a, n) for s, moves in TRANSITIONS.items() for a, n in moves.items()}
    assert table == set(LEGAL)
    assert set(TRANSITIONS) == set(S)


@pytest.mark.parametrize(("state", "action"), ILLEGAL)
def test_an_illegal_action_raises_an_error_naming_state_and_action(
    state: TicketState, action: TicketAction
) -> None:
    with pytest.raises(IllegalTicketTransition) as raised:
        next_ticket_state(7, state, action)
    assert f"ticket 7 cannot {action.value!r} while {state.value!r}" in str(raised.value)
    assert raised.value.state is state and raised.value.action is action


def test_the_happy_path_runs_from_new_to_closed_and_back() -> None:
    state = S.NEW
    for action in (A.ACCEPT, A.DISPATCH, A.START, A.REQUEST_APPROVAL, A.RESUME,
                   A.REQUEST_INSTRUCTION, A.RESUME, A.RESOLVE, A.REPLY, A.CLOSE, A.REOPEN):
        state = next_ticket_state(1, state, action)
    assert state is S.ACCEPTED


def test_the_due_time_follows_the_sla_of_the_type() -> None:
    created = datetime(2025, 3, 1, 8, 0, tzinfo=UTC)
    hours = {TicketType.REPAIR: 4, TicketType.COMPLAINT: 24, TicketType.APPOINTMENT: 48,
             TicketType.SUGGESTION: 72, TicketType.BUSINESS: 48}
    assert set(SLA) == set(TicketType)
    for ticket_type, sla in hours.items():
        assert due_time(ticket_type, created) == created + timedelta(hours=sla)
