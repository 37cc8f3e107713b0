"""Reminders and escalation of tickets on virtual time, on both databases: a ticket is
reminded of once before it falls due and escalated once when it has, to the right people;
finished tickets are left alone; reopening arms both again; the per-team overview counts
what is overdue and due soon."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import Engine, update
from sqlalchemy.orm import Session

from hotline.crm.ticket_workflow import TicketAction
from hotline.store import tickets
from hotline.store.accounts import create_user, tenant_named
from hotline.store.config_tables import AgentRow
from hotline.store.config_yaml import import_config
from hotline.store.database import session_factory
from hotline.store.ticket_escalation import sweep
from hotline.store.ticket_notices import TicketNotice
from hotline.store.ticket_tables import TicketRow

T0 = datetime(2026, 11, 22, 8, 0, tzinfo=UTC)
REMIND = timedelta(minutes=30)
CONFIG = {
    "name": "gas",
    "timezone": "UTC",
    "skills": [{"name": "repair"}],
    "queues": [{"name": "repair", "skills": {"repair": 1}}],
    "agents": [{"id": "1001", "name": "Li Lei", "skills": {"repair": 5}},
               {"id": "1002", "name": "Han Meimei", "skills": {"repair": 5}},
               {"id": "1005", "name": "Wang Fang", "skills": {"repair": 5}}],
    "teams": [{"name": "field", "supervisor": "1005"}],
}


@pytest.fixture
def session(engine: Engine) -> Iterator[Session]:
    with session_factory(engine)() as session:
        tenant = import_config(session, CONFIG, replace=False)
        for agent_id in ("1001", "1002", "1005"):
            create_user(session, tenant_id=tenant.id, username=f"u{agent_id}",
                        password="correct horse battery", role="agent", agent_id=agent_id)
        create_user(session, tenant_id=tenant.id, username="boss",
                    password="correct horse battery", role="supervisor")
        session.execute(update(AgentRow).where(AgentRow.tenant_id == tenant.id)
                        .values(team="field"))
        session.commit()
        yield session


def _ticket(session: Session, kind: str = "repair", *, team: str | None = None,
            assignee: str | None = None) -> TicketRow:
    row = tickets.create_ticket(session, _tenant_id(session), "boss",
                                {"type": kind, "title": "leak"}, T0)
    if team is not None or assignee is not None:
        tickets.act(session, row, TicketAction.ACCEPT, "boss", T0)
        tickets.act(session, row, TicketAction.DISPATCH, "boss", T0, team=team,
                    assignee=assignee)
    return row


def _tenant_id(session: Session) -> int:
    tenant = tenant_named(session, "gas")
    assert tenant is not None
    return tenant.id


def _by_ticket(notices: list[TicketNotice]) -> dict[tuple[int, str], set[str]]:
    return {(n.ticket_id, n.change): set(n.usernames) for n in notices}


def test_a_team_ticket_is_reminded_once_then_escalated_once_to_team_and_supervisor(
    session: Session,
) -> None:
    row = _ticket(session, team="field")  # repair: due at T0 + 4 h
    assert sweep(session, T0 + timedelta(hours=3), REMIND) == []
    notices = sweep(session, T0 + timedelta(hours=3, minutes=40), REMIND)
    assert _by_ticket(notices) == {(row.id, "reminder"): {"u1001", "u1002", "u1005"}}
    assert row.reminded_at is not None and row.escalated_at is None
    assert sweep(session, T0 + timedelta(hours=3, minutes=50), REMIND) == []  # once only
    notices = sweep(session, T0 + timedelta(hours=4, minutes=1), REMIND)
    assert _by_ticket(notices) == {(row.id, "escalated"): {"u1001", "u1002", "u1005"}}
    assert sweep(session, T0 + timedelta(hours=9), REMIND) == []  # escalated once
    log = [(e.action, e.username, e.from_state, e.to_state) for e in
           tickets.events(session, row.id)]
    assert log[-2:] == [("remind", "system", "dispatched", "dispatched"),
                        ("escalate", "system", "dispatched", "dispatched")]
    assert row.state == "dispatched"  # the sweep never moves a ticket on


def test_an_assigned_ticket_escalates_to_its_holder_and_the_holders_team_supervisor(
    session: Session,
) -> None:
    row = _ticket(session, assignee="u1001")
    # Overdue before anyone was reminded: escalated (and counted as reminded) at once.
    notices = sweep(session, T0 + timedelta(hours=5), REMIND)
    assert _by_ticket(notices) == {(row.id, "escalated"): {"u1001", "u1005"}}
    assert row.reminded_at is not None
    assert sweep(session, T0 + timedelta(hours=6), REMIND) == []


def test_a_ticket_nobody_holds_escalates_to_every_supervisor_and_finished_ones_never(
    session: Session,
) -> None:
    loose = _ticket(session)  # new, no team, no assignee
    done = _ticket(session, assignee="u1002")
    tickets.act(session, done, TicketAction.START, "u1002", T0)
    tickets.act(session, done, TicketAction.RESOLVE, "u1002", T0)
    notices = sweep(session, T0 + timedelta(hours=5), REMIND)
    assert _by_ticket(notices) == {(loose.id, "escalated"): {"boss"}}
    assert done.escalated_at is None


def test_reopening_arms_the_reminder_and_the_escalation_again(session: Session) -> None:
    row = _ticket(session, assignee="u1002")
    sweep(session, T0 + timedelta(hours=5), REMIND)
    tickets.act(session, row, TicketAction.START, "u1002", T0 + timedelta(hours=5))
    tickets.act(session, row, TicketAction.RESOLVE, "u1002", T0 + timedelta(hours=5))
    tickets.act(session, row, TicketAction.REOPEN, "boss", T0 + timedelta(hours=6))
    assert row.reminded_at is None and row.escalated_at is None
    notices = sweep(session, T0 + timedelta(hours=6, minutes=1), REMIND)
    assert _by_ticket(notices) == {(row.id, "escalated"): {"u1002", "u1005"}}


def test_the_overview_counts_overdue_and_due_soon_per_team_oldest_first(
    session: Session,
) -> None:
    late_team = _ticket(session, team="field")  # due T0 + 4 h
    _ticket(session, "complaint", team="field")  # due T0 + 24 h
    late_loose = _ticket(session, "repair")  # no team, due T0 + 4 h
    finished = _ticket(session, assignee="u1001")
    tickets.act(session, finished, TicketAction.START, "u1001", T0)
    tickets.act(session, finished, TicketAction.RESOLVE, "u1001", T0)
    now = T0 + timedelta(hours=23, minutes=30)
    loads = tickets.overdue_by_team(session, _tenant_id(session), now, timedelta(hours=1))
    # Equally old overdue tickets: the team-less line first (by name, '' before 'field').
    assert [(load.team, load.overdue, load.due_soon) for load in loads] == [
        (None, 1, 0), ("field", 1, 1)]
    assert late_loose.due_at == late_team.due_at == T0 + timedelta(hours=4)
    assert {load.oldest_due_at for load in loads} == {T0 + timedelta(hours=4)}
    assert tickets.overdue_by_team(session, _tenant_id(session), T0,
                                   timedelta(minutes=10)) == []
