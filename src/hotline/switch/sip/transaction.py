"""What SIP transactions share: events in, outputs out, and a table-driven engine (RFC 3261 §17).

Theory of operation
-------------------
A transaction is one request and every response to it, carried between two hops (§17). There
are four machines — INVITE and non-INVITE, client and server — in `client_transaction` and
`server_transaction`; each is a table `(state, stimulus) -> (next state, actions)` that reads
like the figures of §17 (Figures 5–8). This module holds what they have in common.

A machine never reads a clock nor touches a socket. The caller feeds it *events* with the
current time and carries out the *outputs* it returns:

    events                                   outputs
    Start()            begin                 Send(message)     hand to the transport
    FromUser(message)  the TU's response     Deliver(message)  hand to the transaction user
    FromNetwork(msg)   a message arrived     TimedOut()        no answer in time (B, F, H)
    TimerFired()       next_timer() came     TransportError()  the transport failed
    TransportFailed()  a send failed         Terminated()      forget this transaction

`next_timer()` says when the machine next wants a `TimerFired`; waking it late or early is
harmless, since every `handle` call first fires the timers that are due by `now` (earliest
first) and an early wake-up finds nothing to do. A timer only lives in states whose table row
reacts to it, so leaving a state cancels its timers without further bookkeeping.

Errors: a message from the network never raises — a retransmission or a stray message that the
table has no row for is absorbed, as §17 requires. A *TU* event the current state does not
allow (a response after the final one, a second `Start`) raises `TransactionError`, naming the
machine, the state and the stimulus; the machine is unchanged.

Identity (§8.1.1.7, §17.2.3): requests carry a Via `branch` beginning with the magic cookie
`z9hG4bK`; `new_branch` makes one, unique in space and time.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from enum import StrEnum
from typing import ClassVar

from .message import Message, Request, Response
from .timers import Timers

MAGIC_COOKIE = "z9hG4bK"
"""The branch prefix that marks an RFC 3261 transaction identifier (§8.1.1.7)."""


def new_branch() -> str:
    """A fresh branch parameter: the magic cookie and 64 random bits."""
    return MAGIC_COOKIE + secrets.token_hex(8)


class TransactionError(Exception):
    """The transaction user asked for something the transaction's state does not allow."""


# Events ------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Start:
    """Begin: a client sends its request, a server delivers the request it was created for."""


@dataclass(frozen=True, slots=True)
class FromUser:
    """A response the transaction user sends through a server transaction."""

    message: Message


@dataclass(frozen=True, slots=True)
class FromNetwork:
    """A message the transport received and the transaction table matched to this transaction."""

    message: Message


@dataclass(frozen=True, slots=True)
class TimerFired:
    """The time returned by `next_timer()` has come."""


@dataclass(frozen=True, slots=True)
class TransportFailed:
    """The transport could not send one of this transaction's messages (§17.1.4, §17.2.4)."""


Event = Start | FromUser | FromNetwork | TimerFired | TransportFailed


# Outputs -----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Send:
    """Give this message to the transport."""

    message: Message


@dataclass(frozen=True, slots=True)
class Deliver:
    """Pass this message up to the transaction user."""

    message: Message


@dataclass(frozen=True, slots=True)
class TimedOut:
    """The peer did not answer in time (Timer B or F), or never sent its ACK (Timer H)."""


@dataclass(frozen=True, slots=True)
class TransportError:
    """The transport failed; the transaction gave up (the TU treats it like a 503)."""


@dataclass(frozen=True, slots=True)
class Terminated:
    """The transaction is over; the table may forget it."""


Output = Send | Deliver | TimedOut | TransportError | Terminated


# The engine --------------------------------------------------------------------------------


class State(StrEnum):
    """The states of Figures 5–8, plus IDLE before `Start`."""

    IDLE = "Idle"
    CALLING = "Calling"
    TRYING = "Trying"
    PROCEEDING = "Proceeding"
    COMPLETED = "Completed"
    CONFIRMED = "Confirmed"
    TERMINATED = "Terminated"


class Stimulus(StrEnum):
    """What an event means to a machine once classified."""

    START = "start"
    PROVISIONAL = "1xx received"
    SUCCESS = "2xx received"
    FAILURE = "300-699 received"
    REQUEST = "request retransmission received"
    ACK = "ACK received"
    SEND_PROVISIONAL = "TU sends 1xx"
    SEND_SUCCESS = "TU sends 2xx"
    SEND_FAILURE = "TU sends 300-699"
    TRANSPORT_ERROR = "transport error"
    TIMER_A = "timer A"
    TIMER_B = "timer B"
    TIMER_D = "timer D"
    TIMER_E = "timer E"
    TIMER_F = "timer F"
    TIMER_G = "timer G"
    TIMER_H = "timer H"
    TIMER_I = "timer I"
    TIMER_J = "timer J"
    TIMER_K = "timer K"


class Action(StrEnum):
    """A step of a transition; each machine implements the ones its table uses."""

    SEND_REQUEST = "send the request"
    SEND_ACK = "send the ACK for the failure response"
    SEND_RESPONSE = "send the TU's response"
    SEND_TRYING = "send 100 Trying"
    RESEND_RESPONSE = "send the last response again"
    DELIVER = "deliver to the TU"
    REPORT_TIMEOUT = "report a timeout"
    REPORT_TRANSPORT_ERROR = "report a transport error"
    ARM_A = "start timer A"
    ARM_B = "start timer B"
    ARM_D = "start timer D"
    ARM_E = "start timer E"
    ARM_F = "start timer F"
    ARM_G = "start timer G"
    ARM_H = "start timer H"
    ARM_I = "start timer I"
    ARM_J = "start timer J"
    ARM_K = "start timer K"
    DOUBLE_A = "restart timer A at twice its interval"
    BACK_OFF_E = "restart timer E at twice its interval, at most T2"
    HOLD_E = "restart timer E at T2"
    BACK_OFF_G = "restart timer G at twice its interval, at most T2"


