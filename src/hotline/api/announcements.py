"""`/api/announcements`: notices for the tenant's agents (D5).

Everyone signed in reads the current ones (not expired), newest first — the agent desktop
shows them; supervisors and admins post, change and remove them, and may list expired ones
too (`include_expired`). Every change goes to the audit log.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, HTTPException, Query, Response, status
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import or_, select

from hotline.api.auth import AnyUser, Staff
from hotline.api.resources import RecordId, commit_audited, not_found
from hotline.api.session import DbSession
from hotline.store.account_schemas import UtcTime
from hotline.store.account_tables import utc_now
from hotline.store.accounts import Principal, as_utc
from hotline.store.announcement_tables import BODY, TITLE, AnnouncementRow

router = APIRouter(prefix="/api/announcements", tags=["announcements"])


class AnnouncementCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    title: str = Field(min_length=1, max_length=TITLE, examples=["Gas price change"])
    body: str = Field("", max_length=BODY, examples=["New tariffs apply from 1 December."])
    expires_at: datetime | None = Field(None, description="Hidden from agents after this time; "
                                                          "null: until removed.")


class AnnouncementUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    title: str | None = Field(None, min_length=1, max_length=TITLE)
    body: str | None = Field(None, max_length=BODY)
    expires_at: datetime | None = None


class AnnouncementRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    title: str
    body: str
    created_by: str
    created_at: UtcTime
    expires_at: UtcTime | None


@router.get("")
def list_announcements(
    principal: AnyUser,
    session: DbSession,
    include_expired: Annotated[bool, Query(description="Staff only.")] = False,
) -> list[AnnouncementRead]:
    """The tenant's current announcements, newest first."""
    query = select(AnnouncementRow).where(AnnouncementRow.tenant_id == principal.tenant_id)
    if include_expired:
        if principal.role.value not in ("supervisor", "admin"):
            raise HTTPException(status.HTTP_403_FORBIDDEN,
                                "only supervisors and admins see expired announcements")
    else:
        query = query.where(or_(AnnouncementRow.expires_at.is_(None),
                                AnnouncementRow.expires_at > utc_now()))
    query = query.order_by(AnnouncementRow.created_at.desc(), AnnouncementRow.id.desc())
    return [AnnouncementRead.model_validate(row) for row in session.scalars(query.limit(200))]


@router.post("", status_code=status.HTTP_201_CREATED)
def create_announcement(body: AnnouncementCreate, principal: Staff,
                        session: DbSession) -> AnnouncementRead:
    """Post an announcement."""
    row = AnnouncementRow(tenant_id=principal.tenant_id, title=body.title, body=body.body,
                          created_by=principal.username, created_at=utc_now(),
                          expires_at=as_utc(body.expires_at) if body.expires_at else None)
    session.add(row)
    session.flush()
    after = AnnouncementRead.model_validate(row)
    commit_audited(session, principal, "create", "announcement", row.id, None, after)
    return after


@router.get("/{announcement_id}")
def get_announcement(announcement_id: RecordId, principal: Staff,
                     session: DbSession) -> AnnouncementRead:
    """One announcement."""
    return AnnouncementRead.model_validate(_row(session, principal, announcement_id))


@router.patch("/{announcement_id}")
def update_announcement(announcement_id: RecordId, body: AnnouncementUpdate, principal: Staff,
                        session: DbSession) -> AnnouncementRead:
    """Change the fields given."""
    row = _row(session, principal, announcement_id)
    before = AnnouncementRead.model_validate(row)
    changes = body.model_dump(exclude_unset=True)
    if changes.get("title", "") is None:
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, "title cannot be null")
    for name, value in changes.items():
        if name == "body" and value is None:
            value = ""
        if name == "expires_at" and value is not None:
            value = as_utc(value)
        setattr(row, name, value)
    session.flush()
    after = AnnouncementRead.model_validate(row)
    commit_audited(session, principal, "update", "announcement", row.id, before, after)
    return after


@router.delete("/{announcement_id}", status_code=status.HTTP_204_NO_CONTENT)
def delete_announcement(announcement_id: RecordId, principal: Staff,
                        session: DbSession) -> Response:
    """Remove an announcement."""
    row = _row(session, principal, announcement_id)
    before = AnnouncementRead.model_validate(row)
    session.delete(row)
    commit_audited(session, principal, "delete", "announcement", announcement_id, before, None)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


def _row(session: DbSession, principal: Principal, announcement_id: int) -> AnnouncementRow:
    row = session.get(AnnouncementRow, announcement_id)
    if row is None or row.tenant_id != principal.tenant_id:
        raise not_found("announcement", announcement_id)
    return row
