"""Announcements for agents.

Revision ID: 0007_announcements
Revises: 0006_prompts
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007_announcements"
down_revision = "0006_prompts"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "announcements",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column(
            "tenant_id", sa.Integer(), sa.ForeignKey("tenants.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("title", sa.String(200), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("created_by", sa.String(64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=True),
    )
    op.create_index("ix_announcements_tenant_created", "announcements",
                    ["tenant_id", "created_at"])


def downgrade() -> None:
    op.drop_index("ix_announcements_tenant_created", table_name="announcements")
    op.drop_table("announcements")
