"""`/api/extensions`: the tenant's SIP phones (T2) and what each may dial (T10).

Supervisors and admins read; admins change. An agent reads their own extension at
`/api/extensions/mine`; staff see which phones are registered as an extension at
`/api/extensions/{number}/registrations`. A password goes in and never comes out: created
without one, an extension gets a generated password, returned once in the `201` response;
`PUT` may set a new one. Only its digests are stored (`telephony`).

Refused changes change nothing: a bad value or an unknown agent is a 422 naming the field, a
number or username already taken a 409. Every change is in the audit log (never a password),
and the running SIP switch takes it at once (`telephony_changes`).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

from fastapi import APIRouter, HTTPException, Path, status
from pydantic import BaseModel
from sqlalchemy.orm import Session

from hotline.api.auth import Admin, AnyUser, Staff
from hotline.api.resources import not_found
from hotline.api.session import DbSession
from hotline.api.telephony_router import Created, TelephonyDocs, delete_row, telephony_router
from hotline.store import sip_bindings, telephony
from hotline.store.telephony_schemas import (
    ExtensionCreate,
    ExtensionCreated,
    ExtensionRead,
    ExtensionReplace,
    RegistrationRead,
)
from hotline.store.telephony_tables import EXTENSION_NUMBER, ExtensionRow

ExtensionKey = Annotated[str, Path(min_length=1, max_length=EXTENSION_NUMBER,
                                   description="The extension's number.")]

mine = APIRouter()


@mine.get("/mine", responses={404: {"description": "You have no extension"}})
def my_extension(principal: AnyUser, session: DbSession) -> ExtensionRead:
    """The extension bound to the caller's agent."""
    row = (telephony.extension_of_agent(session, principal.tenant_id, principal.agent_id)
           if principal.agent_id is not None else None)
    if row is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND,
                            "you have no extension: ask an administrator to bind one to "
                            "your agent")
    return telephony.extension_read(row)


@mine.get("/{number}/registrations",
          responses={404: {"description": "No such extension"}})
def extension_registrations(number: ExtensionKey, principal: Staff,
                            session: DbSession) -> list[RegistrationRead]:
    """The phones registered as the extension now, newest first (empty: none is, so its
    agent's offers cannot ring a phone). Read from what the running switch has stored, which
    may lag a REGISTER by a moment."""
    row = telephony.extension(session, principal.tenant_id, number)
    if row is None:
        raise not_found("extension", number)
    found = sip_bindings.bindings_of(session, row.username, datetime.now(UTC))
    return [RegistrationRead(
        contact=binding.contact, transport=binding.transport,
        source=(f"{binding.source_host}:{binding.source_port}"
                if binding.source_host is not None else None),
        registered_at=binding.registered_at, expires_at=binding.expires_at)
        for binding in found]


def create_with_password(session: Session, tenant_id: int,
                         body: ExtensionCreate) -> Created[ExtensionRow]:
    """The new extension; the response also holds its generated password, shown only there."""
    row, generated = telephony.create_extension(session, tenant_id, body)
    read = telephony.extension_read(row)
    return Created(row, ExtensionCreated(**read.model_dump(), password=generated))


def replace_action(body: BaseModel) -> str:
    """A new password is audited as such (never the password itself)."""
    return "update" if "password" not in body.model_fields_set else "update_password"


router = telephony_router(
    tag="extensions",
    singular="extension",
    key_name="number",
    key_type=ExtensionKey,
    readers=Staff,
    writers=Admin,
    read_schema=ExtensionRead,
    create_schema=ExtensionCreate,
    replace_schema=ExtensionReplace,
    created_schema=ExtensionCreated,
    rows=telephony.extensions,
    row=telephony.extension,
    read=telephony.extension_read,
    create=create_with_password,
    replace=telephony.replace_extension,
    delete=delete_row,
    missing=lambda number: not_found("extension", number),
    replace_action=replace_action,
    own_routes=mine,
    docs=TelephonyDocs(
        list_all="Every extension of the tenant, by number.",
        create="Add an extension. Without a password, one is generated and returned in "
               "`password`:\nnote it now, it cannot be read again.",
        get="One extension.",
        replace="Replace the extension's settings (those left out take their defaults; "
                "`number`,\n`username` and `password` left out keep theirs).",
        delete="Remove an extension; its phones can no longer register or call.",
    ),
)
