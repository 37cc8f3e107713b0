"""The pages in Chromium against a real `hotline serve --demo` (issue 5, first slice).

An agent signs in through the login page, logs in to a queue, goes ready, takes a demo caller's
call (transferred to them by another agent), holds, resumes, hangs up, ends wrap-up, finds the
call in their records, locks the screen and signs out; a supervisor's wall board in another
browser shows each of the agent's states within a second. Every page works at 1366×768 and
1920×1080 without console errors. Screenshots go to docs/images/.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import httpx
import pytest
from playwright.sync_api import Browser, Page, WebSocketRoute, expect
from websockets.sync.client import ClientConnection, connect

from tests.web.conftest import CHROMIUM, NO_CHROMIUM, PASSWORD, ConsoleErrors, Served, log_in

pytestmark = pytest.mark.skipif(not CHROMIUM.exists(), reason=NO_CHROMIUM)

SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "images"
DESK = {"width": 1366, "height": 768}
TV = {"width": 1920, "height": 1080}
WITHIN_A_SECOND = 1000
"""The issue's figure: the wall board shows an agent's new state within a second."""
SLOW = 20_000
"""For everything else: generous, for a loaded 2-core machine."""
WRONG_PASSWORD_ERROR = "unknown tenant, username or password"
REFUSED_LOGIN = re.compile(r"status of 401")
"""Chromium logs a refused fetch; expected where a test types a wrong password on purpose."""


def _admin(served: Served) -> httpx.Client:
    return httpx.Client(base_url=served.base, timeout=30,
                        headers={"Authorization": f"Bearer {served.token('admin')}"})


def _add_agent_with_a_quiet_queue(served: Served) -> None:
    """Agent 1021, alone in queue `vip_line`, which no synthetic caller dials: the test
    decides when a call reaches them (by transfer), so every state lasts until it acts."""
    with _admin(served) as admin:
        for path, body in [
            ("/api/skills", {"name": "vip_line", "description": "VIP hotline"}),
            ("/api/queues", {"name": "vip_line", "skills": {"vip_line": 1}}),
            ("/api/agents", {"id": "1021", "name": "Zhang Min", "team": "repair",
                             "skills": {"vip_line": 1}, "wrap_up": None}),
            ("/api/users", {"username": "1021", "password": PASSWORD, "role": "agent",
                            "agent_id": "1021", "display_name": "Zhang Min"}),
        ]:
            reply = admin.post(path, json=body)
            assert reply.status_code == 201, (path, reply.text)


def _command(ws: ClientConnection, held: list[dict[str, Any]], command: str,
             **fields: Any) -> None:
    ws.send(json.dumps({"id": command, "command": command, **fields}))
    while True:
        message: dict[str, Any] = json.loads(ws.recv(timeout=30))
        if message.get("id") == command:
            assert message["ok"], message
            return
        held.append(message)


def _transfer_a_caller(served: Served, queue: str) -> dict[str, Any]:
    """Agent 1002, over the CTI WebSocket, answers the next demo caller and transfers them
    to `queue`; returns the caller's offer to 1002."""
    held: list[dict[str, Any]] = []  # events that came while a command waited for its reply
    with connect(f"ws://127.0.0.1:{served.port}/api/cti?token={served.token('1002')}") as ws:
        _command(ws, held, "login")
        _command(ws, held, "ready")
        while True:
            message = held.pop(0) if held else json.loads(ws.recv(timeout=120))
            if message.get("event") == "offer":
                break
        _command(ws, held, "answer", interaction=message["interaction"])
        _command(ws, held, "transfer", interaction=message["interaction"], queue=queue)
        return message


