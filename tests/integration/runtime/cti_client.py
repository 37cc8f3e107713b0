"""Talking to the CTI WebSocket in tests: a command and its reply, and the events that arrive
meanwhile, kept aside per socket until a test asks for them."""

from __future__ import annotations

import time
from typing import Any

from starlette.testclient import WebSocketTestSession

_aside: dict[int, list[dict[str, Any]]] = {}


def forget() -> None:
    """Drop every event kept aside (a test's start)."""
    _aside.clear()


def aside(ws: WebSocketTestSession) -> list[dict[str, Any]]:
    """The events of `ws` kept aside so far, oldest first."""
    return _aside.setdefault(id(ws), [])


def command(ws: WebSocketTestSession, name: str, **fields: Any) -> dict[str, Any]:
    """Send a command; return its reply, keeping events that came before it aside."""
    request_id = f"r{time.monotonic_ns()}"
    ws.send_json({"id": request_id, "command": name, **fields})
    while True:
        message: dict[str, Any] = ws.receive_json()
        if message.get("id") == request_id:
            return message
        aside(ws).append(message)


def event(ws: WebSocketTestSession, name: str) -> dict[str, Any]:
    """The next event called `name` on `ws`: from those kept aside first, else the socket's."""
    kept = aside(ws)
    for index, message in enumerate(kept):
        if message.get("event") == name:
            return kept.pop(index)
    while True:
        message = ws.receive_json()
        if message.get("event") == name:
            return message
        kept.append(message)
