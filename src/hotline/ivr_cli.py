"""A flow run headless with a scripted caller: what `hotline ivr test` prints.

`ScriptedCall` plays the shell around an `IvrSession` in virtual time. Prompts finish at
once; the caller answers each time the flow listens for keys with the next entry of the
script (`"1234#"`, or `""` for silence, when the session's own timer fires); when the script
runs out the caller hangs up. ACCESS DB queries run with `run_query` on the databases given by
name — a query on a database without one fails, as it would with the database down — and an
HTTP request gets the one answer given, or fails. Timers are fired by moving `now` to the
session's `next_timer()`: nothing sleeps.

The transcript has a line per node entered, prompt played (text to speak as its text in the
session's language, recorded prompts as `<prompt name>`, numbers as `<number 42 amount>`),
key entry, query, request, transfer, and the outcome with the flow's variables, each line
after the virtual seconds since the call began.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from sqlalchemy import Engine

from hotline.core.hours import BusinessHours
from hotline.ivr import Flow, IvrSession, SessionState
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
from hotline.ivr.database import run_query
from hotline.ivr.events import (
    CallerHungUp,
    DigitPressed,
    Event,
    HttpFailed,
    HttpResult,
    PlayFinished,
    QueryFailed,
    QueryResult,
    RecordingFinished,
    TicketOpened,
    TimerFired,
)
from hotline.ivr.flow import MENU_KEYS, type_name

MAX_EVENTS = 10_000
"""Events one test call may take before it is given up (a flow that plays in a loop)."""


class ScriptError(ValueError):
    """A caller script with something a phone cannot send."""


def parse_digits(text: str) -> list[str]:
    """`"1,2,1234#"` as the caller's entries `["1", "2", "1234#"]`; an empty entry is
    silence. Keys are 0-9, * and #."""
    if not text:
        return []
    entries = [entry.strip() for entry in text.split(",")]
    for entry in entries:
        bad = sorted(set(entry) - MENU_KEYS)
        if bad:
            raise ScriptError(f"entry {entry!r} has {', '.join(map(repr, bad))}: keys are "
                              "0-9, * and #; separate entries with commas")
    return entries


