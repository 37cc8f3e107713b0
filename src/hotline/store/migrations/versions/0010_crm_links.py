"""Interactions and tickets know their customer; tickets remember their reminder and
escalation.

Revision ID: 0010_crm_links
Revises: 0009_tickets
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0010_crm_links"
down_revision = "0009_tickets"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("interaction_records") as batch:
        batch.add_column(sa.Column("customer_id", sa.Integer(), nullable=True))
        batch.create_index("ix_interaction_records_customer",
                           ["tenant", "customer_id", "arrived_at"])
    with op.batch_alter_table("tickets") as batch:
        batch.add_column(sa.Column("customer_id", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("reminded_at", sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column("escalated_at", sa.DateTime(timezone=True), nullable=True))
        batch.create_foreign_key("fk_tickets_customer", "customers", ["customer_id"], ["id"],
                                 ondelete="SET NULL")
        batch.create_index("ix_tickets_tenant_customer", ["tenant_id", "customer_id"])


def downgrade() -> None:
    with op.batch_alter_table("tickets") as batch:
        batch.drop_index("ix_tickets_tenant_customer")
        batch.drop_constraint("fk_tickets_customer", type_="foreignkey")
        batch.drop_column("escalated_at")
        batch.drop_column("reminded_at")
        batch.drop_column("customer_id")
    with op.batch_alter_table("interaction_records") as batch:
        batch.drop_index("ix_interaction_records_customer")
        batch.drop_column("customer_id")
