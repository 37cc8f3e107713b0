"""Every endpoint checks the caller's role: the table below is the API's permission matrix.

Each row is an endpoint and the roles it lets through. Requests are made so that an allowed
caller changes nothing (an unknown key, a body that fails validation), so one app serves the
whole matrix for a role: an allowed role must get past the check (neither 401 nor 403), any
other gets 403, and a caller without a token 401. A test also checks that the table lists
every HTTP endpoint under /api, so a new endpoint cannot be added without deciding who may
use it.
"""

from __future__ import annotations

from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from tests.integration.api.conftest import Clients

ANY = frozenset({"agent", "supervisor", "admin"})
STAFF = frozenset({"supervisor", "admin"})
ADMIN = frozenset({"admin"})
BAD = {"no_such_field": True}

CONFIG = {
    # resource: (key of a record that does not exist, who reads)
    "skills": ("nope", STAFF),
    "teams": ("nope", STAFF),
    "queues": ("nope", ANY),
    "agents": ("nope", STAFF),
    "dnis_routes": ("0000", STAFF),
    "not_ready_reasons": ("nope", ANY),
    "caller_lists": ("0000", STAFF),
}

MATRIX: list[tuple[str, str, str, dict[str, Any] | None, frozenset[str]]] = [
    ("GET", "/api/auth/me", "/api/auth/me", None, ANY),
    ("PATCH", "/api/auth/me", "/api/auth/me", BAD, ANY),
    ("POST", "/api/auth/password", "/api/auth/password", BAD, ANY),
    ("GET", "/api/tenant", "/api/tenant", None, STAFF),
    ("PATCH", "/api/tenant", "/api/tenant", BAD, ADMIN),
    ("GET", "/api/users", "/api/users", None, STAFF),
    ("POST", "/api/users", "/api/users", BAD, ADMIN),
    ("GET", "/api/users/{user_id}", "/api/users/999999", None, STAFF),
    ("PATCH", "/api/users/{user_id}", "/api/users/999999", BAD, ADMIN),
    ("DELETE", "/api/users/{user_id}", "/api/users/999999", None, ADMIN),
    ("GET", "/api/audit", "/api/audit", None, ADMIN),
    ("GET", "/api/stats/live", "/api/stats/live", None, STAFF),
    ("GET", "/api/interactions", "/api/interactions", None, ANY),
    ("GET", "/api/missed_calls", "/api/missed_calls", None, ANY),
    ("GET", "/api/customers", "/api/customers", None, ANY),
    ("POST", "/api/customers", "/api/customers", BAD, ANY),
    ("GET", "/api/customers/lookup", "/api/customers/lookup", None, ANY),
    ("GET", "/api/customers/export.csv", "/api/customers/export.csv", None, ADMIN),
    ("POST", "/api/customers/import", "/api/customers/import", None, ADMIN),
    ("GET", "/api/customers/{customer_id}", "/api/customers/999999", None, ANY),
    ("PATCH", "/api/customers/{customer_id}", "/api/customers/999999", BAD, ANY),
    ("DELETE", "/api/customers/{customer_id}", "/api/customers/999999", None, ADMIN),
    ("GET", "/api/tickets", "/api/tickets", None, ANY),
    ("POST", "/api/tickets", "/api/tickets", BAD, ANY),
    ("GET", "/api/tickets/mine", "/api/tickets/mine", None, ANY),
    ("GET", "/api/tickets/{ticket_id}", "/api/tickets/999999", None, ANY),
    ("PATCH", "/api/tickets/{ticket_id}", "/api/tickets/999999", BAD, ANY),
    ("GET", "/api/tickets/{ticket_id}/events", "/api/tickets/999999/events", None, ANY),
    ("POST", "/api/tickets/{ticket_id}/actions", "/api/tickets/999999/actions", BAD, ANY),
    ("GET", "/api/tickets/overdue_by_team", "/api/tickets/overdue_by_team", None, STAFF),
    ("GET", "/api/ticket_types", "/api/ticket_types", None, ANY),
    ("GET", "/api/ticket_types/{type}", "/api/ticket_types/repair", None, ANY),
    ("PUT", "/api/ticket_types/{type}", "/api/ticket_types/repair", BAD, ADMIN),
    ("GET", "/api/kb/articles", "/api/kb/articles", None, ANY),
    ("POST", "/api/kb/articles", "/api/kb/articles", BAD, STAFF),
    ("GET", "/api/kb/articles/{article_id}", "/api/kb/articles/999999", None, ANY),
    ("PATCH", "/api/kb/articles/{article_id}", "/api/kb/articles/999999", BAD, STAFF),
    ("DELETE", "/api/kb/articles/{article_id}", "/api/kb/articles/999999", None, STAFF),
    ("GET", "/api/kb/categories", "/api/kb/categories", None, ANY),
    ("GET", "/api/announcements", "/api/announcements", None, ANY),
    ("POST", "/api/announcements", "/api/announcements", BAD, STAFF),
    ("GET", "/api/announcements/{announcement_id}", "/api/announcements/999999", None, STAFF),
    ("PATCH", "/api/announcements/{announcement_id}", "/api/announcements/999999", BAD, STAFF),
    ("DELETE", "/api/announcements/{announcement_id}", "/api/announcements/999999", None,
     STAFF),
    ("GET", "/api/ivr/flows", "/api/ivr/flows", None, STAFF),
    ("GET", "/api/ivr/flows/{name}", "/api/ivr/flows/nope", None, STAFF),
    ("GET", "/api/ivr/flows/{name}/versions", "/api/ivr/flows/nope/versions", None, STAFF),
    ("POST", "/api/ivr/flows/{name}/validate", "/api/ivr/flows/nope/validate", None, STAFF),
    ("PUT", "/api/ivr/flows/{name}", "/api/ivr/flows/nope", BAD, ADMIN),
    ("POST", "/api/ivr/flows/{name}/publish", "/api/ivr/flows/nope/publish", None, ADMIN),
    ("DELETE", "/api/ivr/flows/{name}", "/api/ivr/flows/nope", None, ADMIN),
    ("DELETE", "/api/ivr/flows/{name}/draft", "/api/ivr/flows/nope/draft", None, ADMIN),
    ("GET", "/api/prompts", "/api/prompts", None, STAFF),
    ("GET", "/api/prompts/{language}/{name}", "/api/prompts/zh/nope", None, STAFF),
    ("GET", "/api/prompts/{language}/{name}/audio", "/api/prompts/zh/nope/audio", None, STAFF),
    ("PUT", "/api/prompts/{language}/{name}", "/api/prompts/zh/nope", BAD, ADMIN),
    ("DELETE", "/api/prompts/{language}/{name}", "/api/prompts/zh/nope", None, ADMIN),
    ("GET", "/api/extensions/mine", "/api/extensions/mine", None, ANY),
    ("GET", "/api/extensions/{number}/registrations", "/api/extensions/0000/registrations",
     None, STAFF),
    ("GET", "/api/recordings", "/api/recordings", None, ANY),
    ("GET", "/api/recordings/{recording_id}", "/api/recordings/999999", None, ANY),
    ("GET", "/api/recordings/{recording_id}/audio", "/api/recordings/999999/audio", None,
     ANY),
]
TELEPHONY = {
    # resource: (path key, key of a record that does not exist)
    "extensions": ("number", "0000"),
    "trunks": ("name", "nope"),
    "dids": ("number", "0000"),
}
for resource, (key, missing) in TELEPHONY.items():
    base = f"/api/{resource}"
    MATRIX += [
        ("GET", base, base, None, STAFF),
        ("POST", base, base, BAD, ADMIN),
        ("GET", f"{base}/{{{key}}}", f"{base}/{missing}", None, STAFF),
        ("PUT", f"{base}/{{{key}}}", f"{base}/{missing}", BAD, ADMIN),
        ("DELETE", f"{base}/{{{key}}}", f"{base}/{missing}", None, ADMIN),
    ]
