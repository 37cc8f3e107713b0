"""Tickets (work orders, C2) and the log of what was done to each.

A ticket belongs to one tenant; its type, priority and state are the values of
`hotline.crm.ticket_workflow`. `assignee` is a user name and `team` a team name of the tenant,
kept as text (like the audit log) so that the history outlives renames. Every change of
state is a `TicketEventRow`: who, when, which action, from which state to which, and the
comment given.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, DateTime, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from hotline.store.account_tables import utc_now
from hotline.store.database import Base

TITLE = 200
DESCRIPTION = 8000
COMMENT = 4000
PHONE = 32
USERNAME = 64
TEAM = 64
INTERACTION_ID = 64
ENUM = 24


class TicketRow(Base):
    """One ticket of a tenant."""

    __tablename__ = "tickets"
    __table_args__ = (
        Index("ix_tickets_tenant_state", "tenant_id", "state"),
        Index("ix_tickets_tenant_assignee", "tenant_id", "assignee"),
        Index("ix_tickets_tenant_due", "tenant_id", "due_at"),
        Index("ix_tickets_tenant_customer", "tenant_id", "customer_id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    tenant_id: Mapped[int] = mapped_column(ForeignKey("tenants.id", ondelete="CASCADE"))
    type: Mapped[str] = mapped_column(String(ENUM))
    priority: Mapped[str] = mapped_column(String(ENUM))
    state: Mapped[str] = mapped_column(String(ENUM))
    title: Mapped[str] = mapped_column(String(TITLE))
    description: Mapped[str] = mapped_column(Text)
    customer_phone: Mapped[str | None] = mapped_column(String(PHONE))
    customer_id: Mapped[int | None] = mapped_column(
        ForeignKey("customers.id", ondelete="SET NULL", name="fk_tickets_customer"))
    custom_fields: Mapped[dict[str, Any]] = mapped_column(JSON)
    assignee: Mapped[str | None] = mapped_column(String(USERNAME))
    team: Mapped[str | None] = mapped_column(String(TEAM))
    interaction_id: Mapped[str | None] = mapped_column(String(INTERACTION_ID))
    created_by: Mapped[str] = mapped_column(String(USERNAME))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utc_now)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utc_now)
    due_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    reminded_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    escalated_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class TicketEventRow(Base):
    """One action on a ticket: who did it, when, and why."""

    __tablename__ = "ticket_events"
    __table_args__ = (Index("ix_ticket_events_ticket", "ticket_id", "id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    ticket_id: Mapped[int] = mapped_column(ForeignKey("tickets.id", ondelete="CASCADE"))
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utc_now)
    username: Mapped[str] = mapped_column(String(USERNAME))
    action: Mapped[str] = mapped_column(String(ENUM))
    from_state: Mapped[str | None] = mapped_column(String(ENUM))
    to_state: Mapped[str] = mapped_column(String(ENUM))
    assignee: Mapped[str | None] = mapped_column(String(USERNAME))
    team: Mapped[str | None] = mapped_column(String(TEAM))
    comment: Mapped[str] = mapped_column(Text)
