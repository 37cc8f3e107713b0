"""The CRM on the agent desktop and the wall board (D3, D4, D6, C2), in Chromium against a
real `hotline serve --demo`.

A demo caller reaches agent 1031 through agent 1002, who answers them over the CTI and
transfers them to the quiet queue `crm_line`; before the transfer the test makes the caller a
known VIP customer with an open ticket, or leaves them unknown. The agent sees the customer
card, creates a ticket from the call and moves it on; saves an unknown caller with one click;
searches the knowledge base; the supervisor's board counts a team's overdue tickets.
"""

from __future__ import annotations

import json
import re
import sqlite3
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from playwright.sync_api import Browser, BrowserContext, Page, expect
from websockets.sync.client import ClientConnection, connect

from tests.web.conftest import CHROMIUM, NO_CHROMIUM, PASSWORD, ConsoleErrors, Served, log_in

pytestmark = pytest.mark.skipif(not CHROMIUM.exists(), reason=NO_CHROMIUM)

SLOW = 20_000
DESK = {"width": 1366, "height": 768}
AGENT = "1031"
QUEUE = "crm_line"
TEAM = "crm_night"
SWEEP = 30_000
"""How long an escalation may take to show: the test server sweeps every 2 s
(`--ticket-sweep`), a loaded machine is slow."""
REPAIR_FIELDS = [
    {"name": "meter", "label": "Meter number", "kind": "text", "required": True,
     "max_length": 20},
    {"name": "floor", "label": "Floor", "kind": "number"},
    {"name": "gas_off", "label": "Gas turned off", "kind": "boolean"},
    {"name": "smell", "label": "Smell", "kind": "choice", "choices": ["faint", "strong"],
     "required": True},
    {"name": "visit", "label": "Visit on", "kind": "date"},
]
"""The custom fields of repair tickets in these tests."""


def _admin(served: Served) -> httpx.Client:
    return httpx.Client(base_url=served.base, timeout=30,
                        headers={"Authorization": f"Bearer {served.token('admin')}"})


@pytest.fixture(scope="module")
def crm_agent(served: Served) -> str:
    """Agent 1031 of team `repair`, alone in queue `crm_line`, which no synthetic caller
    dials; team `crm_night` with nobody in it, for the board; fields for repair tickets."""
    with _admin(served) as admin:
        for path, body in [
            ("/api/skills", {"name": QUEUE}),
            ("/api/queues", {"name": QUEUE, "skills": {QUEUE: 1}}),
            ("/api/teams", {"name": TEAM}),
            ("/api/agents", {"id": AGENT, "name": "Qian Yu", "team": "repair",
                             "skills": {QUEUE: 1}, "wrap_up": None}),
            ("/api/users", {"username": AGENT, "password": PASSWORD, "role": "agent",
                            "agent_id": AGENT, "display_name": "Qian Yu"}),
        ]:
            reply = admin.post(path, json=body)
            assert reply.status_code == 201, (path, reply.text)
        reply = admin.put("/api/ticket_types/repair",
                          json={"sla_minutes": None, "fields": REPAIR_FIELDS})
        assert reply.status_code == 200, reply.text
    return AGENT


def _reply(ws: ClientConnection, held: list[dict[str, Any]], command: str,
           refusable: bool = False, **fields: Any) -> dict[str, Any]:
    """The result of a CTI command (which must succeed unless `refusable`); events that come
    meanwhile go to `held`."""
    ws.send(json.dumps({"id": command, "command": command, **fields}))
    while True:
        message: dict[str, Any] = json.loads(ws.recv(timeout=30))
        if message.get("id") == command:
            assert message["ok"] or refusable, message
            result: dict[str, Any] = message.get("result") or {}
            return result
        held.append(message)


def _transfer_a_caller(served: Served, wanted: Callable[[dict[str, Any]], bool],
                       before: Callable[[dict[str, Any]], None]) -> dict[str, Any]:
    """Agent 1002 answers demo callers until one is `wanted` (serving the others, briefly),
    runs `before(offer)` and transfers that caller to `crm_line`; returns 1002's offer.
    (Half the demo's callers are customers on file.)"""
    held: list[dict[str, Any]] = []
    with connect(f"ws://127.0.0.1:{served.port}/api/cti?token={served.token('1002')}") as ws:
        # Takes 1002 over from the demo; refused when an earlier test already has.
        _reply(ws, held, "login", refusable=True)
        while True:
            if _reply(ws, held, "status")["state"] == "wrap_up":
                _reply(ws, held, "end_wrap_up")
            if _reply(ws, held, "status")["state"] != "ready":
                _reply(ws, held, "ready")
            while True:
                message = held.pop(0) if held else json.loads(ws.recv(timeout=120))
                if message.get("event") == "offer":
                    break
            _reply(ws, held, "answer", interaction=message["interaction"])
            if wanted(message):
                break
            _reply(ws, held, "hangup", interaction=message["interaction"])
        before(message)
        _reply(ws, held, "transfer", interaction=message["interaction"], queue=QUEUE)
        return message


