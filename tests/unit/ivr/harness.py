"""A scripted caller and shell for IVR sessions: plays prompts instantly, answers queries
from a real database and webhooks from a table, and keeps the transcript of every action."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlalchemy import Engine

from hotline.core.hours import BusinessHours
from hotline.ivr.actions import (
    Action,
    Collect,
    Finished,
    HttpCall,
    OpenTicket,
    Play,
    PromptRef,
    Query,
    Record,
)
from hotline.ivr.database import run_query
from hotline.ivr.events import (
    CallerHungUp,
    DigitPressed,
    Event,
    HttpFailed,
    PlayFinished,
    RecordingFinished,
    TicketOpened,
    TimerFired,
)
from hotline.ivr.flow import Flow
from hotline.ivr.load import flow_from_text, load_flow
from hotline.ivr.session import IvrSession, SessionState

EXAMPLES = Path(__file__).resolve().parents[3] / "examples" / "ivr"
SHANGHAI = "Asia/Shanghai"


def at(text: str, zone: str = SHANGHAI) -> float:
    """Epoch seconds of local time `text` (ISO format) in `zone`."""
    return datetime.fromisoformat(text).replace(tzinfo=ZoneInfo(zone)).timestamp()


WEDNESDAY_MORNING = at("2025-03-05T10:00:00")
"""A working day, in business hours."""

HOURS = BusinessHours(
    timezone=SHANGHAI,
    weekly={day: ((8 * 3600.0, 20 * 3600.0),) for day in range(7)},
    holidays=frozenset({datetime(2025, 1, 29).date()}),
)
"""The demo tenant's hours: 08:00-20:00 every day, closed on Spring Festival."""


def example(name: str) -> Flow:
    """A shipped flow from examples/ivr/."""
    return load_flow(EXAMPLES / f"{name}.yaml")


def flow(text: str) -> Flow:
    """A flow from YAML text (tests write small ones inline)."""
    return flow_from_text(text)


HttpAnswer = Callable[[HttpCall], Event | None]
"""Answers a webhook call, or None to let it time out."""

TicketAnswer = Callable[[OpenTicket], Event]
"""Answers a request for a ticket (TicketOpened or TicketFailed)."""


class Caller:
    """Drives a session as a shell would, with a scripted caller.

    Prompts finish at once, queries run on `database`, webhooks are answered by `http`,
    tickets by `ticket` (by default opened, numbered from 1), recordings last 5 s. After each
    step it stops when the caller's turn comes (keys are being collected) or the session is
    finished."""

    def __init__(
        self,
        session: IvrSession,
        now: float = WEDNESDAY_MORNING,
        database: Engine | None = None,
        http: HttpAnswer | None = None,
        ticket: TicketAnswer | None = None,
    ) -> None:
        self.session = session
        self.ticket = ticket
        self.tickets: list[OpenTicket] = []
        self.now = now
        self.database = database
        self.http = http
        self.actions: list[Action] = []

    def start(self) -> Caller:
        self._run(self.session.start(self.now))
        return self

    def send(self, event: Event) -> Caller:
        self._run(self.session.handle(event, self.now))
        return self

    def press(self, keys: str) -> Caller:
        for key in keys:
            self.send(DigitPressed(key))
        return self

    def wait(self) -> Caller:
        """Say nothing until the session's timer fires."""
        deadline = self.session.next_timer()
        assert deadline is not None, "nothing is timed"
        self.now = deadline
        return self.send(TimerFired())

    def hang_up(self) -> Caller:
        return self.send(CallerHungUp())

    def _run(self, actions: list[Action]) -> None:
        """Carry out actions; answer what the shell answers by itself."""
        pending = list(actions)
        while pending:
            self.actions.extend(pending)
            batch, pending = pending, []
            collecting = any(isinstance(a, Collect) for a in batch)
            for action in batch:
                event: Event | None = None
                if isinstance(action, Play):
                    event = PlayFinished()
                elif isinstance(action, Query):
                    assert self.database is not None, "a query without a database"
                    event = run_query(self.database, action)
                elif isinstance(action, HttpCall):
                    event = self.http(action) if self.http else HttpFailed("no network")
                    if event is None:
                        self.now += action.timeout
                        event = TimerFired()
                elif isinstance(action, OpenTicket):
                    self.tickets.append(action)
                    event = (self.ticket(action) if self.ticket
                             else TicketOpened(str(len(self.tickets))))
                elif isinstance(action, Record):
                    self.now += 5
                    event = RecordingFinished(f"rec-{len(self.actions)}", 5.0)
                if event is not None and self.session.state is not SessionState.FINISHED:
                    pending.extend(self.session.handle(event, self.now))
            if collecting:
                # the prompt finished; now it is the caller's turn
                break

    # --- reading the transcript --------------------------------------------------------

    def prompts(self) -> list[PromptRef]:
        return [p for a in self.actions if isinstance(a, Play) for p in a.prompts]

    def spoken(self) -> str:
        return " | ".join(p[1] for p in self.prompts())

    def of(self, kind: type[Action]) -> list[Action]:
        return [a for a in self.actions if isinstance(a, kind)]

    @property
    def finished(self) -> Finished:
        result = self.session.result
        assert result is not None, f"not finished; state {self.session.state}"
        return result

    @property
    def last(self) -> Action:
        return self.actions[-1]


def session(flow: Flow, variables: Mapping[str, str] | None = None, **kwargs: object) -> IvrSession:
    """A session with the test defaults: Shanghai time, demo hours."""
    options: dict[str, object] = {
        "ani": "13912345678",
        "dnis": "96777",
        "timezone": SHANGHAI,
        "business_hours": HOURS,
    }
    options.update(kwargs)
    return IvrSession(flow, variables=variables, **options)  # type: ignore[arg-type]
