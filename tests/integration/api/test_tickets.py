"""Tickets (work orders): the lifecycle through the API with its event log and audit, an
illegal action that changes nothing, dispatch to a person and to a team, due times per type,
escalation on explicit (virtual) times, filters, roles and tenants; and the migration that
builds the tables as declared."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import Engine, update

from hotline.store import tickets
from hotline.store.database import Base
from hotline.store.ticket_tables import TicketEventRow, TicketRow

REPAIR_FIELDS = [{"name": "meter", "label": "Meter", "kind": "text"},
                 {"name": "floor", "label": "Floor", "kind": "number"},
                 {"name": "slot", "label": "Slot", "kind": "choice", "choices": ["am", "pm"]}]


@pytest.fixture(autouse=True)
def repair_fields(admin: TestClient) -> None:
    """Repair tickets of tenant acme have a meter, a floor and a slot (only defined custom
    fields are accepted)."""
    reply = admin.put("/api/ticket_types/repair",
                      json={"sla_minutes": None, "fields": REPAIR_FIELDS})
    assert reply.status_code == 200, reply.text


def open_ticket(client: TestClient, **fields: Any) -> dict[str, Any]:
    body = {"type": "repair", "title": "Gas smell in the kitchen", **fields}
    response = client.post("/api/tickets", json=body)
    assert response.status_code == 201, response.text
    result: dict[str, Any] = response.json()
    return result


def do(client: TestClient, ticket: dict[str, Any], action: str, **extra: Any) -> Any:
    return client.post(f"/api/tickets/{ticket['id']}/actions", json={"action": action, **extra})


def test_a_ticket_goes_from_new_to_closed_and_is_reopened_with_every_step_logged(
    agent: TestClient, supervisor: TestClient, admin: TestClient
) -> None:
    ticket = open_ticket(agent, customer_phone="13800138000", priority="urgent",
                         interaction_id="call-42", custom_fields={"meter": "GZ-1", "floor": 3},
                         description="Smells near the meter.")
    assert ticket["state"] == "new" and ticket["created_by"] == "agent"
    assert ticket["custom_fields"] == {"meter": "GZ-1", "floor": 3}
    assert ticket["interaction_id"] == "call-42" and ticket["priority"] == "urgent"
    steps = [("accept", supervisor, {}, "accepted"),
             ("dispatch", supervisor, {"assignee": "agent"}, "dispatched"),
             ("start", agent, {}, "in_progress"),
             ("request_approval", agent, {}, "awaiting_approval"),
             ("resume", supervisor, {}, "in_progress"),
             ("request_instruction", agent, {}, "awaiting_instruction"),
             ("resume", supervisor, {}, "in_progress"),
             ("resolve", agent, {}, "resolved"),
             ("reply", agent, {}, "replied"),
             ("close", agent, {}, "closed"),
             ("reopen", supervisor, {}, "accepted")]
    for action, client, extra, state in steps:
        moved = do(client, ticket, action, comment=f"{action} done", **extra)
        assert moved.status_code == 200, (action, moved.text)
        assert moved.json()["state"] == state
    log = agent.get(f"/api/tickets/{ticket['id']}/events").json()
    assert [(e["action"], e["from_state"], e["to_state"]) for e in log][:3] == [
        ("create", None, "new"), ("accept", "new", "accepted"),
        ("dispatch", "accepted", "dispatched")]
    assert [e["username"] for e in log[1:4]] == ["supervisor", "supervisor", "agent"]
    assert log[-1]["comment"] == "reopen done" and log[-1]["at"]
    assert len(log) == 1 + len(steps)
    audit = admin.get("/api/audit", params={"entity": "ticket"}).json()
    assert [e["action"] for e in audit][:2] == ["reopen", "close"]
    assert audit[-1]["action"] == "create"


def test_an_illegal_action_is_a_409_naming_state_and_action_and_changes_nothing(
    agent: TestClient, admin: TestClient
) -> None:
    ticket = open_ticket(agent)
    refused = do(agent, ticket, "close", comment="too early")
    assert refused.status_code == 409
    assert "cannot 'close' while 'new'" in refused.json()["detail"]
    assert agent.get(f"/api/tickets/{ticket['id']}").json() == ticket
    assert len(agent.get(f"/api/tickets/{ticket['id']}/events").json()) == 1
    assert [e["action"] for e in admin.get("/api/audit", params={"entity": "ticket"}).json()
            ] == ["create"]
    # A dispatch without anyone to dispatch to, or to someone unknown, changes nothing either.
    assert do(agent, ticket, "accept").status_code == 200
    assert do(agent, ticket, "dispatch").status_code == 422
    assert do(agent, ticket, "dispatch", assignee="nobody").status_code == 422
    assert do(agent, ticket, "dispatch", team="nowhere").status_code == 422
    assert do(agent, ticket, "start", assignee="agent").status_code == 422
    assert do(agent, ticket, "fly").status_code == 422
    assert agent.get(f"/api/tickets/{ticket['id']}").json()["state"] == "accepted"


def test_a_ticket_dispatched_to_a_team_is_on_the_team_agents_work_list_until_one_starts_it(
    agent: TestClient, supervisor: TestClient, admin: TestClient
) -> None:
    assert admin.post("/api/teams", json={"name": "repair-crew"}).status_code == 201
    assert admin.patch("/api/agents/1001", json={"team": "repair-crew"}).status_code == 200
    ticket = open_ticket(supervisor)
    assert do(agent, ticket, "accept").status_code == 403  # not the agent's (yet)
    do(supervisor, ticket, "accept")
    to_team = do(supervisor, ticket, "dispatch", team="repair-crew").json()
    assert (to_team["assignee"], to_team["team"]) == (None, "repair-crew")
    assert [t["id"] for t in agent.get("/api/tickets/mine").json()["items"]] == [ticket["id"]]
    started = do(agent, ticket, "start").json()
    assert (started["assignee"], started["state"]) == ("agent", "in_progress")
    # Dispatched on to a person: off the agent's list, onto the supervisor's.
    to_person = do(supervisor, ticket, "dispatch", assignee="supervisor").json()
    assert (to_person["assignee"], to_person["state"]) == ("supervisor", "dispatched")
    assert agent.get("/api/tickets/mine").json()["total"] == 0
    assert supervisor.get("/api/tickets/mine").json()["items"][0]["id"] == ticket["id"]


def test_the_due_time_follows_the_sla_of_each_type(agent: TestClient) -> None:
    hours = {"repair": 4, "complaint": 24, "appointment": 48, "suggestion": 72,
             "business": 48}
    for ticket_type, sla in hours.items():
        ticket = open_ticket(agent, type=ticket_type)
        created = datetime.fromisoformat(ticket["created_at"])
        assert datetime.fromisoformat(ticket["due_at"]) - created == timedelta(hours=sla)


def test_escalation_finds_overdue_and_due_soon_tickets_at_a_given_time(
    app: FastAPI, agent: TestClient, supervisor: TestClient
) -> None:
    repair = open_ticket(agent, type="repair")
    complaint = open_ticket(agent, type="complaint")
    solved = open_ticket(agent, type="repair")
    for action in ("accept", "resolve"):
        do(agent, solved, action)
    created = datetime.fromisoformat(repair["created_at"])
    with app.state.sessions() as session:
        def ids(rows: Any) -> list[int]:
            return [row.id for row in rows]

        at = created + timedelta(hours=3)
        assert ids(tickets.overdue_tickets(session, at)) == []
        assert ids(tickets.due_soon(session, at, timedelta(hours=2))) == [repair["id"]]
        at = created + timedelta(hours=5)
        assert ids(tickets.overdue_tickets(session, at)) == [repair["id"]]
        assert ids(tickets.due_soon(session, at, timedelta(hours=2))) == []
        at = created + timedelta(hours=25)
        assert ids(tickets.overdue_tickets(session, at)) == [repair["id"], complaint["id"]]
        # Backdate the repair's due time so that the API, on the real clock, sees it late.
        session.execute(update(TicketRow).where(TicketRow.id == repair["id"])
                        .values(due_at=datetime.now(UTC) - timedelta(minutes=1)))
        session.commit()
    late = supervisor.get("/api/tickets", params={"overdue": True}).json()
    assert [t["id"] for t in late["items"]] == [repair["id"]]
    on_time = supervisor.get("/api/tickets", params={"overdue": False}).json()
    assert {t["id"] for t in on_time["items"]} == {complaint["id"], solved["id"]}


def test_tickets_are_filtered_and_paginated(agent: TestClient, supervisor: TestClient) -> None:
    first = open_ticket(agent, type="complaint", customer_phone="111")
    open_ticket(agent, type="suggestion")
    third = open_ticket(supervisor, type="complaint")
    do(supervisor, third, "accept")
    do(supervisor, third, "dispatch", assignee="agent")

    def found(**params: Any) -> list[int]:
        response = agent.get("/api/tickets", params=params)
        assert response.status_code == 200, response.text
        return sorted(t["id"] for t in response.json()["items"])

    assert found(type="complaint") == sorted([first["id"], third["id"]])
    assert found(state="dispatched") == [third["id"]]
    assert found(assignee="agent") == [third["id"]]
    assert found(customer_phone="111") == [first["id"]]
    assert found(type="complaint", state="new") == [first["id"]]
    page = agent.get("/api/tickets", params={"limit": 2, "offset": 2}).json()
    assert (page["total"], len(page["items"]), page["offset"]) == (3, 1, 2)
    for bad in ({"state": "lost"}, {"type": "x"}, {"limit": 0}, {"offset": -1},
                {"overdue": "maybe"}):
        assert agent.get("/api/tickets", params=bad).status_code == 422


def test_agents_act_on_their_own_tickets_staff_on_all_and_other_tenants_see_none(
    agent: TestClient, supervisor: TestClient, admin: TestClient, other_admin: TestClient
) -> None:
    theirs = open_ticket(supervisor)
    mine = open_ticket(agent)
    assert agent.get(f"/api/tickets/{theirs['id']}").status_code == 200  # reading is fine
    assert agent.patch(f"/api/tickets/{theirs['id']}", json={"title": "x"}).status_code == 403
    assert do(agent, theirs, "accept").status_code == 403
    changed = agent.patch(f"/api/tickets/{mine['id']}",
                          json={"priority": "high", "custom_fields": {"slot": "am"}})
    assert changed.status_code == 200 and changed.json()["priority"] == "high"
    assert do(admin, mine, "accept").status_code == 200
    assert supervisor.patch(f"/api/tickets/{theirs['id']}",
                            json={"customer_phone": None}).status_code == 200
    # The other tenant sees and touches nothing.
    assert other_admin.get("/api/tickets").json()["total"] == 0
    assert other_admin.get(f"/api/tickets/{mine['id']}").status_code == 404
    assert other_admin.get(f"/api/tickets/{mine['id']}/events").status_code == 404
    assert do(other_admin, mine, "dispatch", assignee="admin").status_code == 404
    assert other_admin.patch(f"/api/tickets/{mine['id']}", json={"title": "x"}
                             ).status_code == 404
    # Nor does it see the other's.
    open_ticket(other_admin)
    assert agent.get("/api/tickets").json()["total"] == 2
    assert other_admin.get("/api/tickets").json()["total"] == 1


@pytest.mark.parametrize("body", [
    {"type": "repair"},
    {"type": "gossip", "title": "x"},
    {"type": "repair", "title": ""},
    {"type": "repair", "title": "x" * 201},
    {"type": "repair", "title": "x", "priority": "whenever"},
    {"type": "repair", "title": "x", "colour": "red"},
    {"type": "repair", "title": "x", "custom_fields": []},
    {"type": "repair", "title": "x", "custom_fields": {"a": {"nested": 1}}},
    {"type": "repair", "title": "x", "custom_fields": {f"f{i}": i for i in range(51)}},
    {"type": "repair", "title": "x", "custom_fields": {"colour": "red"}},  # not defined
    {"type": "repair", "title": "x", "custom_fields": {"slot": "noon"}},  # not a choice
    {"type": "repair", "title": "x", "custom_fields": {"floor": "third"}},  # not a number
    {"type": "repair", "title": "x", "customer_phone": "1" * 33},
    {"type": "repair", "title": "x", "interaction_id": ""},
    [],
])
def test_a_bad_ticket_is_a_422_and_creates_nothing(agent: TestClient,
                                                   body: Any) -> None:
    assert agent.post("/api/tickets", json=body).status_code == 422
    assert agent.get("/api/tickets").json()["total"] == 0


def test_bad_changes_are_422s(agent: TestClient) -> None:
    ticket = open_ticket(agent)
    for body in ({"title": None}, {"priority": None}, {"state": "closed"},
                 {"custom_fields": None}, {"description": None}):
        assert agent.patch(f"/api/tickets/{ticket['id']}", json=body).status_code == 422
    assert agent.get("/api/tickets/0").status_code == 422
    assert agent.get("/api/tickets/999999").status_code == 404
    assert agent.post(f"/api/tickets/{ticket['id']}/actions", json={"action": "accept",
                                                                   "comment": "x" * 4001}
                      ).status_code == 422
    assert agent.get(f"/api/tickets/{ticket['id']}").json() == ticket


def _tickets_only(obj: Any, _name: str | None, type_: str, _reflected: bool,
                  _other: Any) -> bool:
    table = obj if type_ == "table" else getattr(obj, "table", None)
    names = {TicketRow.__tablename__, TicketEventRow.__tablename__}
    return table is not None and table.name in names


def test_the_migration_builds_the_ticket_tables_as_declared(engine: Engine) -> None:
    with engine.connect() as connection:
        context = MigrationContext.configure(
            connection, opts={"include_object": _tickets_only, "compare_type": True})
        assert compare_metadata(context, Base.metadata) == []
