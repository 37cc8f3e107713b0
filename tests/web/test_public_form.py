"""A customer files a repair through the tenant's public page, in Chinese, without signing in
(C4): the repair's custom fields appear, a bad phone number is marked beside its field, and
once it is fixed the page shows the reference of the ticket it filed."""

from __future__ import annotations

import re

import httpx
import pytest
from playwright.sync_api import Browser, expect

from tests.web.conftest import CHROMIUM, NO_CHROMIUM, TENANT, ConsoleErrors, Served

pytestmark = pytest.mark.skipif(not CHROMIUM.exists(), reason=NO_CHROMIUM)

SLOW = 20_000


def test_a_customer_files_a_repair_in_chinese_and_gets_its_reference(
    served: Served, browser: Browser, console_errors: ConsoleErrors
) -> None:
    admin = {"Authorization": f"Bearer {served.token('admin')}"}
    defined = httpx.put(served.base + "/api/ticket_types/repair", headers=admin, timeout=30,
                        json={"sla_minutes": 120, "fields": [
                            {"name": "meter", "label": "表号", "kind": "text",
                             "required": True, "max_length": 12},
                            {"name": "area", "label": "区域", "kind": "choice",
                             "choices": ["北区", "南区"]}]})
    assert defined.status_code == 200, defined.text

    context = browser.new_context(viewport={"width": 1366, "height": 768}, locale="zh-CN")
    page = console_errors.watch(context.new_page())
    page.goto(f"{served.base}/public/{TENANT}/request")
    expect(page.locator("h1")).to_have_text("在线报事")
    page.select_option("#type", "repair")
    expect(page.locator("#custom-fields")).to_be_visible(timeout=SLOW)
    expect(page.locator("label[for=field-meter]")).to_contain_text("表号")
    page.fill("#name", "王芳")
    page.fill("#phone", "电话号码")
    page.fill("#title", "早上起没有燃气")
    page.fill("#description", "灶台打不着火。")
    page.fill("#field-meter", "GZ-20391")
    page.select_option("#field-area", "北区")
    page.click("#submit")
    phone_error = page.locator("#error-phone")
    expect(phone_error).to_be_visible()
    expect(phone_error).to_contain_text("电话号码为 3 到 20 位数字")
    expect(page.locator("#phone")).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#receipt")).to_be_hidden()

    page.fill("#phone", "139 1234 5678")
    page.click("#submit")
    expect(page.locator("#receipt")).to_be_visible(timeout=SLOW)
    expect(phone_error).to_be_hidden()
    reference = page.locator("#reference").inner_text()
    assert re.fullmatch(r"[0-9]+", reference)
    expect(page.locator("#due")).not_to_be_empty()
    context.close()

    ticket = httpx.get(f"{served.base}/api/tickets/{reference}", headers=admin, timeout=30)
    assert ticket.status_code == 200, ticket.text
    filed = ticket.json()
    assert (filed["type"], filed["title"], filed["created_by"]) == (
        "repair", "早上起没有燃气", "web-form")
    assert filed["custom_fields"] == {"meter": "GZ-20391", "area": "北区"}
    assert filed["customer_phone"] == "13912345678"
    assert console_errors.unexpected() == []


def test_the_page_speaks_english_when_asked_and_an_unknown_tenant_is_a_404(
    served: Served, browser: Browser, console_errors: ConsoleErrors
) -> None:
    context = browser.new_context(locale="zh-CN")
    page = console_errors.watch(context.new_page())
    page.goto(f"{served.base}/public/{TENANT}/request?lang=en")
    expect(page.locator("h1")).to_have_text("Contact us")
    page.click("#submit")
    expect(page.locator("#error-title")).to_have_text(
        "Give a subject (at most 200 characters).")
    expect(page.locator("#error-phone")).to_contain_text("Give a phone number or an e-mail")
    missing = page.goto(f"{served.base}/public/no-such-tenant/request")
    assert missing is not None and missing.status == 404
    expect(page.locator("#no-tenant")).to_be_visible()
    context.close()
    assert console_errors.unexpected(re.compile(r"404")) == []
