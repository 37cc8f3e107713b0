"""Client transactions: INVITE (Figure 5) and non-INVITE (Figure 6) of RFC 3261 §17.1.

INVITE client transaction (§17.1.1)::

    Idle --Start: send INVITE, A, B--> Calling
    Calling    --A: resend, A doubles-->        Calling      (unreliable transports only)
    Calling    --B: report timeout-->           Terminated
    Calling    --1xx: deliver-->                Proceeding   (A and B stop)
    Calling/Proceeding --2xx: deliver-->        Terminated   (the TU sends the ACK, §13.2.2.4)
    Calling/Proceeding --300-699: deliver, ACK, D--> Completed
    Proceeding --1xx: deliver-->                Proceeding
    Completed  --300-699: send ACK again-->     Completed    (absorbs retransmissions)
    Completed  --D-->                           Terminated

The ACK for a non-2xx final response belongs to the transaction (§17.1.1.3): same Request-URI,
Call-ID, From, CSeq number and Route as the INVITE, the response's To (with its tag), and the
INVITE's top Via, so it carries the INVITE's branch and reaches the same server transaction.

Non-INVITE client transaction (§17.1.2)::

    Idle --Start: send request, E, F--> Trying
    Trying     --E: resend, E doubles up to T2-->  Trying
    Trying/Proceeding --F: report timeout-->      Terminated
    Trying/Proceeding --1xx: deliver-->           Proceeding
    Proceeding --E: resend, E stays at T2-->      Proceeding
    Trying/Proceeding --200-699: deliver, K-->    Completed
    Completed  --K-->                             Terminated

Any state but Idle and Terminated goes to Terminated on a transport error. Responses the table
has no row for (a 1xx in Completed, a response after the end) are absorbed.

`make_cancel` builds the CANCEL for a pending INVITE (§9.1): it is a request of its own, with
its own non-INVITE client transaction, but shares the INVITE's branch so that the server can
match it to the INVITE (§9.2). Per §9.1, a UAC waits for a provisional response before sending it.
"""

from __future__ import annotations

from typing import ClassVar

from .headers import Headers
from .message import Message, Request, Response
from .syntax import split_top_level
from .timers import Timers
from .transaction import (
    Action,
    Deliver,
    Event,
    Output,
    Send,
    State,
    Stimulus,
    Table,
    Transaction,
    event_stimulus,
)

Calling, Trying, Proceeding = State.CALLING, State.TRYING, State.PROCEEDING
Completed, Terminated = State.COMPLETED, State.TERMINATED
S, A = Stimulus, Action

INVITE_CLIENT: Table = {
    (State.IDLE, S.START): (Calling, (A.SEND_REQUEST, A.ARM_A, A.ARM_B)),
    (Calling, S.TIMER_A): (Calling, (A.SEND_REQUEST, A.DOUBLE_A)),
    (Calling, S.TIMER_B): (Terminated, (A.REPORT_TIMEOUT,)),
    (Calling, S.PROVISIONAL): (Proceeding, (A.DELIVER,)),
    (Calling, S.SUCCESS): (Terminated, (A.DELIVER,)),
    (Calling, S.FAILURE): (Completed, (A.DELIVER, A.SEND_ACK, A.ARM_D)),
    (Calling, S.TRANSPORT_ERROR): (Terminated, (A.REPORT_TRANSPORT_ERROR,)),
    (Proceeding, S.PROVISIONAL): (Proceeding, (A.DELIVER,)),
    (Proceeding, S.SUCCESS): (Terminated, (A.DELIVER,)),
    (Proceeding, S.FAILURE): (Completed, (A.DELIVER, A.SEND_ACK, A.ARM_D)),
    (Proceeding, S.TRANSPORT_ERROR): (Terminated, (A.REPORT_TRANSPORT_ERROR,)),
    (Completed, S.FAILURE): (Completed, (A.SEND_ACK,)),
    (Completed, S.TIMER_D): (Terminated, ()),
    (Completed, S.TRANSPORT_ERROR): (Terminated, (A.REPORT_TRANSPORT_ERROR,)),
}
"""Figure 5 of RFC 3261."""

