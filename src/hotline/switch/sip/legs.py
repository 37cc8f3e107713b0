"""Call legs: one INVITE dialog each, as the B2BUA sees it (RFC 3261 §13–§15), sans-I/O.

An `InboundLeg` is a call that came to us (a caller through a trunk, a phone dialling out):
we ring, answer or refuse it, and hang it up. An `OutboundLeg` is a call we place (an agent's
phone for an offer, a customer through a trunk): we INVITE, hear it ring, get its answer or
refusal, cancel or hang it up. Both carry their SDP as parsed `SessionDescription`s and tell
their owner what happened through `LegEvents`; media is not their business.

In-dialog requests the far end sends (BYE, re-INVITE for hold, INFO, OPTIONS, REFER) reach
the leg through `in_dialog`; the leg answers them. A REFER (RFC 3515: a phone's transfer
button) is put to the owner as `referred(leg, target)`; accepted, it gets 202 and at once the
NOTIFY that ends its implicit subscription with `SIP/2.0 200 OK` as the sipfrag (the
transferee is in the owner's hands from then on, so the transferor's part is done); refused,
it gets 603 with the owner's reason. A Refer-To with a `Replaces` header (an attended transfer
between two of the phone's own calls) is refused the same way: the owner decides.

In-dialog requests go to the address the leg's peer last used (`peer`), not to a resolved
Contact: phones behind NAT are reached where their packets come from.

An outbound INVITE refused with 401/407 is sent again once with credentials when the leg was
given some (`Credentials`: trunk accounts).
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum

from hotline.switch.media.sdp import SdpError, SessionDescription, parse_sdp, serialise_sdp

from .address import NameAddress, parse_name_address
from .client_transaction import ClientTransaction
from .dialog import Dialog, DialogError, DialogId
from .digest import DigestError, authorize, pick_challenge
from .endpoint import Endpoint, Peer
from .headers import Headers
from .message import Request, Response, make_response
from .server_transaction import InviteServerTransaction, ServerTransaction
from .status import reason_because
from .syntax import SipSyntaxError
from .uri import SipUri, Uri

SDP = "application/sdp"
ALLOW = "INVITE, ACK, CANCEL, BYE, OPTIONS, INFO, REFER, NOTIFY"


class LegState(StrEnum):
    NEW = "new"
    RINGING = "ringing"
    ANSWERED = "answered"
    ENDED = "ended"


@dataclass(frozen=True, slots=True)
class Credentials:
    """A trunk account for answering digest challenges to our INVITEs."""

    username: str
    password: str


@dataclass(slots=True)
class LegEvents:
    """What a leg tells its owner. `ended(leg, reason)` comes once, whatever the cause:
    `bye` (the far end hung up), `cancelled`, `busy`, `rejected:<status>`, `timeout`,
    `no_ack`, `hung_up` (we ended it)."""

    ringing: Callable[[Leg], None] = lambda leg: None
    answered: Callable[[Leg], None] = lambda leg: None
    ended: Callable[[Leg, str], None] = lambda leg, reason: None
    reoffered: Callable[[Leg, SessionDescription], SessionDescription | None] = (
        lambda leg, offer: None)
    """A re-INVITE with an offer (hold, resume): return our answer, or None to refuse (488)."""
    info: Callable[[Leg, Request], None] = lambda leg, request: None
    referred: Callable[[Leg, NameAddress], str | None] = (
        lambda leg, target: "transfer is not available on this call")
    """A REFER to `target` (its URI may carry `Replaces`): None accepts it (the owner has
    started the transfer), a string refuses it and says why."""


class Leg:
    """What both kinds of leg share: a dialog, a peer, a state, events."""

    def __init__(self, endpoint: Endpoint, peer: Peer, events: LegEvents) -> None:
        self.endpoint = endpoint
        self.peer = peer
        self.events = events
        self.state = LegState.NEW
        self.dialog: Dialog | None = None
        self.remote_sdp: SessionDescription | None = None
        self.local_sdp: SessionDescription | None = None
        self.end_reason: str | None = None
        self.id = secrets.token_hex(8)
        self._bye: ClientTransaction | None = None

    @property
    def dialog_id(self) -> DialogId | None:
        return self.dialog.id if self.dialog is not None else None

    @property
    def ended(self) -> bool:
        return self.state is LegState.ENDED

    def in_dialog(self, request: Request, transaction: ServerTransaction, now: float) -> None:
        """A request within this leg's dialog."""
        dialog = self.dialog
        if dialog is None:
            self.endpoint.respond(transaction, make_response(request, 481), now)
            return
        refusal = dialog.receive_request(request)
        if refusal is not None:
            self.endpoint.respond(transaction, refusal, now)
            return
        if request.method == "BYE":
            self.endpoint.respond(transaction, make_response(request, 200), now)
            self._end("bye")
        elif request.method == "INVITE":
            self._reinvite(request, transaction, now)
        elif request.method == "INFO":
            self.endpoint.respond(transaction, make_response(request, 200), now)
            self.events.info(self, request)
        elif request.method == "REFER":
            self._refer(request, transaction, now)
        elif request.method in ("OPTIONS", "UPDATE", "NOTIFY"):
            self.endpoint.respond(transaction, make_response(request, 200), now)
        else:
            allow = [("Allow", ALLOW)]
            self.endpoint.respond(transaction, make_response(request, 405, headers=allow), now)

    def _refer(self, request: Request, transaction: ServerTransaction, now: float) -> None:
        assert self.dialog is not None
        targets = request.headers.get_all("Refer-To")
        if len(targets) != 1:
            self.endpoint.respond(transaction, make_response(
                request, 400, f"Bad Request (a REFER has exactly one Refer-To, not "
                f"{len(targets)})"), now)
            return
        try:
            target = parse_name_address(targets[0])
        except SipSyntaxError as error:
            self.endpoint.respond(transaction, make_response(
                request, 400, reason_because(400, f"Refer-To: {error}")), now)
            return
        refusal = self.events.referred(self, target)
        if refusal is not None:
            self.endpoint.respond(transaction, make_response(
                request, 603, reason_because(603, refusal)), now)
            return
        self.endpoint.respond(transaction, make_response(request, 202), now)
        try:
            notify = self.dialog.create_request(
                "NOTIFY", self.endpoint.via(self.peer.transport),
                headers=[("Event", "refer"),
                         ("Subscription-State", "terminated;reason=noresource"),
                         ("Content-Type", "message/sipfrag;version=2.0")],
                body=b"SIP/2.0 200 OK\r\n")
        except DialogError:
            return
        self.endpoint.send_request(notify, self.peer, now, _ignore)

    def hang_up(self, now: float) -> None:
        """End the leg from our side: BYE once answered (subclasses handle earlier states)."""
        if self.state is LegState.ANSWERED and self.dialog is not None:
            try:
                bye = self.dialog.create_request("BYE", self.endpoint.via(self.peer.transport))
            except DialogError:
                bye = None
            if bye is not None:
                self._bye = self.endpoint.send_request(bye, self.peer, now, _ignore)
            self.dialog.terminate()
        self._end("hung_up")

    def _reinvite(self, request: Request, transaction: ServerTransaction, now: float) -> None:
        assert self.dialog is not None and isinstance(transaction, InviteServerTransaction)
        offer = _sdp_of(request)
        if offer is None:
            # An offerless re-INVITE asks for our offer; sending the one we have is allowed.
            reply_sdp = self.local_sdp
        else:
            reply_sdp = self.events.reoffered(self, offer)
            if reply_sdp is None:
                self.endpoint.respond(transaction, make_response(request, 488), now)
                return
            self.remote_sdp = offer
        self.local_sdp = reply_sdp
        response = make_response(
            request, 200, to_tag=self.dialog.local_tag,
            headers=[("Contact", str(self._contact()))],
            body=b"" if reply_sdp is None else serialise_sdp(reply_sdp).encode())
        if reply_sdp is not None:
            response.headers.add("Content-Type", SDP)
        self.endpoint.answer(transaction, response, now)

    def _contact(self) -> NameAddress:
        """Our Contact on this leg, naming the transport the leg runs on (the far end sends
        its in-dialog requests there, RFC 3261 §12.1.1)."""
        local = self.endpoint.local
        params = (("transport", "tcp"),) if self.peer.transport.upper() == "TCP" else ()
        return NameAddress(SipUri(local.host, user="hotline", port=local.port, params=params))

    def _end(self, reason: str) -> None:
        if self.state is LegState.ENDED:
            return
        self.state = LegState.ENDED
        self.end_reason = reason
        if self.dialog is not None:
            self.dialog.terminate()
        self.events.ended(self, reason)


