"""`/api/audit`: the tenant's audit log — who changed what, when, and the record before and
after. Logins and logouts are there too. Admins only; newest first, a page at a time."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Query
from pydantic import BaseModel, ConfigDict
from sqlalchemy import select

from hotline.api.auth import Admin
from hotline.api.session import DbSession
from hotline.store.account_schemas import UtcTime
from hotline.store.account_tables import AuditEntry
from hotline.store.accounts import as_utc

router = APIRouter(prefix="/api/audit", tags=["audit"])


class AuditRead(BaseModel):
    """One entry of the audit log."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    at: UtcTime
    username: str
    action: str
    entity: str
    entity_key: str
    before: Any
    after: Any


@router.get("")
def list_audit(
    principal: Admin,
    session: DbSession,
    entity: Annotated[str | None, Query(max_length=64, description="e.g. queue")] = None,
    action: Annotated[str | None, Query(max_length=32, description="e.g. update")] = None,
    username: Annotated[str | None, Query(max_length=64, description="Who did it.")] = None,
    since: Annotated[datetime | None, Query(description="At or after (ISO time).")] = None,
    until: Annotated[datetime | None, Query(description="Before (ISO time).")] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
    offset: Annotated[int, Query(ge=0, le=2**31 - 1)] = 0,
) -> list[AuditRead]:
    """Entries of the tenant's audit log matching the filters, newest first."""
    query = select(AuditEntry).where(AuditEntry.tenant_id == principal.tenant_id)
    if entity is not None:
        query = query.where(AuditEntry.entity == entity)
    if action is not None:
        query = query.where(AuditEntry.action == action)
    if username is not None:
        query = query.where(AuditEntry.username == username)
    if since is not None:
        query = query.where(AuditEntry.at >= as_utc(since))
    if until is not None:
        query = query.where(AuditEntry.at < as_utc(until))
    query = query.order_by(AuditEntry.at.desc(), AuditEntry.id.desc()).limit(limit).offset(offset)
    return [AuditRead.model_validate(entry) for entry in session.scalars(query)]
