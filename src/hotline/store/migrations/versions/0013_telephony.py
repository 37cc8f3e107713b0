"""Telephony for the embedded SIP switch: extensions (SIP phones, with digest HA1 values and a
dial class), trunks to carriers, and the DIDs each tenant owns.

Revision ID: 0013_telephony
Revises: 0012_kb
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0013_telephony"
down_revision = "0012_kb"
branch_labels = None
depends_on = None


def _tenant_id() -> sa.Column[int]:
    return sa.Column("tenant_id", sa.Integer(),
                     sa.ForeignKey("tenants.id", ondelete="CASCADE"), nullable=False)


def upgrade() -> None:
    op.create_table(
        "extensions",
        sa.Column("id", sa.Integer(), primary_key=True),
        _tenant_id(),
        sa.Column("number", sa.String(8), nullable=False),
        sa.Column("username", sa.String(64), nullable=False),
        sa.Column("display_name", sa.String(128), nullable=False),
        sa.Column("agent_id", sa.String(32), nullable=True),
        sa.Column("realm", sa.String(64), nullable=False),
        sa.Column("ha1_md5", sa.String(32), nullable=False),
        sa.Column("ha1_sha256", sa.String(64), nullable=False),
        sa.Column("enabled", sa.Boolean(), nullable=False),
        sa.Column("max_contacts", sa.Integer(), nullable=False),
        sa.Column("dial_class", sa.String(16), nullable=False),
        sa.UniqueConstraint("tenant_id", "number", name="uq_extensions_tenant_number"),
        sa.UniqueConstraint("username", name="uq_extensions_username"),
        sa.UniqueConstraint("tenant_id", "agent_id", name="uq_extensions_tenant_agent"),
        sa.CheckConstraint("dial_class IN ('internal', 'local', 'national', 'international')",
                           name="ck_extensions_dial_class"),
    )
    op.create_table(
        "trunks",
        sa.Column("id", sa.Integer(), primary_key=True),
        _tenant_id(),
        sa.Column("name", sa.String(64), nullable=False),
        sa.Column("host", sa.String(253), nullable=False),
        sa.Column("port", sa.Integer(), nullable=False),
        sa.Column("transport", sa.String(3), nullable=False),
        sa.Column("username", sa.String(64), nullable=True),
        sa.Column("password", sa.String(128), nullable=True),
        sa.Column("from_user", sa.String(20), nullable=True),
        sa.Column("sources", sa.JSON(), nullable=False),
        sa.Column("strip_prefix", sa.String(8), nullable=False),
        sa.Column("add_prefix", sa.String(8), nullable=False),
        sa.Column("max_calls", sa.Integer(), nullable=True),
        sa.Column("enabled", sa.Boolean(), nullable=False),
        sa.UniqueConstraint("tenant_id", "name", name="uq_trunks_tenant_name"),
        sa.CheckConstraint("transport IN ('udp', 'tcp')", name="ck_trunks_transport"),
    )
    op.create_table(
        "dids",
        sa.Column("id", sa.Integer(), primary_key=True),
        _tenant_id(),
        sa.Column("number", sa.String(20), nullable=False),
        sa.Column("trunk", sa.String(64), nullable=True),
        sa.Column("description", sa.String(256), nullable=False),
        sa.UniqueConstraint("number", name="uq_dids_number"),
        sa.ForeignKeyConstraint(["tenant_id", "trunk"], ["trunks.tenant_id", "trunks.name"],
                                name="fk_dids_trunk", onupdate="CASCADE"),
    )


def downgrade() -> None:
    op.drop_table("dids")
    op.drop_table("trunks")
    op.drop_table("extensions")
