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

from datetime import timedelta
from typing import Annotated

from fastapi import APIRouter, HTTPException, Query, Request, status
from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from hotline.api.auth import AnyUser, Staff
from hotline.api.notices import NoticeHub
from hotline.api.resources import RecordId, commit_audited, not_found
from hotline.api.session import DbSession
from hotline.crm.ticket_fields import TicketFieldError, check_fields
from hotline.crm.ticket_workflow import (
    IllegalTicketTransition,
    Priority,
    TicketAction,
    TicketState,
    TicketType,
)
from hotline.store import ticket_types, tickets
from hotline.store.account_schemas import UtcTime
from hotline.store.account_tables import Role, utc_now
from hotline.store.accounts import Principal
from hotline.store.ticket_notices import TicketNotice, holders, notice
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
CustomerId = Annotated[int, Field(ge=1, le=2**31 - 1)]


class TicketCreate(BaseModel):
    """A new ticket; its due time follows its type's SLA."""

    model_config = ConfigDict(extra="forbid")

    type: TicketType = Field(examples=["repair"])
    title: Title = Field(examples=["Gas smell in the kitchen"])
    priority: Priority = Priority.NORMAL
    description: Description = ""
    customer_phone: Phone | None = Field(None, examples=["13800138000"])
    customer_id: CustomerId | None = Field(
        None, description="The customer it is for; by default the customer of "
                          "`interaction_id`'s call, when that call was identified.")
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
    customer_id: CustomerId | None = None
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
    customer_id: int | None
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
    customer_id: Annotated[int | None, Query(ge=1, le=2**31 - 1)] = None,
    overdue: Annotated[bool | None, Query(description="Past due and not yet resolved.")]
    = None,
    limit: Limit = 50,
    offset: Offset = 0,
) -> TicketPage:
    """The tenant's tickets matching the filters, soonest due first."""
    where = tickets.TicketFilter(state=state, type=type, assignee=assignee, team=team,
                                 customer_phone=customer_phone, customer_id=customer_id,
                                 overdue=overdue)
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


class TeamTickets(BaseModel):
    """A team's unfinished tickets past due and falling due soon (`team` null: tickets no
    team holds)."""

    team: str | None
    overdue: int
    due_soon: int
    oldest_due_at: UtcTime | None = Field(description="The due time of its most overdue "
                                                       "ticket.")


@router.get("/overdue_by_team")
def overdue_by_team(
    principal: Staff,
    session: DbSession,
    within_minutes: Annotated[int, Query(ge=0, le=7 * 24 * 60,
                                         description="What counts as due soon.")] = 60,
) -> list[TeamTickets]:
    """Per team, how many unfinished tickets are overdue and how many fall due within
    `within_minutes`; the team with the oldest overdue ticket first."""
    loads = tickets.overdue_by_team(session, principal.tenant_id, utc_now(),
                                    timedelta(minutes=within_minutes))
    return [TeamTickets.model_validate(load, from_attributes=True) for load in loads]


@router.post("", status_code=status.HTTP_201_CREATED)
def create_ticket(body: TicketCreate, principal: AnyUser, session: DbSession,
                  request: Request) -> TicketRead:
    """Open a ticket."""
    fields = body.model_dump()
    try:
        fields["custom_fields"] = check_fields(
            ticket_types.fields_for(session, principal.tenant_id, body.type), body.custom_fields)
        row = tickets.create_ticket(session, principal.tenant_id, principal.username, fields,
                                    utc_now())
    except (tickets.TicketError, TicketFieldError) as error:
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, str(error)) from None
    after = TicketRead.model_validate(row)
    told = notice(row, "created", holders(session, row), principal.username)
    commit_audited(session, principal, "create", "ticket", row.id, None, after)
    _tell(request, told, after)
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
                  session: DbSession, request: Request) -> TicketRead:
    """Change the details given."""
    row = _row(session, principal, ticket_id)
    _check_may_act(session, principal, row)
    changes = body.model_dump(exclude_unset=True)
    for name in ("title", "priority", "description", "custom_fields"):
        if name in changes and changes[name] is None:
            raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, f"{name} cannot be null")
    try:
        if changes.get("customer_id") is not None:
            tickets.check_customer(session, principal.tenant_id, changes["customer_id"])
        if "custom_fields" in changes:  # the whole set, replacing the ticket's
            changes["custom_fields"] = check_fields(
                ticket_types.fields_for(session, row.tenant_id, TicketType(row.type)),
                changes["custom_fields"])
    except (tickets.TicketError, TicketFieldError) as error:
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, str(error)) from None
    before = TicketRead.model_validate(row)
    for name, value in changes.items():
        setattr(row, name, value)
    row.updated_at = utc_now()
    session.flush()
    after = TicketRead.model_validate(row)
    told = notice(row, "updated", holders(session, row) | {row.created_by}, principal.username)
    commit_audited(session, principal, "update", "ticket", row.id, before, after)
    _tell(request, told, after)
    return after


@router.post("/{ticket_id}/actions",
             responses={409: {"description": "The ticket's state does not allow the action"}})
def act_on_ticket(ticket_id: RecordId, body: TicketActionRequest, principal: AnyUser,
                  session: DbSession, request: Request) -> TicketRead:
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
    if body.action is TicketAction.DISPATCH:
        told = notice(row, "assigned", holders(session, row), principal.username)
    else:
        told = notice(row, "updated", holders(session, row) | {row.created_by},
                      principal.username)
    commit_audited(session, principal, body.action.value, "ticket", row.id, before, after)
    _tell(request, told, after)
    return after


def _tell(request: Request, told: TicketNotice | None, ticket: TicketRead) -> None:
    """After the commit: push the change to those who hold the ticket (see ticket_notices)."""
    if told is not None:
        deliver_ticket_notice(request.app.state.notices, told, ticket)


def deliver_ticket_notice(hub: NoticeHub, told: TicketNotice, ticket: TicketRead) -> None:
    """Send `told` as the CTI event `ticket` with the ticket as the API shows it."""
    hub.publish(told.tenant_id, told.usernames,
                {"event": "ticket", "change": told.change,
                 "ticket": ticket.model_dump(mode="json")})


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
