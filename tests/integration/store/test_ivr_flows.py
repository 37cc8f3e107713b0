"""IVR flows in the store: drafts, publishing (which validates and retires the version
before), one draft per flow, refusals that change nothing, and deleting a flow routing still
names. On SQLite and on PostgreSQL."""

from __future__ import annotations

import copy
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
import yaml
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import Engine, inspect, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from hotline.ivr import IvrSession
from hotline.ivr.actions import Play
from hotline.ivr.events import PlayFinished
from hotline.store import config_repo, ivr_flows
from hotline.store.config_check import ConfigError, ConfigNotFound
from hotline.store.database import Base, session_factory
from hotline.store.ivr_flows import FlowRefused
from hotline.store.ivr_tables import FlowStatus, FlowVersionRow

GAS = Path(__file__).parents[3] / "examples" / "ivr" / "gas_utility.yaml"


def hello(text: str = "Hello") -> dict[str, Any]:
    """A tiny flow that says `text` and ends."""
    return {"name": "hello", "start": "greet", "languages": ["en"], "nodes": {
        "greet": {"type": "play_only", "prompts": [{"tts": text}], "next": "done"},
        "done": {"type": "stop_flow"}}}


def with_unreachable_node() -> dict[str, Any]:
    document = hello("Hello again")
    document["nodes"]["orphan"] = {"type": "stop_flow"}
    return document


@pytest.fixture
def session(engine: Engine) -> Iterator[Session]:
    with session_factory(engine)() as session:
        yield session


@pytest.fixture
def tenant(session: Session) -> int:
    tenant_id = config_repo.create_tenant(session, {"name": "acme"}).id
    config_repo.queues.create(session, tenant_id, {"name": "sales"})
    session.commit()
    return tenant_id


def statuses(session: Session, tenant: int, name: str = "hello") -> list[tuple[int, str]]:
    return [(v.version, v.status.value)
            for v in ivr_flows.read_versions(session, tenant, name)]


def test_a_draft_is_published_and_the_version_before_retired(session: Session,
                                                           tenant: int) -> None:
    first = ivr_flows.save_draft(session, tenant, hello(), "ann")
    assert (first.version, first.status, first.created_by) == (1, FlowStatus.DRAFT, "ann")
    assert first.problems == []
    assert ivr_flows.published_flows(session, tenant) == {}

    ivr_flows.publish(session, tenant, "hello", "bob")
    ivr_flows.save_draft(session, tenant, hello("Hi"), "ann")
    assert statuses(session, tenant) == [(2, "draft"), (1, "published")]
    assert ivr_flows.read_flows(session, tenant)[0].model_dump(exclude={"description"}) == {
        "name": "hello", "published_version": 1, "draft_version": 2, "has_draft": True}

    published = ivr_flows.publish(session, tenant, "hello", "bob")
    session.commit()
    assert (published.version, published.status, published.published_by) == (
        2, FlowStatus.PUBLISHED, "bob")
    assert statuses(session, tenant) == [(2, "published"), (1, "retired")]
    flow = ivr_flows.published_flows(session, tenant)["hello"]
    actions = IvrSession(flow).start(0.0)
    assert isinstance(actions[0], Play) and actions[0].prompts == (("tts", "Hi"),)
    assert ivr_flows.read_version(session, tenant, "hello", 1).document == hello()


def test_a_call_in_a_flow_keeps_its_version_when_another_is_published(
    session: Session, tenant: int
) -> None:
    ivr_flows.save_draft(session, tenant, hello("Old"), "ann")
    ivr_flows.publish(session, tenant, "hello", "ann")
    in_call = IvrSession(ivr_flows.published_flows(session, tenant)["hello"])
    in_call.start(0.0)

    ivr_flows.save_draft(session, tenant, hello("New"), "ann")
    ivr_flows.publish(session, tenant, "hello", "ann")

    assert in_call.handle(PlayFinished(), 1.0)[-1].result == "self_service"  # type: ignore[union-attr]
    new_call = IvrSession(ivr_flows.published_flows(session, tenant)["hello"])
    assert new_call.start(2.0)[0] == Play((("tts", "New"),), "en")