class InboundLeg(Leg):
    """A call that came to us."""

    def __init__(self, endpoint: Endpoint, transaction: InviteServerTransaction, peer: Peer,
                 events: LegEvents) -> None:
        super().__init__(endpoint, peer, events)
        self.transaction = transaction
        self.invite = transaction.request
        self.tag = endpoint.local_tag(transaction)
        self.remote_sdp = _sdp_of(self.invite)

    @property
    def caller(self) -> str:
        """The caller's number: the From URI's user part (ANI)."""
        sender = self.invite.headers.from_address()
        uri = sender.uri if sender is not None else None
        return (uri.user or "") if isinstance(uri, SipUri) else ""

    @property
    def called(self) -> str:
        """The dialled number: the Request-URI's user part (DNIS)."""
        uri = self.invite.uri
        return (uri.user or "") if isinstance(uri, SipUri) else ""

    def ring(self, now: float) -> None:
        if self.state is LegState.NEW:
            self.state = LegState.RINGING
            self.endpoint.respond(self.transaction, make_response(
                self.invite, 180, to_tag=self.tag,
                headers=[("Contact", str(self._contact()))]), now)

    def progress(self, sdp: SessionDescription, now: float) -> None:
        """183 Session Progress with our SDP: the caller hears what we play before we answer
        (early media, e.g. ring-back while the far end rings)."""
        if self.state not in (LegState.NEW, LegState.RINGING):
            return
        self.local_sdp = sdp
        self.endpoint.respond(self.transaction, make_response(
            self.invite, 183, to_tag=self.tag,
            headers=[("Contact", str(self._contact())), ("Content-Type", SDP)],
            body=serialise_sdp(sdp).encode()), now)

    def answer(self, sdp: SessionDescription, now: float) -> None:
        """200 OK with our SDP; the dialog exists from here."""
        if self.state not in (LegState.NEW, LegState.RINGING):
            return
        response = make_response(
            self.invite, 200, to_tag=self.tag,
            headers=[("Contact", str(self._contact())), ("Allow", ALLOW),
                     ("Content-Type", SDP)],
            body=serialise_sdp(sdp).encode())
        self.dialog = Dialog.as_uas(self.invite, response)
        self.local_sdp = sdp
        self.state = LegState.ANSWERED
        self.endpoint.answer(self.transaction, response, now)
        self.events.answered(self)

    def reject(self, status: int, now: float, reason: str | None = None) -> None:
        """Refuse the call (before it is answered)."""
        if self.state in (LegState.NEW, LegState.RINGING):
            self.endpoint.respond(self.transaction, make_response(
                self.invite, status, reason, to_tag=self.tag), now)
            self._end(f"rejected:{status}")

    def cancelled(self) -> None:
        """The caller's CANCEL reached us (the endpoint has already answered it)."""
        self._end("cancelled")

    def hang_up(self, now: float) -> None:
        if self.state in (LegState.NEW, LegState.RINGING):
            self.reject(480, now, "Temporarily Unavailable")
            return
        super().hang_up(now)


