"""`/api/public/{tenant}`: the web request form (C4), open to anyone without signing in.

A customer files a repair, complaint, suggestion, appointment or business request from the
tenant's public page (`hotline.web.public_form`); it becomes a ticket like one an agent opens,
created by "web-form", with the tenant's custom fields of its type checked
(`ticket_fields.check_fields`), linked to the customer whose phone number or e-mail address it
gives (when there is one), and due by the tenant's SLA for its type. The answer is the
ticket's reference (its id) and due time.

Because anyone may post, the form guards itself: the body is strictly shaped (unknown keys,
over-long text and malformed contacts are refused), a phone number or an e-mail address is
needed to answer the customer, the hidden `website` field is a honeypot that people leave
empty and bots fill in (refused with "rejected"), and `public_rate_limit` caps requests per
source address and per tenant (429 with `Retry-After`). Every refusal stores nothing. The
errors of individual fields come in FastAPI's own list form (`loc`, `msg`), custom fields as
`["body", "fields", <name>]`, so that the page can show each beside its field.
`GET /api/public/{tenant}/ticket_types` tells the page which fields each type has.
"""

from __future__ import annotations

import math
import re
from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Path, Request, status
from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StringConstraints

from hotline.api.public_rate_limit import rate_limit_of
from hotline.api.resources import commit_audited
from hotline.api.session import DbSession
from hotline.api.ticket_types import FieldDefinitionModel
from hotline.api.tickets import TicketRead
from hotline.crm.ticket_fields import MAX_FIELDS, MAX_TEXT, TicketFieldError, check_fields
from hotline.crm.ticket_workflow import Priority, TicketType
from hotline.store import customers, ticket_types, tickets
from hotline.store.account_schemas import UtcTime
from hotline.store.account_tables import Role, utc_now
from hotline.store.accounts import Principal, tenant_named
from hotline.store.config_tables import TenantRow
from hotline.store.customers import normalize_email, normalize_phone
from hotline.store.ticket_tables import TITLE

router = APIRouter(prefix="/api/public", tags=["public form"])

FORM_USER = "web-form"
"""Who the form's tickets and audit entries are by."""
DESCRIPTION = 4000
NAME = 100
HONEYPOT = "website"

_PHONE_CHARACTERS = re.compile(r"[0-9+\- ]{3,32}")


def _phone(value: str) -> str:
    """A phone number as the customers are kept (digits, optional +), or "" when not given."""
    value = value.strip()
    if not value:
        return ""
    rule = ("a phone number has 3 to 32 characters: digits, spaces, dashes and an optional "
            "leading +")
    if not _PHONE_CHARACTERS.fullmatch(value):
        raise ValueError(rule)
    try:
        return normalize_phone(value)
    except ValueError as error:
        raise ValueError(rule) from error


def _email(value: str) -> str:
    value = value.strip()
    return normalize_email(value) if value else ""


TenantName = Annotated[str, Path(min_length=1, max_length=64, description="The tenant's name.")]
FieldValue = (Annotated[str, StringConstraints(max_length=MAX_TEXT)]
              | bool | int | Annotated[float, Field(allow_inf_nan=False)] | None)


class PublicTicketRequest(BaseModel):
    """A customer's request from the public form."""

    model_config = ConfigDict(extra="forbid")

    type: TicketType = Field(examples=["repair"])
    name: Annotated[str, StringConstraints(strip_whitespace=True, max_length=NAME)] = Field(
        "", examples=["Wang Fang"])
    phone: Annotated[str, StringConstraints(max_length=64), AfterValidator(_phone)] = Field(
        "", description="Digits, spaces, dashes and an optional leading +; this or email.",
        examples=["139 1234 5678"])
    email: Annotated[str, StringConstraints(max_length=254), AfterValidator(_email)] = Field(
        "", description="This or phone.", examples=["wang@example.com"])
    title: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1,
                                            max_length=TITLE)] = Field(
        examples=["No gas since this morning"])
    description: Annotated[str, StringConstraints(max_length=DESCRIPTION)] = ""
    fields: dict[Annotated[str, StringConstraints(max_length=64)], FieldValue] = Field(
        default_factory=dict, max_length=MAX_FIELDS,
        description="The custom fields of the type (GET /api/public/{tenant}/ticket_types).")
    website: Annotated[str, StringConstraints(max_length=200)] = Field(
        "", description="Leave empty (a trap for robots).")