@pytest.fixture
def desk(browser: Browser, served: Served, crm_agent: str,
         console_errors: ConsoleErrors) -> Iterator[Page]:
    """Agent 1031's desktop, logged in to `crm_line` and ready, in English."""
    context: BrowserContext = browser.new_context(viewport=DESK)
    try:
        page = console_errors.watch(context.new_page())
        log_in(page, served, crm_agent)
        page.goto(served.base + "/login")
        page.evaluate("localStorage.setItem('hotline.lang', 'en')")
        page.goto(served.base + "/agent")
        page.check(f'#queue-list input[value="{QUEUE}"]')
        page.click("#btn-login")
        expect(page.locator("#state-text")).to_have_text("Not ready", timeout=SLOW)
        # The desk is ours once the login has taken the agent over from the demo (until
        # then the demo's state shows and the buttons stay disabled).
        expect(page.locator("#btn-ready")).to_be_enabled(timeout=SLOW)
        page.keyboard.press("F7")
        expect(page.locator("#state-text")).to_have_text("Ready", timeout=SLOW)
        yield page
        # Leave the agent free for the next test: off the call, out of wrap-up, logged out.
        if page.locator("#btn-hangup").is_enabled():
            page.keyboard.press("F4")
            expect(page.locator("#btn-end-wrap")).to_be_enabled(timeout=SLOW)
        if page.locator("#btn-end-wrap").is_enabled():
            page.click("#btn-end-wrap")
            expect(page.locator("#state-text")).to_have_text("Ready", timeout=SLOW)
        page.click("#btn-logout-queues")
        # Logged out, or played by the demo again (which the next login takes over).
        expect(page.locator("#btn-login")).to_be_enabled(timeout=SLOW)
    finally:
        context.close()