Transition = tuple[State, tuple[Action, ...]]
Table = dict[tuple[State, Stimulus], Transition]

_TU_STIMULI = frozenset(
    {Stimulus.START, Stimulus.SEND_PROVISIONAL, Stimulus.SEND_SUCCESS, Stimulus.SEND_FAILURE}
)


def response_stimulus(status: int, *, sent_by_user: bool) -> Stimulus:
    """Classify a response by its status class, received or sent by the TU."""
    if status < 200:
        return Stimulus.SEND_PROVISIONAL if sent_by_user else Stimulus.PROVISIONAL
    if status < 300:
        return Stimulus.SEND_SUCCESS if sent_by_user else Stimulus.SUCCESS
    return Stimulus.SEND_FAILURE if sent_by_user else Stimulus.FAILURE


class Transaction:
    """The engine behind the four machines: table look-up, timers, outputs.

    Subclasses set `TABLE`, classify events in `_stimulus`, and implement `_act` for the
    actions that are not about timers.
    """

    TABLE: ClassVar[Table]
    is_invite: ClassVar[bool]

    def __init__(self, request: Request, timers: Timers) -> None:
        self.request = request
        self.timers = timers
        self.state = State.IDLE
        self._deadlines: dict[str, float] = {}
        self._intervals: dict[str, float] = {}

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.request.method} {self.state}>"

    @property
    def terminated(self) -> bool:
        """Whether the transaction has ended."""
        return self.state is State.TERMINATED

    def next_timer(self) -> float | None:
        """When the machine next needs a `TimerFired` event, or None if it waits for nothing."""
        return min(self._deadlines.values(), default=None)

    def handle(self, event: Event, now: float) -> list[Output]:
        """Process one event at time `now` (seconds, any epoch) and return what to do.

        Raises `TransactionError` for a TU event the state does not allow; never for a
        message from the network.
        """
        stimulus = self._stimulus(event)
        message = event.message if isinstance(event, FromUser | FromNetwork) else None
        if stimulus in _TU_STIMULI and (self.state, stimulus) not in self.TABLE:
            raise TransactionError(
                f"{type(self).__name__} for {self.request.method} cannot accept "
                f"'{stimulus}' in state {self.state}"
            )
        outputs = self._fire_due(now)
        if stimulus is not None:
            outputs += self._apply(stimulus, message, now)
        outputs += self._fire_due(now)
        return outputs

    def _stimulus(self, event: Event) -> Stimulus | None:
        raise NotImplementedError

    def _act(self, action: Action, message: Message | None, now: float) -> list[Output]:
        raise NotImplementedError

    def _apply(self, stimulus: Stimulus, message: Message | None, now: float) -> list[Output]:
        transition = self.TABLE.get((self.state, stimulus))
        if transition is None:
            return []
        next_state, actions = transition
        self.state = next_state
        for name in [n for n in self._deadlines if (next_state, _timer(n)) not in self.TABLE]:
            del self._deadlines[name]
        outputs: list[Output] = []
        for action in actions:
            outputs += self._run(action, message, now)
        if next_state is State.TERMINATED:
            self._deadlines.clear()
            outputs.append(Terminated())
        return outputs

    def _run(self, action: Action, message: Message | None, now: float) -> list[Output]:
        name = action.name
        if name.startswith("ARM_"):
            self._arm(name[-1], self.timers.initial(name[-1]), now)
        elif action is Action.DOUBLE_A:
            self._arm("A", 2 * self._intervals["A"], now)
        elif action in (Action.BACK_OFF_E, Action.BACK_OFF_G):
            letter = name[-1]
            self._arm(letter, min(2 * self._intervals[letter], self.timers.t2), now)
        elif action is Action.HOLD_E:
            self._arm("E", self.timers.t2, now)
        elif action is Action.REPORT_TIMEOUT:
            return [TimedOut()]
        elif action is Action.REPORT_TRANSPORT_ERROR:
            return [TransportError()]
        else:
            return self._act(action, message, now)
        return []

    def _arm(self, letter: str, duration: float | None, now: float) -> None:
        if duration is None:
            return
        self._intervals[letter] = duration
        self._deadlines[letter] = now + duration

    def _fire_due(self, now: float) -> list[Output]:
        outputs: list[Output] = []
        while self._deadlines:
            letter, deadline = min(self._deadlines.items(), key=lambda item: item[1])
            if deadline > now:
                break
            del self._deadlines[letter]
            outputs += self._apply(_timer(letter), None, now)
        return outputs


def _timer(letter: str) -> Stimulus:
    return Stimulus[f"TIMER_{letter}"]


def event_stimulus(event: Event, *, server: bool) -> Stimulus | None:
    """The stimulus common to all machines for `Start`, timers and transport failures."""
    if isinstance(event, Start):
        return Stimulus.START
    if isinstance(event, TransportFailed):
        return Stimulus.TRANSPORT_ERROR
    if isinstance(event, TimerFired):
        return None
    message = event.message
    if isinstance(event, FromUser):
        if not server or not isinstance(message, Response):
            raise TransactionError(
                "the TU hands responses to server transactions only; "
                f"got {type(message).__name__} for a {'server' if server else 'client'}"
            )
        return response_stimulus(message.status, sent_by_user=True)
    if server:
        if not isinstance(message, Request):
            return None
        return Stimulus.ACK if message.method == "ACK" else Stimulus.REQUEST
    if isinstance(message, Response):
        return response_stimulus(message.status, sent_by_user=False)
    return None