class PublicTicketReceipt(BaseModel):
    """What the customer is told: their reference and when the request is due."""

    reference: int = Field(description="The ticket's number, to quote when calling.")
    due_at: UtcTime


class PublicTicketType(BaseModel):
    """A type of request and the fields the form asks for it."""

    type: TicketType
    sla_minutes: int = Field(description="How long the tenant takes, at most.")
    fields: list[FieldDefinitionModel]


def _admitted(request: Request, tenant: TenantName) -> None:
    """Count the request against its source's and its tenant's limits, or refuse it."""
    source = request.client.host if request.client else "unknown"
    wait = rate_limit_of(request.app.state).admit(source, tenant)
    if wait is not None:
        seconds = max(1, math.ceil(wait))
        raise HTTPException(status.HTTP_429_TOO_MANY_REQUESTS,
                            f"too many requests from this address: try again in {seconds} s",
                            headers={"Retry-After": str(seconds)})


def _tenant(session: DbSession, name: str) -> TenantRow:
    row = tenant_named(session, name)
    if row is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"no service {name!r} here")
    return row


def _invalid(problems: list[tuple[list[str], str]]) -> HTTPException:
    """A 422 in FastAPI's list form, each problem located at its field."""
    return HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, [
        {"loc": ["body", *loc], "msg": message, "type": "value_error"}
        for loc, message in problems])


@router.get("/{tenant}/ticket_types")
def public_ticket_types(tenant: TenantName, session: DbSession) -> list[PublicTicketType]:
    """The types of request the tenant's form offers, with their custom fields."""
    row = _tenant(session, tenant)
    return [PublicTicketType(type=setup.type, sla_minutes=setup.sla_minutes, fields=[
        FieldDefinitionModel.model_validate(field.as_json()) for field in setup.fields])
        for setup in ticket_types.all_setups(session, row.id)]


@router.post(
    "/{tenant}/tickets", status_code=status.HTTP_201_CREATED,
    dependencies=[Depends(_admitted)],
    responses={404: {"description": "No such tenant"},
               429: {"description": "Too many requests; see Retry-After"}})
def file_public_ticket(tenant: TenantName, body: PublicTicketRequest,
                       session: DbSession) -> PublicTicketReceipt:
    """File a request as a customer: it becomes a ticket of the tenant."""
    row = _tenant(session, tenant)
    if body.website:
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, "rejected")
    problems: list[tuple[list[str], str]] = []
    if not body.phone and not body.email:
        problems.append((["phone"], "give a phone number or an e-mail address so that we "
                                    "can answer you"))
    try:
        custom = check_fields(ticket_types.fields_for(session, row.id, body.type), body.fields)
    except TicketFieldError as error:
        problems += [(["fields", problem.field] if problem.field else ["fields"],
                      problem.message) for problem in error.problems]
    if problems:
        raise _invalid(problems)
    now = utc_now()
    ticket = tickets.create_ticket(session, row.id, FORM_USER, {
        "type": body.type, "title": body.title, "description": _description(body),
        "customer_phone": body.phone or None, "custom_fields": custom,
        "priority": Priority.NORMAL}, now)
    ticket.customer_id = _customer_id(session, row.id, body)
    ticket.due_at = now + ticket_types.sla_for(session, row.id, body.type)
    session.flush()
    form = Principal(user_id=0, tenant_id=row.id, tenant=row.name, username=FORM_USER,
                     role=Role.AGENT, agent_id=None)
    commit_audited(session, form, "create", "ticket", ticket.id, None,
                   TicketRead.model_validate(ticket))
    return PublicTicketReceipt(reference=ticket.id, due_at=ticket.due_at)


def _description(body: PublicTicketRequest) -> str:
    """The customer's text, then who they say they are."""
    sender = [f"{label}: {value}" for label, value in
              (("Name", body.name), ("Phone", body.phone), ("E-mail", body.email)) if value]
    return "\n".join([body.description.strip(), "", "-- Sent through the web form", *sender]
                     ).strip()


def _customer_id(session: DbSession, tenant_id: int, body: PublicTicketRequest) -> int | None:
    """The customer holding the request's phone number, else its e-mail address."""
    found = None
    if body.phone:
        found = customers.lookup(session, tenant_id, phone=body.phone)
    if found is None and body.email:
        found = customers.lookup(session, tenant_id, email=body.email)
    return None if found is None else found.id

