"""The tenant's settings per ticket type (C2): its custom fields and its SLA override.

One row per tenant and type, and only for the types the tenant has changed: a type without a
row has no custom fields and the default SLA of `hotline.crm.ticket_workflow.SLA`. `fields` is
the JSON list of `hotline.crm.ticket_fields.FieldDefinition.as_json()`; `sla_minutes` NULL
keeps the default SLA.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import JSON, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from hotline.store.database import Base
from hotline.store.ticket_tables import ENUM


class TicketTypeRow(Base):
    """How one tenant has set up one ticket type."""

    __tablename__ = "ticket_types"
    __table_args__ = (UniqueConstraint("tenant_id", "type", name="uq_ticket_types_tenant_type"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    tenant_id: Mapped[int] = mapped_column(ForeignKey("tenants.id", ondelete="CASCADE"))
    type: Mapped[str] = mapped_column(String(ENUM))
    sla_minutes: Mapped[int | None] = mapped_column(Integer)
    fields: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
