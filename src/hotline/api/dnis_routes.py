"""`/api/dnis_routes`: calls to a dialled number (DNIS) go to a queue.

Supervisors and admins read; admins change.

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
from hotline.store.config_schemas import DnisRouteCreate, DnisRouteRead, DnisRouteUpdate

router = APIRouter(prefix="/api/dnis_routes", tags=["dnis_routes"])
ENTITY = "DNIS route"


@router.get("")
def list_dnis_routes(principal: Staff, session: DbSession) -> list[DnisRouteRead]:
    """Every DNIS route of the tenant."""
    return config_repo.dnis_routes.read_all(session, principal.tenant_id)


@router.post("", status_code=status.HTTP_201_CREATED)
def create_dnis_route(body: DnisRouteCreate, principal: Admin, session: DbSession) -> DnisRouteRead:
    """Add a DNIS route."""
    created = config_repo.dnis_routes.create(session, principal.tenant_id, body)
    commit_audited(session, principal, "create", ENTITY, created.dnis, None, created)
    return created


@router.get("/{dnis}")
def get_dnis_route(dnis: NumberKey, principal: Staff, session: DbSession) -> DnisRouteRead:
    """One DNIS route."""
    return config_repo.dnis_routes.read(session, principal.tenant_id, dnis)


@router.patch("/{dnis}")
def update_dnis_route(
    dnis: NumberKey, body: DnisRouteUpdate, principal: Admin, session: DbSession
) -> DnisRouteRead:
    """Change the fields given; the others keep their values."""
    before = config_repo.dnis_routes.read(session, principal.tenant_id, dnis)
    after = config_repo.dnis_routes.update(session, principal.tenant_id, dnis, body)
    commit_audited(session, principal, "update", ENTITY, dnis, before, after)
    return after


@router.delete("/{dnis}", status_code=status.HTTP_204_NO_CONTENT)
def delete_dnis_route(dnis: NumberKey, principal: Admin, session: DbSession) -> Response:
    """Remove a DNIS route that nothing refers to any more."""
    before = config_repo.dnis_routes.read(session, principal.tenant_id, dnis)
    config_repo.dnis_routes.delete(session, principal.tenant_id, dnis)
    commit_audited(session, principal, "delete", ENTITY, dnis, before, None)
    return Response(status_code=status.HTTP_204_NO_CONTENT)