_FINAL = (S.SUCCESS, S.FAILURE)
NON_INVITE_CLIENT: Table = {
    (State.IDLE, S.START): (Trying, (A.SEND_REQUEST, A.ARM_E, A.ARM_F)),
    (Trying, S.TIMER_E): (Trying, (A.SEND_REQUEST, A.BACK_OFF_E)),
    (Trying, S.TIMER_F): (Terminated, (A.REPORT_TIMEOUT,)),
    (Trying, S.PROVISIONAL): (Proceeding, (A.DELIVER,)),
    **{(Trying, final): (Completed, (A.DELIVER, A.ARM_K)) for final in _FINAL},
    (Trying, S.TRANSPORT_ERROR): (Terminated, (A.REPORT_TRANSPORT_ERROR,)),
    (Proceeding, S.TIMER_E): (Proceeding, (A.SEND_REQUEST, A.HOLD_E)),
    (Proceeding, S.TIMER_F): (Terminated, (A.REPORT_TIMEOUT,)),
    (Proceeding, S.PROVISIONAL): (Proceeding, (A.DELIVER,)),
    **{(Proceeding, final): (Completed, (A.DELIVER, A.ARM_K)) for final in _FINAL},
    (Proceeding, S.TRANSPORT_ERROR): (Terminated, (A.REPORT_TRANSPORT_ERROR,)),
    (Completed, S.TIMER_K): (Terminated, ()),
}
"""Figure 6 of RFC 3261."""


class ClientTransaction(Transaction):
    """The client side: sends one request, delivers its responses to the TU."""

    def _stimulus(self, event: Event) -> Stimulus | None:
        return event_stimulus(event, server=False)

    def _act(self, action: Action, message: Message | None, now: float) -> list[Output]:
        if action is Action.SEND_REQUEST:
            return [Send(self.request)]
        if action is Action.DELIVER and message is not None:
            return [Deliver(message)]
        raise AssertionError(f"{type(self).__name__} has no action {action}")


class InviteClientTransaction(ClientTransaction):
    """Figure 5: the INVITE client transaction."""

    TABLE: ClassVar[Table] = INVITE_CLIENT
    is_invite: ClassVar[bool] = True
    _ack: Request | None = None

    def _act(self, action: Action, message: Message | None, now: float) -> list[Output]:
        if action is Action.SEND_ACK and isinstance(message, Response):
            if self._ack is None:
                self._ack = make_failure_ack(self.request, message)
            return [Send(self._ack)]
        return super()._act(action, message, now)


class NonInviteClientTransaction(ClientTransaction):
    """Figure 6: the non-INVITE client transaction."""

    TABLE: ClassVar[Table] = NON_INVITE_CLIENT
    is_invite: ClassVar[bool] = False


def make_failure_ack(invite: Request, response: Response) -> Request:
    """The ACK for a 300–699 response to `invite`, built by the transaction (§17.1.1.3)."""
    headers = Headers()
    headers.add("Via", top_via(invite))
    for value in invite.headers.get_all("Route"):
        headers.add("Route", value)
    headers.add("Max-Forwards", "70")
    _copy(invite.headers, headers, "From", "Call-ID")
    _copy(response.headers, headers, "To")
    cseq = invite.headers.cseq()
    headers.add("CSeq", f"{cseq.number if cseq else 1} ACK")
    return Request("ACK", invite.uri, headers)


def make_cancel(invite: Request) -> Request:
    """The CANCEL for a pending INVITE (§9.1): same branch, To, From, Call-ID and CSeq number."""
    headers = Headers()
    headers.add("Via", top_via(invite))
    for value in invite.headers.get_all("Route"):
        headers.add("Route", value)
    headers.add("Max-Forwards", "70")
    _copy(invite.headers, headers, "From", "To", "Call-ID")
    cseq = invite.headers.cseq()
    headers.add("CSeq", f"{cseq.number if cseq else 1} CANCEL")
    return Request("CANCEL", invite.uri, headers)


def top_via(request: Request) -> str:
    """The first Via entry of `request`, as written."""
    return split_top_level(request.headers.get_all("Via")[0], ",")[0].strip(" \t")


def _copy(source: Headers, target: Headers, *names: str) -> None:
    for name in names:
        value = source.get(name)
        if value is not None:
            target.add(name, value)


def client_transaction(request: Request, timers: Timers) -> ClientTransaction:
    """A client transaction of the right kind for `request` (INVITE or not)."""
    if request.method == "INVITE":
        return InviteClientTransaction(request, timers)
    return NonInviteClientTransaction(request, timers)