class OutboundLeg(Leg):
    """A call we place."""

    def __init__(self, endpoint: Endpoint, target: Uri, peer: Peer, *, caller: NameAddress,
                 callee: NameAddress, offer: SessionDescription, events: LegEvents,
                 credentials: Credentials | None = None) -> None:
        super().__init__(endpoint, peer, events)
        self.target = target
        self.caller = caller.with_param("tag", secrets.token_hex(6))
        self.callee = callee
        self.local_sdp = offer
        self.credentials = credentials
        self.call_id = f"{secrets.token_hex(10)}@hotline"
        self._cseq = 1
        self._transaction: ClientTransaction | None = None
        self._authenticated = False
        self._cancel_when_provisional = False

    def start(self, now: float) -> None:
        """Send the INVITE."""
        self._send_invite(now, authorization=None)

    def cancel(self, now: float) -> None:
        """Stop ringing (CANCEL); once answered, hang up instead."""
        if self.state is LegState.ANSWERED:
            self.hang_up(now)
            return
        if self.state is LegState.ENDED or self._transaction is None:
            return
        if self.state is LegState.NEW:
            # §9.1: no CANCEL before a provisional response; send it when one comes.
            self._cancel_when_provisional = True
            return
        self.endpoint.cancel(self._transaction, now)

    def hang_up(self, now: float) -> None:
        if self.state in (LegState.NEW, LegState.RINGING):
            self.cancel(now)
            self._end("hung_up")
            return
        super().hang_up(now)

    def _send_invite(self, now: float, authorization: tuple[str, str] | None) -> None:
        assert self.local_sdp is not None
        headers = Headers()
        headers.add("Max-Forwards", "70")
        headers.add("From", str(self.caller))
        headers.add("To", str(self.callee))
        headers.add("Call-ID", self.call_id)
        headers.add("CSeq", f"{self._cseq} INVITE")
        headers.add("Contact", str(self._contact()))
        headers.add("Allow", ALLOW)
        headers.add("Content-Type", SDP)
        if authorization is not None:
            headers.add(*authorization)
        request = Request("INVITE", self.target, headers,
                          serialise_sdp(self.local_sdp).encode())
        self._transaction = self.endpoint.send_request(request, self.peer, now, self._response)

    def _response(self, response: Response, now: float) -> None:
        if self.state is LegState.ENDED:
            if 200 <= response.status < 300 and self._transaction is not None:
                # Answered after we gave up (a CANCEL crossed the 200): ACK and BYE it.
                self._confirm(response, now)
                self.state = LegState.ANSWERED
                super().hang_up(now)
            return
        status = response.status
        if status < 200:
            if status > 100 and self.state is LegState.NEW:
                self.state = LegState.RINGING
                if self._cancel_when_provisional:
                    self.cancel(now)
                    return
                self.events.ringing(self)
            elif status > 100 and self._cancel_when_provisional:
                self.cancel(now)
            return
        if status < 300:
            self._confirm(response, now)
            self.remote_sdp = _sdp_of(response)
            self.state = LegState.ANSWERED
            if self._cancel_when_provisional:
                super().hang_up(now)
                return
            self.events.answered(self)
            return
        if status in (401, 407) and self._retry_with_credentials(response, now):
            return
        reason = {486: "busy", 600: "busy", 408: "timeout", 480: "no_answer",
                  487: "cancelled"}.get(status, f"rejected:{status}")
        self._end(reason)

    def _confirm(self, response: Response, now: float) -> None:
        assert self._transaction is not None
        try:
            self.dialog = Dialog.as_uac(self._transaction.request, response)
        except (DialogError, SipSyntaxError):
            return
        ack = self.dialog.create_ack(self.endpoint.via(self.peer.transport))
        self.endpoint.send_ack(ack, self.peer, now)

    def _retry_with_credentials(self, response: Response, now: float) -> bool:
        if self.credentials is None or self._authenticated:
            return False
        header = "WWW-Authenticate" if response.status == 401 else "Proxy-Authenticate"
        try:
            challenge = pick_challenge(response.headers.challenges(header))
            if challenge is None:
                return False
            answer = authorize(challenge, method="INVITE", uri=str(self.target),
                               username=self.credentials.username,
                               password=self.credentials.password)
        except (DigestError, SipSyntaxError):
            return False
        self._authenticated = True
        self._cseq += 1
        name = "Authorization" if response.status == 401 else "Proxy-Authorization"
        self._send_invite(now, (name, str(answer)))
        return True


def _sdp_of(message: Request | Response) -> SessionDescription | None:
    if not message.body:
        return None
    kind = (message.headers.get("Content-Type") or SDP).split(";")[0].strip().lower()
    if kind != SDP:
        return None
    try:
        return parse_sdp(message.body)
    except SdpError:
        return None


def _ignore(response: Response, now: float) -> None:
    """BYE responses need no action."""


__all__ = ["Credentials", "InboundLeg", "Leg", "LegEvents", "LegState", "OutboundLeg"]