@dataclass
class ScriptedCall:
    """One call through `flow` by a caller who answers with `answers`, written to `out`."""

    flow: Flow
    answers: list[str]
    out: Callable[[str], None]
    start: float
    ani: str = ""
    dnis: str = ""
    timezone: str = "UTC"
    language: str | None = None
    business_hours: BusinessHours | None = None
    databases: Mapping[str, Engine] = field(default_factory=dict)
    http: HttpResult | None = None
    variables: Mapping[str, str] = field(default_factory=dict)

    def run(self) -> Finished:
        """Run the call to its end; the session's outcome."""
        self._session = session = IvrSession(
            self.flow, ani=self.ani, dnis=self.dnis, timezone=self.timezone,
            language=self.language, business_hours=self.business_hours,
            variables=self.variables)
        self._now = self.start
        self._seen = 0
        self._tickets = 0
        self._answers = list(self.answers)
        batch = session.start(self._now)
        for _ in range(MAX_EVENTS):
            self._show(batch)
            if session.state is SessionState.FINISHED:
                assert session.result is not None
                return session.result
            batch = self._reply(batch)
        self._say("gave up", f"more than {MAX_EVENTS} events: does the flow play in a loop?")
        batch = self._handle(CallerHungUp())
        self._show(batch)
        assert session.result is not None
        return session.result

    # --- the caller and the shell ---------------------------------------------------------

    def _reply(self, batch: list[Action]) -> list[Action]:
        """Answer what the session waits for after `batch`; the actions that follow."""
        state = self._session.state
        playing = any(isinstance(action, Play) for action in batch)
        if state is SessionState.PLAYING:
            return self._handle(PlayFinished())
        if state is SessionState.QUERYING:
            query = next(a for a in reversed(batch) if isinstance(a, Query))
            return self._handle(self._query(query))
        if state is SessionState.REQUESTING:
            return self._handle(self._request())
        if state is SessionState.TICKETING:
            self._tickets += 1
            self._say("result", f"ticket {self._tickets} opened (a test: nothing is stored)")
            return self._handle(TicketOpened(str(self._tickets)))
        if state is SessionState.RECORDING:
            actions = self._handle(PlayFinished()) if playing else []
            self._say("caller", "leaves a message")
            return actions + self._handle(RecordingFinished("recording-1", 10.0))
        assert state is SessionState.COLLECTING
        actions = self._handle(PlayFinished()) if playing else []
        if actions:
            return actions
        return self._keys()

    def _keys(self) -> list[Action]:
        if not self._answers:
            self._say("caller", "hangs up")
            return self._handle(CallerHungUp())
        entry = self._answers.pop(0)
        if not entry:
            return self._timeout("says nothing")
        self._say("caller", f"presses {entry}")
        for position, key in enumerate(entry):
            actions = self._handle(DigitPressed(key))
            if actions:
                rest = entry[position + 1:]
                if rest:
                    self._say("caller", f"(keys {rest} not heard: the entry was complete)")
                return actions
        return self._timeout("stops typing")

    def _timeout(self, what: str) -> list[Action]:
        deadline = self._session.next_timer()
        assert deadline is not None
        self._say("caller", f"{what} ({deadline - self._now:g} s)")
        self._now = deadline
        return self._handle(TimerFired())

    def _query(self, query: Query) -> QueryResult | QueryFailed:
        engine = self.databases.get(query.database)
        if engine is None:
            result: QueryResult | QueryFailed = QueryFailed(
                f"no URL for database {query.database!r} (--database "
                f"{query.database}=SQLALCHEMY_URL)")
        else:
            result = run_query(engine, query)
        if isinstance(result, QueryFailed):
            self._say("result", f"query failed: {result.reason}")
        elif not result.rows:
            self._say("result", "no rows")
        else:
            first = ", ".join(f"{column}={value}" for column, value in result.rows[0].items())
            self._say("result", f"{len(result.rows)} row(s), first: {first}")
        return result

    def _request(self) -> HttpResult | HttpFailed:
        if self.http is None:
            self._say("result", "request failed: no answer given (--http-status)")
            return HttpFailed("no answer given (--http-status)")
        self._say("result", f"HTTP {self.http.status} {dict(self.http.body)}")
        return self.http

    def _handle(self, event: Event) -> list[Action]:
        return self._session.handle(event, self._now)

    # --- the transcript -------------------------------------------------------------------

    def _say(self, what: str, text: str) -> None:
        self.out(f"{self._now - self.start:7.1f}s  {what:<8} {text}")

    def _show(self, batch: list[Action]) -> None:
        visited = self._session.visited
        for node_id in visited[self._seen:]:
            self._say("node", f"{node_id} ({type_name(self.flow.nodes[node_id])})")
        self._seen = len(visited)
        for action in batch:
            self._show_action(action)

    def _show_action(self, action: Action) -> None:
        match action:
            case Play(prompts, language):
                for prompt in prompts:
                    self._say("play", f"[{language}] {prompt_text(prompt)}")
            case Collect(max_digits, terminator, timeout):
                ends = f", ends with {terminator}" if terminator else ""
                self._say("listen", f"up to {max_digits} key(s){ends}, {timeout:g} s")
            case Query(database, _, params):
                values = ", ".join(f"{name}={value!r}" for name, value in params.items())
                self._say("query", f"database {database} ({values})")
            case HttpCall(method, url, _, body, _):
                self._say("http", f"{method} {url}" + (f" {dict(body)}" if body else ""))
            case OpenTicket(ticket_type, priority, title, _, fields):
                self._say("ticket", f"{ticket_type} ({priority}) {title!r}"
                          + (f" {dict(fields)}" if fields else ""))
            case Record(max_seconds, _, _, mailbox):
                into = f" for mailbox {mailbox}" if mailbox else ""
                self._say("record", f"up to {max_seconds:g} s{into}")
            case TransferToQueue(queue, priority, skills, _):
                needs = (", skills " + ", ".join(f"{s}>={level}" for s, level in skills.items())
                         if skills else "")
                self._say("transfer", f"to queue {queue} (priority {priority}{needs})")
            case TransferToAgent(agent, _):
                self._say("transfer", f"to agent {agent}")
            case TransferToNumber(number, _):
                self._say("transfer", f"to number {number}")
            case TransferToFlow(flow, _):
                self._say("transfer", f"to flow {flow}")
            case Hangup():
                self._say("hangup", "the flow ends the call")
            case Finished(result, variables, detail):
                self._say("end", result + (f": {detail}" if detail else ""))
                shown = ", ".join(f"{name}={value}" for name, value in sorted(variables.items()))
                self._say("vars", shown or "(none)")


def prompt_text(prompt: PromptRef) -> str:
    """A prompt as the transcript shows it."""
    kind, *rest = prompt
    if kind == "tts":
        return rest[0]
    if kind == "number":
        return f"<number {rest[0]} {rest[1]}>"
    return f"<prompt {rest[0]}>"


__all__ = ["MAX_EVENTS", "ScriptError", "ScriptedCall", "parse_digits", "prompt_text"]
