"""Dialogs: the peer-to-peer relationship an INVITE sets up (RFC 3261 §12).

A dialog is identified by Call-ID, local tag and remote tag (§12). Each side keeps:

- the local and remote URIs (From/To) and tags;
- the local sequence number (the CSeq of the last request it sent) and the remote one (of
  the last request it accepted);
- the remote target — the peer's Contact, where in-dialog requests go;
- the route set — Record-Route as seen in the dialog-forming message: in order for the UAS,
  reversed for the UAC (§12.1.1, §12.1.2), so that both list the proxies from their own side.

A dialog is *early* when made from a 1xx carrying a To tag, *confirmed* after a 2xx (§12.1),
*terminated* after BYE, or after a 481/408 to an in-dialog request (§12.3, §15).

In-dialog requests (§12.2.1.1) are addressed by the route set: empty → the Request-URI is the
remote target; first route loose (`;lr`) → Request-URI is the remote target and every route
becomes a Route header; first route strict → it becomes the Request-URI and the remote target
is appended as the last Route. Each request takes the next local CSeq — except the ACK for a
2xx, which repeats the INVITE's number (§13.2.2.4), and CANCEL, which is not an in-dialog
request (see `client_transaction.make_cancel`).

Received in-dialog requests are checked (§12.2.2): a CSeq lower than the remote sequence
number is out of order and gets 500; otherwise it becomes the new remote number. An INVITE or
UPDATE with a Contact refreshes the remote target. ACK and CANCEL are not checked: they carry
the number of the INVITE they belong to.

`dialog_id_of` computes the identifier of an incoming message from the receiver's side, which
is how the UA finds the dialog a request or response belongs to.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from enum import StrEnum
from typing import NamedTuple, TypeVar

from .address import NameAddress
from .fields import Via
from .headers import Headers
from .message import Request, Response, make_response
from .syntax import SipSyntaxError
from .uri import SipUri, Uri

TARGET_REFRESH_METHODS = frozenset({"INVITE", "UPDATE"})
"""Requests whose Contact replaces the remote target (§12.2, RFC 3311)."""
_T = TypeVar("_T")
_CONTACT_METHODS = frozenset({"INVITE", "UPDATE", "REFER", "SUBSCRIBE", "NOTIFY"})


class DialogError(Exception):
    """A message cannot create a dialog, or the dialog cannot do what was asked."""


class DialogState(StrEnum):
    """Where a dialog is in its life (§12)."""

    EARLY = "early"
    CONFIRMED = "confirmed"
    TERMINATED = "terminated"


class DialogId(NamedTuple):
    """Call-ID, local tag and remote tag: what identifies a dialog on one side (§12)."""

    call_id: str
    local_tag: str
    remote_tag: str


def dialog_id_of(message: Request | Response) -> DialogId | None:
    """The id of the dialog an incoming message belongs to, from the receiver's side.

    For a request the local tag is the To tag; for a response it is the From tag. None when a
    tag is missing (the message is not in a dialog).
    """
    try:
        call_id = message.headers.call_id()
        sender = message.headers.from_address()
        receiver = message.headers.to_address()
    except SipSyntaxError:
        return None
    if call_id is None or sender is None or receiver is None:
        return None
    local, remote = (receiver, sender) if isinstance(message, Request) else (sender, receiver)
    if not local.tag or not remote.tag:
        return None
    return DialogId(call_id, local.tag, remote.tag)


@dataclass
class Dialog:
    """One side's view of a dialog, and the requests it sends within it."""

    call_id: str
    local_tag: str
    remote_tag: str
    local_uri: NameAddress
    remote_uri: NameAddress
    local_seq: int | None
    remote_seq: int | None
    remote_target: Uri
    route_set: tuple[NameAddress, ...] = ()
    local_contact: NameAddress | None = None
    secure: bool = False
    state: DialogState = DialogState.CONFIRMED
    invite_seq: int | None = field(default=None, repr=False)

    @property
    def id(self) -> DialogId:
        """This side's dialog identifier."""
        return DialogId(self.call_id, self.local_tag, self.remote_tag)

    # Creation ------------------------------------------------------------------------------

    @classmethod
    def as_uac(cls, request: Request, response: Response) -> Dialog:
        """The UAC's dialog from a 2xx, or a 1xx with a To tag, to its INVITE (§12.1.2)."""
        _check_forming(request, response)
        headers = response.headers
        to, sender = _required(headers.to_address(), "To"), _required(
            request.headers.from_address(), "From"
        )
        cseq = _required(request.headers.cseq(), "CSeq")
        return cls(
            call_id=_required(request.headers.call_id(), "Call-ID"),
            local_tag=_required(sender.tag, "From tag"),
            remote_tag=_required(to.tag, "To tag"),
            local_uri=_untagged(sender),
            remote_uri=_untagged(to),
            local_seq=cseq.number,
            remote_seq=None,
            remote_target=_contact_uri(response.headers, "response"),
            route_set=tuple(reversed(headers.addresses("Record-Route"))),
            local_contact=_first_contact(request.headers),
            secure=_is_sips(request.uri),
            state=_state_for(response.status),
            invite_seq=cseq.number,
        )

    @classmethod
    def as_uas(cls, request: Request, response: Response) -> Dialog:
        """The UAS's dialog from the 2xx or tagged 1xx it sends to an INVITE (§12.1.1)."""
        _check_forming(request, response)
        to, sender = _required(response.headers.to_address(), "To"), _required(
            request.headers.from_address(), "From"
        )
        cseq = _required(request.headers.cseq(), "CSeq")
        return cls(
            call_id=_required(request.headers.call_id(), "Call-ID"),
            local_tag=_required(to.tag, "To tag"),
            remote_tag=_required(sender.tag, "From tag"),
            local_uri=_untagged(to),
            remote_uri=_untagged(sender),
            local_seq=None,
            remote_seq=cseq.number,
            remote_target=_contact_uri(request.headers, "request"),
            route_set=tuple(request.headers.addresses("Record-Route")),
            local_contact=_first_contact(response.headers),
            secure=_is_sips(request.uri),
            state=_state_for(response.status),
            invite_seq=cseq.number,
        )

    # Sending -------------------------------------------------------------------------------

    def create_request(
        self,
        method: str,
        via: Via,
        *,
        headers: Iterable[tuple[str, str]] = (),
        body: bytes = b"",
    ) -> Request:
        """A request within the dialog (BYE, re-INVITE, REFER, INFO, ...), with the next CSeq.

        `via` is this hop's Via with a fresh branch. ACK and CANCEL are built elsewhere
        (`create_ack`, `client_transaction.make_cancel`).
        """
        if method in ("ACK", "CANCEL"):
            raise DialogError(f"{method} is not built with create_request; see the module doc")
        if self.state is DialogState.TERMINATED:
            raise DialogError(f"dialog {self.id} is terminated; cannot send {method}")
        self.local_seq = (self.local_seq or 0) + 1
        if method == "INVITE":
            self.invite_seq = self.local_seq
        return self._build(method, self.local_seq, via, headers, body)

    def create_ack(
        self,
        via: Via,
        *,
        headers: Iterable[tuple[str, str]] = (),
        body: bytes = b"",
    ) -> Request:
        """The ACK for a 2xx to the dialog's last INVITE, with that INVITE's CSeq (§13.2.2.4)."""
        if self.invite_seq is None:
            raise DialogError(f"dialog {self.id} has no INVITE to acknowledge")
        return self._build("ACK", self.invite_seq, via, headers, body)

    def _build(
        self,
        method: str,
        number: int,
        via: Via,
        extra: Iterable[tuple[str, str]],
        body: bytes,
    ) -> Request:
        uri, routes = self._request_target()
        built = Headers()
        built.add("Via", str(via))
        for route in routes:
            built.add("Route", str(route))
        built.add("Max-Forwards", "70")
        built.add("From", str(self.local_uri.with_param("tag", self.local_tag)))
        built.add("To", str(self.remote_uri.with_param("tag", self.remote_tag)))
        built.add("Call-ID", self.call_id)
        built.add("CSeq", f"{number} {method}")
        if method in _CONTACT_METHODS and self.local_contact is not None:
            built.add("Contact", str(self.local_contact))
        for name, value in extra:
            built.add(name, value)
        return Request(method, uri, built, body)

    def _request_target(self) -> tuple[Uri, list[NameAddress]]:
        """Request-URI and Route headers from the route set (§12.2.1.1)."""
        if not self.route_set:
            return self.remote_target, []
        first = self.route_set[0].uri
        if isinstance(first, SipUri) and first.loose_route:
            return self.remote_target, list(self.route_set)
        if isinstance(first, SipUri):
            first = replace(first, headers=())
        return first, [*self.route_set[1:], NameAddress(self.remote_target)]

    # Receiving -----------------------------------------------------------------------------

    def receive_request(self, request: Request) -> Response | None:
        """Check an in-dialog request (§12.2.2); None if accepted, else the response to send.

        An accepted BYE terminates the dialog (§15.1.2); an INVITE or UPDATE with a Contact
        refreshes the remote target.
        """
        if request.method in ("ACK", "CANCEL"):
            return None
        cseq = request.headers.cseq()
        if cseq is None:
            return make_response(request, 400, "Bad Request (missing CSeq)")
        if self.remote_seq is not None and cseq.number < self.remote_seq:
            return make_response(
                request,
                500,
                f"Server Internal Error (CSeq {cseq.number} is below {self.remote_seq})",
            )
        self.remote_seq = cseq.number
        if request.method in TARGET_REFRESH_METHODS:
            self._refresh_target(request.headers)
        if request.method == "BYE":
            self.state = DialogState.TERMINATED
        return None

    def receive_response(self, request: Request, response: Response) -> None:
        """Update the dialog from a response to a request this side sent in it.

        A 2xx to INVITE confirms an early dialog (recomputing its route set, §13.2.2.4) and,
        like any 2xx to a target refresh, updates the remote target (§12.2.1.2). A 481 or
        408, or any final response to BYE, ends the dialog (§12.3, §15.1.1).
        """
        status = response.status
        if status < 200:
            return
        if request.method == "BYE" or status in (408, 481):
            self.state = DialogState.TERMINATED
            return
        if status >= 300 or request.method not in TARGET_REFRESH_METHODS:
            return
        if request.method == "INVITE" and self.state is DialogState.EARLY:
            self.state = DialogState.CONFIRMED
            self.route_set = tuple(reversed(response.headers.addresses("Record-Route")))
        self._refresh_target(response.headers)

    def confirm(self) -> None:
        """Mark an early dialog confirmed (the UAS has sent its 2xx)."""
        if self.state is DialogState.EARLY:
            self.state = DialogState.CONFIRMED

    def terminate(self) -> None:
        """End the dialog (BYE sent or received, or the session failed)."""
        self.state = DialogState.TERMINATED

    def _refresh_target(self, headers: Headers) -> None:
        try:
            contacts = headers.contacts()
        except SipSyntaxError:
            return
        if contacts != "*" and contacts:
            self.remote_target = contacts[0].uri


