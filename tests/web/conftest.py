"""A real `hotline serve --demo` and Debian's Chromium, driven by Playwright.

The server runs as a user runs it: a subprocess on a free port with its own SQLite database
and a known demo password, started once per module and killed at the end even when a test
fails. Playwright's own browser download does not work here, so the tests launch
/usr/bin/chromium (Debian's `chromium` package) and skip, saying so, when it is missing.
"""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Browser, ConsoleMessage, Page, sync_playwright

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run",
]
HOTLINE = Path(sys.executable).parent / "hotline"
PASSWORD = "web-test-password"
TENANT = "demo"
TICKET_SWEEP = 2
"""Seconds between the server's looks for tickets to escalate (30 in production): the tests
see an escalation soon after they make a ticket overdue."""
STARTUP_SECONDS = 180  # creating the demo hashes 22 passwords; a loaded 2-core machine is slow

NO_CHROMIUM = ("the web tests need Debian's Chromium at /usr/bin/chromium "
               "(apt-get install chromium); Playwright's own download does not work here")


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


class Served:
    """`hotline serve --demo` on a free port, with its log in `workdir`."""

    def __init__(self, workdir: Path, rate: float) -> None:
        self.port = _free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.log = workdir / "serve.log"
        env = {**os.environ, "HOTLINE_DATABASE_URL": f"sqlite:///{workdir / 'hotline.db'}",
               "HOTLINE_DEMO_PASSWORD": PASSWORD}
        self.process = subprocess.Popen(
            [str(HOTLINE), "serve", "--demo", "--port", str(self.port),
             "--demo-rate", str(rate), "--ticket-sweep", str(TICKET_SWEEP)],
            cwd=workdir, env=env, stdout=self.log.open("w"), stderr=subprocess.STDOUT)

    def wait_until_up(self) -> None:
        deadline = time.monotonic() + STARTUP_SECONDS
        while time.monotonic() < deadline:
            assert self.process.poll() is None, self.log.read_text()
            try:
                if httpx.get(self.base + "/api/health", timeout=2).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.2)
        raise AssertionError("hotline serve did not answer: " + self.log.read_text())

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait(timeout=30)

    def token(self, username: str, password: str = PASSWORD) -> str:
        reply = httpx.post(self.base + "/api/auth/login", json={
            "tenant": TENANT, "username": username, "password": password}, timeout=30)
        assert reply.status_code == 200, reply.text
        token: str = reply.json()["token"]
        return token


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    """The demo contact center with one synthetic caller a second."""
    server = Served(tmp_path_factory.mktemp("serve"), rate=1.0)
    try:
        server.wait_until_up()
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    if not CHROMIUM.exists():
        pytest.skip(NO_CHROMIUM)
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True)
        yield chromium
        chromium.close()


class ConsoleErrors:
    """Console errors and uncaught exceptions of the pages it watches."""

    def __init__(self) -> None:
        self.errors: list[str] = []

    def watch(self, page: Page) -> Page:
        def console(message: ConsoleMessage) -> None:
            if message.type == "error":
                self.errors.append(f"{page.url}: console error: {message.text}")

        page.on("console", console)
        page.on("pageerror", lambda error: self.errors.append(f"{page.url}: {error}"))
        return page

    def unexpected(self, *expected: re.Pattern[str]) -> list[str]:
        """The errors seen, but those matching one of `expected`."""
        return [error for error in self.errors
                if not any(pattern.search(error) for pattern in expected)]


@pytest.fixture
def console_errors() -> ConsoleErrors:
    return ConsoleErrors()


def log_in(page: Page, served: Served, username: str) -> None:
    """Sign `page`'s browser context in over the API (the session cookie), as the login
    page would."""
    reply = page.context.request.post(served.base + "/api/auth/login", data={
        "tenant": TENANT, "username": username, "password": PASSWORD})
    assert reply.ok, reply.text()
