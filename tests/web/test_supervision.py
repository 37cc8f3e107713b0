"""A supervisor acts on an agent from the wall board (S2), in Chromium against a real
`hotline serve --demo`: make them not ready, try to listen to a call they do not have, log
them out — and the audit log says who did it."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest
from playwright.sync_api import Browser, expect
from websockets.sync.client import connect

from tests.web.conftest import CHROMIUM, NO_CHROMIUM, PASSWORD, ConsoleErrors, Served, log_in

pytestmark = pytest.mark.skipif(not CHROMIUM.exists(), reason=NO_CHROMIUM)

SLOW = 20_000


def _admin(served: Served) -> httpx.Client:
    return httpx.Client(base_url=served.base, timeout=30,
                        headers={"Authorization": f"Bearer {served.token('admin')}"})


def test_a_supervisor_makes_an_agent_not_ready_and_logs_them_out_from_the_board(
    served: Served, browser: Browser, console_errors: ConsoleErrors
) -> None:
    with _admin(served) as admin:
        for path, body in [
            ("/api/skills", {"name": "quiet"}),
            ("/api/queues", {"name": "quiet", "skills": {"quiet": 1}}),
            ("/api/agents", {"id": "1022", "name": "Qian Yu", "skills": {"quiet": 1}}),
            ("/api/users", {"username": "1022", "password": PASSWORD, "role": "agent",
                            "agent_id": "1022"}),
        ]:
            reply = admin.post(path, json=body)
            assert reply.status_code == 201, (path, reply.text)
    with connect(f"ws://127.0.0.1:{served.port}/api/cti?token={served.token('1022')}") as ws:
        for command in ("login", "ready"):
            ws.send(json.dumps({"id": command, "command": command}))
            while json.loads(ws.recv(timeout=30)).get("id") != command:
                pass
        context = browser.new_context(viewport={"width": 1366, "height": 768})
        page = console_errors.watch(context.new_page())
        log_in(page, served, "supervisor")
        page.goto(served.base + "/board")
        row = page.locator('#agents tr[data-agent="1022"]')
        expect(row.locator("td.state")).to_have_text("Ready", timeout=SLOW)
        row.click()
        dialog = page.locator("#agent-actions")
        expect(dialog.locator("#actions-title")).to_contain_text("1022 Qian Yu")
        # The supervisor calls the agent; the agent answers; the supervisor ends the call.
        dialog.get_by_role("button", name="Call the agent").click()
        expect(dialog.locator("#actions-result")).to_have_text(
            "Done: 1022 is now Ringing.", timeout=SLOW)
        while (offer := json.loads(ws.recv(timeout=30))).get("event") != "offer":
            pass
        ws.send(json.dumps({"id": "answer", "command": "answer",
                            "interaction": offer["interaction"]}))
        while json.loads(ws.recv(timeout=30)).get("id") != "answer":
            pass
        dialog.get_by_role("button", name="Release the call").click()
        expect(dialog.locator("#actions-result")).to_have_text(
            "Done: 1022 is now Ready.", timeout=SLOW)  # no wrap-up configured
        dialog.locator("#actions-reason").select_option("lunch")
        dialog.get_by_role("button", name="Make not ready").click()
        expect(dialog.locator("#actions-result")).to_have_text(
            "Done: 1022 is now Not ready.", timeout=SLOW)
        dialog.get_by_role("button", name="Listen").click()
        expect(dialog.locator("#actions-result")).to_have_text(
            "agent '1022' is not on a call", timeout=SLOW)
        dialog.get_by_role("button", name="Log out").click()
        expect(dialog.locator("#actions-result")).to_have_text(
            "Done: 1022 is now Logged out.", timeout=SLOW)
        dialog.get_by_role("button", name="Close").click()
        expect(row.locator("td.state")).to_have_text("Logged out", timeout=SLOW)
        # The agent's own connection heard it.
        states: list[Any] = []
        while "logged_out" not in states:
            message = json.loads(ws.recv(timeout=30))
            if message.get("event") == "agent_state":
                states.append(message["state"])
        context.close()
    with _admin(served) as admin:
        audit = admin.get("/api/audit", params={"entity": "agent"}).json()
    assert {(e["username"], e["action"], e["entity_key"]) for e in audit} >= {
        ("supervisor", "force not ready", "1022"), ("supervisor", "force logout", "1022"),
        ("supervisor", "call", "1022"), ("supervisor", "force release", "1022")}
    assert console_errors.unexpected() == []
