"""`GET /api/health` answers without a login and checks the database."""

from __future__ import annotations

from fastapi.testclient import TestClient


def test_health_needs_no_login_and_checks_the_database(anonymous: TestClient) -> None:
    response = anonymous.get("/api/health")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok"}


def test_openapi_is_served_under_api(anonymous: TestClient) -> None:
    assert anonymous.get("/api/openapi.json").json()["info"]["title"] == "Hotline"
    assert anonymous.get("/api/docs").status_code == 200