def test_an_agent_takes_a_call_while_the_wall_board_follows_each_state(
    browser: Browser, served: Served, console_errors: ConsoleErrors
) -> None:
    _add_agent_with_a_quiet_queue(served)
    board_context = browser.new_context(viewport=DESK)
    agent_context = browser.new_context(viewport=DESK)
    try:
        board = console_errors.watch(board_context.new_page())
        log_in(board, served, "supervisor")
        board.goto(served.base + "/board")
        on_board = board.locator('#agents tr[data-agent="1021"] td.state')
        expect(on_board).to_have_text("Logged out", timeout=SLOW)

        # The agent signs in through the login page and lands on the desktop.
        desk = console_errors.watch(agent_context.new_page())
        desk.goto(served.base + "/")
        expect(desk).to_have_url(re.compile(r"/login$"))
        desk.fill("#tenant", "demo")
        desk.fill("#username", "1021")
        desk.fill("#password", PASSWORD)
        desk.press("#password", "Enter")
        expect(desk).to_have_url(re.compile(r"/agent$"), timeout=SLOW)
        expect(desk.locator("#who-name")).to_have_text("Zhang Min")
        expect(desk.locator("#who-account")).to_have_text("demo / 1021")
        expect(desk.locator("#who-agent")).to_have_text("1021")
        expect(desk.locator("#who-role")).to_have_text("Agent")
        expect(desk.locator("#conn")).to_have_attribute("data-status", "open", timeout=SLOW)
        state = desk.locator("#state-text")

        def step(expected: str, board_text: str | re.Pattern[str] | None = None) -> None:
            expect(state).to_have_text(expected, timeout=SLOW)
            expect(on_board).to_have_text(board_text or expected, timeout=WITHIN_A_SECOND)

        desk.check('#queue-list input[value="vip_line"]')
        desk.click("#btn-login")
        step("Not ready")
        # The desk is ours once the login has taken the agent over from the demo (until
        # then the demo's state shows and the buttons stay disabled).
        expect(desk.locator("#btn-ready")).to_be_enabled(timeout=SLOW)
        desk.keyboard.press("F7")
        step("Ready")

        # A demo caller reaches the agent: the offer rings and pops the caller's data.
        original = _transfer_a_caller(served, "vip_line")
        number = original["ani"]
        step("Ringing")
        expect(desk.locator("#ring")).to_be_visible()
        expect(desk.locator("#ring-number")).to_have_text(number)
        expect(desk.locator("#pop-ani")).to_have_text(number)
        expect(desk.locator("#pop-queue")).to_have_text("vip_line")
        expect(desk.locator("#pop-transferred")).to_have_text(original["interaction"])
        collected = desk.locator("#pop-attributes")
        for key, value in original["attributes"].items():
            expect(collected).to_contain_text(f"{key}{value}")
        if not original["attributes"]:
            expect(collected).to_have_text("Nothing collected.")

        desk.keyboard.press("F2")
        step("On a call")
        expect(desk.locator("#ring")).to_be_hidden()
        expect(desk.locator("#call-state")).to_have_text("Talking")
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        desk.screenshot(path=SCREENSHOTS / "agent_desktop.png")

        # What the CTI refuses is shown with its reason; consult and conference say they are
        # not available in this version.
        desk.fill("#transfer-target", "nowhere")
        desk.keyboard.press("F10")
        message = desk.locator("#message-text")
        expect(message).to_contain_text("transfer: ", timeout=SLOW)
        expect(message).to_contain_text("nowhere")
        expect(state).to_have_text("On a call")
        desk.click("#btn-consult")  # a consultation needs an agent to ring
        expect(message).to_have_text("Choose Agent and type the agent to consult.")
        desk.click("#message-close")
        expect(message).to_be_hidden()

        desk.keyboard.press("F6")
        expect(desk.locator("#call-state")).to_have_text("On hold", timeout=SLOW)
        expect(desk.locator("#hold-label")).to_have_text("Resume")
        expect(on_board).to_have_text("On a call")
        desk.click("#btn-hold")
        expect(desk.locator("#call-state")).to_have_text("Talking", timeout=SLOW)
        # The keypad keys digits into the call; the server takes them (an error would show).
        for digit in "5#":
            desk.click(f'#dtmf-pad button[data-digit="{digit}"]')
            # Shown once the server has taken it (a refusal would show an error instead).
            expect(desk.locator("#dtmf-sent")).to_contain_text(digit, timeout=SLOW)
        expect(desk.locator("#dtmf-sent")).to_have_text("5#")
        expect(message).to_be_hidden()

        desk.keyboard.press("F4")
        step("After-call work")
        expect(desk.locator("#wrap-timer")).to_contain_text("After-call work")
        desk.click("#btn-end-wrap")
        step("Ready")

        # The call is in the agent's records, answered.
        record = desk.locator(f'#records tr[data-interaction="{original["interaction"]}.2"]')
        expect(record).to_contain_text(number, timeout=SLOW)
        expect(record).to_contain_text("Answered")

        # Not ready for lunch, then the screen lock: only the agent's password opens it.
        desk.select_option("#reason", "lunch")
        desk.keyboard.press("F8")
        step("Not ready")
        expect(desk.locator("#state-reason")).to_have_text("Lunch")
        expect(board.locator('#agents tr[data-agent="1021"]')).to_contain_text("Lunch")
        desk.keyboard.press("Alt+L")
        lock = desk.locator("#lock")
        expect(lock).to_be_visible()
        desk.fill("#lock-password", "not the password")
        desk.press("#lock-password", "Enter")
        expect(desk.locator("#lock-error")).to_have_text(WRONG_PASSWORD_ERROR, timeout=SLOW)
        desk.reload()
        expect(lock).to_be_visible()
        desk.fill("#lock-password", PASSWORD)
        desk.press("#lock-password", "Enter")
        expect(lock).to_be_hidden(timeout=SLOW)

        # A threshold the supervisor sets lights up the cell, and is remembered.
        board.fill('#thresholds input[name="not_ready"]', "0")
        board.click('#thresholds button[type="submit"]')
        time_cell = board.locator('#agents tr[data-agent="1021"] td.time')
        expect(time_cell).to_have_class(re.compile(r"\balert\b"), timeout=SLOW)
        board.reload()
        expect(board.locator('#thresholds input[name="not_ready"]')).to_have_value("0")
        expect(time_cell).to_have_class(re.compile(r"\balert\b"), timeout=SLOW)
        expect(board.locator("#alert-count")).to_be_visible()
        board.screenshot(path=SCREENSHOTS / "wall_board.png")

        board.set_viewport_size(TV)
        board.goto(served.base + "/board/tv")
        tile = board.locator('.agent-tile[data-agent="1021"]')
        expect(tile.locator(".state")).to_have_text("Not ready · Lunch", timeout=SLOW)
        expect(board.locator("#conn")).to_have_attribute("data-status", "open", timeout=SLOW)
        board.screenshot(path=SCREENSHOTS / "wall_board_tv.png")

        # Signing out logs the agent out of the queues, then ends the session. (The demo
        # plays an agent again once their person has logged out, so the board moves on.)
        desk.click("#sign-out")
        expect(desk).to_have_url(re.compile(r"/login$"), timeout=SLOW)
        desk.goto(served.base + "/agent")
        expect(desk).to_have_url(re.compile(r"/login\?next=/agent$"))
    finally:
        agent_context.close()
        board_context.close()
    assert console_errors.unexpected(REFUSED_LOGIN) == []


