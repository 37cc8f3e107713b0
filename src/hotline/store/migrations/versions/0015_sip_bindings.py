"""SIP registrations kept across restarts: one row per binding of an address of record to a
contact, with its wall-clock expiry.

Revision ID: 0015_sip_bindings
Revises: 0014_recordings
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0015_sip_bindings"
down_revision = "0014_recordings"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "sip_bindings",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("username", sa.String(64), nullable=False),
        sa.Column("aor", sa.String(512), nullable=False),
        sa.Column("contact", sa.Text(), nullable=False),
        sa.Column("source_host", sa.String(255), nullable=True),
        sa.Column("source_port", sa.Integer(), nullable=True),
        sa.Column("transport", sa.String(16), nullable=True),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("registered_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("call_id", sa.Text(), nullable=False),
        sa.Column("cseq", sa.BigInteger(), nullable=False),
        sa.Column("q", sa.Float(), nullable=False),
    )
    op.create_index("ix_sip_bindings_aor", "sip_bindings", ["aor"])
    op.create_index("ix_sip_bindings_expires_at", "sip_bindings", ["expires_at"])


def downgrade() -> None:
    op.drop_index("ix_sip_bindings_expires_at", table_name="sip_bindings")
    op.drop_index("ix_sip_bindings_aor", table_name="sip_bindings")
    op.drop_table("sip_bindings")
