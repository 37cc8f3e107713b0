"""The CTI WebSocket, `/api/cti` (R11): agents' commands and events; supervisors' live figures.

One JSON object per message. A client sends `{"id": 7, "command": "ready"}` and gets
`{"id": 7, "ok": true, "result": {...}}` or `{"id": 7, "ok": false, "error": "..."}`; events
arrive unasked as `{"event": "...", ...}`. A command is answered only once the facts it caused
are durable. Bad messages get an error naming the problem and the socket stays open. The
protocol, with examples, is in docs/cti.md.

Authentication is the bearer token from `POST /api/auth/login`, in an `Authorization: Bearer`
header or a `token` query parameter (browsers cannot set headers on WebSockets), or the session
cookie.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import secrets
from collections.abc import Awaitable, Callable, Mapping, Sequence
from typing import Any

from fastapi import APIRouter, WebSocket, WebSocketDisconnect

from hotline.api.auth import SESSION_COOKIE
from hotline.api.cti_supervisor import SUPERVISOR_COMMANDS, CommandFailed
from hotline.core.agent_fsm import AgentState
from hotline.core.errors import CoreError
from hotline.core.events import (
    AgentAnswered,
    AgentConsulted,
    AgentDeclined,
    AgentDialed,
    AgentHeld,
    AgentHungUp,
    AgentLoggedIn,
    AgentLoggedOut,
    AgentNotReady,
    AgentReady,
    AgentRetrieved,
    AgentSentDigits,
    AgentTransferred,
    AgentTransferredOut,
    ConsultCancelled,
    ConsultConferenced,
    ConsultTransferred,
    Event,
    WrapUpEnded,
)
from hotline.core.facts import AgentStateChanged, Fact, InteractionStateChanged
from hotline.runtime import TenantRuntime
from hotline.store.accounts import Principal, principal_for_token

log = logging.getLogger("hotline.cti")
router = APIRouter()

OUTBOX_LIMIT = 2000
LIVE_PERIOD = 1.0
LIVE_MIN_GAP = 0.2


class CommandError(ValueError):
    """A message the CTI cannot act on; the text goes back to the client."""


@router.websocket("/api/cti")
async def cti(websocket: WebSocket) -> None:
    token = _token_of(websocket)
    principal = await _principal(websocket, token) if token else None
    if principal is None:
        await websocket.close(code=1008, reason="authenticate with a bearer token "
                              "(Authorization header, ?token= or the session cookie)")
        return
    runtime = _runtime_of(websocket, principal.tenant)
    if runtime is None:
        await websocket.close(code=1011, reason=f"tenant {principal.tenant!r} has no "
                              "interaction server running")
        return
    await websocket.accept()
    await CtiConnection(websocket, principal, runtime).serve()


def _token_of(websocket: WebSocket) -> str | None:
    header = websocket.headers.get("authorization", "")
    if header.lower().startswith("bearer "):
        return header[7:].strip() or None
    return websocket.query_params.get("token") or websocket.cookies.get(SESSION_COOKIE)


async def _principal(websocket: WebSocket, token: str) -> Principal | None:
    sessions = websocket.app.state.sessions

    def lookup() -> Principal | None:
        with sessions() as session:
            return principal_for_token(session, token)

    return await asyncio.to_thread(lookup)


def _runtime_of(websocket: WebSocket, tenant: str) -> TenantRuntime | None:
    runtime = getattr(websocket.app.state, "runtime", None)
    return runtime.get(tenant) if runtime is not None else None


class CtiConnection:
    """One client's session: its commands in, its events out."""

    def __init__(self, websocket: WebSocket, principal: Principal, runtime: TenantRuntime):
        self.websocket = websocket
        self.principal = principal
        self.runtime = runtime
        self.agent_id = principal.agent_id
        # Messages, or JSON text already made (the `live` event, shared by all subscribers).
        self.outbox: asyncio.Queue[dict[str, Any] | str] = asyncio.Queue(OUTBOX_LIMIT)
        self.live = False
        self._live_dirty = asyncio.Event()
        self._closing = False

    async def serve(self) -> None:
        stop_listening = self.runtime.listen(self._on_facts)
        hub = getattr(self.websocket.app.state, "notices", None)
        stop_notices = (hub.subscribe(self.principal.tenant_id, self.principal.username,
                                      self._put) if hub is not None else None)
        sender = asyncio.create_task(self._send_loop())
        live = asyncio.create_task(self._live_loop())
        try:
            await self._receive_loop()
        finally:
            stop_listening()
            if stop_notices is not None:
                stop_notices()
            for task in (sender, live):
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError, Exception):
                    await task

    # -- incoming -----------------------------------------------------------------------------

    async def _receive_loop(self) -> None:
        while True:
            try:
                text = await self.websocket.receive_text()
            except (WebSocketDisconnect, RuntimeError):
                return
            request_id: Any = None
            try:
                message = _parse(text)
                request_id = message.get("id")
                result = await self._dispatch(message)
                reply: dict[str, Any] = {"id": request_id, "ok": True, "result": result}
            except (CommandError, CommandFailed, CoreError) as error:
                reply = {"id": request_id, "ok": False, "error": str(error)}
            except Exception:
                log.exception("CTI command failed")
                reply = {"id": request_id, "ok": False,
                         "error": "internal error (logged on the server); the command's "
                                  "effect could not be confirmed — ask for 'status'"}
            self._put(reply)

    async def _dispatch(self, message: dict[str, Any]) -> dict[str, Any]:
        command = message.get("command")
        if not isinstance(command, str):
            raise CommandError("every message needs a string field 'command' "
                               f"(one of: {', '.join(sorted(COMMANDS))})")
        handler = COMMANDS.get(command)
        if handler is None:
            raise CommandError(f"unknown command {command!r} "
                               f"(one of: {', '.join(sorted(COMMANDS))})")
        return await handler(self, message)

    def _my_agent(self) -> str:
        if self.agent_id is None:
            raise CommandError(f"user {self.principal.username!r} is not linked to an agent; "
                               "only agents can use this command")
        return self.agent_id

    async def _submit(self, event: Event) -> None:
        await self.runtime.submit(event)

    async def login(self, message: dict[str, Any]) -> dict[str, Any]:
        agent_id = self._my_agent()
        queues = message.get("queues")
        if queues is not None and (not isinstance(queues, list)
                                   or not all(isinstance(q, str) for q in queues)):
            raise CommandError("'queues' must be a list of queue names, or left out for "
                               "every queue the agent's skills fit")
        demo = _demo_of(self.websocket, self.runtime.name)
        if demo is not None:
            demo.take_over(agent_id)
        if self.runtime.server.agent_state(agent_id) is not AgentState.LOGGED_OUT:
            raise CommandError(f"agent {agent_id!r} is already logged in")
        await self._submit(AgentLoggedIn(agent_id, tuple(queues) if queues else None))
        return self._status(agent_id)

    async def logout(self, _: dict[str, Any]) -> dict[str, Any]:
        agent_id = self._my_agent()
        await self._submit(AgentLoggedOut(agent_id))
        demo = _demo_of(self.websocket, self.runtime.name)
        if demo is not None:
            demo.hand_back(agent_id)
        return self._status(agent_id)

    async def ready(self, _: dict[str, Any]) -> dict[str, Any]:
        agent_id = self._my_agent()
        await self._submit(AgentReady(agent_id))
        return self._status(agent_id)

    async def not_ready(self, message: dict[str, Any]) -> dict[str, Any]:
        agent_id = self._my_agent()
        reason = _field(message, "reason")
        await self._submit(AgentNotReady(agent_id, reason))
        return self._status(agent_id)

    async def answer(self, message: dict[str, Any]) -> dict[str, Any]:
        agent_id = self._my_agent()
        await self._submit(AgentAnswered(_field(message, "interaction"), agent_id))
        return self._status(agent_id)

    async def decline(self, message: dict[str, Any]) -> dict[str, Any]:
        agent_id = self._my_agent()
        await self._submit(AgentDeclined(_field(message, "interaction"), agent_id))
        return self._status(agent_id)

    async def hangup(self, message: dict[str, Any]) -> dict[str, Any]:
        agent_id = self._my_agent()
        await self._submit(AgentHungUp(_field(message, "interaction"), agent_id))
        return self._status(agent_id)

    async def hold(self, message: dict[str, Any]) -> dict[str, Any]:
        agent_id = self._my_agent()
        await self._submit(AgentHeld(_field(message, "interaction"), agent_id))
        return self._status(agent_id)

    async def unhold(self, message: dict[str, Any]) -> dict[str, Any]:
        agent_id = self._my_agent()
        await self._submit(AgentRetrieved(_field(message, "interaction"), agent_id))
        return self._status(agent_id)

    async def transfer(self, message: dict[str, Any]) -> dict[str, Any]:
        agent_id = self._my_agent()
        interaction = _field(message, "interaction")
        targets = [name for name in ("queue", "agent", "number", "flow") if name in message]
        if len(targets) != 1:
            raise CommandError("a transfer names exactly one target: 'queue', 'agent', "
                               f"'number' or 'flow' (got {', '.join(targets) or 'none'})")
        target = targets[0]
        value = _field(message, target)
        event: Event
        if target == "number":
            self._check_dial_class(agent_id, value)
            event = AgentTransferredOut(interaction, agent_id, value)
        elif target == "queue":
            event = AgentTransferred(interaction, agent_id, queue=value)
        elif target == "flow":
            if value not in self.runtime.flows:
                raise CommandError(f"no published IVR flow {value!r} (flows: "
                                   f"{', '.join(sorted(self.runtime.flows)) or 'none'})")
            event = AgentTransferred(interaction, agent_id, flow=value)
        else:
            event = AgentTransferred(interaction, agent_id, to_agent=value)
        await self._submit(event)
        return self._status(agent_id)

    async def dial(self, message: dict[str, Any]) -> dict[str, Any]:
        agent_id = self._my_agent()
        number = _field(message, "number")
        if len(number) > 32 or not all(c.isdigit() or c in "+*#" for c in number):
            raise CommandError(f"'number' must be up to 32 digits (and + * #), not {number!r}")
        self._check_dial_class(agent_id, number)
        interaction = f"dial-{secrets.token_hex(8)}"
        customer = await self.runtime.customer_attributes(number)
        await self._submit(AgentDialed(interaction, agent_id, number, customer))
        return {**self._status(agent_id), "interaction": interaction}

    def _check_dial_class(self, agent_id: str, number: str) -> None:
        """Refuse a number the agent's extension may not dial (T10), when the SIP switch runs
        and the agent has an extension; the reason is the extension's dial class."""
        switch = getattr(self.websocket.app.state, "switch", None)
        if switch is None:
            return
        snapshot = switch.snapshot
        extension = snapshot.extension_of_agent(self.runtime.tenant.name, agent_id)
        if extension is None:
            return
        refusal = snapshot.may_dial(extension, number)
        if refusal is not None:
            raise CommandError(f"cannot call {number}: {refusal}")

    async def consult(self, message: dict[str, Any]) -> dict[str, Any]:
        agent_id = self._my_agent()
        await self._submit(AgentConsulted(_field(message, "interaction"), agent_id,
                                          _field(message, "agent")))
        return self._status(agent_id)

    async def cancel_consult(self, message: dict[str, Any]) -> dict[str, Any]:
        agent_id = self._my_agent()
        await self._submit(ConsultCancelled(_field(message, "interaction"), agent_id))
        return self._status(agent_id)

    async def complete_transfer(self, message: dict[str, Any]) -> dict[str, Any]:
        agent_id = self._my_agent()
        await self._submit(ConsultTransferred(_field(message, "interaction"), agent_id))
        return self._status(agent_id)

    async def conference(self, message: dict[str, Any]) -> dict[str, Any]:
        agent_id = self._my_agent()
        await self._submit(ConsultConferenced(_field(message, "interaction"), agent_id))
        return self._status(agent_id)

    async def dtmf(self, message: dict[str, Any]) -> dict[str, Any]:
        agent_id = self._my_agent()
        await self._submit(AgentSentDigits(_field(message, "interaction"), agent_id,
                                           _field(message, "digits")))
        return self._status(agent_id)

    async def end_wrap_up(self, _: dict[str, Any]) -> dict[str, Any]:
        agent_id = self._my_agent()
        await self._submit(WrapUpEnded(agent_id))
        return self._status(agent_id)

    async def status(self, _: dict[str, Any]) -> dict[str, Any]:
        return self._status(self._my_agent())

    async def subscribe(self, message: dict[str, Any]) -> dict[str, Any]:
        topic = _field(message, "topic")
        if topic != "live":
            raise CommandError(f"unknown topic {topic!r} (topics: live)")
        if self.principal.role not in ("supervisor", "admin"):
            raise CommandError("the live figures are for supervisors and administrators")
        self.live = True
        self._live_dirty.set()
        return {"topic": "live"}

    async def unsubscribe(self, _: dict[str, Any]) -> dict[str, Any]:
        self.live = False
        return {"topic": "live"}

    def _status(self, agent_id: str) -> dict[str, Any]:
        status = self.runtime.server.agent_status(agent_id)
        return {"agent": agent_id, "state": status.state.value, "reason": status.reason,
                "since": status.since, "interaction": status.interaction_id,
                "queues": list(status.queues)}

    # -- outgoing -----------------------------------------------------------------------------

    def _on_facts(self, facts: Sequence[Fact]) -> None:
        if self.live:
            self._live_dirty.set()
        agent_id = self.agent_id
        if agent_id is None:
            return
        server = self.runtime.server
        for fact in facts:
            if type(fact) is AgentStateChanged and fact.agent_id == agent_id:
                self._put({"event": "agent_state", "agent": agent_id, "state": fact.new.value,
                           "previous": fact.old.value, "reason": fact.reason, "at": fact.at,
                           "interaction": fact.interaction_id})
                if fact.new is AgentState.RESERVED and fact.interaction_id is not None:
                    details = server.interaction_details(fact.interaction_id)
                    if details is not None:
                        self._put({
                            "event": "offer", "interaction": details.interaction_id,
                            "queue": details.queue, "channel": details.channel.value,
                            "ani": details.ani, "dnis": details.dnis,
                            "attributes": details.attributes, "priority": details.priority,
                            "waiting_since": details.waiting_since, "at": fact.at,
                            "transferred_from": details.parent,
                            "consult": details.direction == "internal",
                            "customer": _customer(details.attributes),
                        })
            elif type(fact) is InteractionStateChanged and fact.agent == agent_id:
                self._put({"event": "interaction", "interaction": fact.interaction_id,
                           "state": fact.new.value, "previous": fact.old.value,
                           "reason": fact.reason, "queue": fact.queue, "at": fact.at})

    def _put(self, message: dict[str, Any] | str) -> None:
        try:
            self.outbox.put_nowait(message)
        except asyncio.QueueFull:
            if not self._closing:
                # A client that reads nothing must not make the server hold events for ever.
                self._closing = True
                log.warning("CTI client %s is not reading; closing", self.principal.username)
                asyncio.get_running_loop().create_task(
                    self.websocket.close(code=1008, reason="too slow: events piled up"))

    async def _send_loop(self) -> None:
        while True:
            message = await self.outbox.get()
            if not isinstance(message, str):
                message = json.dumps(message, ensure_ascii=False)
            await self.websocket.send_text(message)

    async def _live_loop(self) -> None:
        while True:
            # asyncio.timeout, unlike wait_for on 3.11, never loses a cancellation.
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(LIVE_PERIOD):
                    await self._live_dirty.wait()
            self._live_dirty.clear()
            if self.live:
                self._put(self.runtime.live_board()[1])
                await asyncio.sleep(LIVE_MIN_GAP)


