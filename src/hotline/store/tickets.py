"""The ticket repository: creating tickets, moving them through the workflow, finding them.

Every change of state goes through `act`, which asks `ticket_workflow` whether the action is
legal (raising `IllegalTicketTransition` and changing nothing if not) and logs a
`TicketEventRow`. Nothing here reads the clock: callers pass `now`, so escalation
(`overdue_tickets`, `due_soon`) runs on virtual time in tests and simulations. Nothing here
commits either: the caller commits the change with its audit entry.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import Integer, Select, case, func, or_, select
from sqlalchemy.orm import Session

from hotline.crm.ticket_workflow import (
    FINISHED,
    Priority,
    TicketAction,
    TicketState,
    TicketType,
    next_ticket_state,
)
from hotline.store import ticket_types
from hotline.store.accounts import user_by_name
from hotline.store.config_tables import AgentRow, TeamRow, TenantRow
from hotline.store.customer_tables import CustomerRow
from hotline.store.journal_tables import InteractionRecord
from hotline.store.ticket_tables import TicketEventRow, TicketRow

CREATE = "create"
"""The action logged for a ticket's creation (not a workflow action: there is no state
before it)."""

_FINISHED = [state.value for state in FINISHED]


class TicketError(ValueError):
    """A request about a ticket that names something the tenant does not have, or lacks
    what the action needs."""


@dataclass(frozen=True)
class TicketFilter:
    """What to look for; None matches anything. `overdue` needs `now`."""

    state: TicketState | None = None
    type: TicketType | None = None
    assignee: str | None = None
    team: str | None = None
    customer_phone: str | None = None
    customer_id: int | None = None
    overdue: bool | None = None


def create_ticket(
    session: Session,
    tenant_id: int,
    username: str,
    fields: Mapping[str, Any],
    now: datetime,
) -> TicketRow:
    """A new ticket from `fields` (type, title, and optionally priority, description,
    customer_phone, customer_id, custom_fields, interaction_id), due by its type's SLA from
    `now` (the tenant's own SLA for the type, else the default; or at `fields["due_at"]`
    when the caller gives it). A `customer_id` must be a customer of the tenant
    (`TicketError` otherwise); without one, the customer of the call it came from is taken,
    if the call's record knows them."""
    ticket_type = TicketType(fields["type"])
    customer_id = fields.get("customer_id")
    if customer_id is not None:
        check_customer(session, tenant_id, customer_id)
    elif fields.get("interaction_id") is not None:
        customer_id = _customer_of_interaction(session, tenant_id, fields["interaction_id"])
    ticket = TicketRow(
        tenant_id=tenant_id,
        type=ticket_type.value,
        priority=Priority(fields.get("priority") or Priority.NORMAL).value,
        state=TicketState.NEW.value,
        title=fields["title"],
        description=fields.get("description") or "",
        customer_phone=fields.get("customer_phone"),
        customer_id=customer_id,
        custom_fields=dict(fields.get("custom_fields") or {}),
        assignee=None,
        team=None,
        interaction_id=fields.get("interaction_id"),
        created_by=username,
        created_at=now,
        updated_at=now,
        due_at=fields.get("due_at") or now + ticket_types.sla_for(session, tenant_id,
                                                                   ticket_type),
    )
    session.add(ticket)
    session.flush()
    session.add(TicketEventRow(ticket_id=ticket.id, at=now, username=username, action=CREATE,
                               from_state=None, to_state=ticket.state, assignee=None,
                               team=None, comment=fields.get("comment") or ""))
    session.flush()
    return ticket


