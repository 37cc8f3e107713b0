"""Events: what the shell tells an IVR session happened, answering its actions.

Each is handed to `IvrSession.handle(event, now)`. Which ones a session accepts depends on
what it is waiting for (see the table in `session.py`); any other raises `IllegalEvent` and
changes nothing.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass


@dataclass(slots=True)
class PlayFinished:
    """The prompts of the last `Play` have been played (or cut short by a key)."""


@dataclass(slots=True)
class DigitPressed:
    """The caller pressed one key (`0`-`9`, `*`, `#`)."""

    digit: str


@dataclass(slots=True)
class DigitsReceived:
    """A gateway that collects by itself reports a whole entry (terminator included or not);
    an empty string means the caller pressed nothing in time."""

    digits: str


@dataclass(slots=True)
class TimerFired:
    """The time from `IvrSession.next_timer()` has come; pass that time as `now`."""


@dataclass(slots=True)
class QueryResult:
    """The rows a `Query` returned, each a mapping of column to value."""

    rows: tuple[Mapping[str, object], ...]


@dataclass(slots=True)
class QueryFailed:
    """A `Query` could not run (database down, bad SQL); `reason` is for the log."""

    reason: str


@dataclass(slots=True)
class HttpResult:
    """The answer to an `HttpCall`: its status and its JSON body (an empty mapping if the body
    was not a JSON object)."""

    status: int
    body: Mapping[str, object]


@dataclass(slots=True)
class HttpFailed:
    """An `HttpCall` could not be made (refused, DNS, TLS); `reason` is for the log."""

    reason: str


@dataclass(slots=True)
class TicketOpened:
    """The ticket an `OpenTicket` asked for exists; `reference` is what to tell the caller."""

    reference: str


@dataclass(slots=True)
class TicketFailed:
    """The ticket could not be opened; `reason` is for the log."""

    reason: str


@dataclass(slots=True)
class RecordingFinished:
    """A `Record` ended; the recording is stored as `recording_id`."""

    recording_id: str
    duration: float


@dataclass(slots=True)
class CallerHungUp:
    """The caller hung up."""


Event = (
    PlayFinished
    | DigitPressed
    | DigitsReceived
    | TimerFired
    | QueryResult
    | QueryFailed
    | HttpResult
    | HttpFailed
    | TicketOpened
    | TicketFailed
    | RecordingFinished
    | CallerHungUp
)

__all__ = [
    "CallerHungUp",
    "DigitPressed",
    "DigitsReceived",
    "Event",
    "HttpFailed",
    "HttpResult",
    "PlayFinished",
    "QueryFailed",
    "QueryResult",
    "RecordingFinished",
    "TicketFailed",
    "TicketOpened",
    "TimerFired",
]
