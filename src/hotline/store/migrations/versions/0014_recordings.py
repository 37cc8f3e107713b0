"""Call recordings: one row per recorded call, pointing at its WAV file under the recordings
root.

Revision ID: 0014_recordings
Revises: 0013_telephony
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0014_recordings"
down_revision = "0013_telephony"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "recordings",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("tenant_id", sa.Integer(),
                  sa.ForeignKey("tenants.id", ondelete="CASCADE"), nullable=False),
        sa.Column("interaction_id", sa.String(64), nullable=False),
        sa.Column("agent_id", sa.String(32), nullable=True),
        sa.Column("path", sa.String(512), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("seconds", sa.Float(), nullable=False),
        sa.Column("bytes", sa.BigInteger(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_recordings_interaction_id", "recordings", ["interaction_id"])
    op.create_index("ix_recordings_tenant_started", "recordings", ["tenant_id", "started_at"])
    op.create_index("ix_recordings_started_at", "recordings", ["started_at"])


def downgrade() -> None:
    op.drop_index("ix_recordings_started_at", table_name="recordings")
    op.drop_index("ix_recordings_tenant_started", table_name="recordings")
    op.drop_index("ix_recordings_interaction_id", table_name="recordings")
    op.drop_table("recordings")
