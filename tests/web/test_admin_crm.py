"""The knowledge base and ticket types administration pages in Chromium, against a real
`hotline serve --demo`.

A supervisor writes a Chinese article, finds it by a Chinese word, changes it and removes it,
and agents' searches follow each change; an article the server refuses shows why by its
fields and is not stored. An admin gives appointments a choice field and their own SLA,
which the page shows again after a reload and the ticket API then enforces; a duplicate
field name is shown on its row. A supervisor reads the ticket types but cannot change them.
Both pages fit 1366×768 in English and Chinese without console errors.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import datetime

import httpx
import pytest
from playwright.sync_api import Browser, BrowserContext, Locator, Page, expect

from tests.web.conftest import CHROMIUM, NO_CHROMIUM, ConsoleErrors, Served, log_in

pytestmark = pytest.mark.skipif(not CHROMIUM.exists(), reason=NO_CHROMIUM)

DESK = {"width": 1366, "height": 768}
SLOW = 20_000
"""Generous, for a loaded 2-core machine; Playwright returns as soon as the page is ready."""
REFUSED_CHANGE = re.compile(r"status of 422")
"""Chromium logs each refused request; expected where a test sends a bad value on purpose."""
AGENT = "1003"
NEW_BODY = "燃气表发出嗡嗡声或蜂鸣声时，请先更换电池；仍然报警请关闭阀门并报修。"


@pytest.fixture
def context(browser: Browser) -> Iterator[BrowserContext]:
    context = browser.new_context(viewport=DESK)
    yield context
    context.close()


def _open(page: Page, served: Served, section: str) -> None:
    page.goto(f"{served.base}/admin/{section}")
    expect(page.locator("#admin")).to_have_attribute("data-loaded", "true", timeout=SLOW)


def _api(served: Served, username: str) -> httpx.Client:
    return httpx.Client(base_url=served.base, timeout=30,
                        headers={"Authorization": f"Bearer {served.token(username)}"})


def _search(page: Page, words: str) -> None:
    page.fill("#kb-admin-query", words)
    page.press("#kb-admin-query", "Enter")
    expect(page.locator("#admin")).not_to_have_attribute("data-searching", "true", timeout=SLOW)


def _rows(editor: Locator) -> Locator:
    return editor.locator("#tt-admin-rows .tt-admin-row")


def test_a_supervisor_writes_a_chinese_article_finds_it_changes_it_and_agents_find_the_change(
    context: BrowserContext, served: Served, console_errors: ConsoleErrors
) -> None:
    page = console_errors.watch(context.new_page())
    log_in(page, served, "supervisor")
    _open(page, served, "kb")
    expect(page.locator("#read-only")).to_have_count(0)
    editor = page.locator("#editor")

    page.click("#add")
    expect(editor.locator('[name="title"]')).to_be_focused()
    editor.locator('[name="title"]').fill("燃气表蜂鸣报警处理")
    editor.locator('[name="body"]').fill("燃气表发出蜂鸣声时，请先检查电池，再关闭表前阀门。")
    editor.locator('[name="category"]').fill("meter")
    editor.locator('[name="tags"]').fill("燃气表，报警, 电池")
    editor.locator('[name="language"]').select_option("zh")
    editor.locator("#editor-save").click()
    expect(editor).to_be_hidden(timeout=SLOW)
    expect(page.locator("#status")).to_have_text("Saved 燃气表蜂鸣报警处理.")

    _search(page, "蜂鸣")
    rows = page.locator("#records tbody tr")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("燃气表蜂鸣报警处理")
    expect(rows.first).to_contain_text("燃气表, 报警, 电池")
    expect(page.locator("#count")).to_have_text("1 article")

    rows.first.get_by_role("button", name="Edit 燃气表蜂鸣报警处理").click()
    body = editor.locator('[name="body"]')
    expect(body).to_have_value("燃气表发出蜂鸣声时，请先检查电池，再关闭表前阀门。")
    body.fill(NEW_BODY)
    editor.locator("#editor-save").click()
    expect(editor).to_be_hidden(timeout=SLOW)
    expect(rows.first).to_contain_text("嗡嗡声", timeout=SLOW)

    with _api(served, AGENT) as agent:
        found = agent.get("/api/kb/articles", params={"q": "嗡嗡声"}).json()
        assert [item["title"] for item in found["items"]] == ["燃气表蜂鸣报警处理"]
        article = agent.get(f"/api/kb/articles/{found['items'][0]['id']}").json()
        assert article["body"] == NEW_BODY
        assert article["tags"] == ["燃气表", "报警", "电池"]
        assert article["updated_by"] == "supervisor"

    # Removing it asks first; then agents no longer find it.
    rows.first.get_by_role("button", name="Delete 燃气表蜂鸣报警处理").click()
    expect(page.locator("#confirm")).to_contain_text("agents no longer find the article")
    page.click("#confirm-delete")
    expect(page.locator("#status")).to_have_text("Deleted 燃气表蜂鸣报警处理.", timeout=SLOW)
    expect(rows).to_have_count(0)
    with _api(served, AGENT) as agent:
        assert agent.get("/api/kb/articles", params={"q": "嗡嗡声"}).json()["total"] == 0
    assert console_errors.unexpected() == []


def test_an_article_the_server_refuses_shows_why_by_its_fields_and_is_not_stored(
    context: BrowserContext, served: Served, console_errors: ConsoleErrors
) -> None:
    with _api(served, "admin") as admin:
        before = admin.get("/api/kb/articles").json()["total"]
    page = console_errors.watch(context.new_page())
    log_in(page, served, "admin")
    _open(page, served, "kb")
    editor = page.locator("#editor")
    page.click("#add")
    title = editor.locator('[name="title"]')
    title.fill("   ")  # the browser lets blanks through; the API strips them
    editor.locator('[name="body"]').fill("没有标题的文章")
    editor.locator('[name="category"]').fill("safety")
    for role in editor.locator('[name="visible_to"]').all():
        role.uncheck()
    editor.locator("#editor-save").click()
    expect(editor.locator('[data-field="title"] .field-error')).to_have_text(
        "String should have at least 1 character", timeout=SLOW)
    expect(title).to_have_attribute("aria-invalid", "true")
    expect(title).to_be_focused()
    expect(editor.locator('[data-field="visible_to"] .field-error')).to_contain_text(
        "at least 1 item")
    expect(editor.locator("#editor-error")).to_have_text(
        "Nothing was saved: check the fields marked in red.")

    # An empty title the browser catches itself, beside the field too.
    title.fill("")
    editor.locator('[name="visible_to"][value="agent"]').check()
    editor.locator("#editor-save").click()
    expect(editor.locator('[data-field="title"] .field-error')).not_to_be_empty()
    expect(editor.locator('[data-field="visible_to"] .field-error')).to_be_hidden()
    page.keyboard.press("Escape")
    expect(editor).to_be_hidden()

    with _api(served, "admin") as admin:
        assert admin.get("/api/kb/articles").json()["total"] == before
        assert admin.get("/api/kb/articles", params={"q": "没有标题"}).json()["total"] == 0
    assert console_errors.unexpected(REFUSED_CHANGE) == []


def test_an_admin_gives_appointments_a_choice_field_and_an_sla_that_tickets_then_follow(
    context: BrowserContext, served: Served, console_errors: ConsoleErrors
) -> None:
    page = console_errors.watch(context.new_page())
    log_in(page, served, "admin")
    _open(page, served, "ticket_types")
    editor = page.locator("#editor")
    row = page.locator('#records tr[data-key="appointment"]')
    expect(row).to_contain_text("2 d (default)")
    row.get_by_role("button", name="Edit Appointment").click()
    expect(editor).to_be_visible()
    rows = _rows(editor)
    expect(rows).to_have_count(2)
    editor.locator('[name="sla_minutes"]').fill("90")
    editor.locator("#tt-admin-add-field").click()
    added = rows.nth(2)
    expect(added.locator('[name="name"]')).to_be_focused()
    added.locator('[name="name"]').fill("channel")
    added.locator('[name="label"]').fill("渠道 Channel")
    added.locator('[name="kind"]').select_option("choice")
    added.locator('[name="choices"]').fill("phone\nwechat")
    added.locator('[name="required"]').check()
    added.get_by_role("button", name="Move up, field 3").click()  # before the time slot
    editor.locator("#editor-save").click()
    expect(editor).to_be_hidden(timeout=SLOW)
    expect(page.locator("#status")).to_have_text("Saved Appointment.")
    expect(row).to_contain_text("1 h 30 min")
    expect(row).to_contain_text("渠道 Channel (channel)")

    page.reload()
    expect(page.locator("#admin")).to_have_attribute("data-loaded", "true", timeout=SLOW)
    row.get_by_role("button", name="Edit Appointment").click()
    expect(editor.locator('[name="sla_minutes"]')).to_have_value("90")
    names = [rows.nth(index).locator('[name="name"]') for index in range(3)]
    for name, expected in zip(names, ["date", "channel", "slot"], strict=True):
        expect(name).to_have_value(expected)
    expect(rows.nth(1).locator('[name="kind"]')).to_have_value("choice")
    expect(rows.nth(1).locator('[name="choices"]')).to_have_value("phone\nwechat")
    expect(rows.nth(1).locator('[name="required"]')).to_be_checked()

    # A second field named "date": only the server knows; it says so on that row.
    editor.locator("#tt-admin-add-field").click()
    rows.nth(3).locator('[name="name"]').fill("date")
    rows.nth(3).locator('[name="label"]').fill("Another date")
    rows.nth(3).locator('[name="label"]').press("Enter")
    expect(rows.nth(3).locator(".field-error")).to_have_text(
        "field 'date' is defined twice", timeout=SLOW)
    expect(rows.nth(3).locator('[name="name"]')).to_have_attribute("aria-invalid", "true")
    expect(rows.nth(0).locator(".field-error")).to_be_hidden()
    page.keyboard.press("Escape")
    expect(editor).to_be_hidden()

    with _api(served, AGENT) as agent:
        setup = agent.get("/api/ticket_types/appointment").json()
        assert setup["sla_minutes"] == 90 and setup["sla_overridden"] is True
        assert [field["name"] for field in setup["fields"]] == ["date", "channel", "slot"]
        ticket = {"type": "appointment", "title": "预约安装灶具", "customer_phone": "13900000001",
                  "custom_fields": {"date": "2025-03-01", "slot": "08:00-12:00",
                                    "channel": "fax"}}
        refused = agent.post("/api/tickets", json=ticket)
        assert refused.status_code == 422, refused.text
        assert "'fax' is not one of phone, wechat" in refused.json()["detail"]
        ticket["custom_fields"]["channel"] = "wechat"
        made = agent.post("/api/tickets", json=ticket)
        assert made.status_code == 201, made.text
        created = made.json()
        due = (datetime.fromisoformat(created["due_at"])
               - datetime.fromisoformat(created["created_at"]))
        assert due.total_seconds() == 90 * 60
    assert console_errors.unexpected(REFUSED_CHANGE) == []


def test_a_supervisor_reads_the_ticket_types_but_cannot_change_them(
    context: BrowserContext, served: Served, console_errors: ConsoleErrors
) -> None:
    page = console_errors.watch(context.new_page())
    log_in(page, served, "supervisor")
    _open(page, served, "ticket_types")
    expect(page.locator("#read-only")).to_be_visible()
    row = page.locator('#records tr[data-key="repair"]')
    expect(row.get_by_role("button")).to_have_count(1)
    row.get_by_role("button", name="View Repair").click()
    editor = page.locator("#editor")
    expect(editor).to_be_visible()
    expect(editor.locator('[name="sla_minutes"]')).to_be_disabled()
    rows = _rows(editor)
    expect(rows).to_have_count(3)
    expect(rows.nth(0).locator('[name="name"]')).to_have_value("meter")
    for control in rows.locator("input, select, textarea").all():
        expect(control).to_be_disabled()
    expect(rows.get_by_role("button")).to_have_count(0)
    expect(editor.locator("#tt-admin-add-field")).to_have_count(0)
    expect(editor.locator("#editor-save")).to_be_hidden()
    expect(editor.locator("#editor-cancel")).to_be_focused()
    page.keyboard.press("Escape")
    expect(editor).to_be_hidden()
    with _api(served, "supervisor") as supervisor:
        reply = supervisor.put("/api/ticket_types/repair", json={"sla_minutes": 1, "fields": []})
        assert reply.status_code == 403
    assert console_errors.unexpected() == []


def test_both_pages_fit_1366x768_in_english_and_chinese_without_console_errors(
    context: BrowserContext, served: Served, console_errors: ConsoleErrors
) -> None:
    page = console_errors.watch(context.new_page())
    log_in(page, served, "admin")
    titles = {"kb": ("Knowledge base", "知识库"), "ticket_types": ("Ticket types", "工单类型")}
    try:
        for language in (0, 1):
            for section, names in titles.items():
                _open(page, served, section)
                expect(page.locator("#section-title")).to_have_text(names[language])
                expect(page.locator("#records tbody tr").first).to_be_visible()
                if section == "kb":
                    page.click("#add")
                else:
                    page.locator('#records tr[data-key="repair"] button').click()
                expect(page.locator("#editor")).to_be_visible()
                fits = page.evaluate("""() => {
                    const box = document.getElementById('editor').getBoundingClientRect();
                    return box.top >= 0 && box.bottom <= innerHeight
                        && box.left >= 0 && box.right <= innerWidth; }""")
                assert fits, f"the {section} form does not fit the screen"
                page.keyboard.press("Escape")
                expect(page.locator("#editor")).to_be_hidden()
                overflow = page.evaluate(
                    "document.documentElement.scrollWidth - document.documentElement.clientWidth")
                assert overflow <= 0, f"/admin/{section} is {overflow}px wider than 1366"
            if language == 0:
                page.click("#lang")
                expect(page.locator("#section-title")).to_have_text("工单类型")
        expect(page.locator('#records tr[data-key="repair"] td[data-column="type"]')).to_have_text(
            "抢修")
        expect(page.locator('.admin-menu a[href="/admin/kb"]')).to_have_text("知识库")
    finally:
        page.click("#lang")  # back to English for the account, whatever happened
    expect(page.locator("#section-title")).to_have_text("Ticket types")
    assert console_errors.unexpected() == []