def test_a_known_vip_caller_pops_their_card_and_the_agent_files_a_ticket_from_the_call(
    desk: Page, served: Served, console_errors: ConsoleErrors
) -> None:
    made: dict[str, Any] = {}

    def make_them_a_vip_with_an_open_ticket(offer: dict[str, Any]) -> None:
        with _admin(served) as admin:
            customer = admin.patch(f"/api/customers/{offer['customer']['id']}", json={
                "name": "Chen Jing", "emails": ["chen.jing@example.com"],
                "accounts": ["GAS-T-880012345"], "address": "12 Binjiang Road, Hangzhou",
                "tier": "vip", "tags": ["elderly", "gas"]})
            assert customer.status_code == 200, customer.text
            ticket = admin.post("/api/tickets", json={
                "type": "complaint", "title": "Meter reading too high",
                "customer_id": customer.json()["id"], "customer_phone": offer["ani"]})
            assert ticket.status_code == 201, ticket.text
            made.update(customer=customer.json(), ticket=ticket.json())

    offer = _transfer_a_caller(served, lambda offer: offer.get("customer") is not None,
                               make_them_a_vip_with_an_open_ticket)
    customer = made["customer"]
    expect(desk.locator("#ring")).to_be_visible(timeout=SLOW)
    card = desk.locator("#customer-card")
    expect(card.locator("#customer-name")).to_have_text("Chen Jing", timeout=SLOW)
    expect(card.locator("#customer-vip")).to_be_visible()
    expect(card.locator("#customer-vip")).to_have_text("VIP")
    expect(card.locator("#customer-phones")).to_contain_text(customer["phones"][0])
    expect(card.locator("#customer-emails")).to_have_text("chen.jing@example.com")
    expect(card.locator("#customer-accounts")).to_have_text("GAS-T-880012345")
    expect(card.locator("#customer-address")).to_have_text("12 Binjiang Road, Hangzhou")
    expect(card.locator("#customer-tags .tag")).to_have_text(["elderly", "gas"])
    open_ticket = card.locator(f'#customer-tickets li[data-ticket="{made["ticket"]["id"]}"]')
    expect(open_ticket).to_contain_text("Meter reading too high", timeout=SLOW)
    expect(open_ticket).to_contain_text("New")
    expect(desk.locator("#customer-form")).to_be_hidden()

    desk.keyboard.press("F2")
    expect(desk.locator("#call-state")).to_have_text("Talking", timeout=SLOW)
    call = f'{offer["interaction"]}.2'  # the caller's second leg, after the transfer

    # A ticket from the call, with its type's fields, without leaving the page.
    desk.click("#customer-new-ticket")
    expect(desk.locator("#tab-tickets")).to_have_attribute("aria-selected", "true")
    expect(desk.locator("#ticket-link")).to_have_text(f"For Chen Jing · call {call}")
    desk.select_option("#ticket-type", "repair")
    desk.select_option('#ticket-form select[name="priority"]', "urgent")
    desk.fill('#ticket-form input[name="title"]', "Gas smell in the kitchen")
    desk.fill('#ticket-form textarea[name="description"]', "Since this morning.")
    custom = desk.locator("#ticket-custom")
    custom.locator('[data-field="meter"]').fill("GZ-20391")
    custom.locator('[data-field="floor"]').fill("3")
    custom.locator('[data-field="gas_off"]').check()
    custom.locator('[data-field="smell"]').select_option("strong")
    custom.locator('[data-field="visit"]').fill("2026-12-01")
    desk.click("#ticket-create")
    detail = desk.locator("#ticket-detail")
    expect(detail.locator("#ticket-detail-title")).to_contain_text("Gas smell in the kitchen",
                                                                  timeout=SLOW)
    ticket_id = detail.get_attribute("data-ticket")
    assert ticket_id is not None
    new_one = desk.locator(f'#customer-tickets li[data-ticket="{ticket_id}"]')
    expect(new_one).to_contain_text("Gas smell in the kitchen", timeout=SLOW)
    expect(desk.locator(f'#caller-tickets li[data-ticket="{ticket_id}"]')).to_be_visible()
    with _admin(served) as admin:
        stored = admin.get(f"/api/tickets/{ticket_id}").json()
    assert stored["customer_id"] == customer["id"]
    assert stored["interaction_id"] == call
    assert stored["customer_phone"] == offer["ani"]
    assert (stored["type"], stored["priority"], stored["created_by"]) == (
        "repair", "urgent", AGENT)
    assert stored["custom_fields"] == {"meter": "GZ-20391", "floor": 3, "gas_off": True,
                                       "smell": "strong", "visit": "2026-12-01"}
    expect(detail.locator("#ticket-detail-fields")).to_contain_text("Meter numberGZ-20391")

    # Moved on with a comment: accepted, then dispatched to the agent's own team, whose work
    # list it joins.
    desk.select_option("#ticket-action", "accept")
    desk.fill("#ticket-comment", "Customer confirms the smell")
    desk.click("#ticket-act")
    expect(detail.locator('[data-fact="state"]')).to_have_text("Accepted", timeout=SLOW)
    expect(desk.locator("#ticket-events")).to_contain_text("Customer confirms the smell")
    desk.select_option("#ticket-action", "dispatch")
    desk.select_option("#ticket-dispatch-kind", "team")
    desk.fill("#ticket-dispatch-target", "repair")
    desk.click("#ticket-act")
    expect(detail.locator('[data-fact="state"]')).to_have_text("Dispatched", timeout=SLOW)
    expect(desk.locator(f'#my-tickets li[data-ticket="{ticket_id}"]')).to_be_visible(
        timeout=SLOW)
    # An action the workflow does not allow now is not offered.
    assert "accept" not in desk.locator("#ticket-action option").evaluate_all(
        "options => options.map(option => option.value)")

    overflow = desk.evaluate(
        "document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow <= 0, f"the desktop is {overflow}px wider than the screen"

    # The card and its tickets in Chinese.
    desk.click("#lang")
    expect(desk.locator("#customer-heading")).to_have_text("客户")
    expect(desk.locator("#tab-kb")).to_have_text("知识库")
    expect(detail.locator('[data-fact="state"]')).to_have_text("已派单")
    expect(new_one).to_contain_text("抢修")
    desk.click("#lang")
    expect(desk.locator("#customer-heading")).to_have_text("Customer")
    assert console_errors.unexpected() == []


def test_an_unknown_caller_is_saved_as_a_customer_with_one_click(
    desk: Page, served: Served, console_errors: ConsoleErrors
) -> None:
    def nobody_has_the_number(offer: dict[str, Any]) -> bool:
        if offer.get("customer") is not None:
            return False
        with _admin(served) as admin:
            found = admin.get("/api/customers/lookup", params={"phone": offer["ani"]})
        assert found.status_code in (200, 404), found.text
        return found.status_code == 404

    offer = _transfer_a_caller(served, nobody_has_the_number, lambda offer: None)
    form = desk.locator("#customer-form")
    expect(form).to_be_visible(timeout=SLOW)
    expect(desk.locator("#customer-status")).to_have_text("Nobody on file has this number.")
    expect(desk.locator("#customer-vip")).to_be_hidden()
    expect(form.locator('input[name="phones"]')).to_have_value(offer["ani"])
    expect(form.locator('input[name="name"]')).to_have_value("")
    desk.keyboard.press("F2")
    expect(desk.locator("#call-state")).to_have_text("Talking", timeout=SLOW)
    # A ticket filed before the caller is saved stays theirs (by their number).
    desk.click("#customer-new-ticket")
    expect(desk.locator("#ticket-link")).to_contain_text(f"For {offer['ani']}")
    desk.select_option("#ticket-type", "business")
    desk.fill('#ticket-form input[name="title"]', "Asks how to change the account holder")
    desk.click("#ticket-create")
    filed = desk.locator("#caller-tickets li", has_text="Asks how to change the account holder")
    expect(filed).to_be_visible(timeout=SLOW)

    form.locator('input[name="name"]').fill("Zhou Xin")
    form.locator('input[name="emails"]').fill("zhou.xin@example.com")
    # Switching language keeps what the agent typed.
    desk.click("#lang")
    expect(desk.locator("#customer-save")).to_have_text("保存客户")
    expect(desk.locator("#customer-status")).to_have_text("客户资料中没有这个号码。")
    expect(form.locator('input[name="name"]')).to_have_value("Zhou Xin")
    desk.click("#lang")
    expect(desk.locator("#customer-save")).to_have_text("Save customer")
    desk.click("#customer-save")

    expect(desk.locator("#customer-name")).to_have_text("Zhou Xin", timeout=SLOW)
    expect(desk.locator("#customer-phones")).to_have_text(offer["ani"])
    expect(form).to_be_hidden()
    expect(desk.locator("#customer-tickets")).to_contain_text(
        "Asks how to change the account holder", timeout=SLOW)
    with _admin(served) as admin:
        found = admin.get("/api/customers/lookup", params={"phone": offer["ani"]})
    assert found.status_code == 200, found.text
    assert (found.json()["name"], found.json()["emails"]) == ("Zhou Xin", ["zhou.xin@example.com"])

    # The agent corrects the customer on the card (PATCH).
    desk.click("#customer-edit")
    form.locator('input[name="address"]').fill("8 Wensan Road")
    desk.click("#customer-save")
    expect(desk.locator("#customer-address")).to_have_text("8 Wensan Road", timeout=SLOW)
    with _admin(served) as admin:
        assert admin.get(f"/api/customers/{found.json()['id']}").json()["address"] == (
            "8 Wensan Road")
    assert console_errors.unexpected() == []


def test_a_ticket_dispatched_to_the_agent_joins_their_work_list_with_a_notice(
    desk: Page, served: Served, console_errors: ConsoleErrors
) -> None:
    expect(desk.locator("#conn")).to_have_attribute("data-status", "open", timeout=SLOW)
    desk.click("#tab-kb")  # looking elsewhere: the tickets tab asks for attention
    with _admin(served) as admin:
        created = admin.post("/api/tickets", json={"type": "suggestion",
                                                  "title": "Wants e-mail bills"})
        assert created.status_code == 201, created.text
        ticket = created.json()
        for action in ({"action": "accept"}, {"action": "dispatch", "assignee": AGENT}):
            moved = admin.post(f"/api/tickets/{ticket['id']}/actions", json=action)
            assert moved.status_code == 200, moved.text
    notice = desk.locator("#ticket-notice")
    expect(notice).to_have_text(re.compile(
        rf"Ticket #{ticket['id']} “Wants e-mail bills” is now yours"), timeout=SLOW)
    expect(desk.locator("#tickets-attention")).to_be_visible()
    mine = desk.locator(f'#my-tickets li[data-ticket="{ticket["id"]}"]')
    expect(mine).to_contain_text("Wants e-mail bills")
    expect(mine).to_contain_text("Dispatched")
    notice.click()
    expect(desk.locator("#tab-tickets")).to_have_attribute("aria-selected", "true")
    expect(desk.locator("#tickets-attention")).to_be_hidden()
    mine.locator("button").click()
    expect(desk.locator('#ticket-detail [data-fact="ticket_assignee"]')).to_have_text(AGENT,
                                                                                     timeout=SLOW)

    # Past due: the server's sweep escalates it, and the agent is told.
    _backdate(served, ticket["id"], hours=1)
    expect(notice).to_have_attribute("data-change", "escalated", timeout=SWEEP)
    expect(notice).to_have_text(re.compile(
        rf"Escalated: ticket #{ticket['id']} “Wants e-mail bills” is overdue"))
    expect(mine).to_contain_text("(overdue)")
    assert console_errors.unexpected() == []


def test_the_knowledge_base_finds_an_article_and_shows_it_as_text(
    browser: Browser, served: Served, crm_agent: str, console_errors: ConsoleErrors
) -> None:
    body = "Close the valve.\n<b>Do not</b> switch on lights: <script>alert(1)</script>"
    with _admin(served) as admin:
        created = admin.post("/api/kb/articles", json={
            "title": "Gas leak: what the caller does first", "body": body,
            "category": "safety", "tags": ["leak"], "language": "en"})
        if created.status_code == 404:
            pytest.skip("this server has no knowledge base API (/api/kb/articles)")
        assert created.status_code == 201, created.text
    context = browser.new_context(viewport=DESK)
    try:
        page = console_errors.watch(context.new_page())
        log_in(page, served, crm_agent)
        page.goto(served.base + "/login")
        page.evaluate("localStorage.setItem('hotline.lang', 'en')")
        page.goto(served.base + "/agent")
        page.click("#tab-kb")
        expect(page.locator("#kb-query")).to_be_focused()
        page.locator("#kb-query").press_sequentially("valve lights", delay=20)
        result = page.locator(f'#kb-results li[data-article="{created.json()["id"]}"]')
        expect(result).to_contain_text("Gas leak: what the caller does first", timeout=SLOW)
        result.locator("button").click()
        article = page.locator("#kb-article-body")
        expect(article).to_have_text(body, timeout=SLOW)
        assert article.locator("b, script").count() == 0
        expect(page.locator("#kb-article-title")).to_have_text(
            "Gas leak: what the caller does first")
        page.click("#lang")
        expect(page.locator("#tab-kb")).to_have_text("知识库")
        expect(page.locator("#kb-query")).to_have_attribute("placeholder", "搜索知识库")
    finally:
        context.close()
    assert console_errors.unexpected() == []


def _backdate(served: Served, ticket_id: int, hours: float) -> None:
    """Make a ticket due `hours` ago (as if opened long before), straight in the database."""
    due = (datetime.now(UTC) - timedelta(hours=hours)).replace(tzinfo=None)
    with sqlite3.connect(served.log.parent / "hotline.db") as db:
        changed = db.execute("UPDATE tickets SET due_at = ? WHERE id = ?",
                             (due.strftime("%Y-%m-%d %H:%M:%S.%f"), ticket_id)).rowcount
    assert changed == 1


def test_the_board_counts_each_teams_overdue_tickets(
    browser: Browser, served: Served, crm_agent: str, console_errors: ConsoleErrors
) -> None:
    with _admin(served) as admin:
        ids = []
        for title in ("Engineer never came", "Bill doubled this month"):
            ticket = admin.post("/api/tickets", json={"type": "complaint", "title": title})
            assert ticket.status_code == 201, ticket.text
            ids.append(ticket.json()["id"])
            for action in ({"action": "accept"}, {"action": "dispatch", "team": TEAM}):
                moved = admin.post(f"/api/tickets/{ids[-1]}/actions", json=action)
                assert moved.status_code == 200, moved.text
        _backdate(served, ids[0], hours=2)
        _backdate(served, ids[1], hours=-0.5)  # due in half an hour
        expected = [row for row in admin.get("/api/tickets/overdue_by_team").json()
                    if row["team"] == TEAM]
    assert [(row["overdue"], row["due_soon"]) for row in expected] == [(1, 1)]
    context = browser.new_context(viewport=DESK)
    try:
        page = console_errors.watch(context.new_page())
        log_in(page, served, "supervisor")
        page.goto(served.base + "/login")
        page.evaluate("localStorage.setItem('hotline.lang', 'en')")
        page.goto(served.base + "/board")
        row = page.locator(f'#team-tickets tr[data-team="{TEAM}"]')
        expect(row.locator("td").nth(1)).to_have_text("1", timeout=SLOW)
        expect(row.locator("td").nth(1)).to_have_class(re.compile(r"\boverdue-count\b"))
        expect(row.locator("td").nth(2)).to_have_text("1")
        expect(page.locator("#overdue-heading")).to_contain_text("Overdue tickets per team")
        page.click("#lang")
        expect(page.locator("#overdue-heading")).to_contain_text("各班组超时工单")
        page.click("#lang")
        overflow = page.evaluate(
            "document.documentElement.scrollWidth - document.documentElement.clientWidth")
        assert overflow <= 0
    finally:
        context.close()
    assert console_errors.unexpected() == []
