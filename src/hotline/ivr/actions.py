"""Actions: what an IVR session asks its shell (the SIP gateway's media layer, the simulator,
a test) to do. Each is a plain slotted record; outcomes come back as `events.py` events.

Prompts travel as small tuples that the prompt catalogue turns into sound:
`("prompt", name)` a recorded file, `("tts", text)` text to speak, and
`("number", value, format)` a value said as number, digits, amount, date or time — all in the
`language` of the `Play`.

A session's last action is always `Finished`; a transfer comes just before it, a `Hangup`
just before it when the flow itself ends the call.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

PromptRef = tuple[str, ...]
"""("prompt", name) | ("tts", text) | ("number", value, format)."""


@dataclass(slots=True)
class Play:
    """Play `prompts` in order, in `language`; answer with `PlayFinished`. When a `Collect`
    follows in the same batch the caller may key over the prompts (barge-in): stop playing."""

    prompts: tuple[PromptRef, ...]
    language: str


@dataclass(slots=True)
class Collect:
    """Send the caller's keys (`DigitPressed` each, or one `DigitsReceived`). The session
    keeps the timers itself; the limits are here for gateways that collect on their own."""

    max_digits: int
    terminator: str | None
    timeout: float


@dataclass(slots=True)
class Query:
    """Run `sql` on `database` with `params` bound by name (never pasted into the text);
    answer with `QueryResult` or `QueryFailed` (see `database.run_query`)."""

    database: str
    sql: str
    params: Mapping[str, str]


@dataclass(slots=True)
class HttpCall:
    """Send an HTTP request; answer with `HttpResult` (the JSON answer as a mapping) or
    `HttpFailed`. The session times out by itself after `timeout` seconds (see
    `IvrSession.next_timer`): once the shell has delivered that `TimerFired`, it must drop
    the call's answer — the session has moved on and could be waiting for another call."""

    method: str
    url: str
    headers: Mapping[str, str]
    body: Mapping[str, str] | None
    timeout: float


@dataclass(slots=True)
class OpenTicket:
    """Open a ticket of `ticket_type` for the caller; answer with `TicketOpened` (its
    reference) or `TicketFailed`. `fields` are the custom fields as text."""

    ticket_type: str
    priority: str
    title: str
    description: str
    fields: Mapping[str, str]


@dataclass(slots=True)
class Record:
    """Record the caller (after a beep if `beep`) for at most `max_seconds` or until
    `terminator`; answer with `RecordingFinished`. `mailbox` names the agent or queue of a
    voicemail, None for a message kept with the call."""

    max_seconds: float
    beep: bool
    terminator: str | None
    mailbox: str | None


@dataclass(slots=True)
class TransferToQueue:
    """Queue the caller in `queue` with `priority` and required `skills`; `attributes` (the
    flow's variables and the language) travel with the interaction to routing and screen pop."""

    queue: str
    priority: int
    skills: Mapping[str, int]
    attributes: Mapping[str, str]


@dataclass(slots=True)
class TransferToAgent:
    """Offer the caller to agent `agent`."""

    agent: str
    attributes: Mapping[str, str]


@dataclass(slots=True)
class TransferToNumber:
    """Connect the caller to `number` outside the center."""

    number: str
    attributes: Mapping[str, str]


@dataclass(slots=True)
class TransferToFlow:
    """Start flow `flow` for the caller, with these variables as its inputs."""

    flow: str
    attributes: Mapping[str, str]


@dataclass(slots=True)
class Hangup:
    """End the call."""


@dataclass(slots=True)
class Finished:
    """The session is over. `result` is `self_service` (or a STOP FLOW's own result, such as
    `survey_completed`), `transferred`, `hung_up` or `error` (then `detail` says why);
    `variables` are the flow's variables at the end."""

    result: str
    variables: Mapping[str, str]
    detail: str = ""


Action = (
    Play
    | Collect
    | Query
    | HttpCall
    | OpenTicket
    | Record
    | TransferToQueue
    | TransferToAgent
    | TransferToNumber
    | TransferToFlow
    | Hangup
    | Finished
)

__all__ = [
    "Action",
    "Collect",
    "Finished",
    "Hangup",
    "HttpCall",
    "OpenTicket",
    "Play",
    "PromptRef",
    "Query",
    "Record",
    "TransferToAgent",
    "TransferToFlow",
    "TransferToNumber",
    "TransferToQueue",
]
