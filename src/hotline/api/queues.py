"""`/api/queues`: required skills, selection strategy, service-level goal, overflow.

Every logged-in user reads them (the agent desktop lists them); admins change them. Renaming
a queue renames it in overflows, DNIS routes and the tenant's routing.

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
from hotline.store.config_schemas import QueueCreate, QueueRead, QueueUpdate

router = APIRouter(prefix="/api/queues", tags=["queues"])
ENTITY = "queue"


@router.get("")
def list_queues(principal: AnyUser, session: DbSession) -> list[QueueRead]:
    """Every queue of the tenant."""
    return config_repo.queues.read_all(session, principal.tenant_id)


@router.post("", status_code=status.HTTP_201_CREATED)
def create_queue(body: QueueCreate, principal: Admin, session: DbSession) -> QueueRead:
    """Add a queue."""
    created = config_repo.queues.create(session, principal.tenant_id, body)
    commit_audited(session, principal, "create", ENTITY, created.name, None, created)
    return created


@router.get("/{name}")
def get_queue(name: NameKey, principal: AnyUser, session: DbSession) -> QueueRead:
    """One queue."""
    return config_repo.queues.read(session, principal.tenant_id, name)


@router.patch("/{name}")
def update_queue(
    name: NameKey, body: QueueUpdate, principal: Admin, session: DbSession
) -> QueueRead:
    """Change the fields given; the others keep their values."""
    before = config_repo.queues.read(session, principal.tenant_id, name)
    after = config_repo.queues.update(session, principal.tenant_id, name, body)
    commit_audited(session, principal, "update", ENTITY, name, before, after)
    return after


@router.delete("/{name}", status_code=status.HTTP_204_NO_CONTENT)
def delete_queue(name: NameKey, principal: Admin, session: DbSession) -> Response:
    """Remove a queue that nothing refers to any more."""
    before = config_repo.queues.read(session, principal.tenant_id, name)
    config_repo.queues.delete(session, principal.tenant_id, name)
    commit_audited(session, principal, "delete", ENTITY, name, before, None)
    return Response(status_code=status.HTTP_204_NO_CONTENT)
