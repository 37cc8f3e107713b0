"""Announcements: supervisors and admins post them, every user of the tenant reads the
current ones; expired ones are hidden from agents; other tenants see nothing."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from fastapi.testclient import TestClient


def test_staff_post_announcements_that_agents_read_until_they_expire(
    supervisor: TestClient, agent: TestClient, admin: TestClient, other_admin: TestClient
) -> None:
    later = (datetime.now(UTC) + timedelta(days=1)).isoformat()
    earlier = (datetime.now(UTC) - timedelta(minutes=1)).isoformat()
    posted = supervisor.post("/api/announcements", json={
        "title": "Gas price change", "body": "New tariffs from 1 December.",
        "expires_at": later})
    assert posted.status_code == 201, posted.text
    assert posted.json()["created_by"] == "supervisor"
    old = admin.post("/api/announcements", json={"title": "Old news", "expires_at": earlier})
    assert old.status_code == 201
    seen = agent.get("/api/announcements")
    assert seen.status_code == 200
    assert [a["title"] for a in seen.json()] == ["Gas price change"]
    assert agent.get("/api/announcements", params={"include_expired": True}).status_code == 403
    everything = supervisor.get("/api/announcements", params={"include_expired": True}).json()
    assert [a["title"] for a in everything] == ["Old news", "Gas price change"]
    assert other_admin.get("/api/announcements").json() == []
    assert other_admin.delete(f"/api/announcements/{posted.json()['id']}").status_code == 404
    # Agents may not post; bad bodies change nothing.
    assert agent.post("/api/announcements", json={"title": "Hi"}).status_code == 403
    assert supervisor.post("/api/announcements", json={"title": ""}).status_code == 422
    assert supervisor.post("/api/announcements", json={"title": "x" * 201}).status_code == 422
    assert supervisor.post("/api/announcements", json={"title": "x", "colour": 1}
                           ).status_code == 422
    # Extending the old one brings it back; removing the first hides it.
    ident = old.json()["id"]
    changed = supervisor.patch(f"/api/announcements/{ident}", json={"expires_at": None})
    assert changed.status_code == 200 and changed.json()["expires_at"] is None
    assert supervisor.patch(f"/api/announcements/{ident}", json={"title": None}
                            ).status_code == 422
    assert supervisor.delete(f"/api/announcements/{posted.json()['id']}").status_code == 204
    assert [a["title"] for a in agent.get("/api/announcements").json()] == ["Old news"]
    audit = admin.get("/api/audit", params={"entity": "announcement"}).json()
    assert [e["action"] for e in audit] == ["delete", "update", "create", "create"]
