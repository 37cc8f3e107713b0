"""`/api/ivr/flows`: drafts sent as JSON or YAML, validation, publishing (which tells the
running server), versions and deletion; who may do what; bad bodies refused with the path to
the bad key and nothing stored; each tenant sees only its own flows."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml
from fastapi import FastAPI
from fastapi.testclient import TestClient

GAS = Path(__file__).parents[3] / "examples" / "ivr" / "gas_utility.yaml"
BASE = "/api/ivr/flows"


def hello(text: str = "Hello") -> dict[str, Any]:
    return {"name": "hello", "start": "greet", "languages": ["en"], "nodes": {
        "greet": {"type": "play_only", "prompts": [{"tts": text}], "next": "done"},
        "done": {"type": "stop_flow"}}}


def put_yaml(client: TestClient, name: str, text: str) -> Any:
    return client.put(f"{BASE}/{name}", content=text.encode(),
                      headers={"Content-Type": "application/yaml"})


class TenantServer:
    """Stands in for a tenant's running server: counts `flows_changed` calls."""

    def __init__(self) -> None:
        self.changes = 0

    def flows_changed(self) -> None:
        self.changes += 1


class FakeRuntime:
    def __init__(self) -> None:
        self.servers = {"acme": TenantServer()}

    def get(self, tenant: str) -> TenantServer | None:
        return self.servers.get(tenant)


def test_agents_may_not_read_supervisors_read_admins_change(
    agent: TestClient, supervisor: TestClient, admin: TestClient
) -> None:
    assert admin.put(f"{BASE}/hello", json=hello()).status_code == 201
    assert agent.get(BASE).status_code == 403
    assert agent.get(f"{BASE}/hello").status_code == 403
    assert supervisor.get(BASE).json()[0]["name"] == "hello"
    assert supervisor.get(f"{BASE}/hello/versions").status_code == 200
    assert supervisor.post(f"{BASE}/hello/validate").json()["problems"] == []
    for method, url in (("PUT", f"{BASE}/hello"), ("POST", f"{BASE}/hello/publish"),
                        ("DELETE", f"{BASE}/hello"), ("DELETE", f"{BASE}/hello/draft")):
        assert supervisor.request(method, url, json=hello()).status_code == 403, (method, url)
    assert supervisor.get(f"{BASE}/hello").json()["status"] == "draft"


def test_a_draft_sent_as_yaml_is_validated_published_and_versioned(
    app: FastAPI, admin: TestClient
) -> None:
    runtime = FakeRuntime()
    app.state.runtime = runtime
    text = GAS.read_text(encoding="utf-8")
    created = put_yaml(admin, "gas_utility", text)
    assert created.status_code == 201, created.text
    assert created.json()["document"] == yaml.safe_load(text)
    assert (created.json()["version"], created.json()["created_by"]) == (1, "admin")
    assert admin.post(f"{BASE}/gas_utility/validate").json() == {
        "name": "gas_utility", "version": 1, "problems": []}

    published = admin.post(f"{BASE}/gas_utility/publish")
    assert published.status_code == 200, published.text
    assert (published.json()["status"], published.json()["published_by"]) == (
        "published", "admin")
    assert runtime.servers["acme"].changes == 1

    again = put_yaml(admin, "gas_utility", text.replace("Goodbye.", "Bye."))
    assert again.status_code == 201 and again.json()["version"] == 2
    assert put_yaml(admin, "gas_utility", text).status_code == 200  # the same draft
    assert admin.get(BASE).json() == [{
        "name": "gas_utility",
        "description": "Gas utility hotline — usage query, booking, repair, complaints, "
                       "member services",
        "published_version": 1, "draft_version": 2, "has_draft": True}]
    assert admin.get(f"{BASE}/gas_utility", params={"status": "published"}).json()[
        "version"] == 1
    assert admin.get(f"{BASE}/gas_utility").json()["version"] == 2

    assert admin.post(f"{BASE}/gas_utility/publish").status_code == 200
    assert [(v["version"], v["status"]) for v in admin.get(
        f"{BASE}/gas_utility/versions").json()] == [(2, "published"), (1, "retired")]
    assert admin.get(f"{BASE}/gas_utility", params={"version": 1}).json()["status"] == \
        "retired"
    assert runtime.servers["acme"].changes == 2

    actions = [(e["action"], e["entity_key"]) for e in admin.get(
        "/api/audit", params={"entity": "IVR flow"}).json()]
    assert sorted(actions) == sorted([("save draft", "gas_utility")] * 3
                                     + [("publish", "gas_utility")] * 2)


