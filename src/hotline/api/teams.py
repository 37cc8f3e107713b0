"""`/api/teams`: teams of agents and their supervisors.

Renaming a team moves its agents along. Supervisors and admins read; admins change.

Changes are checked against the tenant's whole configuration (`config_repo`): a name that
does not exist, a duplicate or a reference still in use is refused with a 422 naming it, and
nothing changes. Every change is in the audit log with the record before and after.
"""

from __future__ import annotations

from fastapi import APIRouter, Response, status

from hotline.api.auth import Admin, Staff
from hotline.api.resources import NameKey, commit_audited
from hotline.api.session import DbSession
from hotline.store import config_repo
from hotline.store.config_schemas import TeamCreate, TeamRead, TeamUpdate

router = APIRouter(prefix="/api/teams", tags=["teams"])
ENTITY = "team"


@router.get("")
def list_teams(principal: Staff, session: DbSession) -> list[TeamRead]:
    """Every team of the tenant."""
    return config_repo.teams.read_all(session, principal.tenant_id)


@router.post("", status_code=status.HTTP_201_CREATED)
def create_team(body: TeamCreate, principal: Admin, session: DbSession) -> TeamRead:
    """Add a team."""
    created = config_repo.teams.create(session, principal.tenant_id, body)
    commit_audited(session, principal, "create", ENTITY, created.name, None, created)
    return created


@router.get("/{name}")
def get_team(name: NameKey, principal: Staff, session: DbSession) -> TeamRead:
    """One team."""
    return config_repo.teams.read(session, principal.tenant_id, name)


@router.patch("/{name}")
def update_team(
    name: NameKey, body: TeamUpdate, principal: Admin, session: DbSession
) -> TeamRead:
    """Change the fields given; the others keep their values."""
    before = config_repo.teams.read(session, principal.tenant_id, name)
    after = config_repo.teams.update(session, principal.tenant_id, name, body)
    commit_audited(session, principal, "update", ENTITY, name, before, after)
    return after


@router.delete("/{name}", status_code=status.HTTP_204_NO_CONTENT)
def delete_team(name: NameKey, principal: Admin, session: DbSession) -> Response:
    """Remove a team that nothing refers to any more."""
    before = config_repo.teams.read(session, principal.tenant_id, name)
    config_repo.teams.delete(session, principal.tenant_id, name)
    commit_audited(session, principal, "delete", ENTITY, name, before, None)
    return Response(status_code=status.HTTP_204_NO_CONTENT)
