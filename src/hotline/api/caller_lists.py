"""`/api/caller_lists`: callers' numbers on the blacklist or the VIP list.

A blacklisted caller is refused (busy); a VIP goes ahead in the queue by the tenant's
`vip_priority`. A number is on one list at most. Supervisors and admins read; admins change.

Changes are checked against the tenant's whole configuration (`config_repo`): a name that
does not exist, a duplicate or a reference still in use is refused with a 422 naming it, and
nothing changes. Every change is in the audit log with the record before and after.
"""

from __future__ import annotations

from fastapi import APIRouter, Response, status

from hotline.api.auth import Admin, Staff
from hotline.api.resources import NumberKey, commit_audited
from hotline.api.session import DbSession
from hotline.store import config_repo
from hotline.store.config_schemas import (
    CallerListEntryCreate,
    CallerListEntryRead,
    CallerListEntryUpdate,
)

router = APIRouter(prefix="/api/caller_lists", tags=["caller_lists"])
ENTITY = "caller list entry"


@router.get("")
def list_caller_lists(principal: Staff, session: DbSession) -> list[CallerListEntryRead]:
    """Every caller list entry of the tenant."""
    return config_repo.caller_lists.read_all(session, principal.tenant_id)


@router.post("", status_code=status.HTTP_201_CREATED)
def create_caller_list_entry(
    body: CallerListEntryCreate, principal: Admin, session: DbSession
) -> CallerListEntryRead:
    """Add a caller list entry."""
    created = config_repo.caller_lists.create(session, principal.tenant_id, body)
    commit_audited(session, principal, "create", ENTITY, created.number, None, created)
    return created


@router.get("/{number}")
def get_caller_list_entry(
    number: NumberKey, principal: Staff, session: DbSession
) -> CallerListEntryRead:
    """One caller list entry."""
    return config_repo.caller_lists.read(session, principal.tenant_id, number)


@router.patch("/{number}")
def update_caller_list_entry(
    number: NumberKey, body: CallerListEntryUpdate, principal: Admin, session: DbSession
) -> CallerListEntryRead:
    """Change the fields given; the others keep their values."""
    before = config_repo.caller_lists.read(session, principal.tenant_id, number)
    after = config_repo.caller_lists.update(session, principal.tenant_id, number, body)
    commit_audited(session, principal, "update", ENTITY, number, before, after)
    return after


@router.delete("/{number}", status_code=status.HTTP_204_NO_CONTENT)
def delete_caller_list_entry(number: NumberKey, principal: Admin, session: DbSession) -> Response:
    """Remove a caller list entry that nothing refers to any more."""
    before = config_repo.caller_lists.read(session, principal.tenant_id, number)
    config_repo.caller_lists.delete(session, principal.tenant_id, number)
    commit_audited(session, principal, "delete", ENTITY, number, before, None)
    return Response(status_code=status.HTTP_204_NO_CONTENT)