for resource, (missing, readers) in CONFIG.items():
    key = {"skills": "name", "teams": "name", "queues": "name", "agents": "agent_id",
           "dnis_routes": "dnis", "not_ready_reasons": "code", "caller_lists": "number"}[resource]
    base = f"/api/{resource}"
    MATRIX += [
        ("GET", base, base, None, readers),
        ("POST", base, base, BAD, ADMIN),
        ("GET", f"{base}/{{{key}}}", f"{base}/{missing}", None, readers),
        ("PATCH", f"{base}/{{{key}}}", f"{base}/{missing}", BAD, ADMIN),
        ("DELETE", f"{base}/{{{key}}}", f"{base}/{missing}", None, ADMIN),
    ]
LAST = ("POST", "/api/auth/logout", "/api/auth/logout", None, ANY)
"""Logging out ends the session the matrix runs in, so it comes last."""

# Open to anyone, on purpose: the health check, logging in, and the public request form (C4).
UNCHECKED = {("GET", "/api/health"), ("POST", "/api/auth/login"),
             ("GET", "/api/public/{tenant}/ticket_types"),
             ("POST", "/api/public/{tenant}/tickets")}
"""The endpoints anyone may call."""


def send(client: TestClient, method: str, url: str, body: dict[str, Any] | None) -> int:
    return client.request(method, url, json=body).status_code


@pytest.mark.parametrize("role", [None, "agent", "supervisor", "admin"],
                         ids=["anonymous", "agent", "supervisor", "admin"])
def test_each_endpoint_lets_through_exactly_its_roles(clients: Clients, role: str | None) -> None:
    client = clients.anonymous() if role is None else clients.log_in("acme", role)
    wrong = []
    for method, template, url, body, allowed in [*MATRIX, LAST]:
        status = send(client, method, url, body)
        if role is None:
            expected = "401"
            ok = status == 401
        elif role in allowed:
            expected = "neither 401 nor 403"
            ok = status not in (401, 403)
        else:
            expected = "403"
            ok = status == 403
        if not ok:
            wrong.append(f"{method} {template} as {role}: {status}, expected {expected}")
    assert wrong == []


def test_a_forbidden_request_says_which_role_it_needs(agent: TestClient) -> None:
    response = agent.post("/api/queues", json={"name": "sneaky"})
    assert response.status_code == 403
    assert response.json() == {"detail": "this needs the role admin; you are agent"}
    assert agent.get("/api/queues").json() == []


def test_the_matrix_lists_every_endpoint(app: FastAPI) -> None:
    served = {(method.upper(), path) for path, operations in app.openapi()["paths"].items()
              for method in operations}
    listed = {(method, template) for method, template, *_ in [*MATRIX, LAST]}
    assert served - UNCHECKED == listed
