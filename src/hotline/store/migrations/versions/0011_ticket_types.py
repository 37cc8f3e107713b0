"""Per-tenant ticket types: custom field definitions and an optional SLA override.

Revision ID: 0011_ticket_types
Revises: 0010_crm_links
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0011_ticket_types"
down_revision = "0010_crm_links"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "ticket_types",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column(
            "tenant_id", sa.Integer(), sa.ForeignKey("tenants.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("type", sa.String(24), nullable=False),
        sa.Column("sla_minutes", sa.Integer(), nullable=True),
        sa.Column("fields", sa.JSON(), nullable=False),
        sa.UniqueConstraint("tenant_id", "type", name="uq_ticket_types_tenant_type"),
    )


def downgrade() -> None:
    op.drop_table("ticket_types")
