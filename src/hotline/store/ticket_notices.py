"""Who hears of a change to a ticket.

A ticket is *held* by its assignee or, while nobody is assigned, by the agents of the team it
was dispatched to: they hear that it was assigned to them, that it changed, and that it is
about to fall due. When it falls overdue, the supervisor of its team hears of it as well (the
team it was dispatched to, else the team of the agent holding it); a ticket no team is
answerable for escalates to every supervisor of the tenant. People are named by user name,
the key the CTI WebSocket delivers on; the one who made a change is not told of it.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from hotline.store.account_tables import Role, User
from hotline.store.config_tables import AgentRow, TeamRow
from hotline.store.ticket_tables import TicketRow


@dataclass(frozen=True)
class TicketNotice:
    """Tell `usernames` of the tenant that `ticket_id` changed; `change` is one of
    created, assigned, updated, reminder, escalated."""

    tenant_id: int
    ticket_id: int
    change: str
    usernames: frozenset[str]


def holders(session: Session, ticket: TicketRow) -> set[str]:
    """The user names of whoever holds the ticket now."""
    if ticket.assignee is not None:
        return {ticket.assignee}
    if ticket.team is None:
        return set()
    return set(session.scalars(
        select(User.username).join(AgentRow, (AgentRow.tenant_id == User.tenant_id)
                                   & (AgentRow.agent_id == User.agent_id))
        .where(User.tenant_id == ticket.tenant_id, AgentRow.team == ticket.team)))


def supervisors(session: Session, ticket: TicketRow) -> set[str]:
    """The user names of the supervisor answerable for the ticket (see the module's
    docstring)."""
    team = ticket.team or _team_of_user(session, ticket.tenant_id, ticket.assignee)
    if team is not None:
        leader = session.scalar(select(TeamRow.supervisor).where(
            TeamRow.tenant_id == ticket.tenant_id, TeamRow.name == team))
        if leader is not None:
            found = set(session.scalars(select(User.username).where(
                User.tenant_id == ticket.tenant_id, User.agent_id == leader)))
            if found:
                return found
    return set(session.scalars(select(User.username).where(
        User.tenant_id == ticket.tenant_id, User.role == Role.SUPERVISOR.value)))


def notice(ticket: TicketRow, change: str, usernames: Iterable[str],
           actor: str | None = None) -> TicketNotice | None:
    """The notice of `change` for `usernames` but not `actor`; None when nobody is left."""
    told = frozenset(name for name in usernames if name != actor)
    return TicketNotice(ticket.tenant_id, ticket.id, change, told) if told else None


def _team_of_user(session: Session, tenant_id: int, username: str | None) -> str | None:
    if username is None:
        return None
    return session.scalar(
        select(AgentRow.team).join(User, (AgentRow.tenant_id == User.tenant_id)
                                   & (AgentRow.agent_id == User.agent_id))
        .where(User.tenant_id == tenant_id, User.username == username))
