"""The administration pages in Chromium against a real `hotline serve --demo` (issue 5, P3).

An admin adds a skill, a queue requiring it and an agent holding it through the forms, and
the running server puts the new queue on the wall board at once. The server judges every
change: its refusals (a ring timeout of 0, a duplicate name, bad business hours, a queue that
a DNIS route still uses) appear beside the field they name, and nothing is saved. A supervisor
reads the same pages but cannot change them; an agent is sent back to the desktop. Every page
fits 1366×768 without console errors. The queues page is saved as docs/images/admin_queues.png.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Browser, BrowserContext, Locator, Page, expect

from tests.web.conftest import CHROMIUM, NO_CHROMIUM, ConsoleErrors, Served, log_in

pytestmark = pytest.mark.skipif(not CHROMIUM.exists(), reason=NO_CHROMIUM)

SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "images"
DESK = {"width": 1366, "height": 768}
SLOW = 20_000
"""Generous, for a loaded 2-core machine; Playwright returns as soon as the page is ready."""
REFUSED_CHANGE = re.compile(r"status of (409|422)")
"""Chromium logs each refused request; expected where a test sends a bad value on purpose."""
SECTIONS = ["users", "agents", "teams", "skills", "queues", "dnis-routes", "settings",
            "not-ready-reasons", "caller-lists"]


@pytest.fixture
def context(browser: Browser) -> Iterator[BrowserContext]:
    context = browser.new_context(viewport=DESK)
    yield context
    context.close()


def _open(page: Page, served: Served, section: str) -> None:
    page.goto(f"{served.base}/admin/{section}")
    expect(page.locator("#admin")).to_have_attribute("data-loaded", "true", timeout=SLOW)


def _api(served: Served) -> httpx.Client:
    return httpx.Client(base_url=served.base, timeout=30,
                        headers={"Authorization": f"Bearer {served.token('admin')}"})


def _row(page: Page, key: str) -> Locator:
    return page.locator(f'#records tr[data-key="{key}"]')


def test_an_admin_adds_a_skill_a_queue_and_an_agent_and_the_board_shows_the_queue_at_once(
    context: BrowserContext, served: Served, console_errors: ConsoleErrors
) -> None:
    page = console_errors.watch(context.new_page())
    log_in(page, served, "admin")
    editor = page.locator("#editor")

    _open(page, served, "skills")
    page.click("#add")
    expect(editor).to_be_visible()
    expect(editor.locator('[name="name"]')).to_be_focused()
    page.keyboard.type("web_orders")
    page.keyboard.press("Tab")
    page.keyboard.type("Orders taken on the web")
    page.keyboard.press("Enter")
    expect(editor).to_be_hidden(timeout=SLOW)
    expect(_row(page, "web_orders")).to_contain_text("Orders taken on the web")
    expect(page.locator("#status")).to_have_text("Saved web_orders.")

    _open(page, served, "queues")
    page.click("#add")
    editor.locator('[name="name"]').fill("web_orders")
    editor.locator('[name="skill-web_orders"]').check()
    editor.locator('[name="level-web_orders"]').fill("2")
    editor.locator('[name="priority"]').fill("7")
    editor.locator('[name="overflow.to"]').select_option("inquiry")
    editor.locator('[name="overflow.after"]').fill("90")
    editor.locator("#editor-save").click()
    expect(editor).to_be_hidden(timeout=SLOW)
    row = _row(page, "web_orders")
    expect(row).to_contain_text("web_orders 2")
    expect(row).to_contain_text("after 90\u00a0s → inquiry")
    # Edit it: the form shows what is stored, and only the change is sent.
    row.get_by_role("button", name="Edit web_orders").click()
    expect(editor.locator('[name="level-web_orders"]')).to_have_value("2")
    expect(editor.locator('[name="service_level.target"]')).to_have_value("80")
    editor.locator('[name="service_level.target"]').fill("90")
    editor.locator('[name="service_level.target"]').press("Enter")
    expect(editor).to_be_hidden(timeout=SLOW)
    expect(row).to_contain_text("90% in 20")
    expect(row.get_by_role("button", name="Edit web_orders")).to_be_focused()

    _open(page, served, "agents")
    page.click("#add")
    editor.locator('[name="id"]').fill("3001")
    editor.locator('[name="name"]').fill("Qian Yu")
    editor.locator('[name="team"]').select_option("service")
    editor.locator('[name="skill-web_orders"]').check()
    editor.locator('[name="level-web_orders"]').fill("3")
    editor.locator('[name="wrap_up"]').fill("")  # until the agent ends it
    editor.locator('[name="level-web_orders"]').press("Enter")
    expect(editor).to_be_hidden(timeout=SLOW)
    expect(_row(page, "3001")).to_contain_text("Qian Yu")

    with _api(served) as admin:
        assert admin.get("/api/queues/web_orders").json() == {
            "name": "web_orders", "skills": {"web_orders": 2}, "priority": 7,
            "strategy": "fewest_calls_then_longest_since_hangup",
            "service_level": {"threshold": 20.0, "target": 0.9},
            "max_wait": None, "overflow": {"after": 90.0, "to": "inquiry"}, "ring_timeout": 20.0}
        assert admin.get("/api/agents/3001").json() == {
            "id": "3001", "name": "Qian Yu", "type": "standard", "team": "service",
            "skills": {"web_orders": 3}, "wrap_up": None}

    # From the top bar of the wall board, where the new queue and agent already are.
    page.goto(served.base + "/board")
    expect(page.locator('#queues tr[data-queue="web_orders"]')).to_be_visible(timeout=SLOW)
    expect(page.locator('#agents tr[data-agent="3001"]')).to_contain_text("Qian Yu")
    page.click("#admin-link")
    expect(page).to_have_url(re.compile(r"/admin/users$"))
    page.locator(".admin-menu").get_by_role("link", name="Queues").click()
    expect(page.locator("#admin")).to_have_attribute("data-loaded", "true", timeout=SLOW)
    expect(page.locator('.admin-menu a[aria-current="page"]')).to_have_text("Queues")
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=SCREENSHOTS / "admin_queues.png")
    assert console_errors.unexpected() == []


def test_the_servers_refusal_shows_by_the_field_it_names_and_nothing_is_saved(
    context: BrowserContext, served: Served, console_errors: ConsoleErrors
) -> None:
    page = console_errors.watch(context.new_page())
    log_in(page, served, "admin")
    _open(page, served, "queues")
    editor = page.locator("#editor")
    page.click("#add")
    editor.locator('[name="name"]').fill("ring_never")
    editor.locator('[name="ring_timeout"]').fill("0")  # the browser allows 0; the API wants > 0
    editor.locator('[name="ring_timeout"]').press("Enter")
    ring_error = editor.locator('[data-field="ring_timeout"] .field-error')
    expect(ring_error).to_have_text("Input should be greater than 0", timeout=SLOW)
    expect(editor.locator('[name="ring_timeout"]')).to_have_attribute("aria-invalid", "true")
    expect(editor.locator('[name="ring_timeout"]')).to_be_focused()
    expect(editor.locator("#editor-error")).to_have_text(
        "Nothing was saved: check the fields marked in red.")

    # A duplicate name only the server can know of.
    editor.locator('[name="name"]').fill("repair")
    editor.locator('[name="ring_timeout"]').fill("15")
    editor.locator("#editor-save").click()
    expect(editor.locator('[data-field="name"] .field-error')).to_have_text(
        "queue 'repair': already exists in tenant 'demo'", timeout=SLOW)
    expect(ring_error).to_be_hidden()
    page.keyboard.press("Escape")
    expect(editor).to_be_hidden()
    expect(page.locator("#add")).to_be_focused()
    expect(_row(page, "ring_never")).to_have_count(0)

    # A nested path: Monday's opening hours on the settings page.
    _open(page, served, "settings")
    monday = page.locator('[name="hours-mon"]')
    monday.fill("20:00-08:00")
    monday.press("Enter")
    expect(page.locator('[data-field="business_hours"] .field-error')).to_contain_text(
        "'20:00-08:00' is not an opening period", timeout=SLOW)
    expect(monday).to_have_attribute("aria-invalid", "true")

    with _api(served) as admin:
        assert admin.get("/api/queues/ring_never").status_code == 404
        assert admin.get("/api/queues/repair").json()["ring_timeout"] == 20.0
        assert admin.get("/api/tenant").json()["business_hours"]["mon"] == ["08:00-20:00"]

    # Escape puts the stored settings back; a good change saves.
    monday.press("Escape")
    expect(monday).to_have_value("08:00-20:00")
    page.locator('[name="vip_priority"]').fill("15")
    page.click("#settings-save")
    expect(page.locator("#status")).to_have_text("Settings saved.", timeout=SLOW)
    with _api(served) as admin:
        tenant = admin.get("/api/tenant").json()
        assert tenant["vip_priority"] == 15
        assert tenant["business_hours"]["mon"] == ["08:00-20:00"]
    assert console_errors.unexpected(REFUSED_CHANGE) == []


def test_deleting_a_queue_that_a_dnis_route_uses_says_why_and_keeps_it(
    context: BrowserContext, served: Served, console_errors: ConsoleErrors
) -> None:
    page = console_errors.watch(context.new_page())
    log_in(page, served, "admin")
    _open(page, served, "queues")
    _row(page, "complaint").get_by_role("button", name="Delete complaint").click()
    confirm = page.locator("#confirm")
    expect(confirm).to_contain_text("Delete complaint?")
    expect(page.locator("#confirm-cancel")).to_be_focused()
    page.click("#confirm-delete")
    expect(page.locator("#message-text")).to_have_text(
        "complaint was not deleted: queue 'complaint': is still used by DNIS route '96780' "
        "queue; change those first", timeout=SLOW)
    expect(_row(page, "complaint")).to_be_visible()
    with _api(served) as admin:
        assert admin.get("/api/queues/complaint").status_code == 200
        reply = admin.post("/api/queues", json={"name": "short_lived"})
        assert reply.status_code == 201, reply.text

    # A queue nothing uses goes.
    page.reload()
    _row(page, "short_lived").get_by_role("button", name="Delete short_lived").click()
    page.keyboard.press("Escape")
    expect(confirm).to_be_hidden()
    expect(_row(page, "short_lived")).to_be_visible()
    _row(page, "short_lived").get_by_role("button", name="Delete short_lived").click()
    page.click("#confirm-delete")
    expect(page.locator("#status")).to_have_text("Deleted short_lived.", timeout=SLOW)
    expect(_row(page, "short_lived")).to_have_count(0)
    assert console_errors.unexpected(REFUSED_CHANGE) == []


def test_a_supervisor_reads_the_pages_but_cannot_change_them(
    context: BrowserContext, served: Served, console_errors: ConsoleErrors
) -> None:
    page = console_errors.watch(context.new_page())
    log_in(page, served, "supervisor")
    _open(page, served, "queues")
    expect(page.locator("#read-only")).to_be_visible()
    expect(page.locator("#add")).to_have_count(0)
    row = _row(page, "repair")
    expect(row.get_by_role("button")).to_have_count(1)
    row.get_by_role("button", name="View repair").click()
    editor = page.locator("#editor")
    expect(editor).to_be_visible()
    expect(editor.locator('[name="name"]')).to_have_value("repair")
    expect(editor.locator('[name="name"]')).to_be_disabled()
    expect(editor.locator("#editor-save")).to_be_hidden()
    page.keyboard.press("Escape")
    expect(editor).to_be_hidden()

    _open(page, served, "settings")
    expect(page.locator('[name="timezone"]')).to_have_value("Asia/Shanghai")
    expect(page.locator('[name="timezone"]')).to_be_disabled()
    expect(page.locator("#settings-save")).to_have_count(0)
    assert console_errors.unexpected() == []


def test_an_agent_is_sent_to_the_desktop_and_a_stranger_to_the_login_page(
    context: BrowserContext, served: Served
) -> None:
    page = context.new_page()
    page.goto(served.base + "/admin/queues")
    expect(page).to_have_url(re.compile(r"/login\?next=/admin/queues$"))
    log_in(page, served, "1003")
    for path in ["/admin", "/admin/queues"]:
        page.goto(served.base + path)
        expect(page).to_have_url(re.compile(r"/agent$"))
    with httpx.Client(base_url=served.base, timeout=30) as anybody:
        assert anybody.get("/admin/nowhere").status_code == 404


def test_every_admin_page_fits_1366x768_without_console_errors(
    context: BrowserContext, served: Served, console_errors: ConsoleErrors
) -> None:
    page = console_errors.watch(context.new_page())
    log_in(page, served, "admin")
    for section in SECTIONS:
        _open(page, served, section)
        expect(page.locator('.admin-menu a[aria-current="page"]')).to_have_attribute(
            "href", f"/admin/{section}")
        if section != "settings":
            expect(page.locator("#records tbody tr").first).to_be_visible()
            page.click("#add")
            expect(page.locator("#editor")).to_be_visible()
            fits = page.evaluate("""() => {
                const box = document.getElementById('editor').getBoundingClientRect();
                return box.top >= 0 && box.bottom <= innerHeight; }""")
            assert fits, f"the {section} form is taller than the screen"
            page.keyboard.press("Escape")
            expect(page.locator("#editor")).to_be_hidden()
        overflow = page.evaluate(
            "document.documentElement.scrollWidth - document.documentElement.clientWidth")
        assert overflow <= 0, f"/admin/{section} is {overflow}px wider than 1366"
    page.click("#lang")
    expect(page.locator("#section-title")).to_have_text("黑名单与 VIP")
    assert console_errors.unexpected() == []
