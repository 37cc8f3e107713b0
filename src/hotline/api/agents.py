"""`/api/agents`: agents, their id (what they log in as on the CTI API), team and skills.

Supervisors and admins read; admins change. A new id follows into the team they supervise.

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
from hotline.store.config_schemas import AgentCreate, AgentRead, AgentUpdate

router = APIRouter(prefix="/api/agents", tags=["agents"])
ENTITY = "agent"


@router.get("")
def list_agents(principal: Staff, session: DbSession) -> list[AgentRead]:
    """Every agent of the tenant."""
    return config_repo.agents.read_all(session, principal.tenant_id)


@router.post("", status_code=status.HTTP_201_CREATED)
def create_agent(body: AgentCreate, principal: Admin, session: DbSession) -> AgentRead:
    """Add an agent."""
    created = config_repo.agents.create(session, principal.tenant_id, body)
    commit_audited(session, principal, "create", ENTITY, created.id, None, created)
    return created


@router.get("/{agent_id}")
def get_agent(agent_id: NameKey, principal: Staff, session: DbSession) -> AgentRead:
    """One agent."""
    return config_repo.agents.read(session, principal.tenant_id, agent_id)


@router.patch("/{agent_id}")
def update_agent(
    agent_id: NameKey, body: AgentUpdate, principal: Admin, session: DbSession
) -> AgentRead:
    """Change the fields given; the others keep their values."""
    before = config_repo.agents.read(session, principal.tenant_id, agent_id)
    after = config_repo.agents.update(session, principal.tenant_id, agent_id, body)
    commit_audited(session, principal, "update", ENTITY, agent_id, before, after)
    return after


@router.delete("/{agent_id}", status_code=status.HTTP_204_NO_CONTENT)
def delete_agent(agent_id: NameKey, principal: Admin, session: DbSession) -> Response:
    """Remove an agent that nothing refers to any more."""
    before = config_repo.agents.read(session, principal.tenant_id, agent_id)
    config_repo.agents.delete(session, principal.tenant_id, agent_id)
    commit_audited(session, principal, "delete", ENTITY, agent_id, before, None)
    return Response(status_code=status.HTTP_204_NO_CONTENT)
