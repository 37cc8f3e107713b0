"""`/api/dids`: the numbers carriers deliver to the tenant (DIDs, T1).

A DID belongs to one tenant: a number another tenant holds is a 409 (DIDs are unique across
tenants). It maps a dialled number to its tenant only; where the call goes in the tenant is
the business of the tenant's DNIS routes (`/api/dnis_routes`): the route of that number, or
the tenant's default IVR flow and default queue when it has none.

Supervisors and admins read; admins change. Refused changes change nothing: a bad value or an
unknown trunk is a 422 naming the field. Every change is in the audit log, and the running SIP
switch takes it at once (`telephony_changes`).
"""

from __future__ import annotations

from fastapi import APIRouter, Request, Response, status

from hotline.api.auth import Admin, Staff
from hotline.api.resources import NumberKey, not_found
from hotline.api.session import DbSession
from hotline.api.telephony_changes import commit_change, refused
from hotline.store import telephony
from hotline.store.accounts import Principal
from hotline.store.telephony import TelephonyError
from hotline.store.telephony_schemas import DidCreate, DidRead, DidReplace
from hotline.store.telephony_tables import DidRow

router = APIRouter(prefix="/api/dids", tags=["dids"])

ENTITY = "did"


@router.get("")
def list_dids(principal: Staff, session: DbSession) -> list[DidRead]:
    """Every DID of the tenant, by number."""
    return [telephony.did_read(row) for row in telephony.dids(session, principal.tenant_id)]


@router.post("", status_code=status.HTTP_201_CREATED)
def create_did(body: DidCreate, principal: Admin, session: DbSession,
               request: Request) -> DidRead:
    """Take a number for the tenant."""
    try:
        row = telephony.create_did(session, principal.tenant_id, body)
    except TelephonyError as error:
        raise refused(error) from error
    after = telephony.did_read(row)
    commit_change(request, session, principal, "create", ENTITY, row.number, None, after)
    return after


@router.get("/{number}")
def get_did(number: NumberKey, principal: Staff, session: DbSession) -> DidRead:
    """One DID."""
    return telephony.did_read(_row(session, principal, number))


@router.put("/{number}")
def replace_did(number: NumberKey, body: DidReplace, principal: Admin, session: DbSession,
                request: Request) -> DidRead:
    """Replace the DID's settings (`number` left out keeps the DID's)."""
    row = _row(session, principal, number)
    before = telephony.did_read(row)
    try:
        telephony.replace_did(session, row, body)
    except TelephonyError as error:
        raise refused(error) from error
    after = telephony.did_read(row)
    commit_change(request, session, principal, "update", ENTITY, number, before, after)
    return after


@router.delete("/{number}", status_code=status.HTTP_204_NO_CONTENT)
def delete_did(number: NumberKey, principal: Admin, session: DbSession,
               request: Request) -> Response:
    """Give the number up."""
    row = _row(session, principal, number)
    before = telephony.did_read(row)
    session.delete(row)
    session.flush()
    commit_change(request, session, principal, "delete", ENTITY, number, before, None)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


def _row(session: DbSession, principal: Principal, number: str) -> DidRow:
    row = telephony.did(session, principal.tenant_id, number)
    if row is None:
        raise not_found("DID", number)
    return row