def _check_forming(request: Request, response: Response) -> None:
    if request.method != "INVITE":
        raise DialogError(f"only INVITE creates a dialog here, not {request.method}")
    if not 101 <= response.status < 300:
        raise DialogError(f"a {response.status} response does not create a dialog")
    to = response.headers.to_address()
    if to is None or not to.tag:
        raise DialogError("a dialog-creating response must carry a To tag (§12.1)")


def _required(value: _T | None, what: str) -> _T:
    if value is None:
        raise DialogError(f"cannot create a dialog without a {what}")
    return value


def _untagged(address: NameAddress) -> NameAddress:
    return replace(address, params=tuple(p for p in address.params if p[0].lower() != "tag"))


def _first_contact(headers: Headers) -> NameAddress | None:
    contacts = headers.contacts()
    return contacts[0] if contacts != "*" and contacts else None


def _contact_uri(headers: Headers, where: str) -> Uri:
    contact = _first_contact(headers)
    if contact is None:
        raise DialogError(f"the dialog-creating {where} has no Contact (§12.1)")
    return contact.uri


def _is_sips(uri: Uri) -> bool:
    return isinstance(uri, SipUri) and uri.secure


def _state_for(status: int) -> DialogState:
    return DialogState.CONFIRMED if status >= 200 else DialogState.EARLY