def test_a_wrong_password_shows_the_apis_error_and_the_right_one_opens_the_board(
    browser: Browser, served: Served, console_errors: ConsoleErrors
) -> None:
    context = browser.new_context(viewport=DESK)
    try:
        page = console_errors.watch(context.new_page())
        page.goto(served.base + "/board")
        expect(page).to_have_url(re.compile(r"/login\?next=/board$"))
        page.fill("#tenant", "demo")
        page.fill("#username", "supervisor")
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=SCREENSHOTS / "login.png")
        page.fill("#password", "not the password")
        page.click("#login-submit")
        expect(page.locator("#login-error")).to_have_text(WRONG_PASSWORD_ERROR, timeout=SLOW)
        expect(page).to_have_url(re.compile(r"/login"))
        page.fill("#password", PASSWORD)
        page.click("#login-submit")
        expect(page).to_have_url(re.compile(r"/board$"), timeout=SLOW)
    finally:
        context.close()
    assert console_errors.unexpected(REFUSED_LOGIN) == []


def test_the_pages_switch_to_chinese_and_remember_it(
    browser: Browser, served: Served, console_errors: ConsoleErrors
) -> None:
    context = browser.new_context(viewport=DESK)
    try:
        page = console_errors.watch(context.new_page())
        page.goto(served.base + "/login")
        page.click("#lang")
        expect(page.locator("#login-submit")).to_have_text("登录")
        log_in(page, served, "supervisor")
        page.goto(served.base + "/board")
        expect(page.locator("#queues-heading")).to_have_text("今日队列")
        expect(page.locator('#agents tr[data-agent="1001"] td.state')).not_to_be_empty(
            timeout=SLOW)
        for heading in ("Queues today", "今日队列"):  # and back: kept with the account too
            with page.expect_response(lambda r: r.url.endswith("/api/auth/me")
                                      and r.request.method == "PATCH") as patched:
                page.click("#lang")
            assert patched.value.ok
            expect(page.locator("#queues-heading")).to_have_text(heading)
        me = page.context.request.get(served.base + "/api/auth/me")
        assert me.json()["language"] == "zh"
        # A new browser, with nothing stored, opens in the user's language.
        fresh = browser.new_context(viewport=DESK)
        try:
            other = console_errors.watch(fresh.new_page())
            log_in(other, served, "supervisor")
            other.goto(served.base + "/board")
            expect(other.locator("#queues-heading")).to_have_text("今日队列")
        finally:
            fresh.close()
    finally:
        context.close()
    assert console_errors.unexpected() == []


