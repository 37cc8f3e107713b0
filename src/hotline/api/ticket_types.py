"""`/api/ticket_types`: each ticket type's custom fields and SLA, per tenant (C2).

Everyone signed in reads them (agents fill in the fields when they open a ticket); only an
admin changes them. `PUT /api/ticket_types/{type}` replaces a type's definition as a whole:
its SLA override (null: the default of its type) and its list of fields. A list that does not
hold together (a duplicate name, choices on a text field, a choice field without choices...)
is a 422 naming every problem, and nothing is stored. Changes are audited.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, HTTPException, status
from pydantic import BaseModel, ConfigDict, Field

from hotline.api.auth import Admin, AnyUser
from hotline.api.resources import commit_audited
from hotline.api.session import DbSession
from hotline.crm.ticket_fields import (
    MAX_FIELDS,
    FieldKind,
    TicketFieldError,
    parse_definitions,
)
from hotline.crm.ticket_workflow import TicketType
from hotline.store import ticket_types
from hotline.store.ticket_types import MAX_SLA_MINUTES, TicketTypeError, TicketTypeSetup

router = APIRouter(prefix="/api/ticket_types", tags=["ticket types"])


class FieldDefinitionModel(BaseModel):
    """One custom field of a ticket type."""

    model_config = ConfigDict(extra="forbid")

    name: str = Field(description="The key in the ticket's custom_fields: letters, digits "
                                  "and _, at most 64, not starting with a digit.",
                      examples=["meter"])
    label: str = Field(description="What people see, 1 to 100 characters.",
                       examples=["Meter number"])
    kind: FieldKind = Field(examples=["text"])
    required: bool = False
    choices: list[str] | None = Field(
        None, description="The values a `choice` field allows (1 to 100); only for choice.")
    max_length: int | None = Field(
        None, description="The longest value of a `text` field (1 to 1000, default 1000); "
                          "only for text.")


class TicketTypeRead(BaseModel):
    """A ticket type as the tenant has it."""

    type: TicketType
    sla_minutes: int = Field(description="The effective SLA: the tenant's own, or the "
                                         "type's default.")
    sla_overridden: bool = Field(description="Whether sla_minutes is the tenant's own.")
    fields: list[FieldDefinitionModel]


class TicketTypeUpdate(BaseModel):
    """The whole definition of a ticket type."""

    model_config = ConfigDict(extra="forbid")

    sla_minutes: Annotated[int, Field(ge=1, le=MAX_SLA_MINUTES)] | None = Field(
        description="The tenant's SLA for the type in minutes, or null for the default.",
        examples=[120])
    fields: list[FieldDefinitionModel] = Field(max_length=MAX_FIELDS)


def _read(setup: TicketTypeSetup) -> TicketTypeRead:
    return TicketTypeRead(
        type=setup.type, sla_minutes=setup.sla_minutes, sla_overridden=setup.sla_overridden,
        fields=[FieldDefinitionModel.model_validate(field.as_json()) for field in setup.fields])


@router.get("")
def list_ticket_types(principal: AnyUser, session: DbSession) -> list[TicketTypeRead]:
    """Every ticket type with its SLA and custom fields."""
    return [_read(setup) for setup in ticket_types.all_setups(session, principal.tenant_id)]


@router.get("/{type}")
def get_ticket_type(type: TicketType, principal: AnyUser,
                    session: DbSession) -> TicketTypeRead:
    """One ticket type."""
    return _read(ticket_types.setup_of(session, principal.tenant_id, type))


@router.put("/{type}")
def set_ticket_type(type: TicketType, body: TicketTypeUpdate, principal: Admin,
                    session: DbSession) -> TicketTypeRead:
    """Replace the type's SLA override and custom fields."""
    before = _read(ticket_types.setup_of(session, principal.tenant_id, type))
    try:
        fields = parse_definitions([field.model_dump() for field in body.fields])
        setup = ticket_types.set_type(session, principal.tenant_id, type, body.sla_minutes,
                                      fields)
    except (TicketFieldError, TicketTypeError) as error:
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, str(error)) from error
    after = _read(setup)
    commit_audited(session, principal, "update", "ticket_type", type.value, before, after)
    return after
