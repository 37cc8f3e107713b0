"""Server transactions: INVITE (Figure 7) and non-INVITE (Figure 8) of RFC 3261 §17.2.

INVITE server transaction (§17.2.1)::

    Idle --Start: send 100 Trying, deliver INVITE--> Proceeding
    Proceeding --INVITE again: resend last 1xx-->    Proceeding
    Proceeding --TU 1xx: send-->                     Proceeding
    Proceeding --TU 2xx: send-->                     Terminated  (the TU retransmits the 2xx)
    Proceeding --TU 300-699: send, G, H-->           Completed
    Completed  --INVITE again or G: resend final-->  Completed   (G doubles up to T2)
    Completed  --H: report timeout-->                Terminated  (the ACK never came)
    Completed  --ACK: start I-->                     Confirmed
    Confirmed  --I-->                                Terminated  (ACKs absorbed meanwhile)

The 100 Trying is sent at once rather than after 200 ms of TU silence (§17.2.1 allows either):
it stops the client's INVITE retransmissions early and costs one small datagram.

Non-INVITE server transaction (§17.2.2)::

    Idle --Start: deliver request--> Trying
    Trying     --TU 1xx: send-->                     Proceeding
    Trying/Proceeding --TU 200-699: send, J-->       Completed
    Proceeding --TU 1xx: send-->                     Proceeding
    Proceeding/Completed --request again: resend last response
    Completed  --J-->                                Terminated

A retransmission in Trying is absorbed (there is nothing to resend yet). A transport error
ends either machine. A TU response the state does not allow — anything after the final
response — raises `TransactionError`.

CANCEL (§9.2) is a non-INVITE request with its own server transaction; `answer_cancel` gives
the UA layer the two responses it needs: 200 to the CANCEL (or 481 when no INVITE matches) and
487 Request Terminated to the INVITE, if that has not had its final response yet.
"""

from __future__ import annotations

from typing import ClassVar

from .message import Message, Request, Response, make_response
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
    TransactionError,
    event_stimulus,
)

Trying, Proceeding, Completed = State.TRYING, State.PROCEEDING, State.COMPLETED
Confirmed, Terminated = State.CONFIRMED, State.TERMINATED
S, A = Stimulus, Action

INVITE_SERVER: Table = {
    (State.IDLE, S.START): (Proceeding, (A.SEND_TRYING, A.DELIVER)),
    (Proceeding, S.REQUEST): (Proceeding, (A.RESEND_RESPONSE,)),
    (Proceeding, S.SEND_PROVISIONAL): (Proceeding, (A.SEND_RESPONSE,)),
    (Proceeding, S.SEND_SUCCESS): (Terminated, (A.SEND_RESPONSE,)),
    (Proceeding, S.SEND_FAILURE): (Completed, (A.SEND_RESPONSE, A.ARM_G, A.ARM_H)),
    (Proceeding, S.TRANSPORT_ERROR): (Terminated, (A.REPORT_TRANSPORT_ERROR,)),
    (Completed, S.REQUEST): (Completed, (A.RESEND_RESPONSE,)),
    (Completed, S.TIMER_G): (Completed, (A.RESEND_RESPONSE, A.BACK_OFF_G)),
    (Completed, S.TIMER_H): (Terminated, (A.REPORT_TIMEOUT,)),
    (Completed, S.ACK): (Confirmed, (A.ARM_I,)),
    (Completed, S.TRANSPORT_ERROR): (Terminated, (A.REPORT_TRANSPORT_ERROR,)),
    (Confirmed, S.TIMER_I): (Terminated, ()),
}
"""Figure 7 of RFC 3261."""

_FINAL = (S.SEND_SUCCESS, S.SEND_FAILURE)
NON_INVITE_SERVER: Table = {
    (State.IDLE, S.START): (Trying, (A.DELIVER,)),
    (Trying, S.SEND_PROVISIONAL): (Proceeding, (A.SEND_RESPONSE,)),
    **{(Trying, final): (Completed, (A.SEND_RESPONSE, A.ARM_J)) for final in _FINAL},
    (Trying, S.TRANSPORT_ERROR): (Terminated, (A.REPORT_TRANSPORT_ERROR,)),
    (Proceeding, S.SEND_PROVISIONAL): (Proceeding, (A.SEND_RESPONSE,)),
    **{(Proceeding, final): (Completed, (A.SEND_RESPONSE, A.ARM_J)) for final in _FINAL},
    (Proceeding, S.REQUEST): (Proceeding, (A.RESEND_RESPONSE,)),
    (Proceeding, S.TRANSPORT_ERROR): (Terminated, (A.REPORT_TRANSPORT_ERROR,)),
    (Completed, S.REQUEST): (Completed, (A.RESEND_RESPONSE,)),
    (Completed, S.TIMER_J): (Terminated, ()),
    (Completed, S.TRANSPORT_ERROR): (Terminated, (A.REPORT_TRANSPORT_ERROR,)),
}
"""Figure 8 of RFC 3261."""


class ServerTransaction(Transaction):
    """The server side: delivers one request to the TU and sends the TU's responses."""

    last_response: Response | None = None

    def _stimulus(self, event: Event) -> Stimulus | None:
        return event_stimulus(event, server=True)

    def _act(self, action: Action, message: Message | None, now: float) -> list[Output]:
        if action is Action.DELIVER:
            return [Deliver(self.request)]
        if action is Action.SEND_RESPONSE and isinstance(message, Response):
            self.last_response = message
            return [Send(message)]
        if action is Action.RESEND_RESPONSE:
            return [] if self.last_response is None else [Send(self.last_response)]
        if action is Action.SEND_TRYING:
            self.last_response = make_response(self.request, 100)
            return [Send(self.last_response)]
        raise AssertionError(f"{type(self).__name__} has no action {action}")


class InviteServerTransaction(ServerTransaction):
    """Figure 7: the INVITE server transaction."""

    TABLE: ClassVar[Table] = INVITE_SERVER
    is_invite: ClassVar[bool] = True

    @property
    def answered(self) -> bool:
        """Whether the TU has sent a final response."""
        return self.state not in (State.IDLE, Proceeding)


class NonInviteServerTransaction(ServerTransaction):
    """Figure 8: the non-INVITE server transaction."""

    TABLE: ClassVar[Table] = NON_INVITE_SERVER
    is_invite: ClassVar[bool] = False


def server_transaction(request: Request, timers: Timers) -> ServerTransaction:
    """A server transaction of the right kind for `request`; an ACK never gets one (§17.2)."""
    if request.method == "ACK":
        raise TransactionError("an ACK never creates a server transaction (§17.2)")
    if request.method == "INVITE":
        return InviteServerTransaction(request, timers)
    return NonInviteServerTransaction(request, timers)


def answer_cancel(
    cancel: Request, invite: InviteServerTransaction | None, *, to_tag: str
) -> tuple[Response, Response | None]:
    """The responses a UAS sends for a CANCEL (§9.2): (to the CANCEL, to the INVITE or None).

    With no matching INVITE transaction the CANCEL gets 481 and the INVITE nothing. When the
    INVITE is still unanswered it gets 487 Request Terminated; the CANCEL gets 200 either way.
    Both responses carry `to_tag`, which should be the tag used in responses to the INVITE.
    """
    if invite is None or invite.terminated:
        return make_response(cancel, 481, to_tag=to_tag), None
    to_cancel = make_response(cancel, 200, to_tag=to_tag)
    if invite.answered:
        return to_cancel, None
    return to_cancel, make_response(invite.request, 487, to_tag=to_tag)
