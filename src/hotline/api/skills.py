"""`/api/skills`: the skills that queues require and agents hold, at levels 1 to 10.

Renaming a skill renames it in every queue and agent. Supervisors and admins read; admins
change.

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
from hotline.store.config_schemas import SkillCreate, SkillRead, SkillUpdate

router = APIRouter(prefix="/api/skills", tags=["skills"])
ENTITY = "skill"


@router.get("")
def list_skills(principal: Staff, session: DbSession) -> list[SkillRead]:
    """Every skill of the tenant."""
    return config_repo.skills.read_all(session, principal.tenant_id)


@router.post("", status_code=status.HTTP_201_CREATED)
def create_skill(body: SkillCreate, principal: Admin, session: DbSession) -> SkillRead:
    """Add a skill."""
    created = config_repo.skills.create(session, principal.tenant_id, body)
    commit_audited(session, principal, "create", ENTITY, created.name, None, created)
    return created


@router.get("/{name}")
def get_skill(name: NameKey, principal: Staff, session: DbSession) -> SkillRead:
    """One skill."""
    return config_repo.skills.read(session, principal.tenant_id, name)


@router.patch("/{name}")
def update_skill(
    name: NameKey, body: SkillUpdate, principal: Admin, session: DbSession
) -> SkillRead:
    """Change the fields given; the others keep their values."""
    before = config_repo.skills.read(session, principal.tenant_id, name)
    after = config_repo.skills.update(session, principal.tenant_id, name, body)
    commit_audited(session, principal, "update", ENTITY, name, before, after)
    return after


@router.delete("/{name}", status_code=status.HTTP_204_NO_CONTENT)
def delete_skill(name: NameKey, principal: Admin, session: DbSession) -> Response:
    """Remove a skill that nothing refers to any more."""
    before = config_repo.skills.read(session, principal.tenant_id, name)
    config_repo.skills.delete(session, principal.tenant_id, name)
    commit_audited(session, principal, "delete", ENTITY, name, before, None)
    return Response(status_code=status.HTTP_204_NO_CONTENT)
