"""The journal: facts (append-only), interaction records (CDRs), the agent state log.

Revision ID: 0002_journal
Revises: 0001_config
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002_journal"
down_revision = "0001_config"
branch_labels = None
depends_on = None

BIG_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
OPEN = sa.text("ended_at IS NULL")


def upgrade() -> None:
    op.create_table(
        "facts",
        sa.Column("seq", BIG_ID, primary_key=True, autoincrement=True),
        sa.Column("tenant", sa.String(), nullable=False),
        sa.Column("at", sa.Double(), nullable=False),
        sa.Column("kind", sa.String(), nullable=False),
        sa.Column("subject", sa.String(), nullable=False),
        sa.Column("payload", sa.JSON(), nullable=False),
    )
    op.create_index("ix_facts_tenant_subject", "facts", ["tenant", "subject"])
    op.create_index("ix_facts_tenant_at", "facts", ["tenant", "at"])

    op.create_table(
        "interaction_records",
        sa.Column("id", BIG_ID, primary_key=True, autoincrement=True),
        sa.Column("tenant", sa.String(), nullable=False),
        sa.Column("interaction_id", sa.String(), nullable=False),
        sa.Column("channel", sa.String(), nullable=False),
        sa.Column("ani", sa.String(), nullable=False),
        sa.Column("dnis", sa.String(), nullable=False),
        sa.Column("state", sa.String(), nullable=False),
        sa.Column("queue", sa.String(), nullable=True),
        sa.Column("first_queue", sa.String(), nullable=True),
        sa.Column("agent", sa.String(), nullable=True),
        sa.Column("arrived_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("queued_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("answered_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("ended_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("wait_seconds", sa.Double(), nullable=True),
        sa.Column("talk_seconds", sa.Double(), nullable=True),
        sa.Column("hold_seconds", sa.Double(), nullable=True),
        sa.Column("wrap_up_seconds", sa.Double(), nullable=True),
        sa.Column("offers", sa.Integer(), nullable=False),
        sa.Column("overflows", sa.Integer(), nullable=False),
        sa.Column("result", sa.String(), nullable=True),
        sa.Column("attributes", sa.JSON(), nullable=False),
        sa.UniqueConstraint("tenant", "interaction_id", name="uq_interaction_records_tenant_id"),
    )
    op.create_index("ix_interaction_records_arrived", "interaction_records",
                    ["tenant", "arrived_at"])
    op.create_index("ix_interaction_records_queue", "interaction_records",
                    ["tenant", "queue", "arrived_at"])
    op.create_index("ix_interaction_records_agent", "interaction_records",
                    ["tenant", "agent", "arrived_at"])
    op.create_index("ix_interaction_records_result", "interaction_records",
                    ["tenant", "result", "arrived_at"])
    op.create_index("ix_interaction_records_open", "interaction_records", ["tenant"],
                    postgresql_where=OPEN, sqlite_where=OPEN)

    op.create_table(
        "agent_state_log",
        sa.Column("id", BIG_ID, primary_key=True, autoincrement=True),
        sa.Column("tenant", sa.String(), nullable=False),
        sa.Column("agent_id", sa.String(), nullable=False),
        sa.Column("state", sa.String(), nullable=False),
        sa.Column("reason", sa.String(), nullable=True),
        sa.Column("interaction_id", sa.String(), nullable=True),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ended_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("duration_seconds", sa.Double(), nullable=True),
    )
    op.create_index("ix_agent_state_log_agent", "agent_state_log",
                    ["tenant", "agent_id", "started_at"])
    op.create_index("ix_agent_state_log_started", "agent_state_log", ["tenant", "started_at"])
    op.create_index("ix_agent_state_log_open", "agent_state_log", ["tenant", "agent_id"],
                    postgresql_where=OPEN, sqlite_where=OPEN)


def downgrade() -> None:
    op.drop_table("agent_state_log")
    op.drop_table("interaction_records")
    op.drop_table("facts")
