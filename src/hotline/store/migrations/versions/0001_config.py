"""Configuration: tenants, skills, teams, queues, agents, DNIS routes, not-ready reasons,
caller lists.

Revision ID: 0001_config
Revises:
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001_config"
down_revision = None
branch_labels = None
depends_on = None


def _tenant_id() -> sa.Column[int]:
    return sa.Column("tenant_id", sa.Integer(), sa.ForeignKey("tenants.id", ondelete="CASCADE"),
                     nullable=False)


def _reference(columns: list[str], target: str, name: str) -> sa.ForeignKeyConstraint:
    table, column = target.split(".")
    return sa.ForeignKeyConstraint(columns, [f"{table}.tenant_id", f"{table}.{column}"],
                                   name=name, onupdate="CASCADE")


def upgrade() -> None:
    op.create_table(
        "tenants",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("name", sa.String(64), nullable=False),
        sa.Column("timezone", sa.String(64), nullable=False),
        sa.Column("business_hours", sa.JSON(), nullable=True),
        sa.Column("holidays", sa.JSON(), nullable=False),
        sa.Column("default_queue", sa.String(64), nullable=True),
        sa.Column("after_hours_queue", sa.String(64), nullable=True),
        sa.Column("vip_priority", sa.Integer(), nullable=False),
        sa.Column("sticky_wait", sa.Double(), nullable=True),
        sa.Column("sticky_memory", sa.Double(), nullable=False),
        sa.UniqueConstraint("name", name="uq_tenants_name"),
    )
    op.create_table(
        "skills",
        sa.Column("id", sa.Integer(), primary_key=True),
        _tenant_id(),
        sa.Column("name", sa.String(64), nullable=False),
        sa.Column("description", sa.String(256), nullable=False),
        sa.UniqueConstraint("tenant_id", "name", name="uq_skills_tenant_name"),
    )
    op.create_table(
        "teams",
        sa.Column("id", sa.Integer(), primary_key=True),
        _tenant_id(),
        sa.Column("name", sa.String(64), nullable=False),
        sa.Column("supervisor", sa.String(32), nullable=True),
        sa.UniqueConstraint("tenant_id", "name", name="uq_teams_tenant_name"),
    )
    op.create_table(
        "queues",
        sa.Column("id", sa.Integer(), primary_key=True),
        _tenant_id(),
        sa.Column("name", sa.String(64), nullable=False),
        sa.Column("skills", sa.JSON(), nullable=False),
        sa.Column("priority", sa.Integer(), nullable=False),
        sa.Column("strategy", sa.String(48), nullable=False),
        sa.Column("service_level_threshold", sa.Double(), nullable=False),
        sa.Column("service_level_target", sa.Double(), nullable=False),
        sa.Column("max_wait", sa.Double(), nullable=True),
        sa.Column("overflow_after", sa.Double(), nullable=True),
        sa.Column("overflow_to", sa.String(64), nullable=True),
        sa.Column("ring_timeout", sa.Double(), nullable=False),
        sa.UniqueConstraint("tenant_id", "name", name="uq_queues_tenant_name"),
        _reference(["tenant_id", "overflow_to"], "queues.name", "fk_queues_overflow_to"),
    )
    op.create_table(
        "agents",
        sa.Column("id", sa.Integer(), primary_key=True),
        _tenant_id(),
        sa.Column("agent_id", sa.String(32), nullable=False),
        sa.Column("name", sa.String(128), nullable=False),
        sa.Column("type", sa.String(16), nullable=False),
        sa.Column("team", sa.String(64), nullable=True),
        sa.Column("skills", sa.JSON(), nullable=False),
        sa.Column("wrap_up", sa.Double(), nullable=True),
        sa.UniqueConstraint("tenant_id", "agent_id", name="uq_agents_tenant_agent_id"),
        _reference(["tenant_id", "team"], "teams.name", "fk_agents_team"),
    )
    op.create_table(
        "dnis_routes",
        sa.Column("id", sa.Integer(), primary_key=True),
        _tenant_id(),
        sa.Column("dnis", sa.String(32), nullable=False),
        sa.Column("queue", sa.String(64), nullable=False),
        sa.UniqueConstraint("tenant_id", "dnis", name="uq_dnis_routes_tenant_dnis"),
        _reference(["tenant_id", "queue"], "queues.name", "fk_dnis_routes_queue"),
    )
    op.create_table(
        "not_ready_reasons",
        sa.Column("id", sa.Integer(), primary_key=True),
        _tenant_id(),
        sa.Column("code", sa.String(64), nullable=False),
        sa.Column("label", sa.String(128), nullable=False),
        sa.UniqueConstraint("tenant_id", "code", name="uq_not_ready_reasons_code"),
    )
    op.create_table(
        "caller_list_entries",
        sa.Column("id", sa.Integer(), primary_key=True),
        _tenant_id(),
        sa.Column("list", sa.String(16), nullable=False),
        sa.Column("number", sa.String(32), nullable=False),
        sa.Column("note", sa.String(256), nullable=False),
        sa.UniqueConstraint("tenant_id", "number", name="uq_caller_list_entries_number"),
    )
    # Tables that point at each other: the second key of each pair comes once both exist
    # (on SQLite, batch mode rebuilds the table with it).
    with op.batch_alter_table("tenants") as tenants:
        tenants.create_foreign_key("fk_tenants_default_queue", "queues",
                                   ["id", "default_queue"], ["tenant_id", "name"],
                                   onupdate="CASCADE")
        tenants.create_foreign_key("fk_tenants_after_hours_queue", "queues",
                                   ["id", "after_hours_queue"], ["tenant_id", "name"],
                                   onupdate="CASCADE")
    with op.batch_alter_table("teams") as teams:
        teams.create_foreign_key("fk_teams_supervisor", "agents",
                                 ["tenant_id", "supervisor"], ["tenant_id", "agent_id"],
                                 onupdate="CASCADE")


def downgrade() -> None:
    with op.batch_alter_table("teams") as teams:
        teams.drop_constraint("fk_teams_supervisor", type_="foreignkey")
    with op.batch_alter_table("tenants") as tenants:
        tenants.drop_constraint("fk_tenants_after_hours_queue", type_="foreignkey")
        tenants.drop_constraint("fk_tenants_default_queue", type_="foreignkey")
    for table in ("caller_list_entries", "not_ready_reasons", "dnis_routes", "agents", "queues",
                  "teams", "skills", "tenants"):
        op.drop_table(table)
