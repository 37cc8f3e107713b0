"""The CRM on the CTI WebSocket, on both databases: a caller is identified from their number
before the call reaches the core, so that a VIP is served first, the agent's offer names the
customer and the call's record is linked to them; a ticket dispatched through the REST API
reaches its new holder's socket at once, and the sweep's escalation reaches the team's
supervisor."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from hotline.api.app import create_app
from hotline.core.events import InteractionArrived
from hotline.runtime import Runtime, TenantRuntime
from hotline.store import customers
from hotline.store.accounts import create_user
from hotline.store.caller_id import CallerDirectory
from hotline.store.config_repo import load_tenant
from hotline.store.config_yaml import import_config
from hotline.store.customers import CustomerCreate
from hotline.store.database import session_factory
from hotline.store.journal import Journal
from hotline.store.journal_queries import list_interactions
from hotline.store.journal_writer import JournalWriter
from hotline.ticket_sweeper import TicketSweeper
from tests.integration.runtime.cti_client import command as _command
from tests.integration.runtime.cti_client import event as _event
from tests.integration.runtime.cti_client import forget

PASSWORD = "correct horse battery"
CONFIG = {
    "name": "acme",
    "timezone": "UTC",
    "default_queue": "support",
    "vip_priority": 10,
    "skills": [{"name": "support"}],
    "queues": [{"name": "support", "skills": {"support": 1}}],
    "agents": [{"id": "1001", "name": "Li Lei", "skills": {"support": 5}, "wrap_up": None,
                "team": "field"},
               {"id": "1005", "name": "Wang Fang", "skills": {"support": 5}, "wrap_up": None,
                "team": "field"}],
    "teams": [{"name": "field", "supervisor": "1005"}],
}


@dataclass
class Center:
    client: TestClient
    runtime: TenantRuntime
    engine: Engine
    customers: dict[str, int] = field(default_factory=dict)


@pytest.fixture
def center(engine: Engine) -> Iterator[Center]:
    sessions = session_factory(engine)
    made: dict[str, int] = {}
    forget()
    with sessions.begin() as session:
        tenant = import_config(session, CONFIG, replace=False)
        for username, role, agent_id in (("agent1", "agent", "1001"), ("lead", "agent", "1005"),
                                         ("boss", "supervisor", None)):
            create_user(session, tenant_id=tenant.id, username=username, password=PASSWORD,
                        role=role, agent_id=agent_id)
        for name, phone, tier in (("Zhao Min", "139-0000-0001", "vip"),
                                  ("Qian Yu", "13900000002", "standard")):
            made[name] = customers.create(session, tenant.id, CustomerCreate(
                name=name, phones=[phone], tier=tier)).id
        core_tenant = load_tenant(session, "acme")
    writer = JournalWriter(Journal(engine))
    runtime = Runtime()
    tenant_runtime = TenantRuntime(core_tenant, journal=writer,
                                   identify=CallerDirectory(engine, "acme").identify)
    runtime.add(tenant_runtime)
    app = create_app(engine, runtime=runtime)
    with TestClient(app) as test_client:
        yield Center(test_client, tenant_runtime, engine, made)
    writer.close()


def _token(client: TestClient, username: str) -> str:
    response = client.post("/api/auth/login",
                           json={"tenant": "acme", "username": username, "password": PASSWORD})
    assert response.status_code == 200, response.text
    token: str = response.json()["token"]
    return token


def test_a_vip_caller_is_identified_served_first_and_their_call_linked_to_them(
    center: Center,
) -> None:
    runtime = center.runtime
    plain = asyncio.run(runtime.identified(InteractionArrived("call-1", ani="13900000002")))
    # Written otherwise than stored ("139-0000-0001"): numbers are compared normalized.
    vip = asyncio.run(runtime.identified(InteractionArrived("call-2", ani="139 0000 0001")))
    stranger = asyncio.run(runtime.identified(InteractionArrived("call-3", ani="13700000000")))
    withheld = asyncio.run(runtime.identified(InteractionArrived("call-4", ani="anonymous")))
    assert plain.attributes == {"customer_id": str(center.customers["Qian Yu"]),
                                "customer_name": "Qian Yu", "tier": "standard"}
    assert vip.attributes["tier"] == "vip"
    assert stranger.attributes == {} and withheld.attributes == {}
    with center.client.websocket_connect(
            f"/api/cti?token={_token(center.client, 'agent1')}") as ws:
        assert _command(ws, "login")["ok"] is True
        runtime.handle(plain)  # first in the queue...
        runtime.handle(vip)  # ...but the VIP is offered first
        assert _command(ws, "ready")["ok"] is True
        offer = _event(ws, "offer")
        assert offer["interaction"] == "call-2" and offer["priority"] == 10
        assert offer["customer"] == {"id": center.customers["Zhao Min"], "name": "Zhao Min",
                                     "tier": "vip"}
        assert _command(ws, "answer", interaction="call-2")["ok"] is True
        assert _command(ws, "hangup", interaction="call-2")["ok"] is True
    rows, total = list_interactions(center.engine, "acme",
                                    customer_id=center.customers["Zhao Min"])
    assert total == 1 and rows[0].interaction_id == "call-2" and rows[0].result == "answered"
    boss = {"Authorization": f"Bearer {_token(center.client, 'boss')}"}
    listed = center.client.get("/api/interactions", headers=boss,
                               params={"customer_id": center.customers["Zhao Min"]}).json()
    assert [i["interaction_id"] for i in listed["items"]] == ["call-2"]
    assert listed["items"][0]["customer_id"] == center.customers["Zhao Min"]


def test_ticket_changes_reach_the_holders_socket_and_escalation_the_supervisors(
    center: Center,
) -> None:
    client = center.client
    boss = {"Authorization": f"Bearer {_token(client, 'boss')}"}
    with client.websocket_connect(f"/api/cti?token={_token(client, 'agent1')}") as agent, \
            client.websocket_connect(f"/api/cti?token={_token(client, 'lead')}") as lead:
        assert _command(agent, "status")  # both sockets are subscribed once they answer
        assert _command(lead, "status")
        made = client.post("/api/tickets", headers=boss, json={
            "type": "repair", "title": "Meter leaks",
            "customer_id": center.customers["Qian Yu"]}).json()
        assert made["customer_id"] == center.customers["Qian Yu"]
        ticket_id = made["id"]
        for action, extra in (("accept", {}), ("dispatch", {"assignee": "agent1"})):
            reply = client.post(f"/api/tickets/{ticket_id}/actions", headers=boss,
                                json={"action": action, **extra})
            assert reply.status_code == 200, reply.text
        assigned = _event(agent, "ticket")
        assert assigned["change"] == "assigned" and assigned["ticket"]["id"] == ticket_id
        assert assigned["ticket"]["assignee"] == "agent1"
        # The holder acting does not tell themselves; their change reaches nobody else here.
        agent_headers = {"Authorization": f"Bearer {_token(client, 'agent1')}"}
        started = client.post(f"/api/tickets/{ticket_id}/actions", headers=agent_headers,
                              json={"action": "start"})
        assert started.status_code == 200
        due = datetime.fromisoformat(made["due_at"].replace("Z", "+00:00"))
        sweeper = TicketSweeper(session_factory(center.engine), client.app.state.notices,
                                clock=lambda: due + timedelta(minutes=1))
        assert sweeper.sweep_once() == 1
        for ws in (agent, lead):  # lead is the supervisor of agent1's team
            escalated = _event(ws, "ticket")
            assert escalated["change"] == "escalated" and escalated["ticket"]["id"] == ticket_id
        assert sweeper.sweep_once() == 0
    log = client.get(f"/api/tickets/{ticket_id}/events", headers=boss).json()
    assert log[-1]["action"] == "escalate" and log[-1]["username"] == "system"


def test_a_ticket_for_an_unknown_customer_is_refused_and_nothing_is_stored(
    center: Center,
) -> None:
    boss = {"Authorization": f"Bearer {_token(center.client, 'boss')}"}
    refused = center.client.post("/api/tickets", headers=boss, json={
        "type": "repair", "title": "x", "customer_id": 999999})
    assert refused.status_code == 422 and "no customer 999999" in refused.json()["detail"]
    assert center.client.get("/api/tickets", headers=boss).json()["total"] == 0


def test_a_call_the_agent_dials_to_a_customer_is_linked_to_them(center: Center) -> None:
    with center.client.websocket_connect(
            f"/api/cti?token={_token(center.client, 'agent1')}") as ws:
        assert _command(ws, "login")["ok"] is True
        reply = _command(ws, "dial", number="13900000002")
        assert reply["ok"] is True
        interaction = reply["result"]["interaction"]
        assert _command(ws, "hangup", interaction=interaction)["ok"] is True
    rows, total = list_interactions(center.engine, "acme",
                                    customer_id=center.customers["Qian Yu"])
    assert total == 1 and rows[0].interaction_id == interaction
    assert rows[0].direction == "outbound" and rows[0].attributes["tier"] == "standard"