def test_the_board_reconnects_when_the_cti_connection_drops(
    browser: Browser, served: Served, console_errors: ConsoleErrors
) -> None:
    context = browser.new_context(viewport=DESK)
    sockets: list[WebSocketRoute] = []

    def through(socket: WebSocketRoute) -> None:
        socket.connect_to_server()
        sockets.append(socket)

    try:
        page = console_errors.watch(context.new_page())
        page.route_web_socket(re.compile(r"/api/cti$"), through)
        log_in(page, served, "supervisor")
        page.goto(served.base + "/board")
        connection = page.locator("#conn")
        expect(connection).to_have_attribute("data-status", "open", timeout=SLOW)
        sockets[0].close(code=1012, reason="the test drops the connection")
        expect(connection).not_to_have_attribute("data-status", "open")
        expect(connection).to_have_attribute("data-status", "open", timeout=SLOW)
        assert len(sockets) == 2
        # Live figures flow again over the new connection.
        updated = page.locator("#updated").inner_text()
        expect(page.locator("#updated")).not_to_have_text(updated, timeout=SLOW)
    finally:
        context.close()
    assert console_errors.unexpected() == []


PAGES = [
    ("/login", None, "#login-form"),
    ("/agent", "1003", "#conn[data-status=open]"),
    ("/board", "supervisor", '#agents tr[data-agent="1001"]'),
    ("/board/tv", "supervisor", '.agent-tile[data-agent="1001"]'),
]


@pytest.mark.parametrize("size", [DESK, TV], ids=["1366x768", "1920x1080"])
def test_every_page_fits_the_screen_without_console_errors(
    browser: Browser, served: Served, console_errors: ConsoleErrors, size: dict[str, int]
) -> None:
    context = browser.new_context(viewport=size)
    try:
        page: Page = console_errors.watch(context.new_page())
        for path, username, ready in PAGES:
            if username is not None:
                log_in(page, served, username)
            page.goto(served.base + path)
            expect(page).to_have_url(re.compile(re.escape(path) + "$"))
            expect(page.locator(ready)).to_be_visible(timeout=SLOW)
            overflow = page.evaluate(
                "document.documentElement.scrollWidth - document.documentElement.clientWidth")
            assert overflow <= 0, f"{path} is {overflow}px wider than {size}"
    finally:
        context.close()
    assert console_errors.unexpected() == []
