"""Customers, their contact points and tags.

Revision ID: 0008_customers
Revises: 0007_announcements
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008_customers"
down_revision = "0007_announcements"
branch_labels = None
depends_on = None


def _tenant() -> sa.Column[int]:
    return sa.Column(
        "tenant_id", sa.Integer(), sa.ForeignKey("tenants.id", ondelete="CASCADE"),
        nullable=False,
    )


def upgrade() -> None:
    op.create_table(
        "customers",
        sa.Column("id", sa.Integer(), primary_key=True),
        _tenant(),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("address", sa.String(500), nullable=False),
        sa.Column("tier", sa.String(16), nullable=False),
        sa.Column("notes", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_customers_tenant_tier", "customers", ["tenant_id", "tier"])
    op.create_table(
        "customer_contacts",
        sa.Column("id", sa.Integer(), primary_key=True),
        _tenant(),
        sa.Column(
            "customer_id", sa.Integer(), sa.ForeignKey("customers.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("kind", sa.String(8), nullable=False),
        sa.Column("value", sa.String(254), nullable=False),
    )
    op.create_index("ux_customer_contacts_tenant_kind_value", "customer_contacts",
                    ["tenant_id", "kind", "value"], unique=True)
    op.create_index("ix_customer_contacts_customer", "customer_contacts", ["customer_id"])
    op.create_table(
        "customer_tags",
        sa.Column(
            "customer_id", sa.Integer(), sa.ForeignKey("customers.id", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column("tag", sa.String(64), primary_key=True),
        _tenant(),
    )
    op.create_index("ix_customer_tags_tenant_tag", "customer_tags", ["tenant_id", "tag"])


def downgrade() -> None:
    op.drop_index("ix_customer_tags_tenant_tag", table_name="customer_tags")
    op.drop_table("customer_tags")
    op.drop_index("ix_customer_contacts_customer", table_name="customer_contacts")
    op.drop_index("ux_customer_contacts_tenant_kind_value", table_name="customer_contacts")
    op.drop_table("customer_contacts")
    op.drop_index("ix_customers_tenant_tier", table_name="customers")
    op.drop_table("customers")
