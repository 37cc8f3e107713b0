"""Configuration in the database, one entity at a time: create, read, update, delete; renames
that follow into every reference; and every rule a change must keep, each refused with a
`ConfigError` that names the entity, the field, the value and what is allowed, changing
nothing. Each test runs on SQLite and on PostgreSQL."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from types import MappingProxyType
from typing import Any

import pytest
from sqlalchemy import Engine, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from hotline.core.model import AgentType, Overflow, Strategy
from hotline.store import config_repo as repo
from hotline.store.config_repo import ConfigError, ConfigNotFound
from hotline.store.config_schemas import TenantConfig
from hotline.store.config_tables import (
    AgentRow,
    CallerListEntryRow,
    DnisRouteRow,
    NotReadyReasonRow,
    QueueRow,
    SkillRow,
    TeamRow,
    TenantRow,
)
from hotline.store.database import session_factory
from tests.integration.store.config_data import acme


@pytest.fixture
def sessions(engine: Engine) -> sessionmaker[Session]:
    """New sessions on a database holding the tenant 'acme'."""
    factory: sessionmaker[Session] = session_factory(engine)
    with factory.begin() as session:
        repo.write_config(session, TenantConfig.model_validate(acme()), replace=False)
    return factory


@pytest.fixture
def session(sessions: sessionmaker[Session]) -> Iterator[Session]:
    with sessions() as session:
        yield session


def test_a_tenant_is_created_read_by_name_or_id_updated_and_deleted(session: Session) -> None:
    created = repo.create_tenant(session, {"name": "zeta", "timezone": "Asia/Tokyo"})
    assert created.business_hours is None and created.sticky_memory == 7 * 86400
    assert repo.read_tenant(session, "zeta") == repo.read_tenant(session, created.id) == created
    assert [tenant.name for tenant in repo.read_tenants(session)] == ["acme", "zeta"]
    acme_id = repo.read_tenant(session, "acme").id
    assert repo.queues.read_all(session, acme_id) == repo.queues.read_all(session, "acme")

    changed = repo.update_tenant(session, "zeta", {"business_hours": {"fri": ["09:00-17:00"]},
                                                   "holidays": ["2025-05-01", "2025-01-01"]})
    assert changed.business_hours == {"fri": ["09:00-17:00"]}
    assert [str(day) for day in changed.holidays] == ["2025-01-01", "2025-05-01"]
    assert changed.timezone == "Asia/Tokyo"
    session.commit()

    repo.delete_tenant(session, "zeta")
    with pytest.raises(ConfigNotFound, match="tenant 'zeta': does not exist"):
        repo.read_tenant(session, "zeta")

    # Deleting a tenant deletes its whole configuration, and no other tenant's.
    before = repo.read_config(session, "acme")
    repo.write_config(session, TenantConfig.model_validate(acme() | {"name": "other"}),
                      replace=False)
    repo.delete_tenant(session, "other")
    session.commit()
    assert session.scalars(select(TenantRow.id)).all() == [acme_id]
    tables: list[type[Any]] = [SkillRow, TeamRow, QueueRow, AgentRow, DnisRouteRow,
                               NotReadyReasonRow, CallerListEntryRow]
    for table in tables:
        assert set(session.scalars(select(table.tenant_id))) == {acme_id}, table.__tablename__
    assert repo.read_config(session, "acme") == before


ENTITY_CHANGES: list[tuple[repo.ConfigEntity[Any, Any, Any], dict[str, Any], dict[str, Any]]] = [
    (repo.skills, {"name": "billing", "description": "Bills"}, {"description": "Bills, usage"}),
    (repo.teams, {"name": "red"}, {"supervisor": "2001"}),
    (repo.queues, {"name": "billing", "skills": {"sales": 1}, "max_wait": 60.0},
     {"priority": 7, "overflow": {"after": 20.0, "to": "support"}, "max_wait": None}),
    (repo.agents, {"id": "2003", "name": "Dee"},
     {"team": "green", "skills": {"support": 4}, "wrap_up": None}),
    (repo.dnis_routes, {"dnis": "802", "queue": "sales"}, {"queue": "support"}),
    (repo.not_ready_reasons, {"code": "training", "label": "Training"}, {"label": "Coaching"}),
    (repo.caller_lists, {"list": "vip", "number": "777"}, {"list": "blacklist", "note": "spam"}),
]


def test_every_entity_is_created_read_updated_only_in_the_fields_given_and_deleted(
    sessions: sessionmaker[Session],
) -> None:
    for entity, data, changes in ENTITY_CHANGES:
        key = data[entity.key]
        with sessions.begin() as session:
            created = entity.create(session, "acme", data)
            assert created.model_dump(include=set(data)) == data, entity.label
        with sessions() as session:
            assert entity.read(session, "acme", key) == created
            items = entity.read_all(session, "acme")
            order = entity.sort_fields or (entity.key,)  # caller lists: by list, then number
            assert key in [getattr(item, entity.key) for item in items], entity.label
            assert items == sorted(items, key=lambda item: [getattr(item, f) for f in order])
        with sessions.begin() as session:
            updated = entity.update(session, "acme", key, changes)
        with sessions() as session:
            stored = entity.read(session, "acme", key)
            assert stored == updated, entity.label
            assert stored.model_dump(mode="json", include=set(changes)) == changes, entity.label
            untouched = set(data) - set(changes)
            assert stored.model_dump(include=untouched) == created.model_dump(include=untouched)
        with sessions.begin() as session:
            entity.delete(session, "acme", key)
        with sessions() as session, pytest.raises(ConfigNotFound, match="does not exist"):
            entity.read(session, "acme", key)


def test_a_rename_follows_into_everything_that_names_the_renamed(
    sessions: sessionmaker[Session],
) -> None:
    with sessions.begin() as session:
        repo.queues.update(session, "acme", "support", {"name": "care"})
    with sessions() as session:
        config = repo.read_config(session, "acme")
    assert [queue.name for queue in config.queues] == ["care", "sales"]
    assert config.queues[1].overflow is not None and config.queues[1].overflow.to == "care"
    assert {route.dnis: route.queue for route in config.dnis_routes} == {
        "800": "sales", "801": "care"}
    assert (config.default_queue, config.after_hours_queue) == ("sales", "care")

    with sessions.begin() as session:
        repo.skills.update(session, "acme", "support", {"name": "caring"})
        repo.teams.update(session, "acme", "blue", {"name": "navy"})
        repo.agents.update(session, "acme", "2000", {"id": "3000"})
    with sessions() as session:
        config = repo.read_config(session, "acme")
        tenant = repo.load_tenant(session, "acme")
    assert {queue.name: queue.skills for queue in config.queues} == {
        "care": {"caring": 2}, "sales": {"sales": 1}}
    assert {agent.id: (agent.team, agent.skills) for agent in config.agents} == {
        "2001": ("navy", {"caring": 2, "sales": 3}), "2002": ("green", {"caring": 5}),
        "3000": ("navy", {})}
    assert {team.name: team.supervisor for team in config.teams} == {
        "green": None, "navy": "3000"}
    assert [agent.id for agent in tenant.agents if agent.serves(tenant.queues[0])] == [
        "2001", "2002"]


def _call(method: Callable[..., Any], *args: Any) -> Callable[[Session], Any]:
    return lambda session: method(session, *args)


# Each change, and words the refusal must contain: where (entity and field), the bad value,
# what is allowed.
REFUSED: list[tuple[str, Callable[[Session], Any], tuple[str, ...]]] = [
    ("skill level above 10",
     _call(repo.queues.create, "acme", {"name": "vip", "skills": {"sales": 11}}),
     ("queue 'vip' skills.sales", "less than or equal to 10", "got 11")),
    ("skill level below 1",
     _call(repo.agents.update, "acme", "2001", {"skills": {"sales": 0}}),
     ("agent '2001' skills.sales", "greater than or equal to 1", "got 0")),
    ("unknown strategy",
     _call(repo.queues.update, "acme", "sales", {"strategy": "fastest"}),
     ("queue 'sales' strategy", "'longest_idle'", "'random'", "got 'fastest'")),
    ("unknown time zone",
     _call(repo.update_tenant, "acme", {"timezone": "Mars/Olympus"}),
     ("tenant 'acme' timezone", "unknown time zone 'Mars/Olympus'", "IANA")),
    ("time not HH:MM",
     _call(repo.update_tenant, "acme", {"business_hours": {"mon": ["8:00-18:00"]}}),
     ("tenant 'acme' business_hours.mon[0]", "'8:00-18:00'", "'HH:MM-HH:MM'")),
    ("closing before opening",
     _call(repo.update_tenant, "acme", {"business_hours": {"mon": ["18:00-08:00"]}}),
     ("business_hours.mon[0]", "'18:00-08:00'", "opening before closing")),
    ("hour 24 only for closing",
     _call(repo.update_tenant, "acme", {"business_hours": {"sun": ["24:00-24:00"]}}),
     ("business_hours.sun[0]", "'24:00-24:00'", "00:00 to 24:00")),
    ("overlapping periods",
     _call(repo.update_tenant, "acme", {"business_hours": {"mon": ["08:00-12:00",
                                                                   "11:00-13:00"]}}),
     ("business_hours.mon", "'08:00-12:00' and '11:00-13:00' overlap")),
    ("unknown weekday",
     _call(repo.update_tenant, "acme", {"business_hours": {"monday": ["08:00-12:00"]}}),
     ("business_hours.monday", "'mon', 'tue'", "got 'monday'")),
    ("name with a space",
     _call(repo.skills.create, "acme", {"name": "bad name"}),
     ("skill 'bad name' name", "'bad name' is not a valid name", "letters, digits")),
    ("number for an agent id",
     _call(repo.agents.create, "acme", {"id": 2003}),
     ("new agent id", "2003 must be text", "quotes")),
    ("unknown field",
     _call(repo.queues.create, "acme", {"name": "x", "colour": "red"}),
     ("queue 'x' colour", "is not a field here", "fields: name, skills, priority")),
    ("missing field",
     _call(repo.not_ready_reasons.create, "acme", {"code": "nap"}),
     ("not-ready reason 'nap' label", "is required")),
    ("null for a required field",
     _call(repo.queues.update, "acme", "sales", {"priority": None}),
     ("queue 'sales' priority", "may not be null")),
    ("service-level target above 1",
     _call(repo.queues.update, "acme", "sales",
           {"service_level": {"threshold": 20, "target": 1.5}}),
     ("queue 'sales' service_level.target", "less than or equal to 1", "got 1.5")),
    ("negative wrap-up",
     _call(repo.agents.update, "acme", "2001", {"wrap_up": -5}),
     ("agent '2001' wrap_up", "greater than or equal to 0", "got -5")),
    ("priority out of range",
     _call(repo.queues.update, "acme", "sales", {"priority": 101}),
     ("queue 'sales' priority", "less than or equal to 100", "got 101")),
    ("not a phone number",
     _call(repo.caller_lists.create, "acme", {"list": "vip", "number": "12ab"}),
     ("caller list entry '12ab' number", "'12ab' is not a phone number", "digits")),
    ("queue needs an unknown skill",
     _call(repo.queues.create, "acme", {"name": "vip", "skills": {"billing": 1}}),
     ("queue 'vip' skills.billing", "'billing' is not a skill (skills: sales, support)")),
    ("agent holds an unknown skill",
     _call(repo.agents.update, "acme", "2001", {"skills": {"billing": 2}}),
     ("agent '2001' skills.billing", "'billing' is not a skill (skills: sales, support)")),
    ("overflow to an unknown queue",
     _call(repo.queues.update, "acme", "support", {"overflow": {"after": 10, "to": "expert"}}),
     ("queue 'support' overflow.to", "'expert' is not a queue (queues: sales, support)")),
    ("overflow to the queue itself",
     _call(repo.queues.update, "acme", "support", {"overflow": {"after": 10, "to": "support"}}),
     ("queue 'support' overflow.to", "'support' is the queue itself", "another queue")),
    ("unknown default queue",
     _call(repo.update_tenant, "acme", {"default_queue": "nope"}),
     ("tenant 'acme' default_queue", "'nope' is not a queue (queues: sales, support)")),
    ("unknown after-hours queue",
     _call(repo.update_tenant, "acme", {"after_hours_queue": "night"}),
     ("tenant 'acme' after_hours_queue", "'night' is not a queue (queues: sales, support)")),
    ("DNIS route to an unknown queue",
     _call(repo.dnis_routes.create, "acme", {"dnis": "802", "queue": "nope"}),
     ("DNIS route '802' queue", "'nope' is not a queue (queues: sales, support)")),
    ("agent in an unknown team",
     _call(repo.agents.create, "acme", {"id": "2003", "team": "red"}),
     ("agent '2003' team", "'red' is not a team (teams: blue, green)")),
    ("team led by an unknown agent",
     _call(repo.teams.update, "acme", "green", {"supervisor": "9999"}),
     ("team 'green' supervisor", "'9999' is not an agent (agents: 2000, 2001, 2002)")),
    ("a name taken",
     _call(repo.queues.create, "acme", {"name": "sales"}),
     ("queue 'sales'", "already exists in tenant 'acme'")),
    ("a rename onto a name taken",
     _call(repo.queues.update, "acme", "sales", {"name": "support"}),
     ("queue 'support'", "already exists in tenant 'acme'")),
    ("a number on both lists",
     _call(repo.caller_lists.create, "acme", {"list": "vip", "number": "555"}),
     ("caller list entry '555'", "already exists")),
    ("an unknown entity",
     _call(repo.queues.update, "acme", "nope", {"priority": 1}),
     ("queue 'nope'", "does not exist in tenant 'acme' (queues: sales, support)")),
    ("an unknown tenant",
     _call(repo.queues.read_all, "nobody"),
     ("tenant 'nobody'", "does not exist")),
    ("a new tenant's default queue",
     _call(repo.create_tenant, {"name": "new", "default_queue": "sales"}),
     ("tenant 'new' default_queue", "'sales' is not a queue (no queues defined)")),
    ("a tenant name taken",
     _call(repo.create_tenant, {"name": "acme"}),
     ("tenant 'acme'", "already exists")),
    ("a tenant renamed",
     _call(repo.update_tenant, "acme", {"name": "acme2"}),
     ("tenant 'acme' name", "is not a field here")),
    ("deleting a skill in use",
     _call(repo.skills.delete, "acme", "support"),
     ("skill 'support'", "still used by queue 'support' skills.support, agent '2001' "
      "skills.support, agent '2002' skills.support")),
    ("deleting a queue in use",
     _call(repo.queues.delete, "acme", "support"),
     ("queue 'support'", "queue 'sales' overflow.to", "DNIS route '801' queue",
      "tenant 'acme' after_hours_queue")),
    ("deleting a team with agents",
     _call(repo.teams.delete, "acme", "blue"),
     ("team 'blue'", "agent '2000' team, agent '2001' team")),
    ("deleting a team's supervisor",
     _call(repo.agents.delete, "acme", "2000"),
     ("agent '2000'", "still used by team 'blue' supervisor")),
]


def test_every_invalid_change_is_refused_with_where_what_and_what_is_allowed(
    session: Session,
) -> None:
    failures = []
    for name, change, words in REFUSED:
        before = repo.read_config(session, "acme")
        try:
            change(session)
        except ConfigError as error:
            missing = [word for word in words if word not in str(error)]
            if missing:
                failures.append(f"{name}: {str(error)!r} lacks {missing}")
        else:
            failures.append(f"{name}: accepted")
        if repo.read_config(session, "acme") != before:
            failures.append(f"{name}: changed the configuration")
    assert not failures, "\n".join(failures)
    assert not session.dirty and not session.new and not session.deleted

    # Every problem is listed, and not finding something is a refusal of its own kind.
    with pytest.raises(ConfigError) as refusal:
        repo.agents.create(session, "acme", {"id": "2003", "team": "red", "skills": {"x": 1}})
    assert not isinstance(refusal.value, ConfigNotFound)
    assert [problem.where for problem in refusal.value.problems] == [
        "agent '2003' skills.x", "agent '2003' team"]
    with pytest.raises(ConfigNotFound):
        repo.agents.read(session, "acme", "9999")

    # Queues that overflow into each other after 0 seconds: each change alone is fine.
    repo.queues.update(session, "acme", "sales", {"overflow": {"after": 0, "to": "support"}})
    with pytest.raises(ConfigError, match="'sales' -> 'support' -> 'sales' overflow into each "
                                          "other after 0 seconds"):
        repo.queues.update(session, "acme", "support", {"overflow": {"after": 0, "to": "sales"}})


def test_load_tenant_builds_the_core_tenant(session: Session) -> None:
    tenant = repo.load_tenant(session, "acme")
    assert tenant.name == "acme" and tenant.timezone == "Europe/Paris"
    assert tenant.business_hours is not None
    assert dict(tenant.business_hours.weekly) == {
        0: ((8 * 3600.0, 12 * 3600.0), (13 * 3600.0, 18 * 3600.0)),
        5: ((9 * 3600.0, 12 * 3600.0),)}
    assert [str(day) for day in tenant.business_hours.holidays] == ["2025-12-25"]
    sales, support = tenant.queues
    assert sales.overflow == Overflow(30.0, "support") and sales.priority == 2
    assert support.strategy is Strategy.LONGEST_IDLE and support.max_wait == 600
    assert (support.service_level.threshold, support.service_level.target) == (30, 0.9)
    assert isinstance(sales.skills, MappingProxyType)
    agents = {agent.id: agent for agent in tenant.agents}
    assert agents["2000"].type is AgentType.SUPERVISOR
    assert agents["2001"].wrap_up == 10 and agents["2002"].wrap_up is None
    assert agents["2001"].serves(support) and not agents["2002"].serves(sales)
    assert dict(tenant.dnis_routes) == {"800": "sales", "801": "support"}
    assert (tenant.default_queue, tenant.after_hours_queue) == ("sales", "support")
    assert tenant.not_ready_reasons == ("break", "lunch")
    assert (tenant.blacklist, tenant.vip_numbers) == (frozenset({"555"}), frozenset({"+3312345"}))


def test_the_database_refuses_dangling_names_and_load_tenant_a_broken_configuration(
    session: Session,
) -> None:
    # Straight SQL, as a hand edit would do.
    tenant_id = repo.read_tenant(session, "acme").id
    with pytest.raises(IntegrityError):
        session.execute(update(QueueRow).where(QueueRow.name == "support")
                        .values(overflow_after=5, overflow_to="ghost"))
    session.rollback()
    session.add(AgentRow(tenant_id=tenant_id, agent_id="2009", name="", type="standard",
                         team="ghosts", skills={}, wrap_up=0))
    with pytest.raises(IntegrityError):
        session.flush()
    session.rollback()
    # Each overflow is valid on its own; together they are a ring the core would refuse.
    session.execute(update(QueueRow).where(QueueRow.name == "sales").values(overflow_after=0))
    session.execute(update(QueueRow).where(QueueRow.name == "support")
                    .values(overflow_after=0, overflow_to="sales"))
    with pytest.raises(ConfigError, match="overflow into each other after 0 seconds"):
        repo.load_tenant(session, "acme")
