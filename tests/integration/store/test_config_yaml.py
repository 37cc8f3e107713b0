"""A tenant's configuration as a YAML document: the demo file, the round trip export → import
into an empty database → export, replacing a tenant's configuration, and bad files refused
with the place in the file, changing nothing. On SQLite and on PostgreSQL."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session, sessionmaker

from hotline.core.model import AgentType
from hotline.core.tenant_check import check_tenant
from hotline.store import config_repo as repo
from hotline.store.account_tables import User
from hotline.store.config_repo import ConfigError
from hotline.store.config_yaml import (
    config_yaml,
    export_config,
    import_config,
    read_config_yaml,
)
from hotline.store.database import session_factory
from tests.integration.store.config_data import DEMO_FILE, acme, demo


@pytest.fixture
def sessions(engine: Engine) -> sessionmaker[Session]:
    factory: sessionmaker[Session] = session_factory(engine)
    return factory


@pytest.fixture
def session(sessions: sessionmaker[Session]) -> Iterator[Session]:
    with sessions() as session:
        yield session


def test_the_demo_file_imports_and_passes_the_servers_check(session: Session) -> None:
    document, lines = read_config_yaml(DEMO_FILE.read_text(encoding="utf-8"))
    import_config(session, document, replace=False, lines=lines)
    tenant = repo.load_tenant(session, "demo")
    check_tenant(tenant)

    assert tenant.timezone == "Asia/Shanghai"
    assert [agent.id for agent in tenant.agents] == [str(n) for n in range(1001, 1021)]
    assert [a.id for a in tenant.agents if a.type is AgentType.EXPERT] == [
        "1016", "1017", "1018", "1019"]
    queues = {queue.name: queue for queue in tenant.queues}
    assert set(queues) == {"repair", "delivery", "delivery_expert", "inquiry", "inquiry_expert",
                           "complaint"}
    assert max(tenant.queues, key=lambda queue: queue.priority).name == "repair"
    for name, queue in queues.items():
        assert any(agent.serves(queue) for agent in tenant.agents
                   if agent.type is not AgentType.SUPERVISOR), f"nobody serves {name}"
    for team in tenant.teams:
        members = [agent for agent in tenant.agents if agent.team == team.name]
        assert len(members) == 5 and team.supervisor in [agent.id for agent in members]
    assert dict(tenant.dnis_routes) == {"96777": "inquiry", "96778": "repair",
                                        "96779": "delivery", "96780": "complaint",
                                        "4001": "inquiry"}
    assert set(tenant.not_ready_reasons) == {"break", "lunch", "meeting", "training",
                                             "no_answer", "declined", "end_of_shift"}
    assert len(tenant.blacklist) == 1
    assert tenant.business_hours is not None

    def is_open(text: str) -> bool:
        when = datetime.fromisoformat(text).replace(tzinfo=ZoneInfo("Asia/Shanghai"))
        assert tenant.business_hours is not None
        return tenant.business_hours.is_open(when.timestamp())

    assert is_open("2025-03-09 08:00") and is_open("2025-03-03 19:59")  # a Sunday, a Monday
    assert not is_open("2025-03-03 20:00") and not is_open("2025-03-03 07:59")
    assert not is_open("2025-01-29 10:00")  # Spring Festival


def test_export_then_import_into_an_empty_database_then_export_gives_the_same_document(
    sessions: sessionmaker[Session],
) -> None:
    with sessions.begin() as session:
        import_config(session, demo(), replace=False)
    with sessions() as session:
        exported = config_yaml(export_config(session, "demo"))
    with sessions.begin() as session:
        repo.delete_tenant(session, "demo")
    with sessions.begin() as session:
        assert repo.read_tenants(session) == []
        import_config(session, read_config_yaml(exported)[0], replace=False)
    with sessions() as session:
        assert config_yaml(export_config(session, "demo")) == exported


def test_the_export_reads_like_a_hand_written_file(session: Session) -> None:
    import_config(session, acme(), replace=False)
    document = export_config(session, "acme")
    assert list(document)[:3] == ["name", "timezone", "business_hours"]
    assert list(document)[-7:] == ["skills", "teams", "queues", "agents", "dnis_routes",
                                   "not_ready_reasons", "caller_lists"]
    assert [queue["name"] for queue in document["queues"]] == ["sales", "support"]
    assert document["queues"][1]["service_level"] == {"threshold": 30, "target": 0.9}
    text = config_yaml(document)
    assert "ring_timeout: 20\n" in text and "- {name: blue, supervisor: '2000'}" in text
    assert "holidays: ['2025-12-25']" in text

    # Importing it again needs replace.
    with pytest.raises(ConfigError, match="name: tenant 'acme' already exists"):
        import_config(session, document, replace=False)


def test_replace_keeps_the_tenant_and_its_users_and_replaces_its_configuration(
    session: Session,
) -> None:
    tenant_id = import_config(session, acme(), replace=False).id
    session.add(User(tenant_id=tenant_id, username="ana", password_hash="-", role="agent"))
    session.flush()
    smaller = acme() | {"after_hours_queue": None, "dnis_routes": [],
                        "caller_lists": [], "teams": [{"name": "green"}]}
    smaller["queues"] = [queue for queue in smaller["queues"] if queue["name"] == "sales"]
    smaller["queues"][0]["overflow"] = None
    smaller["agents"] = [{"id": "2005", "team": "green", "skills": {"sales": 2}}]

    assert import_config(session, smaller, replace=True).id == tenant_id
    config = repo.read_config(session, "acme")
    assert [queue.name for queue in config.queues] == ["sales"]
    assert [agent.id for agent in config.agents] == ["2005"]
    assert (config.dnis_routes, config.caller_lists) == ([], [])
    assert session.scalars(select(User.username).where(User.tenant_id == tenant_id)).all() == [
        "ana"]


def _set(path: tuple[str | int, ...], value: Any) -> Callable[[dict[str, Any]], Any]:
    def change(document: dict[str, Any]) -> Any:
        target: Any = document
        for step in path[:-1]:
            target = target[step]
        target[path[-1]] = value
        return document

    return change


def _append(collection: str, item: dict[str, Any]) -> Callable[[dict[str, Any]], Any]:
    def change(document: dict[str, Any]) -> Any:
        document[collection].append(item)
        return document

    return change


# Each change to the demo file, and what the refusal must say.
BAD_FILES: list[tuple[str, Callable[[dict[str, Any]], Any], tuple[str, ...]]] = [
    ("overflow to no queue", _set(("queues", 1, "overflow", "to"), "expert"),
     ("queues[1].overflow.to: 'expert' is not a queue (queues: repair, delivery, "
      "delivery_expert, inquiry, inquiry_expert, complaint)",)),
    ("skill level 11", _set(("agents", 15, "skills", "repair"), 11),
     ("agents[15].skills.repair: must be less than or equal to 10 (got 11)",)),
    ("skill that does not exist", _set(("queues", 0, "skills"), {"leaks": 1}),
     ("queues[0].skills.leaks: 'leaks' is not a skill (skills: repair, delivery, inquiry, "
      "complaint)",)),
    ("unknown key", _set(("queue",), []),
     ("queue: is not a field here (fields: name, timezone, business_hours",)),
    ("unknown key in a queue", _set(("queues", 2, "overflow_to"), "repair"),
     ("queues[2].overflow_to: is not a field here (fields: name, skills, priority, strategy",)),
    ("queue defined twice", _append("queues", {"name": "repair"}),
     ("queues[6].name: 'repair' is defined twice (also queues[0])",)),
    ("supervisor who is no agent", _set(("teams", 0, "supervisor"), "9999"),
     ("teams[0].supervisor: '9999' is not an agent (agents: 1001, 1002",)),
    ("agent id as a number", _set(("agents", 0, "id"), 1001),
     ("agents[0].id: 1001 must be text: put it in quotes",)),
    ("DNIS to no queue", _set(("dnis_routes", 0, "queue"), "sales"),
     ("dnis_routes[0].queue: 'sales' is not a queue",)),
    ("unknown time zone", _set(("timezone",), "China/Beijing"),
     ("timezone: unknown time zone 'China/Beijing'",)),
    ("hours past midnight", _set(("business_hours", "fri"), ["20:00-02:00"]),
     ("business_hours.fri[0]: '20:00-02:00' is not an opening period",)),
    ("list given as a map", _set(("skills",), {"repair": 1}),
     ("skills: must be a valid list",)),
    ("no name", lambda document: {key: document[key] for key in document if key != "name"},
     ("name: is required",)),
    ("number on both lists", _append("caller_lists", {"list": "vip", "number": "13800138000"}),
     ("caller_lists[2].number: '13800138000' is defined twice (also caller_lists[0])",)),
    ("not a mapping", lambda document: [document],
     ("(top level): must be a mapping with the keys name, timezone",)),
]


def test_a_bad_file_is_refused_with_each_place_in_it_and_changes_nothing(
    session: Session,
) -> None:
    failures = []
    for name, change, words in BAD_FILES:
        try:
            import_config(session, change(demo()), replace=False)
        except ConfigError as error:
            missing = [word for word in words if word not in str(error)]
            if missing:
                failures.append(f"{name}: {str(error)!r} lacks {missing}")
        else:
            failures.append(f"{name}: accepted")
        if repo.read_tenants(session):
            failures.append(f"{name}: a tenant was written")
    assert not failures, "\n".join(failures)

    # Read from a file, each problem names its line; YAML's own traps are closed.
    text = DEMO_FILE.read_text(encoding="utf-8")
    line = next(number for number, content in enumerate(text.splitlines(), 1)
                if "to: delivery_expert" in content)
    document, lines = read_config_yaml(text.replace("to: delivery_expert", "to: expert"))
    with pytest.raises(ConfigError, match=rf"queues\[1\]\.overflow\.to \(line {line}\): "
                                          "'expert' is not a queue"):
        import_config(session, document, replace=False, lines=lines)
    with pytest.raises(ConfigError, match="key given twice"):
        read_config_yaml("name: a\nname: b\n")
    assert read_config_yaml("dnis: 0571\nopen: 08:00\n")[0] == {"dnis": "0571", "open": "08:00"}