def test_a_flow_has_one_draft_which_each_save_replaces(session: Session, tenant: int) -> None:
    ivr_flows.save_draft(session, tenant, hello("One"), "ann")
    again = ivr_flows.save_draft(session, tenant, hello("Two"), "bob")
    assert (again.version, again.created_by) == (1, "bob")
    assert statuses(session, tenant) == [(1, "draft")]
    assert ivr_flows.read_version(session, tenant, "hello").document == hello("Two")
    session.commit()

    # The database itself refuses a second draft (two administrators at the same moment).
    session.add(FlowVersionRow(tenant_id=tenant, name="hello", version=2, status="draft",
                               document=hello(), created_at=datetime.now(UTC),
                               created_by="eve"))
    with pytest.raises(IntegrityError):
        session.flush()


def test_a_publish_with_problems_is_refused_and_changes_nothing(session: Session,
                                                                tenant: int) -> None:
    ivr_flows.save_draft(session, tenant, hello(), "ann")
    ivr_flows.publish(session, tenant, "hello", "ann")
    draft = ivr_flows.save_draft(session, tenant, with_unreachable_node(), "ann")
    assert [(p.kind, p.node) for p in draft.problems] == [("unreachable_node", "orphan")]
    session.commit()

    with pytest.raises(FlowRefused) as refused:
        ivr_flows.publish(session, tenant, "hello", "ann")
    assert [(p.kind, p.node) for p in refused.value.flow_problems] == [
        ("unreachable_node", "orphan")]
    assert "orphan" in str(refused.value)
    session.rollback()
    assert statuses(session, tenant) == [(2, "draft"), (1, "published")]
    flow = ivr_flows.published_flows(session, tenant)["hello"]
    assert "orphan" not in flow.nodes


def test_a_document_that_does_not_load_is_refused_with_the_path_to_the_bad_key(
    session: Session, tenant: int
) -> None:
    document = hello()
    document["nodes"]["greet"]["timeout"] = 5
    document["nodes"]["done"]["result"] = ["not", "text"]
    with pytest.raises(FlowRefused) as refused:
        ivr_flows.save_draft(session, tenant, document, "ann")
    assert [e.path for e in refused.value.load_errors] == [
        "nodes.greet.timeout", "nodes.done.result"]
    assert ivr_flows.read_flows(session, tenant) == []


@pytest.mark.parametrize(("value", "path"), [
    (datetime(2025, 1, 1, tzinfo=UTC), "nodes.x.when"),
    (float("nan"), "nodes.x.when"),
    ("nul\x00byte", "nodes.x.when"),
])
def test_values_a_json_column_cannot_hold_are_refused(
    session: Session, tenant: int, value: object, path: str
) -> None:
    document = hello()
    document["nodes"]["x"] = {"type": "some_future_type", "when": value}
    with pytest.raises(FlowRefused) as refused:
        ivr_flows.save_draft(session, tenant, document, "ann")
    assert [e.path for e in refused.value.load_errors] == [path]


def test_a_bad_flow_name_and_another_flows_document_are_refused(session: Session,
                                                                tenant: int) -> None:
    bad = hello()
    bad["name"] = "no spaces/slashes"
    with pytest.raises(FlowRefused, match="not a valid flow name"):
        ivr_flows.save_draft(session, tenant, bad, "ann")
    with pytest.raises(FlowRefused, match="differs from the flow being saved"):
        ivr_flows.save_draft(session, tenant, hello(), "ann", name="other")
    unnamed = hello()
    del unnamed["name"]
    assert ivr_flows.save_draft(session, tenant, unnamed, "ann", name="greeting").name == \
        "greeting"


