"""Interaction records know their direction (inbound/outbound) and the leg they continue.

Revision ID: 0004_legs
Revises: 0003_accounts
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004_legs"
down_revision = "0003_accounts"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("interaction_records") as batch:
        batch.add_column(sa.Column("direction", sa.String(), nullable=False,
                                   server_default="inbound"))
        batch.add_column(sa.Column("parent_id", sa.String(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("interaction_records") as batch:
        batch.drop_column("parent_id")
        batch.drop_column("direction")
