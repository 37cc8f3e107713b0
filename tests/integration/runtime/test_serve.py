"""`hotline serve --demo` as a user runs it: a real process on a free port, on SQLite and on
PostgreSQL. A person takes a demo call over the CTI WebSocket; SIGTERM stops it cleanly with
every fact written; `kill -9` under load loses nothing that was acknowledged, and the restart
closes what was in flight as `system_restart`."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import create_engine, text
from typer.testing import CliRunner
from websockets.sync.client import ClientConnection, connect

from hotline.cli import app
from hotline.core.agent_fsm import AgentState
from hotline.core.facts import AgentStateChanged
from hotline.store.journal_queries import read_facts

HOTLINE = Path(sys.executable).parent / "hotline"
PASSWORD = "demo-test-password"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


class Served:
    def __init__(self, database_url: str, workdir: Path, rate: float) -> None:
        self.port = _free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.log = workdir / f"serve-{self.port}.log"
        env = {**os.environ, "HOTLINE_DATABASE_URL": database_url,
               "HOTLINE_DEMO_PASSWORD": PASSWORD}
        self.process = subprocess.Popen(
            [str(HOTLINE), "serve", "--demo", "--port", str(self.port),
             "--demo-rate", str(rate)],
            cwd=workdir, env=env, stdout=self.log.open("w"), stderr=subprocess.STDOUT)
        _started.append(self.process)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            assert self.process.poll() is None, self.log.read_text()
            try:
                if httpx.get(self.base + "/api/health", timeout=1).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.2)
        raise AssertionError("hotline serve did not answer: " + self.log.read_text())

    def token(self, username: str) -> str:
        reply = httpx.post(self.base + "/api/auth/login", json={
            "tenant": "demo", "username": username, "password": PASSWORD})
        assert reply.status_code == 200, reply.text
        token: str = reply.json()["token"]
        return token

    def cti(self, username: str) -> ClientConnection:
        return connect(f"ws://127.0.0.1:{self.port}/api/cti?token={self.token(username)}")


_held_back: list[dict[str, Any]] = []
"""Events that arrived while a command waited for its reply (an offer can come before the
reply to `ready`, when a caller is already waiting)."""


def _command(ws: ClientConnection, command: str, **fields: Any) -> dict[str, Any]:
    ws.send(json.dumps({"id": command, "command": command, **fields}))
    while True:
        message: dict[str, Any] = json.loads(ws.recv(timeout=30))
        if message.get("id") == command:
            assert message["ok"], message
            return message
        _held_back.append(message)


def _log_in(ws: ClientConnection) -> None:
    """Log in, forgetting what came before: until then the demo played the agent, and an
    offer made to the simulated agent (withdrawn by the login) may have been seen."""
    _command(ws, "login")
    _held_back.clear()


def _next_offer(ws: ClientConnection) -> dict[str, Any]:
    while _held_back:
        message = _held_back.pop(0)
        if message.get("event") == "offer":
            return message
    while True:
        message = json.loads(ws.recv(timeout=60))
        if message.get("event") == "offer":
            return message


_started: list[subprocess.Popen[bytes]] = []


@pytest.fixture
def workdir(tmp_path: Path) -> Iterator[Path]:
    """A directory to run servers in; every server a test starts is gone when it ends, even
    when the test fails half-way."""
    yield tmp_path
    while _started:
        process = _started.pop()
        if process.poll() is None:
            process.kill()
            process.wait(timeout=30)


def _records(database_url: str) -> dict[str, str | None]:
    engine = create_engine(database_url)
    with engine.connect() as connection:
        rows = connection.execute(text(
            "SELECT interaction_id, result FROM interaction_records")).all()
    engine.dispose()
    return {row[0]: row[1] for row in rows}


def test_a_person_takes_a_demo_call_and_sigterm_writes_everything(
    database_url: str, workdir: Path
) -> None:
    _held_back.clear()
    served = Served(database_url, workdir, rate=5)
    try:
        with served.cti("1001") as ws:
            _log_in(ws)
            _command(ws, "ready")
            offer = _next_offer(ws)
            call = offer["interaction"]
            assert offer["ani"].startswith("13") and offer["queue"]
            _command(ws, "answer", interaction=call)
            assert _command(ws, "hangup", interaction=call)["result"]["state"] in (
                "wrap_up", "ready")
        assert _records(database_url)[call] == "answered"
    finally:
        served.process.send_signal(signal.SIGTERM)
        assert served.process.wait(timeout=30) == 0, served.log.read_text()
    assert "every fact is in the journal" in served.log.read_text()


def test_kill_9_loses_nothing_acknowledged_and_restart_closes_what_was_in_flight(
    database_url: str, workdir: Path
) -> None:
    _held_back.clear()
    served = Served(database_url, workdir, rate=20)
    acknowledged: list[str] = []
    with served.cti("1002") as ws:
        _log_in(ws)
        _command(ws, "ready")
        for _ in range(3):
            call = _next_offer(ws)["interaction"]
            _command(ws, "answer", interaction=call)
            state = _command(ws, "hangup", interaction=call)["result"]["state"]
            acknowledged.append(call)
            if state == "wrap_up":
                _command(ws, "end_wrap_up")
        _command(ws, "not_ready", reason="break")
        served.process.send_signal(signal.SIGKILL)
        served.process.wait(timeout=30)
    records = _records(database_url)
    assert all(records.get(call) == "answered" for call in acknowledged), records
    assert any(result is None for result in records.values())  # the kill left calls open

    restarted = Served(database_url, workdir, rate=0)
    try:
        after = _records(database_url)
        assert all(after[call] == "answered" for call in acknowledged)
        left_open = [i for i, result in after.items() if i in records and result is None]
        assert left_open == []
        assert {after[i] for i, r in records.items() if r is None} == {"system_restart"}
        # The agent's session from before the crash was closed by a logout at restart.
        engine = create_engine(database_url)
        facts: list[object] = []
        seq = 0
        while page := read_facts(engine, "demo", limit=1000, after=seq):
            seq = page[-1][0]
            facts += [fact for _, fact in page]
        logouts = [fact for fact in facts
                   if isinstance(fact, AgentStateChanged) and fact.agent_id == "1002"
                   and fact.new is AgentState.LOGGED_OUT]
        engine.dispose()
        # First the demo handing the agent to the person, then the restart ending their session.
        assert [fact.reason for fact in logouts] == ["logout", "system_restart"]
    finally:
        restarted.process.send_signal(signal.SIGTERM)
        assert restarted.process.wait(timeout=30) == 0


@pytest.mark.parametrize(("option", "value", "message"), [
    ("--port", "0", "--port 0 must be between 1 and 65535"),
    ("--demo-rate", "-1", "--demo-rate -1.0 must be >= 0"),
    ("--ticket-sweep", "0.5", "--ticket-sweep 0.5 must be from 1 to 3600 seconds"),
])
def test_bad_serve_options_are_refused_before_anything_starts(
    option: str, value: str, message: str
) -> None:
    result = CliRunner().invoke(app, ["serve", option, value])
    assert result.exit_code == 2 and message in result.output