def test_reading_what_does_not_exist_names_what_does(session: Session, tenant: int) -> None:
    ivr_flows.save_draft(session, tenant, hello(), "ann")
    with pytest.raises(ConfigNotFound, match=r"flow 'nope': does not exist \(flows: hello\)"):
        ivr_flows.read_versions(session, tenant, "nope")
    with pytest.raises(ConfigNotFound, match="has no published version"):
        ivr_flows.read_version(session, tenant, "hello", status=FlowStatus.PUBLISHED)
    ivr_flows.publish(session, tenant, "hello", "ann")
    with pytest.raises(ConfigError, match="has no draft to publish"):
        ivr_flows.publish(session, tenant, "hello", "ann")


def test_a_flow_routing_names_cannot_be_deleted(session: Session, tenant: int) -> None:
    ivr_flows.save_draft(session, tenant, hello(), "ann")
    ivr_flows.publish(session, tenant, "hello", "ann")
    config_repo.dnis_routes.create(session, tenant, {"dnis": "800", "queue": "sales",
                                                     "flow": "hello"})
    config_repo.update_tenant(session, tenant, {"default_flow": "hello"})
    session.commit()

    with pytest.raises(ConfigError, match="still used by tenant 'acme' default_flow, "
                                          "DNIS route '800' flow"):
        ivr_flows.delete_flow(session, tenant, "hello")
    session.rollback()
    assert statuses(session, tenant) == [(1, "published")]

    config_repo.update_tenant(session, tenant, {"default_flow": None})
    config_repo.dnis_routes.update(session, tenant, "800", {"flow": None})
    ivr_flows.delete_flow(session, tenant, "hello")
    session.commit()
    assert ivr_flows.read_flows(session, tenant) == []


def test_discarding_a_draft_keeps_the_published_version(session: Session, tenant: int) -> None:
    ivr_flows.save_draft(session, tenant, hello(), "ann")
    ivr_flows.publish(session, tenant, "hello", "ann")
    ivr_flows.save_draft(session, tenant, hello("Hi"), "ann")
    ivr_flows.discard_draft(session, tenant, "hello")
    assert statuses(session, tenant) == [(1, "published")]
    with pytest.raises(ConfigNotFound, match="has no draft"):
        ivr_flows.discard_draft(session, tenant, "hello")


def test_flows_are_kept_per_tenant(session: Session, tenant: int) -> None:
    other = config_repo.create_tenant(session, {"name": "globex"}).id
    ivr_flows.save_draft(session, tenant, hello(), "ann")
    ivr_flows.publish(session, tenant, "hello", "ann")
    ivr_flows.save_draft(session, other, hello("Other"), "zed")
    assert ivr_flows.published_flows(session, other) == {}
    assert statuses(session, other) == [(1, "draft")]
    config_repo.delete_tenant(session, other)
    session.commit()
    assert session.scalars(select(FlowVersionRow.tenant_id).distinct()).all() == [tenant]


def test_the_shipped_gas_flow_is_stored_as_it_was_written(session: Session,
                                                          tenant: int) -> None:
    document = yaml.safe_load(GAS.read_text(encoding="utf-8"))
    ivr_flows.save_draft(session, tenant, copy.deepcopy(document), "ann")
    published = ivr_flows.publish(session, tenant, "gas_utility", "ann")
    session.commit()
    assert published.document == document
    assert ivr_flows.published_documents(session, tenant) == [document]


def _ivr_table(obj: Any, name: str | None, type_: str, _reflected: bool, _other: Any) -> bool:
    table = obj if type_ == "table" else getattr(obj, "table", None)
    return table is not None and table.name == "ivr_flow_versions"


def test_the_migration_builds_the_flow_table_as_declared(engine: Engine) -> None:
    with engine.connect() as connection:
        context = MigrationContext.configure(
            connection, opts={"include_object": _ivr_table, "compare_type": True})
        assert compare_metadata(context, Base.metadata) == []
    columns = inspect(engine)
    assert "default_flow" in {c["name"] for c in columns.get_columns("tenants")}
    assert "flow" in {c["name"] for c in columns.get_columns("dnis_routes")}
    unique = {index["name"] for index in columns.get_indexes("ivr_flow_versions")
              if index["unique"]}
    assert unique >= {"uq_ivr_flow_versions_one_draft", "uq_ivr_flow_versions_one_published"}
