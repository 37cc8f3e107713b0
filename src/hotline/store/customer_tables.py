"""Customers (C1): who calls the tenant, with their phones, e-mails and account numbers.

A customer's phones, e-mails and account numbers live in `customer_contacts`, one row per
normalized value, under a unique index on (tenant, kind, value): looking a caller up by any
of them is one indexed query, and two customers of a tenant cannot share one. Tags live in
`customer_tags` for the same reason (an indexed filter instead of a scan of every record).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from hotline.store.account_tables import utc_now
from hotline.store.database import Base

NAME = 200
ADDRESS = 500
NOTES = 4000
TIER = 16
KIND = 8
CONTACT = 254
TAG = 64


class CustomerRow(Base):
    """One customer of a tenant."""

    __tablename__ = "customers"
    __table_args__ = (Index("ix_customers_tenant_tier", "tenant_id", "tier"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    tenant_id: Mapped[int] = mapped_column(ForeignKey("tenants.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(NAME))
    address: Mapped[str] = mapped_column(String(ADDRESS))
    tier: Mapped[str] = mapped_column(String(TIER))
    notes: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utc_now)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utc_now)


class CustomerContactRow(Base):
    """A phone number, e-mail address or account number of a customer, normalized."""

    __tablename__ = "customer_contacts"
    __table_args__ = (
        Index("ux_customer_contacts_tenant_kind_value", "tenant_id", "kind", "value",
              unique=True),
        Index("ix_customer_contacts_customer", "customer_id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    tenant_id: Mapped[int] = mapped_column(ForeignKey("tenants.id", ondelete="CASCADE"))
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(KIND))
    value: Mapped[str] = mapped_column(String(CONTACT))


class CustomerTagRow(Base):
    """A tag on a customer."""

    __tablename__ = "customer_tags"
    __table_args__ = (Index("ix_customer_tags_tenant_tag", "tenant_id", "tag"),)

    customer_id: Mapped[int] = mapped_column(
        ForeignKey("customers.id", ondelete="CASCADE"), primary_key=True)
    tag: Mapped[str] = mapped_column(String(TAG), primary_key=True)
    tenant_id: Mapped[int] = mapped_column(ForeignKey("tenants.id", ondelete="CASCADE"))
