"""`/api/trunks`: the tenant's SIP trunks to carriers (T1).

Supervisors and admins read; admins change. The carrier password is stored (outbound digest
authentication needs it every time) but never returned: reads say `has_password`. A trunk's
`sources` are trusted as the carrier: calls from them need no digest, so no address may be
trusted by two trunks (409).

Refused changes change nothing: a bad value is a 422 naming the field, a name or source already
taken or a trunk still used by DIDs a 409. Every change is in the audit log (never the
password), and the running SIP switch takes it at once (`telephony_changes`).
"""

from __future__ import annotations

from fastapi import APIRouter, Request, Response, status

from hotline.api.auth import Admin, Staff
from hotline.api.resources import NameKey, not_found
from hotline.api.session import DbSession
from hotline.api.telephony_changes import commit_change, refused
from hotline.store import telephony
from hotline.store.accounts import Principal
from hotline.store.telephony import TelephonyError
from hotline.store.telephony_schemas import TrunkCreate, TrunkRead, TrunkReplace
from hotline.store.telephony_tables import TrunkRow

router = APIRouter(prefix="/api/trunks", tags=["trunks"])

ENTITY = "trunk"


@router.get("")
def list_trunks(principal: Staff, session: DbSession) -> list[TrunkRead]:
    """Every trunk of the tenant, by name."""
    return [telephony.trunk_read(row) for row in telephony.trunks(session, principal.tenant_id)]


@router.post("", status_code=status.HTTP_201_CREATED)
def create_trunk(body: TrunkCreate, principal: Admin, session: DbSession,
                 request: Request) -> TrunkRead:
    """Add a trunk."""
    try:
        row = telephony.create_trunk(session, principal.tenant_id, body)
    except TelephonyError as error:
        raise refused(error) from error
    after = telephony.trunk_read(row)
    commit_change(request, session, principal, "create", ENTITY, row.name, None, after)
    return after


@router.get("/{name}")
def get_trunk(name: NameKey, principal: Staff, session: DbSession) -> TrunkRead:
    """One trunk."""
    return telephony.trunk_read(_row(session, principal, name))


@router.put("/{name}")
def replace_trunk(name: NameKey, body: TrunkReplace, principal: Admin, session: DbSession,
                  request: Request) -> TrunkRead:
    """Replace the trunk's settings (those left out take their defaults; `name` left out
    keeps the trunk's, `password` left out keeps the stored one and null removes it)."""
    row = _row(session, principal, name)
    before = telephony.trunk_read(row)
    try:
        telephony.replace_trunk(session, row, body)
    except TelephonyError as error:
        raise refused(error) from error
    after = telephony.trunk_read(row)
    commit_change(request, session, principal, "update", ENTITY, name, before, after)
    return after


@router.delete("/{name}", status_code=status.HTTP_204_NO_CONTENT)
def delete_trunk(name: NameKey, principal: Admin, session: DbSession,
                 request: Request) -> Response:
    """Remove a trunk that no DID names any more."""
    row = _row(session, principal, name)
    before = telephony.trunk_read(row)
    try:
        telephony.delete_trunk(session, row)
    except TelephonyError as error:
        raise refused(error) from error
    commit_change(request, session, principal, "delete", ENTITY, name, before, None)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


def _row(session: DbSession, principal: Principal, name: str) -> TrunkRow:
    row = telephony.trunk(session, principal.tenant_id, name)
    if row is None:
        raise not_found(ENTITY, repr(name))
    return row
