"""An agent consults a colleague from the desktop and makes it a conference, in Chromium
against a real `hotline serve --demo`; the colleague is played over the CTI from Python."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest
from playwright.sync_api import Browser, expect
from websockets.sync.client import ClientConnection, connect

from tests.web.conftest import CHROMIUM, NO_CHROMIUM, PASSWORD, ConsoleErrors, Served, log_in
from tests.web.test_pages import _transfer_a_caller

pytestmark = pytest.mark.skipif(not CHROMIUM.exists(), reason=NO_CHROMIUM)

SLOW = 20_000


def _reply(ws: ClientConnection, command: str, **fields: Any) -> dict[str, Any]:
    ws.send(json.dumps({"id": command, "command": command, **fields}))
    while (message := json.loads(ws.recv(timeout=30))).get("id") != command:
        pass
    assert message["ok"], message
    return message


def test_an_agent_consults_a_colleague_and_makes_it_a_conference(
    served: Served, browser: Browser, console_errors: ConsoleErrors
) -> None:
    with httpx.Client(base_url=served.base, timeout=30, headers={
            "Authorization": f"Bearer {served.token('admin')}"}) as admin:
        for path, body in [
            ("/api/skills", {"name": "experts"}),
            ("/api/queues", {"name": "experts", "skills": {"experts": 1}}),
            ("/api/agents", {"id": "1025", "name": "Zhou Ming", "skills": {"experts": 1}}),
            ("/api/agents", {"id": "1026", "name": "Wu Lan", "skills": {"experts": 1}}),
            ("/api/users", {"username": "1025", "password": PASSWORD, "role": "agent",
                            "agent_id": "1025"}),
            ("/api/users", {"username": "1026", "password": PASSWORD, "role": "agent",
                            "agent_id": "1026"}),
        ]:
            reply = admin.post(path, json=body)
            assert reply.status_code == 201, (path, reply.text)
    context = browser.new_context(viewport={"width": 1366, "height": 768})
    desk = console_errors.watch(context.new_page())
    log_in(desk, served, "1025")
    desk.goto(served.base + "/agent")
    desk.check('#queue-list input[value="experts"]')
    desk.click("#btn-login")
    expect(desk.locator("#state-text")).to_have_text("Not ready", timeout=SLOW)
    # The desk is ours once the login has taken the agent over from the demo (until
    # then the demo's state shows and the buttons stay disabled).
    expect(desk.locator("#btn-ready")).to_be_enabled(timeout=SLOW)
    desk.keyboard.press("F7")
    expect(desk.locator("#state-text")).to_have_text("Ready", timeout=SLOW)
    caller = _transfer_a_caller(served, "experts")
    expect(desk.locator("#ring")).to_be_visible(timeout=SLOW)
    desk.keyboard.press("F2")
    expect(desk.locator("#call-state")).to_have_text("Talking", timeout=SLOW)
    with connect(f"ws://127.0.0.1:{served.port}/api/cti?token={served.token('1026')}") as ws:
        _reply(ws, "login", queues=["experts"])
        _reply(ws, "ready")
        desk.select_option("#transfer-kind", "agent")
        desk.fill("#transfer-target", "1026")
        desk.click("#btn-consult")
        expect(desk.locator("#consult-with")).to_have_text("Consulting 1026", timeout=SLOW)
        expect(desk.locator("#call-state")).to_have_text("On hold")
        expect(desk.locator("#btn-hold")).to_be_disabled()
        while (offer := json.loads(ws.recv(timeout=30))).get("event") != "offer":
            pass
        assert offer["consult"] is True and offer["ani"] == caller["ani"]
        _reply(ws, "answer", interaction=offer["interaction"])
        desk.click("#btn-conference")
        expect(desk.locator("#consult-actions")).to_be_hidden(timeout=SLOW)
        expect(desk.locator("#call-state")).to_have_text("Talking", timeout=SLOW)
        # The agent leaves the conference; the colleague stays with the caller.
        desk.keyboard.press("F4")
        expect(desk.locator("#state-text")).to_have_text("Ready", timeout=SLOW)  # no wrap-up
        expect(desk.locator("#call-state")).not_to_have_text("Talking")
        status = _reply(ws, "status")["result"]
        leg = caller["interaction"] + ".2"  # the caller came to 1025 by a transfer
        assert status["state"] == "busy" and status["interaction"] == leg
        _reply(ws, "hangup", interaction=leg)
    context.close()
    assert console_errors.unexpected() == []
