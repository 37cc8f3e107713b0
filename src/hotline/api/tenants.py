"""`/api/tenant`: the caller's own tenant — time zone, business hours, holidays, routing.

Supervisors and admins read it; admins change it (only the fields given change; the name
cannot). Creating and removing tenants is not done over the API of a tenant: use the CLI
(`hotline config import`, `--demo`). The change is checked against the whole configuration
(a default queue must exist...), recorded in the audit log, and taken by the running
interaction server at once.
"""

from __future__ import annotations

from fastapi import APIRouter

from hotline.api.auth import Admin, Staff
from hotline.api.live_config import Live
from hotline.api.session import DbSession
from hotline.store import config_repo
from hotline.store.config_schemas import TenantRead, TenantUpdate

router = APIRouter(prefix="/api/tenant", tags=["tenant"])


@router.get("")
def get_tenant(principal: Staff, session: DbSession) -> TenantRead:
    """The tenant's settings."""
    return config_repo.read_tenant(session, principal.tenant_id)


@router.patch("")
def update_tenant(body: TenantUpdate, principal: Admin, session: DbSession, live: Live
                  ) -> TenantRead:
    """Change the settings given; the others keep their values."""
    before = config_repo.read_tenant(session, principal.tenant_id)
    after = config_repo.update_tenant(session, principal.tenant_id, body)
    live.commit(session, principal, "update", "tenant", principal.tenant, before, after)
    return after
