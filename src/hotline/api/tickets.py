"""`/api/tickets`: tickets (work orders, C2) and their workflow.

Everyone signed in reads the tenant's tickets (an agent on a call must be able to tell a
customer where their request stands) and creates them; an agent changes and moves on only the
tickets they created or hold, or that wait unassigned for their team; supervisors and admins
act on all. Actions follow the state table of `hotline.crm.ticket_workflow`: an action the
ticket's state does not allow is a 409 naming both, and changes nothing. Every action is
logged on the ticket (`/events`: who, when, comment) and, with every other change, in the
audit log. `GET /api/tickets/mine` is the caller's work list.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, HTTPException, Query, status
from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from hotline.api.auth import AnyUser
from hotline.api.resources import RecordId, commit_audited, not_found
from hotline.api.session import DbSession
from hotline.crm.ticket_workflow import (
    IllegalTicketTransition,
    Priority,
    TicketAction,
    TicketState,
    TicketType,
)
from hotline.store import tickets
from hotline.store.account_schemas import UtcTime
from hotline.store.account_tables import Role, utc_now
from hotline.store.accounts import Principal
from hotline.store.ticket_tables import (
    COMMENT,
    DESCRIPTION,
    INTERACTION_ID,
    PHONE,
    TEAM,
    TITLE,
    USERNAME,
    TicketRow,
)

router = APIRouter(prefix="/api/tickets", tags=["tickets"])

MAX_PAGE = 500
MAX_CUSTOM_FIELDS = 50

FieldName = Annotated[str, StringConstraints(min_length=1, max_length=64)]
FieldValue = (Annotated[str, StringConstraints(max_length=1000)]
              | bool | int | Annotated[float, Field(allow_inf_nan=False)] | None)
CustomFields = Annotated[
    dict[FieldName, FieldValue],
    Field(max_length=MAX_CUSTOM_FIELDS,
          description="Fields of the ticket's type (meter number, appointment slot...): "
                      "names to text, numbers, booleans or null.",
          examples=[{"meter": "GZ-20391", "floor": 3}]),
]
Phone = Annotated[str, StringConstraints(min_length=1, max_length=PHONE)]
Title = Annotated[str, StringConstraints(min_length=1, max_length=TITLE)]
Description = Annotated[str, StringConstraints(max_length=DESCRIPTION)]
Comment = Annotated[str, StringConstraints(max_length=COMMENT)]


class TicketCreate(BaseModel):
    """A new ticket; its due time follows its type's SLA."""

    model_config = ConfigDict(extra="forbid")

    type: TicketType = Field(examples=["repair"])
    title: Title = Field(examples=["Gas smell in the kitchen"])
    priority: Priority = Priority.NORMAL
    description: Description = ""
    customer_phone: Phone | None = Field(None, examples=["13800138000"])
    custom_fields: CustomFields = Field(default_factory=dict)
    interaction_id: Annotated[str, StringConstraints(min_length=1,
                                                     max_length=INTERACTION_ID)] | None = Field(
        None, description="The call or message the ticket came from.")
    comment: Comment = ""


class TicketUpdate(BaseModel):
    """A change to a ticket's details (its state changes only by actions)."""

    model_config = ConfigDict(extra="forbid")

    title: Title | None = None
    priority: Priority | None = None
    description: Description | None = None
    customer_phone: Phone | None = None
    custom_fields: CustomFields | None = None


class TicketActionRequest(BaseModel):
    """An action on a ticket, with a comment; `dispatch` needs an assignee or a team."""

    model_config = ConfigDict(extra="forbid")

    action: TicketAction = Field(examples=["dispatch"])
    comment: Comment = ""
    assignee: Annotated[str, StringConstraints(min_length=1, max_length=USERNAME)] | None = (
        Field(None, description="A user name of the tenant (dispatch only)."))
    team: Annotated[str, StringConstraints(min_length=1, max_length=TEAM)] | None = Field(
        None, description="A team name of the tenant (dispatch only).")


class TicketRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    type: TicketType
    priority: Priority
    state: TicketState
    title: str
    description: str
    customer_phone: str | None
    custom_fields: dict[str, FieldValue]
    assignee: str | None
    team: str | None
    interaction_id: str | None
    created_by: str
    created_at: UtcTime
    updated_at: UtcTime
    due_at: UtcTime


class TicketPage(BaseModel):
    total: int = Field(description="How many tickets match the filters in all.")
    limit: int
    offset: int
    items: list[TicketRead]


class TicketEvent(BaseModel):
    """One action on a ticket."""

    model_config = ConfigDict(from_attributes=True)

    at: UtcTime
    username: str
    action: str = Field(description="'create' or a workflow action.")
    from_state: TicketState | None
    to_state: TicketState
    assignee: str | None
    team: str | None
    comment: str


Limit = Annotated[int, Query(ge=1, le=MAX_PAGE)]
Offset = Annotated[int, Query(ge=0, le=2**31 - 1)]


