"""The CTI WebSocket end to end: a real app with a real tenant runtime, journal and users, on
both databases. An agent logs in, goes ready, is offered a call with its caller data, answers,
hangs up, ends wrap-up; a supervisor's subscription sees it; bad messages get errors and the
socket stays open; the interaction record is in the journal when the reply comes."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from hotline.api.app import create_app
from hotline.core.events import CallConnected, InteractionArrived
from hotline.runtime import Runtime, TenantRuntime
from hotline.store.accounts import create_user, tenant_named, user_by_name
from hotline.store.config_repo import load_tenant
from hotline.store.config_yaml import import_config
from hotline.store.database import session_factory
from hotline.store.journal import Journal
from hotline.store.journal_queries import list_interactions
from hotline.store.journal_writer import JournalWriter
from hotline.store.telephony import create_extension
from hotline.store.telephony_schemas import ExtensionCreate
from hotline.telephony import Switch, SwitchOptions
from tests.integration.runtime.cti_client import aside, forget
from tests.integration.runtime.cti_client import command as _command
from tests.integration.runtime.cti_client import event as _event

PASSWORD = "correct horse battery"
CONFIG = {
    "name": "acme",
    "timezone": "UTC",
    "default_queue": "support",
    "skills": [{"name": "support"}, {"name": "billing"}],
    "queues": [{"name": "support", "skills": {"support": 1}},
               {"name": "billing", "skills": {"billing": 1}}],
    "agents": [{"id": "1001", "name": "Li Lei", "skills": {"support": 5}, "wrap_up": None},
               {"id": "1002", "name": "Han Meimei", "skills": {"billing": 5}, "wrap_up": None}],
    "not_ready_reasons": [{"code": "break", "label": "Break"}],
}


@pytest.fixture
def client(engine: Engine) -> Iterator[tuple[TestClient, TenantRuntime]]:
    with session_factory(engine).begin() as session:
        tenant = import_config(session, CONFIG, replace=False)
        create_user(session, tenant_id=tenant.id, username="agent1", password=PASSWORD,
                    role="agent", agent_id="1001")
        create_user(session, tenant_id=tenant.id, username="agent2", password=PASSWORD,
                    role="agent", agent_id="1002")
        create_user(session, tenant_id=tenant.id, username="boss", password=PASSWORD,
                    role="supervisor")
        core_tenant = load_tenant(session, "acme")
    writer = JournalWriter(Journal(engine))
    runtime = Runtime()
    tenant_runtime = TenantRuntime(core_tenant, journal=writer)
    runtime.add(tenant_runtime)
    app = create_app(engine, runtime=runtime)
    with TestClient(app) as test_client:
        yield test_client, tenant_runtime
    writer.close()


def _token(client: TestClient, username: str) -> str:
    response = client.post("/api/auth/login",
                           json={"tenant": "acme", "username": username, "password": PASSWORD})
    assert response.status_code == 200, response.text
    token: str = response.json()["token"]
    return token


def test_an_agent_takes_a_call_through_the_cti(
    client: tuple[TestClient, TenantRuntime], engine: Engine
) -> None:
    test_client, runtime = client
    forget()
    with test_client.websocket_connect(f"/api/cti?token={_token(test_client, 'agent1')}") as ws:
        assert _command(ws, "login")["result"]["state"] == "not_ready"
        assert _command(ws, "ready")["result"]["state"] == "ready"
        runtime.handle(InteractionArrived("call-1", ani="13900000001", dnis="96777",
                                          attributes={"account": "A-77"}))
        offer = _event(ws, "offer")
        assert offer["interaction"] == "call-1" and offer["ani"] == "13900000001"
        assert offer["attributes"] == {"account": "A-77"} and offer["queue"] == "support"
        assert _command(ws, "answer", interaction="call-1")["result"]["state"] == "busy"
        assert _command(ws, "hold", interaction="call-1")["ok"] is True
        states = [_event(ws, "interaction")["state"] for _ in range(3)]
        assert states == ["offered", "in_service", "on_hold"]
        assert _command(ws, "unhold", interaction="call-1")["ok"] is True
        assert _command(ws, "hangup", interaction="call-1")["result"]["state"] == "wrap_up"
        # The reply came after the facts were durable: the record is already complete.
        rows, total = list_interactions(engine, "acme", agent="1001")
        assert total == 1 and rows[0].result == "answered" and rows[0].ended_at is not None
        assert rows[0].hold_seconds is not None and rows[0].hold_seconds >= 0
        assert _command(ws, "end_wrap_up")["result"]["state"] == "ready"
        states = [e["state"] for e in aside(ws) if e.get("event") == "agent_state"]
        assert states[-4:] == ["reserved", "busy", "wrap_up", "ready"]


def test_bad_messages_get_errors_and_the_socket_stays_open(
    client: tuple[TestClient, TenantRuntime]
) -> None:
    test_client, _ = client
    forget()
    with test_client.websocket_connect(f"/api/cti?token={_token(test_client, 'agent1')}") as ws:
        ws.send_text("{not json")
        assert "not JSON" in ws.receive_json()["error"]
        ws.send_json([1, 2])
        assert "JSON object" in ws.receive_json()["error"]
        assert "unknown command 'fly'" in _command(ws, "fly")["error"]
        assert "needs a non-empty string field 'reason'" in _command(ws, "not_ready")["error"]
        assert "needs a non-empty string field 'interaction'" in _command(
            ws, "conference")["error"]
        assert "exactly one target" in _command(
            ws, "transfer", interaction="x", queue="support", number="95598")["error"]
        assert "up to 32 digits" in _command(ws, "dial", number="call me")["error"]
        reply = _command(ws, "ready")  # not logged in yet
        assert reply["ok"] is False and "logged_out" in reply["error"]
        assert _command(ws, "login")["ok"] is True
        reply = _command(ws, "not_ready", reason="nap")
        assert reply["ok"] is False and "not-ready reason 'nap'" in reply["error"]
        assert _command(ws, "status")["result"]["state"] == "not_ready"


def test_an_agent_transfers_to_a_queue_and_to_an_agent_and_the_legs_are_recorded(
    client: tuple[TestClient, TenantRuntime], engine: Engine
) -> None:
    test_client, runtime = client
    forget()
    with test_client.websocket_connect(
        f"/api/cti?token={_token(test_client, 'agent1')}"
    ) as one, test_client.websocket_connect(
        f"/api/cti?token={_token(test_client, 'agent2')}"
    ) as two:
        for ws in (one, two):
            assert _command(ws, "login")["ok"] is True
            assert _command(ws, "ready")["ok"] is True
        runtime.handle(InteractionArrived("call-7", ani="13900000007",
                                          attributes={"account": "A-7"}))
        assert _event(one, "offer")["interaction"] == "call-7"
        assert _command(one, "answer", interaction="call-7")["ok"] is True
        reply = _command(one, "transfer", interaction="call-7", queue="billing")
        assert reply["ok"] is True and reply["result"]["state"] == "wrap_up"
        offer = _event(two, "offer")
        assert offer["interaction"] == "call-7.2" and offer["queue"] == "billing"
        assert offer["transferred_from"] == "call-7" and offer["attributes"] == {"account": "A-7"}
        assert _command(two, "answer", interaction="call-7.2")["ok"] is True
        # Back to 1001 by name: refused while 1001 is in wrap-up, rings once ready.
        reply = _command(two, "transfer", interaction="call-7.2", agent="1001")
        assert reply["ok"] is False and "not ready" in reply["error"]
        assert _command(one, "end_wrap_up")["ok"] is True
        assert _command(two, "transfer", interaction="call-7.2", agent="1001")["ok"] is True
        assert _event(one, "offer")["interaction"] == "call-7.3"
        assert _command(one, "answer", interaction="call-7.3")["ok"] is True
        assert _command(one, "hangup", interaction="call-7.3")["ok"] is True
    rows, total = list_interactions(engine, "acme", number="13900000007")
    legs = {row.interaction_id: row for row in rows}
    assert total == 3 and set(legs) == {"call-7", "call-7.2", "call-7.3"}
    assert [legs[i].result for i in ("call-7", "call-7.2", "call-7.3")] == [
        "transferred", "transferred", "answered"]
    assert (legs["call-7.2"].parent_id, legs["call-7.2"].agent, legs["call-7.2"].queue) == (
        "call-7", "1002", "billing")
    assert legs["call-7.3"].parent_id == "call-7.2" and legs["call-7.3"].agent == "1001"


def test_an_agent_dials_out_and_the_call_is_recorded_as_outbound(
    client: tuple[TestClient, TenantRuntime], engine: Engine
) -> None:
    test_client, runtime = client
    forget()
    with test_client.websocket_connect(f"/api/cti?token={_token(test_client, 'agent1')}") as ws:
        assert _command(ws, "login")["ok"] is True
        reply = _command(ws, "dial", number="13700000000")
        assert reply["ok"] is True and reply["result"]["state"] == "busy"
        call = reply["result"]["interaction"]
        runtime.handle(CallConnected(call))  # the far end answers
        assert _event(ws, "interaction")["state"] == "dialing"
        assert _event(ws, "interaction")["state"] == "in_service"
        assert _command(ws, "hangup", interaction=call)["result"]["state"] == "wrap_up"
        assert _command(ws, "end_wrap_up")["result"]["state"] == "not_ready"
        # Hanging up while it still rings cancels the call; no wrap-up follows.
        call = _command(ws, "dial", number="13700000001")["result"]["interaction"]
        assert _command(ws, "hangup", interaction=call)["result"]["state"] == "not_ready"
    rows, total = list_interactions(engine, "acme", direction="outbound")
    by_number = {row.dnis: row for row in rows}
    assert total == 2
    assert (by_number["13700000000"].result, by_number["13700000000"].agent) == (
        "answered", "1001")
    assert by_number["13700000001"].result == "cancelled"
    assert list_interactions(engine, "acme", direction="inbound")[1] == 0
    page = test_client.get("/api/interactions", params={"direction": "outbound",
                                                        "number": "13700000000"},
                           headers={"Authorization": f"Bearer {_token(test_client, 'agent1')}"})
    assert page.status_code == 200
    assert [(i["direction"], i["dnis"], i["result"]) for i in page.json()["items"]] == [
        ("outbound", "13700000000", "answered")]
    bad = test_client.get("/api/interactions", params={"direction": "sideways"},
                          headers={"Authorization": f"Bearer {_token(test_client, 'agent1')}"})
    assert bad.status_code == 422


def test_supervisors_get_live_figures_and_agents_may_not(
    client: tuple[TestClient, TenantRuntime]
) -> None:
    test_client, runtime = client
    forget()
    with test_client.websocket_connect(f"/api/cti?token={_token(test_client, 'agent1')}") as ws:
        assert "supervisors" in _command(ws, "subscribe", topic="live")["error"]
    with test_client.websocket_connect(
        "/api/cti", headers={"Authorization": f"Bearer {_token(test_client, 'boss')}"}
    ) as ws:
        assert _command(ws, "subscribe", topic="live")["ok"] is True
        runtime.handle(InteractionArrived("call-2"))
        board = _event(ws, "live")["board"]
        while board["totals"]["waiting"] != 1:
            board = _event(ws, "live")["board"]
        waiting = {q["queue"]: q["waiting"] for q in board["queues"]}
        assert waiting == {"support": 1, "billing": 0}
        assert [a["agent_id"] for a in board["agents"]] == ["1001", "1002"]
    live = test_client.get("/api/stats/live",
                           headers={"Authorization": f"Bearer {_token(test_client, 'boss')}"})
    assert live.status_code == 200 and live.json()["totals"]["waiting"] == 1
    denied = test_client.get("/api/stats/live",
                             headers={"Authorization": f"Bearer {_token(test_client, 'agent1')}"})
    assert denied.status_code == 403


def test_a_socket_without_a_valid_token_is_refused(
    client: tuple[TestClient, TenantRuntime]
) -> None:
    test_client, _ = client
    from starlette.websockets import WebSocketDisconnect

    for url in ("/api/cti", "/api/cti?token=forged"):
        with pytest.raises(WebSocketDisconnect) as refused, test_client.websocket_connect(url):
            pass
        assert refused.value.code == 1008


def test_a_supervisor_acts_on_an_agent_and_the_audit_log_says_who(
    client: tuple[TestClient, TenantRuntime], engine: Engine
) -> None:
    test_client, runtime = client
    forget()
    boss = {"Authorization": f"Bearer {_token(test_client, 'boss')}"}
    with test_client.websocket_connect(
        f"/api/cti?token={_token(test_client, 'agent1')}"
    ) as agent, test_client.websocket_connect("/api/cti", headers=boss) as supervisor:
        assert "supervisors and administrators" in _command(
            agent, "force_logout", agent="1002")["error"]
        assert "is not on a call" in _command(supervisor, "monitor", agent="1001",
                                              mode="listen")["error"]
        assert "no agent 'zz'" in _command(supervisor, "force_logout", agent="zz")["error"]
        _command(agent, "login")
        _command(agent, "ready")
        runtime.handle(InteractionArrived("call-9", queue="support"))
        _command(agent, "answer", interaction=_event(agent, "offer")["interaction"])
        reply = _command(supervisor, "monitor", agent="1001", mode="whisper")
        assert reply["ok"] is True and reply["result"]["monitoring"] == "whisper"
        assert "unknown monitoring mode" in _command(supervisor, "monitor", agent="1001",
                                                     mode="spy")["error"]
        # Not ready is deferred while the agent is on the call.
        assert _command(supervisor, "force_not_ready", agent="1001",
                        reason="break")["result"]["state"] == "busy"
        assert "cannot 'logout' while 'busy'" in _command(supervisor, "force_logout",
                                                          agent="1001")["error"]
        assert _command(supervisor, "force_release", agent="1001")["ok"] is True
        assert runtime.server.interaction_state("call-9") is None
        assert runtime.server.agent_status("1001").state.value == "wrap_up"
        assert _command(supervisor, "force_logout", agent="1001")["result"]["state"] == \
            "logged_out"
    rows, _ = list_interactions(engine, "acme", queue="support")
    assert next(r for r in rows if r.interaction_id == "call-9").result == "answered"
    audit = test_client.get("/api/audit", headers={
        "Authorization": f"Bearer {_admin_token(engine, test_client)}"}).json()
    actions = [(e["username"], e["action"], e["entity_key"]) for e in audit
               if e["entity"] == "agent"]
    assert ("boss", "whisper", "1001") in actions
    assert ("boss", "force release", "1001") in actions
    assert ("boss", "force logout", "1001") in actions


def _admin_token(engine: Engine, test_client: TestClient) -> str:
    with session_factory(engine).begin() as session:
        tenant = tenant_named(session, "acme")
        assert tenant is not None
        if user_by_name(session, tenant.id, "root") is None:
            create_user(session, tenant_id=tenant.id, username="root", password=PASSWORD,
                        role="admin")
    return _token(test_client, "root")


def test_offers_an_agent_declined_or_let_ring_out_are_their_missed_calls(
    client: tuple[TestClient, TenantRuntime], engine: Engine
) -> None:
    test_client, runtime = client
    forget()
    token = _token(test_client, "agent1")
    # A short ring, taken by the running server at once.
    response = test_client.patch("/api/queues/support", json={"ring_timeout": 1}, headers={
        "Authorization": f"Bearer {_admin_token(engine, test_client)}"})
    assert response.status_code == 200, response.text
    assert test_client.portal is not None
    test_client.portal.call(runtime.start)  # the core's timers, on the app's loop
    with test_client.websocket_connect(f"/api/cti?token={token}") as ws:
        _command(ws, "login")
        _command(ws, "ready")
        runtime.handle(InteractionArrived("call-m1", ani="13911112222", queue="support"))
        assert _event(ws, "offer")["interaction"] == "call-m1"
        assert _command(ws, "decline", interaction="call-m1")["ok"] is True
        _command(ws, "ready")  # call-m1 comes straight back: let it ring out this time
        assert _event(ws, "offer")["interaction"] == "call-m1"
        while _event(ws, "agent_state")["reason"] != "no_answer":
            pass
        _command(ws, "status")  # the reply comes after the ring-out's facts are durable
    test_client.portal.call(runtime.stop)
    mine = test_client.get("/api/missed_calls", headers={"Authorization": f"Bearer {token}"})
    assert mine.status_code == 200, mine.text
    assert [(m["reason"], m["interaction_id"], m["ani"], m["queue"])
            for m in mine.json()["items"]] == [
        ("no_answer", "call-m1", "13911112222", "support"),
        ("declined", "call-m1", "13911112222", "support")]
    other = test_client.get("/api/missed_calls", params={"agent": "1002"},
                            headers={"Authorization": f"Bearer {token}"})
    assert other.status_code == 403
    boss = test_client.get("/api/missed_calls", params={"agent": "1002"},
                           headers={"Authorization": f"Bearer {_token(test_client, 'boss')}"})
    assert boss.status_code == 200 and boss.json()["total"] == 0


def test_agents_consult_then_conference_and_consult_then_transfer_over_the_cti(
    client: tuple[TestClient, TenantRuntime], engine: Engine
) -> None:
    test_client, runtime = client
    forget()
    with test_client.websocket_connect(
        f"/api/cti?token={_token(test_client, 'agent1')}"
    ) as one, test_client.websocket_connect(
        f"/api/cti?token={_token(test_client, 'agent2')}"
    ) as two:
        for ws in (one, two):
            _command(ws, "login")
        _command(one, "ready")
        runtime.handle(InteractionArrived("call-c", ani="13955556666", queue="support"))
        _command(one, "answer", interaction=_event(one, "offer")["interaction"])
        refused = _command(one, "consult", interaction="call-c", agent="1002")
        assert "not ready" in refused["error"]
        _command(two, "ready")
        assert _command(one, "consult", interaction="call-c", agent="1002")["ok"] is True
        offer = _event(two, "offer")
        assert offer["consult"] is True and offer["transferred_from"] == "call-c"
        _command(two, "answer", interaction=offer["interaction"])
        assert _command(one, "conference", interaction="call-c")["ok"] is True
        assert runtime.server.agent_interaction("1002") == "call-c"
        assert _command(one, "hangup", interaction="call-c")["result"]["state"] == "wrap_up"
        assert runtime.server.interaction_state("call-c") is not None  # 1002 still on it
        assert _command(two, "hangup", interaction="call-c")["result"]["state"] == "wrap_up"
        # Now a consultative transfer, the other way round.
        _command(one, "end_wrap_up")
        _command(two, "end_wrap_up")
        _command(one, "not_ready", reason="break")
        runtime.handle(InteractionArrived("call-d", ani="13977778888", queue="billing"))
        _command(two, "answer", interaction=_event(two, "offer")["interaction"])
        _command(one, "ready")
        _command(two, "consult", interaction="call-d", agent="1001")
        _command(one, "answer", interaction=_event(one, "offer")["interaction"])
        assert _command(two, "complete_transfer", interaction="call-d")["result"]["state"] == \
            "wrap_up"
        assert runtime.server.agent_interaction("1001") == "call-d.2"
        _command(one, "hangup", interaction="call-d.2")
    rows, _ = list_interactions(engine, "acme", number="13977778888")
    assert {row.interaction_id: row.result for row in rows} == {
        "call-d": "transferred", "call-d.2": "answered"}
    consults, _ = list_interactions(engine, "acme", direction="internal")
    assert {row.parent_id for row in consults} == {"call-c", "call-d"}


def test_dial_and_transfer_to_a_number_obey_the_extensions_dial_class(
    client: tuple[TestClient, TenantRuntime], engine: Engine, tmp_path: Path
) -> None:
    """With the SIP switch running, an agent whose extension may only dial locally cannot
    dial or transfer to a national (0-prefixed) number: the command is refused with the
    reason and nothing changes (T10)."""
    test_client, runtime = client
    with session_factory(engine).begin() as session:
        tenant = tenant_named(session, "acme")
        assert tenant is not None
        create_extension(session, tenant.id, ExtensionCreate(
            number="1001", agent_id="1001", password="secret-secret", dial_class="local"))
    test_client.app.state.switch = Switch(  # type: ignore[attr-defined]
        engine, Runtime(), SwitchOptions(recordings_root=tmp_path))
    forget()
    with test_client.websocket_connect(f"/api/cti?token={_token(test_client, 'agent1')}") as ws:
        assert _command(ws, "login")["ok"] is True
        refused = _command(ws, "dial", number="013700000000")
        assert refused["ok"] is False
        assert "national calls are not allowed for extension 1001" in refused["error"]
        assert runtime.server.agent_interaction("1001") is None
        assert _command(ws, "ready")["ok"] is True
        runtime.handle(InteractionArrived("call-9", ani="13900000009"))
        assert _event(ws, "offer")["interaction"] == "call-9"
        assert _command(ws, "answer", interaction="call-9")["ok"] is True
        refused = _command(ws, "transfer", interaction="call-9", number="013700000000")
        assert refused["ok"] is False and "not allowed" in refused["error"]
        assert runtime.server.agent_interaction("1001") == "call-9"  # still in service
        reply = _command(ws, "transfer", interaction="call-9", number="88001234")  # local
        assert reply["ok"] is True and reply["result"]["state"] == "wrap_up"
    rows, _ = list_interactions(engine, "acme", direction="outbound")
    assert all(row.dnis != "013700000000" for row in rows)
