"""The prompt catalogue: uploaded and text-to-speech prompts per tenant and language.

Revision ID: 0006_prompts
Revises: 0005_ivr
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006_prompts"
down_revision = "0005_ivr"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "prompts",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column(
            "tenant_id", sa.Integer(), sa.ForeignKey("tenants.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("name", sa.String(64), nullable=False),
        sa.Column("language", sa.String(16), nullable=False),
        sa.Column("kind", sa.String(8), nullable=False),
        sa.Column("text", sa.Text(), nullable=True),
        sa.Column("audio", sa.LargeBinary(), nullable=True),
        sa.Column("duration", sa.Float(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint("tenant_id", "name", "language",
                            name="uq_prompts_tenant_name_language"),
        sa.CheckConstraint("kind IN ('upload', 'tts')", name="ck_prompts_kind"),
        sa.CheckConstraint(
            "(kind = 'upload' AND audio IS NOT NULL AND text IS NULL) OR "
            "(kind = 'tts' AND text IS NOT NULL AND audio IS NULL)",
            name="ck_prompts_kind_content",
        ),
    )


def downgrade() -> None:
    op.drop_table("prompts")