def act(
    session: Session,
    ticket: TicketRow,
    action: TicketAction,
    username: str,
    now: datetime,
    comment: str = "",
    assignee: str | None = None,
    team: str | None = None,
) -> TicketEventRow:
    """Do `action` to `ticket` as `username`: move it to the state the table says and log
    the event. Dispatching needs an `assignee` (a user of the tenant) or a `team` (one of its
    teams), or both; starting a ticket nobody holds makes the starter its assignee. An
    illegal action raises `IllegalTicketTransition`, a bad assignee or team `TicketError`;
    either changes nothing."""
    before = TicketState(ticket.state)
    after = next_ticket_state(ticket.id, before, action)
    if action is TicketAction.DISPATCH:
        if assignee is None and team is None:
            raise TicketError("dispatch needs an assignee (a user name) or a team")
        _check_assignee(session, ticket.tenant_id, assignee)
        _check_team(session, ticket.tenant_id, team)
        ticket.assignee, ticket.team = assignee, team
    elif assignee is not None or team is not None:
        raise TicketError(f"only 'dispatch' takes an assignee or a team, not {action.value!r}")
    elif action is TicketAction.START and ticket.assignee is None:
        ticket.assignee = username
    if action is TicketAction.REOPEN:
        # Open again: the reminder and the escalation may be due again.
        ticket.reminded_at = ticket.escalated_at = None
    ticket.state = after.value
    ticket.updated_at = now
    event = TicketEventRow(ticket_id=ticket.id, at=now, username=username, action=action.value,
                           from_state=before.value, to_state=after.value,
                           assignee=ticket.assignee, team=ticket.team, comment=comment)
    session.add(event)
    session.flush()
    return event


def ticket_in(session: Session, tenant_id: int, ticket_id: int) -> TicketRow | None:
    """The tenant's ticket `ticket_id`, or None."""
    ticket = session.get(TicketRow, ticket_id)
    return ticket if ticket is not None and ticket.tenant_id == tenant_id else None


def events(session: Session, ticket_id: int) -> Sequence[TicketEventRow]:
    """What was done to a ticket, oldest first."""
    return session.scalars(select(TicketEventRow).where(TicketEventRow.ticket_id == ticket_id)
                           .order_by(TicketEventRow.id)).all()


def search(
    session: Session,
    tenant_id: int,
    where: TicketFilter,
    now: datetime,
    limit: int = 50,
    offset: int = 0,
) -> tuple[Sequence[TicketRow], int]:
    """One page of the tenant's tickets matching `where`, soonest due first, and how many
    match in all."""
    query = select(TicketRow).where(TicketRow.tenant_id == tenant_id)
    for column, value in ((TicketRow.state, where.state), (TicketRow.type, where.type),
                          (TicketRow.assignee, where.assignee), (TicketRow.team, where.team),
                          (TicketRow.customer_phone, where.customer_phone),
                          (TicketRow.customer_id, where.customer_id)):
        if value is not None:
            query = query.where(column == value)
    if where.overdue is True:
        query = _overdue(query, now)
    elif where.overdue is False:
        query = query.where(or_(TicketRow.due_at >= now, TicketRow.state.in_(_FINISHED)))
    return _page(session, query, limit, offset)


def work_list(
    session: Session, tenant_id: int, username: str, agent_id: str | None,
    limit: int = 50, offset: int = 0,
) -> tuple[Sequence[TicketRow], int]:
    """The unfinished tickets `username` has to work on: assigned to them, or dispatched to
    their agent's team with nobody assigned yet; soonest due first."""
    team = _team_of(session, tenant_id, agent_id)
    mine = TicketRow.assignee == username
    if team is not None:
        mine = or_(mine, (TicketRow.assignee.is_(None)) & (TicketRow.team == team))
    query = (select(TicketRow).where(TicketRow.tenant_id == tenant_id, mine,
                                     TicketRow.state.not_in(_FINISHED)))
    return _page(session, query, limit, offset)


def may_act(session: Session, ticket: TicketRow, username: str, agent_id: str | None) -> bool:
    """Whether an agent may act on `ticket`: they created it or hold it, or it waits
    unassigned for their team."""
    if username in (ticket.created_by, ticket.assignee):
        return True
    team = _team_of(session, ticket.tenant_id, agent_id)
    return ticket.assignee is None and team is not None and ticket.team == team


def overdue_tickets(session: Session, now: datetime,
                    tenant_id: int | None = None) -> Sequence[TicketRow]:
    """Unfinished tickets whose due time has passed at `now` (of one tenant, or all),
    longest overdue first: the ones to escalate."""
    query = _overdue(select(TicketRow), now)
    if tenant_id is not None:
        query = query.where(TicketRow.tenant_id == tenant_id)
    return session.scalars(query.order_by(TicketRow.due_at, TicketRow.id)).all()


