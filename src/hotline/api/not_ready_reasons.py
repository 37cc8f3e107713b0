"""`/api/not_ready_reasons`: the reasons an agent may give for not being ready.

Every logged-in user reads them (the agent desktop offers them); admins change them.

Changes are checked against the tenant's whole configuration (`config_repo`): a name that
does not exist, a duplicate or a reference still in use is refused with a 422 naming it, and
nothing changes. Every change is in the audit log with the record before and after.
"""

from __future__ import annotations

from fastapi import APIRouter, Response, status

from hotline.api.auth import Admin, AnyUser
from hotline.api.resources import NameKey, commit_audited
from hotline.api.session import DbSession
from hotline.store import config_repo
from hotline.store.config_schemas import (
    NotReadyReasonCreate,
    NotReadyReasonRead,
    NotReadyReasonUpdate,
)

router = APIRouter(prefix="/api/not_ready_reasons", tags=["not_ready_reasons"])
ENTITY = "not-ready reason"


@router.get("")
def list_not_ready_reasons(principal: AnyUser, session: DbSession) -> list[NotReadyReasonRead]:
    """Every not-ready reason of the tenant."""
    return config_repo.not_ready_reasons.read_all(session, principal.tenant_id)


@router.post("", status_code=status.HTTP_201_CREATED)
def create_not_ready_reason(
    body: NotReadyReasonCreate, principal: Admin, session: DbSession
) -> NotReadyReasonRead:
    """Add a not-ready reason."""
    created = config_repo.not_ready_reasons.create(session, principal.tenant_id, body)
    commit_audited(session, principal, "create", ENTITY, created.code, None, created)
    return created


@router.get("/{code}")
def get_not_ready_reason(
    code: NameKey, principal: AnyUser, session: DbSession
) -> NotReadyReasonRead:
    """One not-ready reason."""
    return config_repo.not_ready_reasons.read(session, principal.tenant_id, code)


@router.patch("/{code}")
def update_not_ready_reason(
    code: NameKey, body: NotReadyReasonUpdate, principal: Admin, session: DbSession
) -> NotReadyReasonRead:
    """Change the fields given; the others keep their values."""
    before = config_repo.not_ready_reasons.read(session, principal.tenant_id, code)
    after = config_repo.not_ready_reasons.update(session, principal.tenant_id, code, body)
    commit_audited(session, principal, "update", ENTITY, code, before, after)
    return after


@router.delete("/{code}", status_code=status.HTTP_204_NO_CONTENT)
def delete_not_ready_reason(code: NameKey, principal: Admin, session: DbSession) -> Response:
    """Remove a not-ready reason that nothing refers to any more."""
    before = config_repo.not_ready_reasons.read(session, principal.tenant_id, code)
    config_repo.not_ready_reasons.delete(session, principal.tenant_id, code)
    commit_audited(session, principal, "delete", ENTITY, code, before, None)
    return Response(status_code=status.HTTP_204_NO_CONTENT)