def test_a_body_that_does_not_load_is_a_422_naming_the_bad_key(admin: TestClient) -> None:
    document = hello()
    document["nodes"]["greet"]["timeout"] = "soon"
    refused = admin.put(f"{BASE}/hello", json=document)
    assert refused.status_code == 422
    assert refused.json()["detail"]["errors"] == [{
        "path": "nodes.greet.timeout",
        "message": "unknown key for play_only; allowed: prompts"}]

    broken_yaml = put_yaml(admin, "hello", "name: hello\nnodes: [unclosed\n")
    assert broken_yaml.status_code == 422
    assert "not valid YAML" in broken_yaml.json()["detail"]["message"]
    twice = put_yaml(admin, "hello", "name: hello\nstart: a\nstart: b\nnodes: {}\n")
    assert twice.status_code == 422
    assert admin.put(f"{BASE}/hello", content=b"{not json",
                     headers={"Content-Type": "application/json"}).status_code == 422
    assert admin.put(f"{BASE}/hello", content=b"\xff\xfe",
                     headers={"Content-Type": "application/json"}).status_code == 422
    assert admin.put(f"{BASE}/hello", json=["a", "list"]).status_code == 422
    assert admin.put(f"{BASE}/hello", content=b"").status_code == 422
    assert admin.put(f"{BASE}/hello", json=hello() | {"name": "other"}).status_code == 422
    assert admin.put(f"{BASE}/hello", content=b"<flow/>",
                     headers={"Content-Type": "text/xml"}).status_code == 415
    assert admin.put(f"{BASE}/hello", content=b"[" * 2_000_000,
                     headers={"Content-Type": "application/json"}).status_code == 413
    assert admin.put(f"{BASE}/hello", content=b"[" * 100_000 + b"]" * 100_000,
                     headers={"Content-Type": "application/json"}).status_code == 422
    assert admin.get(BASE).json() == []
    assert admin.get("/api/audit", params={"entity": "IVR flow"}).json() == []


def test_a_publish_with_problems_lists_them_all_and_changes_nothing(
    app: FastAPI, admin: TestClient
) -> None:
    runtime = FakeRuntime()
    app.state.runtime = runtime
    admin.put(f"{BASE}/hello", json=hello())
    admin.post(f"{BASE}/hello/publish")
    broken = hello("Broken")
    broken["nodes"]["greet"]["next"] = "nowhere"
    broken["nodes"]["orphan"] = {"type": "stop_flow"}
    saved = admin.put(f"{BASE}/hello", json=broken)
    assert saved.status_code == 201
    assert sorted(p["kind"] for p in saved.json()["problems"]) == [
        "dangling_exit", "unreachable_node", "unreachable_node"]

    refused = admin.post(f"{BASE}/hello/publish")
    assert refused.status_code == 422
    detail = refused.json()["detail"]
    assert sorted((p["kind"], p["node"]) for p in detail["problems"]) == [
        ("dangling_exit", "greet"), ("unreachable_node", "done"),
        ("unreachable_node", "orphan")]
    assert detail["errors"] == []
    assert [(v["version"], v["status"]) for v in admin.get(f"{BASE}/hello/versions").json()
            ] == [(2, "draft"), (1, "published")]
    assert runtime.servers["acme"].changes == 1

    # A document sent to validate is checked and not stored.
    checked = admin.post(f"{BASE}/hello/validate", json=hello("Fixed"))
    assert checked.json() == {"name": "hello", "version": None, "problems": []}
    assert admin.get(f"{BASE}/hello").json()["document"] == broken


def test_a_flow_routing_names_is_not_deleted(admin: TestClient) -> None:
    admin.put(f"{BASE}/hello", json=hello())
    admin.post(f"{BASE}/hello/publish")
    assert admin.post("/api/queues", json={"name": "sales"}).status_code == 201
    route = admin.post("/api/dnis_routes", json={"dnis": "800", "queue": "sales",
                                                 "flow": "hello"})
    assert route.status_code == 201, route.text
    refused = admin.delete(f"{BASE}/hello")
    assert refused.status_code == 422
    assert "still used by DNIS route '800' flow" in refused.json()["detail"]
    assert admin.patch("/api/dnis_routes/800", json={"flow": None}).status_code == 200
    assert admin.delete(f"{BASE}/hello").status_code == 204
    assert admin.get(f"{BASE}/hello").status_code == 404
    unknown = admin.patch("/api/tenant", json={"default_flow": "hello"})
    assert unknown.status_code == 422
    assert "'hello' is not a published flow" in unknown.json()["detail"]


def test_each_tenant_sees_only_its_own_flows(admin: TestClient, other_admin: TestClient
                                             ) -> None:
    admin.put(f"{BASE}/hello", json=hello())
    assert other_admin.get(BASE).json() == []
    assert other_admin.get(f"{BASE}/hello").status_code == 404
    assert other_admin.post(f"{BASE}/hello/publish").status_code == 404
    assert other_admin.delete(f"{BASE}/hello").status_code == 404
    assert other_admin.put(f"{BASE}/hello", json=hello("Globex")).status_code == 201
    assert admin.get(f"{BASE}/hello").json()["document"] == hello()