def due_soon(session: Session, now: datetime, within: timedelta,
             tenant_id: int | None = None) -> Sequence[TicketRow]:
    """Unfinished tickets not yet overdue at `now` but due within `within`, soonest first:
    the ones to remind their holders of."""
    query = select(TicketRow).where(TicketRow.state.not_in(_FINISHED),
                                    TicketRow.due_at >= now, TicketRow.due_at <= now + within)
    if tenant_id is not None:
        query = query.where(TicketRow.tenant_id == tenant_id)
    return session.scalars(query.order_by(TicketRow.due_at, TicketRow.id)).all()


@dataclass(frozen=True)
class TeamLoad:
    """A team's unfinished tickets past due, and due within the window asked for."""

    team: str | None
    overdue: int
    due_soon: int
    oldest_due_at: datetime | None


def overdue_by_team(session: Session, tenant_id: int, now: datetime,
                    within: timedelta) -> list[TeamLoad]:
    """Per team (None: tickets no team holds), how many unfinished tickets are overdue at
    `now` and how many fall due within `within`; teams with neither are left out, the team
    with the oldest overdue ticket first."""
    late = (TicketRow.due_at < now).cast(Integer)
    soon = ((TicketRow.due_at >= now) & (TicketRow.due_at <= now + within)).cast(Integer)
    oldest = func.min(case((TicketRow.due_at < now, TicketRow.due_at)))
    rows = session.execute(
        select(TicketRow.team, func.sum(late), func.sum(soon), oldest)
        .where(TicketRow.tenant_id == tenant_id, TicketRow.state.not_in(_FINISHED),
               TicketRow.due_at <= now + within)
        .group_by(TicketRow.team)).all()
    loads = [TeamLoad(team, int(overdue or 0), int(due or 0), _aware(first))
             for team, overdue, due, first in rows]
    far = datetime.max.replace(tzinfo=now.tzinfo)
    return sorted((load for load in loads if load.overdue or load.due_soon),
                  key=lambda load: (load.oldest_due_at or far, load.team or ""))


def _aware(value: datetime | None) -> datetime | None:
    # SQLite hands back naive datetimes even for timezone-aware columns (stored as UTC).
    if value is not None and value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value


def _overdue(query: Select[TicketRow], now: datetime) -> Select[TicketRow]:
    return query.where(TicketRow.due_at < now, TicketRow.state.not_in(_FINISHED))


def _page(session: Session, query: Select[TicketRow], limit: int,
          offset: int) -> tuple[Sequence[TicketRow], int]:
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    rows = session.scalars(query.order_by(TicketRow.due_at, TicketRow.id)
                           .limit(limit).offset(offset)).all()
    return rows, total


def _team_of(session: Session, tenant_id: int, agent_id: str | None) -> str | None:
    if agent_id is None:
        return None
    return session.scalar(select(AgentRow.team).where(AgentRow.tenant_id == tenant_id,
                                                      AgentRow.agent_id == agent_id))


def check_customer(session: Session, tenant_id: int, customer_id: int) -> None:
    """`TicketError` unless `customer_id` is a customer of the tenant."""
    found = session.scalar(select(CustomerRow.id).where(CustomerRow.tenant_id == tenant_id,
                                                        CustomerRow.id == customer_id))
    if found is None:
        raise TicketError(f"no customer {customer_id} in this tenant")


def _customer_of_interaction(session: Session, tenant_id: int,
                             interaction_id: str) -> int | None:
    return session.scalar(
        select(InteractionRecord.customer_id)
        .join(TenantRow, TenantRow.name == InteractionRecord.tenant)
        .where(TenantRow.id == tenant_id, InteractionRecord.interaction_id == interaction_id))


def _check_assignee(session: Session, tenant_id: int, assignee: str | None) -> None:
    if assignee is not None and user_by_name(session, tenant_id, assignee) is None:
        raise TicketError(f"no user {assignee!r} in this tenant to dispatch to")


def _check_team(session: Session, tenant_id: int, team: str | None) -> None:
    if team is None:
        return
    found = session.scalar(select(TeamRow.id).where(TeamRow.tenant_id == tenant_id,
                                                    TeamRow.name == team))
    if found is None:
        raise TicketError(f"no team {team!r} in this tenant to dispatch to")
