"""The tenant's routing runs IVR flows: a DNIS route's `flow` and the tenant's `default_flow`
reach the core's `Tenant`, must name a published flow, and travel with the published flows
through the YAML configuration. On SQLite and on PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from sqlalchemy import Engine, create_engine
from sqlalchemy.orm import Session

from hotline.store import config_repo, ivr_flows
from hotline.store.config_check import ConfigError
from hotline.store.config_yaml import (
    config_yaml,
    export_config,
    import_config,
    read_config_yaml,
)
from hotline.store.database import session_factory, upgrade
from tests.integration.store.config_data import acme

GAS = Path(__file__).parents[3] / "examples" / "ivr" / "gas_utility.yaml"


def hello(name: str = "hello", text: str = "Hello") -> dict[str, Any]:
    return {"name": name, "start": "greet", "languages": ["en"], "nodes": {
        "greet": {"type": "play_only", "prompts": [{"tts": text}], "next": "done"},
        "done": {"type": "stop_flow"}}}


@pytest.fixture
def session(engine: Engine) -> Iterator[Session]:
    with session_factory(engine)() as session:
        yield session


@pytest.fixture
def tenant(session: Session) -> int:
    tenant_id = import_config(session, acme(), replace=False).id
    ivr_flows.save_draft(session, tenant_id, hello(), "ann")
    ivr_flows.publish(session, tenant_id, "hello", "ann")
    session.commit()
    return tenant_id


def test_a_dnis_route_with_a_flow_reaches_the_core_tenant(session: Session,
                                                          tenant: int) -> None:
    route = config_repo.dnis_routes.update(session, tenant, "800", {"flow": "hello"})
    assert route.model_dump() == {"dnis": "800", "queue": "sales", "flow": "hello"}
    config_repo.update_tenant(session, tenant, {"default_flow": "hello"})
    session.commit()

    core = config_repo.load_tenant(session, tenant)
    assert dict(core.dnis_flows) == {"800": "hello"}
    assert dict(core.dnis_routes) == {"800": "sales", "801": "support"}
    assert core.default_flow == "hello"
    assert config_repo.read_tenant(session, tenant).default_flow == "hello"


def test_routing_may_only_name_a_published_flow(session: Session, tenant: int) -> None:
    ivr_flows.save_draft(session, tenant, hello("draft_only"), "ann")
    with pytest.raises(ConfigError, match=r"DNIS route '802' flow: 'nope' is not a published "
                                          r"flow \(published flows: hello\)"):
        config_repo.dnis_routes.create(session, tenant, {"dnis": "802", "queue": "sales",
                                                         "flow": "nope"})
    with pytest.raises(ConfigError, match="default_flow: 'draft_only' is not a published flow"):
        config_repo.update_tenant(session, tenant, {"default_flow": "draft_only"})
    assert [route.dnis for route in config_repo.dnis_routes.read_all(session, tenant)] == [
        "800", "801"]
    assert config_repo.read_tenant(session, tenant).default_flow is None


def test_flows_travel_with_the_yaml_configuration(session: Session, tenant: int,
                                                  tmp_path: Path) -> None:
    gas = yaml.safe_load(GAS.read_text(encoding="utf-8"))
    ivr_flows.save_draft(session, tenant, gas, "ann")
    ivr_flows.publish(session, tenant, "gas_utility", "ann")
    config_repo.dnis_routes.update(session, tenant, "800", {"flow": "gas_utility"})
    config_repo.update_tenant(session, tenant, {"default_flow": "hello"})
    ivr_flows.save_draft(session, tenant, hello(text="Work in progress"), "ann")
    session.commit()

    exported = config_yaml(export_config(session, "acme"))
    document, lines = read_config_yaml(exported)
    assert [flow["name"] for flow in document["flows"]] == ["gas_utility", "hello"]
    assert document["flows"][0] == gas  # the published version, as written
    assert document["flows"][1] == hello()  # not the draft

    # Into an empty database: the flows arrive published, and export again is the same.
    other = create_engine(f"sqlite:///{tmp_path / 'other.db'}")
    upgrade(other)
    with session_factory(other)() as fresh:
        imported = import_config(fresh, document, replace=False, lines=lines)
        fresh.commit()
        assert set(ivr_flows.published_flows(fresh, imported.id)) == {"gas_utility", "hello"}
        assert config_repo.load_tenant(fresh, "acme").dnis_flows == {"800": "gas_utility"}
        assert config_yaml(export_config(fresh, "acme")) == exported
    other.dispose()

    # Importing over the tenant itself: unchanged flows make no new versions, and the draft
    # being edited stays the newest version.
    import_config(session, document, replace=True, lines=lines)
    session.commit()
    assert [(v.version, v.status.value) for v in ivr_flows.read_versions(session, tenant,
                                                                          "hello")] == [
        (2, "draft"), (1, "published")]
    changed = read_config_yaml(exported)[0]
    changed["flows"][1] = hello(text="Changed")
    import_config(session, changed, replace=True)
    session.commit()
    assert [(v.version, v.status.value) for v in ivr_flows.read_versions(session, tenant,
                                                                          "hello")] == [
        (3, "draft"), (2, "published"), (1, "retired")]
    assert ivr_flows.read_version(session, tenant, "hello", 3).document == hello(
        text="Work in progress")


def test_a_file_with_a_bad_flow_is_refused_with_its_place(session: Session) -> None:
    document = acme()
    bad = hello()
    bad["nodes"]["greet"]["next"] = "nowhere"
    document["flows"] = [bad, {"name": "broken", "start": 1}]
    document["default_flow"] = "missing"
    text = config_yaml(document)
    with pytest.raises(ConfigError) as refused:
        import_config(session, *read_config_yaml(text)[:1], replace=False)
    problems = [str(problem) for problem in refused.value.problems]
    assert "default_flow: 'missing' is not a published flow (published flows: hello, " \
           "broken)" in problems
    assert any(p.startswith("flows[0]: node 'greet' (play_only): exit 'next' leads to "
                            "'nowhere'") for p in problems)
    assert any(p.startswith("flows[1].start: ") for p in problems)
    assert any(p.startswith("flows[1].nodes: ") for p in problems)
    assert config_repo.read_tenants(session) == []
