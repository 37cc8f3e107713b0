"""An agent finds the call they declined among their missed calls on the desktop (D5)."""

from __future__ import annotations

import json

import httpx
import pytest
from playwright.sync_api import Browser, expect
from websockets.sync.client import connect

from tests.web.conftest import CHROMIUM, NO_CHROMIUM, PASSWORD, ConsoleErrors, Served, log_in
from tests.web.test_pages import _transfer_a_caller

pytestmark = pytest.mark.skipif(not CHROMIUM.exists(), reason=NO_CHROMIUM)

SLOW = 20_000


def test_a_declined_offer_shows_among_the_agents_missed_calls(
    served: Served, browser: Browser, console_errors: ConsoleErrors
) -> None:
    with httpx.Client(base_url=served.base, timeout=30, headers={
            "Authorization": f"Bearer {served.token('admin')}"}) as admin:
        for path, body in [
            ("/api/skills", {"name": "callback"}),
            ("/api/queues", {"name": "callback", "skills": {"callback": 1}}),
            ("/api/agents", {"id": "1023", "name": "Sun Hao", "skills": {"callback": 1}}),
            ("/api/users", {"username": "1023", "password": PASSWORD, "role": "agent",
                            "agent_id": "1023"}),
        ]:
            reply = admin.post(path, json=body)
            assert reply.status_code == 201, (path, reply.text)
    with connect(f"ws://127.0.0.1:{served.port}/api/cti?token={served.token('1023')}") as ws:
        for command in ("login", "ready"):
            ws.send(json.dumps({"id": command, "command": command}))
            while json.loads(ws.recv(timeout=30)).get("id") != command:
                pass
        caller = _transfer_a_caller(served, "callback")
        while (message := json.loads(ws.recv(timeout=60))).get("event") != "offer":
            pass
        ws.send(json.dumps({"id": "no", "command": "decline",
                            "interaction": message["interaction"]}))
        while json.loads(ws.recv(timeout=30)).get("id") != "no":
            pass
    context = browser.new_context(viewport={"width": 1366, "height": 768})
    page = console_errors.watch(context.new_page())
    log_in(page, served, "1023")
    page.goto(served.base + "/agent")
    page.locator('#records-filter select[name="show"]').select_option("missed")
    row = page.locator("#missed tbody tr").first
    expect(row).to_contain_text("Declined", timeout=SLOW)
    expect(row).to_contain_text(caller["ani"])
    expect(row).to_contain_text("callback")
    expect(page.locator("#records")).to_be_hidden()
    context.close()
    assert console_errors.unexpected() == []