@router.get("")
def list_tickets(
    principal: AnyUser,
    session: DbSession,
    state: TicketState | None = None,
    type: TicketType | None = None,
    assignee: Annotated[str | None, Query(max_length=USERNAME)] = None,
    team: Annotated[str | None, Query(max_length=TEAM)] = None,
    customer_phone: Annotated[str | None, Query(max_length=PHONE)] = None,
    overdue: Annotated[bool | None, Query(description="Past due and not yet resolved.")]
    = None,
    limit: Limit = 50,
    offset: Offset = 0,
) -> TicketPage:
    """The tenant's tickets matching the filters, soonest due first."""
    where = tickets.TicketFilter(state=state, type=type, assignee=assignee, team=team,
                                 customer_phone=customer_phone, overdue=overdue)
    rows, total = tickets.search(session, principal.tenant_id, where, utc_now(), limit, offset)
    return _page(rows, total, limit, offset)


@router.get("/mine")
def my_tickets(principal: AnyUser, session: DbSession, limit: Limit = 50,
               offset: Offset = 0) -> TicketPage:
    """The caller's work list: unfinished tickets assigned to them or waiting unassigned for
    their team, soonest due first."""
    rows, total = tickets.work_list(session, principal.tenant_id, principal.username,
                                    principal.agent_id, limit, offset)
    return _page(rows, total, limit, offset)


@router.post("", status_code=status.HTTP_201_CREATED)
def create_ticket(body: TicketCreate, principal: AnyUser, session: DbSession) -> TicketRead:
    """Open a ticket."""
    row = tickets.create_ticket(session, principal.tenant_id, principal.username,
                                body.model_dump(), utc_now())
    after = TicketRead.model_validate(row)
    commit_audited(session, principal, "create", "ticket", row.id, None, after)
    return after


@router.get("/{ticket_id}")
def get_ticket(ticket_id: RecordId, principal: AnyUser, session: DbSession) -> TicketRead:
    """One ticket."""
    return TicketRead.model_validate(_row(session, principal, ticket_id))


@router.get("/{ticket_id}/events")
def ticket_events(ticket_id: RecordId, principal: AnyUser,
                  session: DbSession) -> list[TicketEvent]:
    """What was done to the ticket, oldest first."""
    row = _row(session, principal, ticket_id)
    return [TicketEvent.model_validate(event) for event in tickets.events(session, row.id)]


@router.patch("/{ticket_id}")
def update_ticket(ticket_id: RecordId, body: TicketUpdate, principal: AnyUser,
                  session: DbSession) -> TicketRead:
    """Change the details given."""
    row = _row(session, principal, ticket_id)
    _check_may_act(session, principal, row)
    changes = body.model_dump(exclude_unset=True)
    for name in ("title", "priority", "description", "custom_fields"):
        if name in changes and changes[name] is None:
            raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, f"{name} cannot be null")
    before = TicketRead.model_validate(row)
    for name, value in changes.items():
        setattr(row, name, value)
    row.updated_at = utc_now()
    session.flush()
    after = TicketRead.model_validate(row)
    commit_audited(session, principal, "update", "ticket", row.id, before, after)
    return after


@router.post("/{ticket_id}/actions",
             responses={409: {"description": "The ticket's state does not allow the action"}})
def act_on_ticket(ticket_id: RecordId, body: TicketActionRequest, principal: AnyUser,
                  session: DbSession) -> TicketRead:
    """Move the ticket on: accept, dispatch (to `assignee` and/or `team`), start,
    request_approval, request_instruction, resume, resolve, reply, close or reopen."""
    row = _row(session, principal, ticket_id)
    _check_may_act(session, principal, row)
    before = TicketRead.model_validate(row)
    try:
        tickets.act(session, row, body.action, principal.username, utc_now(),
                    comment=body.comment, assignee=body.assignee, team=body.team)
    except IllegalTicketTransition as error:
        raise HTTPException(status.HTTP_409_CONFLICT, str(error)) from error
    after = TicketRead.model_validate(row)
    commit_audited(session, principal, body.action.value, "ticket", row.id, before, after)
    return after


def _page(rows: object, total: int, limit: int, offset: int) -> TicketPage:
    return TicketPage.model_validate({"total": total, "limit": limit, "offset": offset,
                                      "items": rows}, from_attributes=True)


def _row(session: DbSession, principal: Principal, ticket_id: int) -> TicketRow:
    row = tickets.ticket_in(session, principal.tenant_id, ticket_id)
    if row is None:
        raise not_found("ticket", ticket_id)
    return row


def _check_may_act(session: DbSession, principal: Principal, row: TicketRow) -> None:
    if principal.role is not Role.AGENT:
        return
    if not tickets.may_act(session, row, principal.username, principal.agent_id):
        raise HTTPException(status.HTTP_403_FORBIDDEN,
                            f"ticket {row.id} is not yours: an agent acts only on tickets "
                            "they created or hold, or that wait for their team")
