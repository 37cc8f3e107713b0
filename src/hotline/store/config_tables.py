"""Tables of the configuration: tenants and what each one sets up for its contact center.

Every row but a tenant's belongs to one tenant (`tenant_id`, deleted with it) and is known by
a name unique within that tenant: a queue, skill or team name, an agent id such as "1001", a
DNIS, a not-ready reason code, a caller's number. References between rows use those names,
as the core does, through composite foreign keys on (tenant_id, name) with ON UPDATE CASCADE:
renaming a queue renames it in the overflows, DNIS routes and tenant routing that point at
it, and the database refuses a reference to a row that does not exist. Two pairs of tables
point at each other (a tenant's default queue / a queue's tenant; a team's supervisor / an
agent's team), so those keys are added after both tables exist.

Skill requirements and skill levels are JSON maps `{skill: level}`: a queue or agent has a
handful, they are always read whole, and `config_repo` checks that each names a skill of the
tenant's. Business hours are JSON too, `{"mon": ["08:00-20:00"], ...}`, as are holidays
(ISO dates). Values are checked by `config_schemas` and `config_check` before they are written.

The IVR flows that `tenants.default_flow` and `dnis_routes.flow` name are versioned
(`ivr_tables`), so no foreign key can point at one: `config_check` checks that each names a
published flow of the tenant, and `ivr_flows` refuses to delete a flow still named.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import JSON, ForeignKey, ForeignKeyConstraint, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from hotline.store.database import Base

NAME = 64
"""Longest name of a tenant, queue, skill, team or not-ready reason."""
AGENT_ID = 32
NUMBER = 32
"""Longest phone number (caller lists) or DNIS."""


def _tenant_id() -> Mapped[int]:
    return mapped_column(ForeignKey("tenants.id", ondelete="CASCADE"))


def _reference(
    columns: list[str], target: str, name: str, *, use_alter: bool = False
) -> ForeignKeyConstraint:
    """A by-name reference to another row of the same tenant that follows its renames."""
    table, column = target.split(".")
    return ForeignKeyConstraint(
        columns, [f"{table}.tenant_id", f"{table}.{column}"], name=name, onupdate="CASCADE",
        use_alter=use_alter,
    )


class TenantRow(Base):
    """A tenant: one organisation's contact center, its time zone and its routing defaults.

    `business_hours` NULL means open round the clock (except on `holidays`).
    """

    __tablename__ = "tenants"
    __table_args__ = (
        UniqueConstraint("name", name="uq_tenants_name"),
        _reference(["id", "default_queue"], "queues.name", "fk_tenants_default_queue",
                   use_alter=True),
        _reference(["id", "after_hours_queue"], "queues.name", "fk_tenants_after_hours_queue",
                   use_alter=True),
    )

    # Explicit: a key that is also part of a foreign key is not numbered by default.
    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    name: Mapped[str] = mapped_column(String(NAME))
    timezone: Mapped[str] = mapped_column(String(64))
    business_hours: Mapped[dict[str, list[str]] | None] = mapped_column(JSON)
    holidays: Mapped[list[str]] = mapped_column(JSON)
    default_queue: Mapped[str | None] = mapped_column(String(NAME))
    after_hours_queue: Mapped[str | None] = mapped_column(String(NAME))
    vip_priority: Mapped[int]
    sticky_wait: Mapped[float | None]
    sticky_memory: Mapped[float]
    default_flow: Mapped[str | None] = mapped_column(String(NAME))


class SkillRow(Base):
    """A skill that queues require and agents hold at a level from 1 to 10."""

    __tablename__ = "skills"
    __table_args__ = (UniqueConstraint("tenant_id", "name", name="uq_skills_tenant_name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    tenant_id: Mapped[int] = _tenant_id()
    name: Mapped[str] = mapped_column(String(NAME))
    description: Mapped[str] = mapped_column(String(256))


class TeamRow(Base):
    """A team of agents; `supervisor` is the agent id of the one who leads it."""

    __tablename__ = "teams"
    __table_args__ = (
        UniqueConstraint("tenant_id", "name", name="uq_teams_tenant_name"),
        _reference(["tenant_id", "supervisor"], "agents.agent_id", "fk_teams_supervisor",
                   use_alter=True),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    tenant_id: Mapped[int] = _tenant_id()
    name: Mapped[str] = mapped_column(String(NAME))
    supervisor: Mapped[str | None] = mapped_column(String(AGENT_ID))


class QueueRow(Base):
    """A queue: the skills it requires, how it picks agents, its service-level goal and
    where its calls overflow to (`overflow_after` and `overflow_to` are both set or both
    NULL)."""

    __tablename__ = "queues"
    __table_args__ = (
        UniqueConstraint("tenant_id", "name", name="uq_queues_tenant_name"),
        _reference(["tenant_id", "overflow_to"], "queues.name", "fk_queues_overflow_to"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    tenant_id: Mapped[int] = _tenant_id()
    name: Mapped[str] = mapped_column(String(NAME))
    skills: Mapped[dict[str, int]] = mapped_column(JSON)
    priority: Mapped[int]
    strategy: Mapped[str] = mapped_column(String(48))
    service_level_threshold: Mapped[float]
    service_level_target: Mapped[float]
    max_wait: Mapped[float | None]
    overflow_after: Mapped[float | None]
    overflow_to: Mapped[str | None] = mapped_column(String(NAME))
    ring_timeout: Mapped[float]


class AgentRow(Base):
    """An agent: `agent_id` is the id the core, the CTI API and the journal know them by
    ("1001"); `wrap_up` NULL means after-call work lasts until the agent ends it."""

    __tablename__ = "agents"
    __table_args__ = (
        UniqueConstraint("tenant_id", "agent_id", name="uq_agents_tenant_agent_id"),
        _reference(["tenant_id", "team"], "teams.name", "fk_agents_team"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    tenant_id: Mapped[int] = _tenant_id()
    agent_id: Mapped[str] = mapped_column(String(AGENT_ID))
    name: Mapped[str] = mapped_column(String(128))
    type: Mapped[str] = mapped_column(String(16))
    team: Mapped[str | None] = mapped_column(String(NAME))
    skills: Mapped[dict[str, int]] = mapped_column(JSON)
    wrap_up: Mapped[float | None]


class DnisRouteRow(Base):
    """Calls to the dialled number `dnis` run IVR flow `flow`, or go to `queue` without one."""

    __tablename__ = "dnis_routes"
    __table_args__ = (
        UniqueConstraint("tenant_id", "dnis", name="uq_dnis_routes_tenant_dnis"),
        _reference(["tenant_id", "queue"], "queues.name", "fk_dnis_routes_queue"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    tenant_id: Mapped[int] = _tenant_id()
    dnis: Mapped[str] = mapped_column(String(NUMBER))
    queue: Mapped[str] = mapped_column(String(NAME))
    flow: Mapped[str | None] = mapped_column(String(NAME))


class NotReadyReasonRow(Base):
    """A reason an agent may give for not being ready (`code`), with its label for people."""

    __tablename__ = "not_ready_reasons"
    __table_args__ = (UniqueConstraint("tenant_id", "code", name="uq_not_ready_reasons_code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    tenant_id: Mapped[int] = _tenant_id()
    code: Mapped[str] = mapped_column(String(NAME))
    label: Mapped[str] = mapped_column(String(128))


class CallerListEntryRow(Base):
    """A caller's number on the tenant's blacklist or VIP list (`list`). A number is on at
    most one of them."""

    __tablename__ = "caller_list_entries"
    __table_args__ = (
        UniqueConstraint("tenant_id", "number", name="uq_caller_list_entries_number"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    tenant_id: Mapped[int] = _tenant_id()
    list: Mapped[str] = mapped_column(String(16))
    number: Mapped[str] = mapped_column(String(NUMBER))
    note: Mapped[str] = mapped_column(String(256))


CONFIG_ROWS: tuple[type[Any], ...] = (
    SkillRow, TeamRow, QueueRow, AgentRow, DnisRouteRow, NotReadyReasonRow, CallerListEntryRow,
)
"""The tables of a tenant's configuration, beside `tenants` itself."""