def _customer(attributes: Mapping[str, str]) -> dict[str, Any] | None:
    """The customer the gateway identified the caller as (see `hotline.store.caller_id`)."""
    number = attributes.get("customer_id", "")
    if not number.isdigit():
        return None
    return {"id": int(number), "name": attributes.get("customer_name", ""),
            "tier": attributes.get("tier", "standard")}


def _parse(text: str) -> dict[str, Any]:
    try:
        message = json.loads(text)
    except json.JSONDecodeError as error:
        raise CommandError(f"not JSON: {error.msg} at line {error.lineno} column "
                           f"{error.colno}") from None
    if not isinstance(message, dict):
        raise CommandError("a message must be a JSON object like "
                           '{"id": 1, "command": "ready"}')
    request_id = message.get("id")
    if request_id is not None and not isinstance(request_id, (int, str)):
        raise CommandError("'id' must be a number or a string")
    return message


def _field(message: dict[str, Any], name: str) -> str:
    value = message.get(name)
    if not isinstance(value, str) or not value:
        raise CommandError(f"{message.get('command')!r} needs a non-empty string field {name!r}")
    return value


def _demo_of(websocket: WebSocket, tenant: str) -> Any:
    demos = getattr(websocket.app.state, "demo", None) or {}
    return demos.get(tenant)


COMMANDS: dict[str, Callable[[CtiConnection, dict[str, Any]], Awaitable[dict[str, Any]]]] = {
    "login": CtiConnection.login,
    "logout": CtiConnection.logout,
    "ready": CtiConnection.ready,
    "not_ready": CtiConnection.not_ready,
    "answer": CtiConnection.answer,
    "decline": CtiConnection.decline,
    "hangup": CtiConnection.hangup,
    "hold": CtiConnection.hold,
    "unhold": CtiConnection.unhold,
    "transfer": CtiConnection.transfer,
    "end_wrap_up": CtiConnection.end_wrap_up,
    "status": CtiConnection.status,
    "dial": CtiConnection.dial,
    "dtmf": CtiConnection.dtmf,
    "consult": CtiConnection.consult,
    "cancel_consult": CtiConnection.cancel_consult,
    "complete_transfer": CtiConnection.complete_transfer,
    "conference": CtiConnection.conference,
    "subscribe": CtiConnection.subscribe,
    "unsubscribe": CtiConnection.unsubscribe,
    **SUPERVISOR_COMMANDS,
}
