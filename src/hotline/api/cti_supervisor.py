"""Supervisors' commands on the CTI WebSocket (S2): act on an agent or the agent's call.

`force_not_ready` (with a reason; while on a call it applies when the call ends),
`force_logout` (not while the agent is on a call: release it first), `force_release` (end the
agent's call, 强拆), `call_agent` (ring a ready agent from the supervisor's phone; end it with
`force_release`), `monitor` (`listen`, `whisper` or `barge` into the agent's call; the
media follows on a real switch, the simulator records it) and `stop_monitor`. Each names the
`agent`; each is for supervisors and administrators only, answered once durable, and written
to the audit log with who did it.
"""

from __future__ import annotations

import asyncio
import secrets
from typing import Any, Protocol

from fastapi import WebSocket

from hotline.core.events import (
    AgentLoggedOut,
    AgentNotReady,
    Event,
    ForceReleased,
    MonitorEnded,
    MonitorStarted,
    SupervisorCalled,
)
from hotline.runtime import TenantRuntime
from hotline.store.accounts import Principal, record_audit


class CommandFailed(ValueError):
    """A supervisor command that cannot be carried out; the text goes back to the client."""


class SupervisorSession(Protocol):
    websocket: WebSocket
    principal: Principal
    runtime: TenantRuntime

    async def _submit(self, event: Event) -> None: ...

    def _status(self, agent_id: str) -> dict[str, Any]: ...


async def force_not_ready(conn: SupervisorSession, message: dict[str, Any]) -> dict[str, Any]:
    agent = _agent(conn, message)
    reason = _text(message, "reason")
    await conn._submit(AgentNotReady(agent, reason))
    await _audit(conn, "force not ready", agent, {"reason": reason})
    return conn._status(agent)


async def force_logout(conn: SupervisorSession, message: dict[str, Any]) -> dict[str, Any]:
    agent = _agent(conn, message)
    await conn._submit(AgentLoggedOut(agent))
    await _audit(conn, "force logout", agent, {})
    return conn._status(agent)


async def force_release(conn: SupervisorSession, message: dict[str, Any]) -> dict[str, Any]:
    agent = _agent(conn, message)
    call = _call_of(conn, agent)
    await conn._submit(ForceReleased(call, conn.principal.username))
    await _audit(conn, "force release", agent, {"interaction": call})
    return conn._status(agent)


async def call_agent(conn: SupervisorSession, message: dict[str, Any]) -> dict[str, Any]:
    agent = _agent(conn, message)
    call = f"call-{secrets.token_hex(8)}"
    await conn._submit(SupervisorCalled(call, agent, conn.principal.username))
    await _audit(conn, "call", agent, {"interaction": call})
    return {**conn._status(agent), "interaction": call}


async def monitor(conn: SupervisorSession, message: dict[str, Any]) -> dict[str, Any]:
    agent = _agent(conn, message)
    mode = _text(message, "mode")
    call = _call_of(conn, agent)
    await conn._submit(MonitorStarted(call, conn.principal.username, mode))
    await _audit(conn, mode, agent, {"interaction": call})
    return {**conn._status(agent), "monitoring": mode}


async def stop_monitor(conn: SupervisorSession, message: dict[str, Any]) -> dict[str, Any]:
    agent = _agent(conn, message)
    call = _call_of(conn, agent)
    await conn._submit(MonitorEnded(call, conn.principal.username))
    await _audit(conn, "stop monitoring", agent, {"interaction": call})
    return {**conn._status(agent), "monitoring": None}


SUPERVISOR_COMMANDS = {
    "force_not_ready": force_not_ready,
    "force_logout": force_logout,
    "force_release": force_release,
    "call_agent": call_agent,
    "monitor": monitor,
    "stop_monitor": stop_monitor,
}


def _agent(conn: SupervisorSession, message: dict[str, Any]) -> str:
    if conn.principal.role not in ("supervisor", "admin"):
        raise CommandFailed(f"{message.get('command')!r} is for supervisors and administrators")
    agent = _text(message, "agent")
    if agent not in conn.runtime.server.agent_ids():
        raise CommandFailed(f"tenant {conn.runtime.name!r} has no agent {agent!r}")
    return agent


def _call_of(conn: SupervisorSession, agent: str) -> str:
    call = conn.runtime.server.agent_interaction(agent)
    if call is None:
        raise CommandFailed(f"agent {agent!r} is not on a call")
    return call


def _text(message: dict[str, Any], name: str) -> str:
    value = message.get(name)
    if not isinstance(value, str) or not value:
        raise CommandFailed(f"{message.get('command')!r} needs a non-empty string field {name!r}")
    return value


async def _audit(conn: SupervisorSession, action: str, agent: str,
                 detail: dict[str, Any]) -> None:
    sessions = conn.websocket.app.state.sessions

    def write() -> None:
        with sessions.begin() as session:
            record_audit(session, conn.principal, action, "agent", agent, None, detail)

    await asyncio.to_thread(write)
