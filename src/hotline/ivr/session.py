"""The IVR interpreter: one caller's walk through a flow, as a sans-I/O state machine.

Theory of operation. An `IvrSession` is made for one call with the flow and what the shell
knows (ANI, DNIS, time zone, business hours, input variables). `start(now)` runs the flow
from its start node until it must wait; `handle(event, now)` feeds it what happened and runs
on until it must wait again. Both return the actions for the shell to carry out, in order.
Time only comes in as `now` (epoch seconds); the session keeps at most one deadline, which
`next_timer()` reports and `TimerFired` answers. Nothing here touches a clock, a socket or a
database, so the same session runs under the SIP gateway, the simulator and the tests.

A node either *passes* (set_variable, var_compare, time_condition: the walk goes straight on)
or *waits* (for a prompt to finish, keys, a query, a webhook, a recording). What the session
is waiting for is its `state`, and `ACCEPTS` is the table of events each state takes:

    PLAYING     PlayFinished, DigitPressed (ignored: nothing is collecting), CallerHungUp
    COLLECTING  PlayFinished, DigitPressed, DigitsReceived, TimerFired, CallerHungUp
    QUERYING    QueryResult, QueryFailed, CallerHungUp
    REQUESTING  HttpResult, HttpFailed, TimerFired, CallerHungUp
    TICKETING   TicketOpened, TicketFailed, CallerHungUp
    RECORDING   PlayFinished, RecordingFinished, DigitPressed (ignored), CallerHungUp

Any other event — or a `PlayFinished` with no prompt playing, a `TimerFired` before its time —
raises `IllegalEvent` and changes nothing. Before `start` and after `Finished` nothing is
accepted.

When a key cuts a prompt short (barge-in), the gateway stops the prompt and sends no
`PlayFinished` for it. A `CallerHungUp` sends the walk to the flow's USER STOP FLOW node, if it
has one, where it may still query or call a webhook but no longer play or collect; the
session then finishes as `hung_up`.

Run-away flows: validation refuses loops that never wait for the caller, and at run time no
event may walk more than `step_limit` nodes; past that, and on any other fault in the flow (a
missing exit, text in arithmetic), the session hangs up and finishes as `error` with the
reason in `detail`.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from datetime import datetime
from decimal import Decimal, InvalidOperation
from enum import Enum
from types import MappingProxyType
from urllib.parse import quote
from zoneinfo import ZoneInfo

from hotline.core.hours import BusinessHours
from hotline.ivr.actions import (
    Action,
    Collect,
    Finished,
    Hangup,
    HttpCall,
    OpenTicket,
    Play,
    PromptRef,
    Query,
    Record,
    TransferToAgent,
    TransferToFlow,
    TransferToNumber,
    TransferToQueue,
)
from hotline.ivr.events import (
    CallerHungUp,
    DigitPressed,
    DigitsReceived,
    Event,
    HttpFailed,
    HttpResult,
    PlayFinished,
    QueryFailed,
    QueryResult,
    RecordingFinished,
    TicketFailed,
    TicketOpened,
    TimerFired,
)
from hotline.ivr.expressions import Expression, ExpressionFault, evaluate
from hotline.ivr.flow import (
    MENU_KEYS,
    TALKS_TO_CALLER,
    AccessDb,
    CreateTicket,
    Flow,
    HttpRequest,
    Node,
    PlayDigit,
    PlayNumber,
    PlayOnly,
    PlayOption,
    Prompt,
    PromptFile,
    PromptNumber,
    PromptSpeech,
    RecordMessage,
    SelectLanguage,
    SetVariable,
    StopFlow,
    TimeCondition,
    Transfer,
    UserStopFlow,
    VarCompare,
)
from hotline.ivr.keys import KeyEntry
from hotline.ivr.variables import Variables

DEFAULT_STEP_LIMIT = 100
"""Nodes one event may walk through before the session gives up on the flow."""


class IvrError(Exception):
    """Base of the errors an IVR session raises."""


class IllegalEvent(IvrError):
    """An event the session cannot take in its current state; nothing was changed."""


class _Fault(Exception):
    """The flow cannot go on (internal: turned into `Finished(result="error")`)."""


class SessionState(Enum):
    """What the session waits for."""

    NOT_STARTED = "not_started"
    PLAYING = "playing"
    COLLECTING = "collecting"
    QUERYING = "querying"
    REQUESTING = "requesting"
    TICKETING = "ticketing"
    RECORDING = "recording"
    FINISHED = "finished"


S = SessionState
ACCEPTS: Mapping[SessionState, frozenset[type]] = MappingProxyType(
    {
        S.NOT_STARTED: frozenset(),
        S.PLAYING: frozenset({PlayFinished, DigitPressed, CallerHungUp}),
        S.COLLECTING: frozenset(
            {PlayFinished, DigitPressed, DigitsReceived, TimerFired, CallerHungUp}
        ),
        S.QUERYING: frozenset({QueryResult, QueryFailed, CallerHungUp}),
        S.REQUESTING: frozenset({HttpResult, HttpFailed, TimerFired, CallerHungUp}),
        S.TICKETING: frozenset({TicketOpened, TicketFailed, CallerHungUp}),
        S.RECORDING: frozenset({PlayFinished, RecordingFinished, DigitPressed, CallerHungUp}),
        S.FINISHED: frozenset(),
    }
)
"""The events each state takes; everything else is an `IllegalEvent`."""

_Step = Callable[[list[Action]], None]
"""A body `_guarded` runs: it appends actions to the list it is given."""


class IvrSession:
    """One caller in one flow. See the module docstring for how to drive it."""

    def __init__(
        self,
        flow: Flow,
        *,
        ani: str = "",
        dnis: str = "",
        timezone: str = "UTC",
        language: str | None = None,
        business_hours: BusinessHours | None = None,
        variables: Mapping[str, str] | None = None,
        step_limit: int = DEFAULT_STEP_LIMIT,
    ) -> None:
        self.flow = flow
        self.business_hours = business_hours
        self.step_limit = step_limit
        self._vars = Variables(
            ani,
            dnis,
            timezone,
            language or flow.languages[0],
            {**flow.variables, **(variables or {})},
        )
        self._state = S.NOT_STARTED
        self._node: Node | None = None
        self._play_pending = False
        self._deadline: float | None = None
        self._entry: KeyEntry | None = None
        self._caller_gone = False
        self._visited: list[str] = []
        self._result: Finished | None = None

    # --- what the shell reads ------------------------------------------------------------

    @property
    def state(self) -> SessionState:
        """What the session waits for."""
        return self._state

    @property
    def language(self) -> str:
        """The caller's language now."""
        return self._vars.language

    @property
    def variables(self) -> Mapping[str, str]:
        """A copy of the user variables."""
        return self._vars.user()

    @property
    def visited(self) -> tuple[str, ...]:
        """Ids of the nodes walked so far, in order (a node entered twice appears twice)."""
        return tuple(self._visited)

    @property
    def result(self) -> Finished | None:
        """The `Finished` action once the session is over."""
        return self._result

    def next_timer(self) -> float | None:
        """When the shell should send `TimerFired` (epoch seconds), or None."""
        return self._deadline

    # --- driving it ----------------------------------------------------------------------

    def start(self, now: float) -> list[Action]:
        """Run the flow from its start node until it waits; the actions to carry out."""
        if self._state is not S.NOT_STARTED:
            raise IllegalEvent(f"session already started (state {self._state.value})")
        self._vars.now = now
        return self._guarded(lambda actions: self._walk(self.flow.start, actions, now))

    def handle(self, event: Event, now: float) -> list[Action]:
        """Feed one event; the actions to carry out. Raises `IllegalEvent` (changing
        nothing) for an event the session cannot take now."""
        self._check(event, now)
        self._vars.now = now
        return self._guarded(lambda actions: self._dispatch(event, now, actions))

    # --- internals -----------------------------------------------------------------------

    def _check(self, event: Event, now: float) -> None:
        state = self._state
        if type(event) not in ACCEPTS[state]:
            raise IllegalEvent(f"{type(event).__name__} is not expected while {state.value}")
        if isinstance(event, PlayFinished) and not self._play_pending:
            raise IllegalEvent(f"PlayFinished while {state.value} but no prompt is playing")
        if isinstance(event, TimerFired) and (self._deadline is None or now < self._deadline):
            raise IllegalEvent(f"TimerFired at {now} but the timer is due at {self._deadline}")
        if isinstance(event, DigitPressed) and (
            len(event.digit) != 1 or event.digit not in MENU_KEYS
        ):
            raise IllegalEvent(f"DigitPressed with {event.digit!r}, not one of 0-9 * #")
        if isinstance(event, DigitsReceived) and any(d not in MENU_KEYS for d in event.digits):
            raise IllegalEvent(f"DigitsReceived with {event.digits!r}, not only 0-9 * #")
        if isinstance(event, CallerHungUp) and self._caller_gone:
            raise IllegalEvent("CallerHungUp twice")

    def _guarded(self, step: _Step) -> list[Action]:
        actions: list[Action] = []
        try:
            step(actions)
        except (_Fault, ExpressionFault) as fault:
            node = f"node {self._node.id!r}: " if self._node is not None else ""
            if not self._caller_gone:
                actions.append(Hangup())
            self._finish(actions, "error", f"{node}{fault}")
        return actions

    def _dispatch(self, event: Event, now: float, actions: list[Action]) -> None:
        node = self._node
        assert node is not None
        match event:
            case CallerHungUp():
                self._caller_gone = True
                self._reset_waiting()
                handler = self.flow.hangup_handler
                if handler is None:
                    self._finish(actions, "hung_up")
                else:
                    self._walk(handler, actions, now)
            case PlayFinished():
                self._play_pending = False
                if self._state is S.PLAYING:
                    self._walk(self._exit(node, "next"), actions, now)
                elif self._state is S.COLLECTING and self._entry is not None:
                    self._deadline = now + self._entry.node.timeout
            case DigitPressed(digit):
                if self._state is S.COLLECTING:
                    self._key(digit, now, actions)
            case DigitsReceived(digits):
                self._whole_entry(digits, now, actions)
            case TimerFired():
                self._deadline = None
                if self._state is S.REQUESTING:
                    self._walk(self._exit(node, "timeout"), actions, now)
                else:
                    self._entry_timed_out(now, actions)
            case QueryResult(rows):
                assert isinstance(node, AccessDb)
                if not rows:
                    self._walk(self._exit(node, "not_found"), actions, now)
                    return
                for variable, column in node.into.items():
                    value = rows[0].get(column)
                    self._vars.set(variable, "" if value is None else str(value))
                self._walk(self._exit(node, "found"), actions, now)
            case TicketOpened(reference):
                assert isinstance(node, CreateTicket)
                if node.into is not None:
                    self._vars.set(node.into, reference)
                self._walk(self._exit(node, "ok"), actions, now)
            case QueryFailed() | HttpFailed() | TicketFailed():
                self._deadline = None
                self._walk(self._exit(node, "error"), actions, now)
            case HttpResult(status, body):
                assert isinstance(node, HttpRequest)
                self._deadline = None
                if not 200 <= status < 300:
                    self._walk(self._exit(node, "error"), actions, now)
                    return
                for variable, path in node.into.items():
                    self._vars.set(variable, _field(body, path))
                self._walk(self._exit(node, "ok"), actions, now)
            case RecordingFinished(recording_id, _):
                assert isinstance(node, RecordMessage)
                self._play_pending = False
                self._vars.set(node.variable, recording_id)
                self._walk(self._exit(node, "next"), actions, now)

    def _reset_waiting(self) -> None:
        self._play_pending = False
        self._deadline = None
        self._entry = None

    def _walk(self, node_id: str | None, actions: list[Action], now: float) -> None:
        """Enter nodes from `node_id` on until one waits or the session finishes."""
        self._reset_waiting()
        steps = 0
        while node_id is not None:
            steps += 1
            if steps > self.step_limit:
                raise _Fault(
                    f"more than {self.step_limit} nodes in one step (a loop that never waits?)"
                )
            node = self.flow.nodes.get(node_id)
            if node is None:
                raise _Fault(f"exit leads to {node_id!r}, which is not a node")
            self._node = node
            self._visited.append(node_id)
            node_id = self._enter(node, actions, now)

    def _exit(self, node: Node, name: str) -> str:
        if name == "holiday" and name not in node.exits:
            name = "closed"
        target = node.exits.get(name)
        if target is None:
            raise _Fault(f"no exit {name!r}")
        return target

    def _enter(self, node: Node, actions: list[Action], now: float) -> str | None:
        """Carry out `node`; the id of the next node, or None when the session now waits."""
        if self._caller_gone and isinstance(node, TALKS_TO_CALLER):
            self._finish(actions, "hung_up")
            return None
        match node:
            case PlayOnly(prompts=prompts) if prompts:
                self._play(prompts, actions)
                self._state = S.PLAYING
                return None
            case PlayOnly():
                return self._exit(node, "next")
            case PlayNumber(value=value, format=number_format):
                self._play((PromptNumber(value, number_format),), actions)
                self._state = S.PLAYING
                return None
            case PlayDigit() | PlayOption() | SelectLanguage():
                self._entry = KeyEntry(node)
                self._ask(node.prompts, actions, now)
                return None
            case VarCompare():
                return self._exit(node, "true" if self._compare(node) else "false")
            case SetVariable(assign=assign):
                for name, expression in assign.items():
                    try:
                        self._vars.set(name, self._eval(expression))
                    except ValueError as error:
                        raise _Fault(str(error)) from None
                return self._exit(node, "next")
            case AccessDb(database=database, sql=sql, params=params):
                bound = {name: self._eval(e) for name, e in params.items()}
                actions.append(Query(database, sql, MappingProxyType(bound)))
                self._state = S.QUERYING
                return None
            case HttpRequest():
                actions.append(self._http_call(node))
                self._deadline = now + node.timeout
                self._state = S.REQUESTING
                return None
            case CreateTicket():
                actions.append(self._open_ticket(node))
                self._state = S.TICKETING
                return None
            case TimeCondition():
                return self._exit(node, self._hours(now))
            case Transfer():
                actions.append(self._transfer(node))
                self._finish(actions, "transferred")
                return None
            case RecordMessage():
                if node.prompts:
                    self._play(node.prompts, actions)
                actions.append(Record(node.max_seconds, node.beep, node.terminator, node.mailbox))
                self._state = S.RECORDING
                return None
            case UserStopFlow():
                if "next" in node.exits:
                    return node.exits["next"]
                self._finish(actions, "hung_up")
                return None
            case StopFlow(result=result):
                if self._caller_gone:
                    self._finish(actions, "hung_up")
                else:
                    actions.append(Hangup())
                    self._finish(actions, result)
                return None
        raise _Fault(f"cannot run a node of type {type(node).__name__}")

    def _finish(self, actions: list[Action], result: str, detail: str = "") -> None:
        self._reset_waiting()
        self._state = S.FINISHED
        self._result = Finished(result, self._vars.user(), detail)
        actions.append(self._result)

    def _eval(self, expression: Expression) -> str:
        return evaluate(expression, self._vars.get)

    # --- prompts and keys ----------------------------------------------------------------

    def _play(self, prompts: tuple[Prompt, ...], actions: list[Action]) -> None:
        actions.append(Play(tuple(self._render(p) for p in prompts), self._vars.language))
        self._play_pending = True

    def _render(self, prompt: Prompt) -> PromptRef:
        match prompt:
            case PromptFile(name):
                return ("prompt", name)
            case PromptNumber(value, number_format):
                return ("number", self._eval(value), number_format)
            case PromptSpeech(texts):
                template = texts.get(self._vars.language) or texts.get("")
                if template is None:
                    template = next(iter(texts.values()))
                return ("tts", template.render(self._vars.get))
        raise AssertionError(f"not a prompt: {prompt!r}")

    def _ask(self, prompts: tuple[Prompt, ...], actions: list[Action], now: float) -> None:
        """Prompt for keys (again) at the current collecting node."""
        assert self._entry is not None
        node = self._entry.node
        self._entry.digits = ""
        self._state = S.COLLECTING
        if prompts:
            self._play(prompts, actions)
            self._deadline = None
        else:
            self._deadline = now + node.timeout
        if isinstance(node, PlayDigit):
            actions.append(Collect(node.max_digits, node.terminator, node.timeout))
        else:
            actions.append(Collect(1, None, node.timeout))

    def _key(self, digit: str, now: float, actions: list[Action]) -> None:
        entry = self._entry
        assert entry is not None
        self._play_pending = False  # barge-in: the key ends the prompt
        complete = entry.press(digit)
        if complete is None:
            self._deadline = now + entry.key_timeout
        else:
            self._complete(complete, now, actions)

    def _whole_entry(self, digits: str, now: float, actions: list[Action]) -> None:
        entry = self._entry
        assert entry is not None
        self._play_pending = False
        complete = entry.whole(digits)
        if complete is None:
            self._failed("timeout", now, actions)
        else:
            self._complete(complete, now, actions)

    def _entry_timed_out(self, now: float, actions: list[Action]) -> None:
        entry = self._entry
        assert entry is not None
        if entry.digits:
            self._complete(entry.digits, now, actions)
        else:
            self._failed("timeout", now, actions)

    def _complete(self, digits: str, now: float, actions: list[Action]) -> None:
        """Judge an entry: leave the node with it, or count a failed try."""
        entry = self._entry
        assert entry is not None
        node = entry.node
        exit_name = entry.answer(digits)
        if exit_name is None:
            self._failed("invalid", now, actions)
            return
        if isinstance(node, PlayDigit):
            self._vars.set(node.variable, digits)
        elif isinstance(node, SelectLanguage):
            self._vars.language = node.options[digits]
        self._walk(self._exit(node, exit_name), actions, now)

    def _failed(self, kind: str, now: float, actions: list[Action]) -> None:
        """A try timed out or was invalid: prompt again, or leave when out of retries."""
        entry = self._entry
        assert entry is not None
        node = entry.node
        if entry.fail():
            leave_by = "next" if isinstance(node, SelectLanguage) else kind
            self._walk(self._exit(node, leave_by), actions, now)
            return
        lead = node.timeout_prompts if kind == "timeout" else node.invalid_prompts
        self._ask((*lead, *node.prompts), actions, now)

    # --- passing nodes -------------------------------------------------------------------

    def _compare(self, node: VarCompare) -> bool:
        left, right = self._eval(node.left), self._eval(node.right)
        op = node.op
        if op == "==":
            return left == right
        if op == "!=":
            return left != right
        if op == "startswith":
            return left.startswith(right)
        if op == "matches":
            try:
                return re.search(right, left) is not None
            except re.error as error:
                raise _Fault(f"bad regular expression {right!r}: {error}") from None
        a: Decimal | str
        b: Decimal | str
        try:
            a, b = Decimal(left), Decimal(right)
        except InvalidOperation:
            a, b = left, right
        if op == "<":
            return a < b  # type: ignore[operator]
        if op == "<=":
            return a <= b  # type: ignore[operator]
        if op == ">":
            return a > b  # type: ignore[operator]
        if op == ">=":
            return a >= b  # type: ignore[operator]
        raise _Fault(f"unknown comparison {op!r}")

    def _hours(self, now: float) -> str:
        hours = self.business_hours
        if hours is None:
            return "open"
        if datetime.fromtimestamp(now, ZoneInfo(hours.timezone)).date() in hours.holidays:
            return "holiday"
        return "open" if hours.is_open(now) else "closed"

    def _http_call(self, node: HttpRequest) -> HttpCall:
        get = self._vars.get
        body = None
        if node.body is not None:
            body = MappingProxyType({k: t.render(get) for k, t in node.body.items()})
        return HttpCall(
            node.method,
            node.url.render(get, lambda value: quote(value, safe="")),
            MappingProxyType({k: t.render(get) for k, t in node.headers.items()}),
            body,
            node.timeout,
        )

    def _open_ticket(self, node: CreateTicket) -> OpenTicket:
        get = self._vars.get
        return OpenTicket(
            node.ticket_type, node.priority, node.title.render(get),
            node.description.render(get) if node.description is not None else "",
            MappingProxyType({name: t.render(get) for name, t in node.fields.items()}),
        )

    def _transfer(self, node: Transfer) -> Action:
        attributes = MappingProxyType({"language": self._vars.language, **self._vars.user()})
        get = self._vars.get
        if node.queue is not None:
            return TransferToQueue(node.queue.render(get), node.priority, node.skills, attributes)
        if node.agent is not None:
            return TransferToAgent(node.agent.render(get), attributes)
        if node.number is not None:
            return TransferToNumber(node.number.render(get), attributes)
        if node.flow is not None:
            return TransferToFlow(node.flow.render(get), attributes)
        raise _Fault("transfer without a target")


def _field(body: Mapping[str, object], path: str) -> str:
    """The value at dotted `path` in a JSON object, as text ("" when absent)."""
    value: object = body
    for part in path.split("."):
        if not isinstance(value, Mapping) or part not in value:
            return ""
        value = value[part]
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


__all__ = [
    "ACCEPTS",
    "DEFAULT_STEP_LIMIT",
    "IllegalEvent",
    "IvrError",
    "IvrSession",
    "SessionState",
]
