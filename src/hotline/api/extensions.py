"""`/api/extensions`: the tenant's SIP phones (T2) and what each may dial (T10).

Supervisors and admins read; admins change. An agent reads their own extension at
`/api/extensions/mine`. A password goes in and never comes out: created without one, an
extension gets a generated password, returned once in the `201` response; `PUT` may set a new
one. Only its digests are stored (`telephony`).

Refused changes change nothing: a bad value or an unknown agent is a 422 naming the field, a
number or username already taken a 409. Every change is in the audit log (never a password),
and the running SIP switch takes it at once (`telephony_changes`).
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, HTTPException, Path, Request, Response, status

from hotline.api.auth import Admin, AnyUser, Staff
from hotline.api.resources import not_found
from hotline.api.session import DbSession
from hotline.api.telephony_changes import commit_change, refused
from hotline.store import telephony
from hotline.store.accounts import Principal
from hotline.store.telephony import TelephonyError
from hotline.store.telephony_schemas import (
    ExtensionCreate,
    ExtensionCreated,
    ExtensionRead,
    ExtensionReplace,
)
from hotline.store.telephony_tables import EXTENSION_NUMBER, ExtensionRow

router = APIRouter(prefix="/api/extensions", tags=["extensions"])

ENTITY = "extension"

ExtensionKey = Annotated[str, Path(min_length=1, max_length=EXTENSION_NUMBER,
                                   description="The extension's number.")]


@router.get("")
def list_extensions(principal: Staff, session: DbSession) -> list[ExtensionRead]:
    """Every extension of the tenant, by number."""
    return [telephony.extension_read(row)
            for row in telephony.extensions(session, principal.tenant_id)]


@router.post("", status_code=status.HTTP_201_CREATED)
def create_extension(body: ExtensionCreate, principal: Admin, session: DbSession,
                     request: Request) -> ExtensionCreated:
    """Add an extension. Without a password, one is generated and returned in `password`:
    note it now, it cannot be read again."""
    try:
        row, generated = telephony.create_extension(session, principal.tenant_id, body)
    except TelephonyError as error:
        raise refused(error) from error
    after = telephony.extension_read(row)
    commit_change(request, session, principal, "create", ENTITY, row.number, None, after)
    return ExtensionCreated(**after.model_dump(), password=generated)


@router.get("/mine", responses={404: {"description": "You have no extension"}})
def my_extension(principal: AnyUser, session: DbSession) -> ExtensionRead:
    """The extension bound to the caller's agent."""
    row = (telephony.extension_of_agent(session, principal.tenant_id, principal.agent_id)
           if principal.agent_id is not None else None)
    if row is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND,
                            "you have no extension: ask an administrator to bind one to "
                            "your agent")
    return telephony.extension_read(row)


@router.get("/{number}")
def get_extension(number: ExtensionKey, principal: Staff, session: DbSession) -> ExtensionRead:
    """One extension."""
    return telephony.extension_read(_row(session, principal, number))


@router.put("/{number}")
def replace_extension(number: ExtensionKey, body: ExtensionReplace, principal: Admin,
                      session: DbSession, request: Request) -> ExtensionRead:
    """Replace the extension's settings (those left out take their defaults; `number`,
    `username` and `password` left out keep theirs)."""
    row = _row(session, principal, number)
    before = telephony.extension_read(row)
    try:
        telephony.replace_extension(session, row, body)
    except TelephonyError as error:
        raise refused(error) from error
    after = telephony.extension_read(row)
    action = "update" if "password" not in body.model_fields_set else "update_password"
    commit_change(request, session, principal, action, ENTITY, number, before, after)
    return after


@router.delete("/{number}", status_code=status.HTTP_204_NO_CONTENT)
def delete_extension(number: ExtensionKey, principal: Admin, session: DbSession,
                     request: Request) -> Response:
    """Remove an extension; its phones can no longer register or call."""
    row = _row(session, principal, number)
    before = telephony.extension_read(row)
    session.delete(row)
    session.flush()
    commit_change(request, session, principal, "delete", ENTITY, number, before, None)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


def _row(session: DbSession, principal: Principal, number: str) -> ExtensionRow:
    row = telephony.extension(session, principal.tenant_id, number)
    if row is None:
        raise not_found(ENTITY, number)
    return row
