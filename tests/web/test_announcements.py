"""An admin posts an announcement on the admin page; an agent's desktop shows it (D5)."""

from __future__ import annotations

import pytest
from playwright.sync_api import Browser, expect

from tests.web.conftest import CHROMIUM, NO_CHROMIUM, ConsoleErrors, Served, log_in

pytestmark = pytest.mark.skipif(not CHROMIUM.exists(), reason=NO_CHROMIUM)

SLOW = 20_000


def test_an_announcement_posted_by_an_admin_shows_on_the_agent_desktop(
    served: Served, browser: Browser, console_errors: ConsoleErrors
) -> None:
    context = browser.new_context(viewport={"width": 1366, "height": 768})
    page = console_errors.watch(context.new_page())
    log_in(page, served, "admin")
    page.goto(served.base + "/admin/announcements")
    page.click("#add")
    editor = page.locator("#editor")
    editor.locator('[name="title"]').fill("Gas price change")
    editor.locator('[name="body"]').fill("New tariffs from 1 December.")
    editor.locator("#editor-save").click()
    expect(editor).to_be_hidden(timeout=SLOW)
    expect(page.locator("main table")).to_contain_text("Gas price change", timeout=SLOW)
    context.close()

    context = browser.new_context(viewport={"width": 1366, "height": 768})
    desk = console_errors.watch(context.new_page())
    log_in(desk, served, "1003")
    desk.goto(served.base + "/agent")
    expect(desk.locator("#announcements")).to_contain_text(
        "Gas price change — New tariffs from 1 December.", timeout=SLOW)
    context.close()
    assert console_errors.unexpected() == []
