"""Configuration changed over the API reaches the running interaction server at once, on both
databases; a change the running server cannot take now is refused with 409 and not stored."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from hotline.api.app import create_app
from hotline.core.agent_fsm import AgentState
from hotline.core.events import (
    AgentLoggedIn,
    AgentNotReady,
    AgentReady,
    CustomerHungUp,
    InteractionArrived,
)
from hotline.core.interaction_fsm import InteractionState
from hotline.ivr import Flow
from hotline.runtime import Runtime, TenantRuntime
from hotline.store.accounts import create_user
from hotline.store.config_repo import load_tenant
from hotline.store.config_yaml import import_config
from hotline.store.database import session_factory
from hotline.store.ivr_flows import published_flows

GREETING = """
name: greeting
start: hello
languages: [en]
nodes:
  hello: {type: play_only, prompts: [{tts: "Hello"}], next: done}
  done: {type: stop_flow}
"""

PASSWORD = "correct horse battery"
CONFIG = {
    "name": "acme",
    "timezone": "UTC",
    "default_queue": "support",
    "skills": [{"name": "support"}],
    "queues": [{"name": "support", "skills": {"support": 1}}],
    "agents": [{"id": "1001", "name": "Li Lei", "skills": {"support": 5}}],
    "not_ready_reasons": [{"code": "break", "label": "Break"}],
}


@pytest.fixture
def client(engine: Engine) -> Iterator[tuple[TestClient, TenantRuntime]]:
    with session_factory(engine).begin() as session:
        tenant = import_config(session, CONFIG, replace=False)
        create_user(session, tenant_id=tenant.id, username="root", password=PASSWORD,
                    role="admin")
        core_tenant = load_tenant(session, "acme")
    sessions = session_factory(engine)

    def flows() -> dict[str, Flow]:
        with sessions() as session:
            return published_flows(session, tenant.id)

    runtime = Runtime()
    tenant_runtime = TenantRuntime(core_tenant, flows=flows)
    runtime.add(tenant_runtime)
    with TestClient(create_app(engine, runtime=runtime)) as test_client:
        response = test_client.post("/api/auth/login", json={
            "tenant": "acme", "username": "root", "password": PASSWORD})
        assert response.status_code == 200, response.text
        test_client.headers["Authorization"] = f"Bearer {response.json()['token']}"
        yield test_client, tenant_runtime


def test_a_queue_skill_agent_and_route_added_over_the_api_take_calls_at_once(
    client: tuple[TestClient, TenantRuntime],
) -> None:
    api, runtime = client
    for path, body in [
        ("/api/skills", {"name": "repair"}),
        ("/api/queues", {"name": "repair", "skills": {"repair": 1}}),
        ("/api/agents", {"id": "2001", "name": "Wang Fang", "skills": {"repair": 3}}),
        ("/api/dnis_routes", {"dnis": "95598", "queue": "repair"}),
    ]:
        response = api.post(path, json=body)
        assert response.status_code == 201, response.text
    assert "repair" in runtime.server.queue_names()
    runtime.handle(AgentLoggedIn("2001"))
    runtime.handle(AgentReady("2001"))
    runtime.handle(InteractionArrived("c1", dnis="95598"))
    assert runtime.server.agent_status("2001").state is AgentState.RESERVED
    assert runtime.server.interaction_details("c1").queue == "repair"  # type: ignore[union-attr]
    # The wall board counts the new queue too.
    board = api.get("/api/stats/live").json()
    assert {q["queue"]: q["offered"] for q in board["queues"]} == {"support": 0, "repair": 1}
    # A tenant setting: a new not-ready reason is usable at once.
    response = api.post("/api/not_ready_reasons", json={"code": "coffee", "label": "Coffee"})
    assert response.status_code == 201, response.text
    runtime.handle(AgentLoggedIn("1001"))
    runtime.handle(AgentNotReady("1001", "coffee"))
    assert runtime.server.agent_status("1001").reason == "coffee"


def test_a_change_the_running_server_cannot_take_is_refused_and_not_stored(
    client: tuple[TestClient, TenantRuntime],
) -> None:
    api, runtime = client
    assert api.post("/api/queues", json={"name": "spare"}).status_code == 201
    runtime.handle(InteractionArrived("c1", queue="spare"))
    response = api.delete("/api/queues/spare")
    assert response.status_code == 409
    assert "'spare' cannot be removed while interactions are in it" in response.json()["detail"]
    assert api.get("/api/queues/spare").status_code == 200
    assert "spare" in runtime.server.queue_names()
    audit = api.get("/api/audit").json()
    assert not any(e["action"] == "delete" for e in audit), audit
    # Logged-in agents cannot be removed either.
    runtime.handle(AgentLoggedIn("1001"))
    response = api.delete("/api/agents/1001")
    assert response.status_code == 409 and "logged in" in response.json()["detail"]
    assert api.get("/api/agents/1001").status_code == 200
    # Once the caller has gone, the queue can go.
    runtime.handle(CustomerHungUp("c1"))
    assert api.delete("/api/queues/spare").status_code == 204
    assert "spare" not in runtime.server.queue_names()
    assert runtime.server.interaction_state("c1") is None


def test_a_published_flow_and_a_new_default_flow_take_effect_for_the_next_call(
    client: tuple[TestClient, TenantRuntime],
) -> None:
    api, runtime = client
    response = api.put("/api/ivr/flows/greeting", content=GREETING,
                       headers={"content-type": "application/yaml"})
    assert response.status_code == 201, response.text
    assert "greeting" not in runtime.flows  # a draft is not run
    assert api.post("/api/ivr/flows/greeting/publish").status_code == 200
    assert "greeting" in runtime.flows
    runtime.handle(InteractionArrived("before"))
    assert runtime.server.interaction_state("before") is InteractionState.QUEUED
    response = api.patch("/api/tenant", json={"default_flow": "greeting"})
    assert response.status_code == 200, response.text
    runtime.handle(InteractionArrived("after"))
    assert runtime.server.interaction_state("after") is InteractionState.IN_IVR
