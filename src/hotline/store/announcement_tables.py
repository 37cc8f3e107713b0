"""Announcements (D5): short notices supervisors and admins post for their tenant's agents,
shown on the agent desktop until they expire (or for good, without an expiry)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from hotline.store.account_tables import utc_now
from hotline.store.database import Base

TITLE = 200
BODY = 4000


class AnnouncementRow(Base):
    """One announcement of a tenant."""

    __tablename__ = "announcements"
    __table_args__ = (Index("ix_announcements_tenant_created", "tenant_id", "created_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    tenant_id: Mapped[int] = mapped_column(ForeignKey("tenants.id", ondelete="CASCADE"))
    title: Mapped[str] = mapped_column(String(TITLE))
    body: Mapped[str] = mapped_column(Text)
    created_by: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utc_now)
    expires_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), default=None)
