"""IVR flows: their versions, and the flows the tenant's routing runs (tenants.default_flow,
dnis_routes.flow).

Revision ID: 0005_ivr
Revises: 0004_legs
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005_ivr"
down_revision = "0004_legs"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "ivr_flow_versions",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column(
            "tenant_id", sa.Integer(), sa.ForeignKey("tenants.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("name", sa.String(64), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("document", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.String(64), nullable=False),
        sa.Column("published_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("published_by", sa.String(64), nullable=True),
        sa.UniqueConstraint("tenant_id", "name", "version", name="uq_ivr_flow_versions_version"),
        sa.CheckConstraint("status IN ('draft', 'published', 'retired')",
                           name="ck_ivr_flow_versions_status"),
    )
    for status in ("draft", "published"):
        where = sa.text(f"status = '{status}'")
        op.create_index(f"uq_ivr_flow_versions_one_{status}", "ivr_flow_versions",
                        ["tenant_id", "name"], unique=True, sqlite_where=where,
                        postgresql_where=where)
    # Plain ALTER TABLE (no batch copy, here and in downgrade): on SQLite, copying `tenants`
    # would delete every row that refers to a tenant, through ON DELETE CASCADE.
    op.add_column("tenants", sa.Column("default_flow", sa.String(64), nullable=True))
    op.add_column("dnis_routes", sa.Column("flow", sa.String(64), nullable=True))


def downgrade() -> None:
    op.drop_column("dnis_routes", "flow")
    op.drop_column("tenants", "default_flow")
    op.drop_table("ivr_flow_versions")
