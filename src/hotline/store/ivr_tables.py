"""The table of IVR flows: every version of every flow of a tenant.

A flow is known in its tenant by its name and kept as a series of numbered versions, each
holding the whole flow document (what a flow file holds, as JSON). A version's `status` says
what it is: the one `draft` being edited, the one `published` version that new calls run, or
`retired` (published once, kept for history and for the calls that were still in it). Two
partial unique indexes let the database itself refuse a second draft or a second published
version of a flow, whatever two administrators do at the same moment.

Who created a version and when is on the row; for a draft, that is its last save. Publishing
notes who published it and when. Which flows the tenant's routing uses is configuration
(`tenants.default_flow`, `dnis_routes.flow`); `ivr_flows` refuses to delete a flow still named
there.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import (
    JSON,
    CheckConstraint,
    DateTime,
    ForeignKey,
    Index,
    String,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from hotline.store.config_tables import NAME
from hotline.store.database import Base


class FlowStatus(StrEnum):
    """Where a flow version stands: being edited, running for new calls, or superseded."""

    DRAFT = "draft"
    PUBLISHED = "published"
    RETIRED = "retired"


def _only_one(status: FlowStatus) -> Index:
    """At most one version of a flow in `status`."""
    where = text(f"status = '{status.value}'")
    return Index(f"uq_ivr_flow_versions_one_{status.value}", "tenant_id", "name", unique=True,
                 sqlite_where=where, postgresql_where=where)


class FlowVersionRow(Base):
    """One version of an IVR flow: its number (1, 2, ... per flow), status and document."""

    __tablename__ = "ivr_flow_versions"
    __table_args__ = (
        UniqueConstraint("tenant_id", "name", "version", name="uq_ivr_flow_versions_version"),
        CheckConstraint("status IN ('draft', 'published', 'retired')",
                        name="ck_ivr_flow_versions_status"),
        _only_one(FlowStatus.DRAFT),
        _only_one(FlowStatus.PUBLISHED),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    tenant_id: Mapped[int] = mapped_column(ForeignKey("tenants.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(NAME))
    version: Mapped[int]
    status: Mapped[str] = mapped_column(String(16))
    document: Mapped[dict[str, Any]] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    created_by: Mapped[str] = mapped_column(String(64))
    published_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    published_by: Mapped[str | None] = mapped_column(String(64))


__all__ = ["FlowStatus", "FlowVersionRow"]
