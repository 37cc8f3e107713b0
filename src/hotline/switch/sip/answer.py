"""The 2xx answer to an INVITE, retransmitted by the UAS core until ACKed (RFC 3261 §13.3.1.4).

An INVITE server transaction ends as soon as it sends a 2xx (§17.2.1), because the 2xx and
its ACK travel end to end — through proxies that may fork — rather than hop by hop. The UAS
core itself therefore keeps the 2xx alive:

    Start        send the 2xx; retransmit after T1 (unreliable transports only)
    retransmit   interval doubles up to T2 — only over an unreliable transport: over a
                 reliable one (TCP, TLS) the 2xx is sent once, as §13.3.1.4 says
    ACK          stop (matched to the dialog by the UA: the ACK has its own branch)
    64*T1        give up: `TimedOut`, after which the UAS should end the dialog with a BYE —
                 on every transport: a 2xx delivered over TCP may still never be ACKed (the
                 caller crashed, a proxy lost it), and the dialog must not live for ever

On the other side the UAC core answers each retransmitted 2xx — a stray response once its
INVITE client transaction has ended — with the same ACK again (§13.2.2.4); that needs no
timer and is left to the UA layer (`Dialog.create_ack`).

`AnswerRetransmission` speaks the same events and outputs as the transactions, so one runner
drives both.
"""

from __future__ import annotations

from .message import Request, Response
from .timers import Timers
from .transaction import (
    Event,
    FromNetwork,
    Output,
    Send,
    Start,
    Terminated,
    TimedOut,
    TransactionError,
    TransportError,
    TransportFailed,
)


class AnswerRetransmission:
    """Sends a 2xx to INVITE again on T1, 2*T1, ... up to T2 until the ACK comes or 64*T1 pass;
    over a reliable transport (`timers.reliable`) it only waits the 64*T1 for the ACK."""

    def __init__(self, response: Response, timers: Timers) -> None:
        if not 200 <= response.status < 300:
            raise TransactionError(f"only a 2xx is retransmitted end to end, not {response.status}")
        self.response = response
        self.timers = timers
        self.started: float | None = None
        self.terminated = False
        self.retransmits = not timers.reliable
        """False over a reliable transport: the 2xx is sent once, only the timeout runs."""
        self._interval = timers.t1
        self._next: float | None = None

    def next_timer(self) -> float | None:
        """When the next retransmission (or the give-up) is due."""
        if self.terminated or self.started is None:
            return None
        give_up = self.started + self.timers.b
        return give_up if self._next is None else min(self._next, give_up)

    def handle(self, event: Event, now: float) -> list[Output]:
        """Start, an ACK (as `FromNetwork`), a timer or a transport failure."""
        if self.terminated:
            return []
        if isinstance(event, Start):
            if self.started is not None:
                raise TransactionError("the 2xx retransmission has already started")
            self.started = now
            self._next = now + self._interval if self.retransmits else None
            return [Send(self.response)]
        if self.started is None:
            raise TransactionError("the 2xx retransmission has not started")
        if isinstance(event, FromNetwork):
            message = event.message
            if isinstance(message, Request) and message.method == "ACK":
                return self._end()
            return []
        if isinstance(event, TransportFailed):
            return self._end(TransportError())
        return self._fire_due(now)

    def _fire_due(self, now: float) -> list[Output]:
        assert self.started is not None
        if now >= self.started + self.timers.b:
            return self._end(TimedOut())
        if self._next is None or now < self._next:
            return []
        self._interval = min(2 * self._interval, self.timers.t2)
        self._next = now + self._interval
        return [Send(self.response)]

    def _end(self, *reason: Output) -> list[Output]:
        self.terminated = True
        return [*reason, Terminated()]
