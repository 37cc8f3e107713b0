"""The user-agent core of one SIP endpoint (RFC 3261 §8, §13.3.1.4, §17), sans-I/O.

`Endpoint` sits between a transport and a transaction user (the B2BUA). Bytes come in with
their source and the time; the endpoint parses them, answers a malformed request with a 400
naming the problem (or drops what cannot be answered), matches messages to transactions and
hands the rest up. What it wants sent collects in `take_output()` as datagrams addressed to a
`Peer`; the transport sends them. Time is passed in; `next_timer()` tells the shell when to call
`fire(now)`.

What it does beside the transaction machines:
- responses through a server transaction go back to where the request came from (symmetric
  response routing, as RFC 3581 `rport` asks and as phones behind NAT need);
- a 2xx to an INVITE is resent until its ACK arrives (`AnswerRetransmission`; over an
  unreliable transport only, but on every transport the user is told through
  `answer_timed_out` when no ACK has come in 64·T1); the ACK is passed up; a late copy of
  an INVITE already answered gets the same 2xx, not a new call;
- a CANCEL is answered here (§9.2: 200 to the CANCEL, 487 to the pending INVITE) and the user
  is told the INVITE was cancelled;
- the ACK it sends for a 2xx (end to end, no transaction) is kept for 64·T1 and sent again
  for each retransmitted 2xx (§13.2.2.4);
- timeouts and transport failures reach the response handler as 408 and 503 (§8.1.3.1); the
  transport reports a datagram it could not deliver through `send_failed`, and the
  transaction that sent it (`Datagram.origin`) fails at once.

Timers are kept in a heap: with thousands of transactions alive (each lingers for Timer J,
K or D after its final response), looking at every machine on every message would be too slow.
"""

from __future__ import annotations

import heapq
import itertools
import secrets
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Protocol

from .answer import AnswerRetransmission
from .client_transaction import ClientTransaction, client_transaction, make_cancel
from .dialog import DialogId, dialog_id_of
from .fields import Via
from .message import (
    Message,
    Request,
    Response,
    SipParseError,
    bad_request_for,
    make_response,
    parse,
    serialize,
)
from .server_transaction import (
    InviteServerTransaction,
    ServerTransaction,
    answer_cancel,
    server_transaction,
)
from .syntax import SipSyntaxError
from .timers import Timers, timers_for
from .transaction import (
    Deliver,
    FromNetwork,
    FromUser,
    Output,
    Send,
    Start,
    Terminated,
    TimedOut,
    TimerFired,
    Transaction,
    TransactionError,
    TransportError,
    TransportFailed,
    new_branch,
)
from .transaction_table import NewRequest, StrayResponse, TransactionTable


@dataclass(frozen=True, slots=True)
class Peer:
    """Where a message came from or goes: transport, host (an IP address) and port."""

    host: str
    port: int
    transport: str = "UDP"


@dataclass(frozen=True, slots=True)
class Datagram:
    """Bytes for the transport to send to `peer`.

    `origin` is the transaction that sent them, if one did: a transport that cannot deliver
    the datagram (a TCP connection refused, reset or unreachable) hands it back through
    `Endpoint.send_failed` so that the transaction learns of it (§17.1.4, §17.2.4). The
    transport treats it as opaque."""

    data: bytes
    peer: Peer
    origin: Transaction | None = field(default=None, compare=False, repr=False)


ResponseHandler = Callable[[Response, float], None]
"""Called with every response to a request the user sent (provisional ones too)."""


class EndpointUser(Protocol):
    """The transaction user: what the endpoint hands up."""

    def request_received(self, request: Request, transaction: ServerTransaction, source: Peer,
                         now: float) -> None:
        """A new request (not an ACK, not a CANCEL): answer it through `respond`/`answer`."""

    def ack_received(self, ack: Request, source: Peer, now: float) -> None:
        """An ACK for a 2xx this endpoint sent (or one it cannot place)."""

    def invite_cancelled(self, transaction: InviteServerTransaction, now: float) -> None:
        """The caller cancelled a pending INVITE; it has been answered with 487."""

    def answer_timed_out(self, dialog: DialogId, now: float) -> None:
        """A 2xx this endpoint sent was never acknowledged (§13.3.1.4: end the dialog)."""


@dataclass(slots=True)
class _Sent:
    """An ACK for a 2xx, kept to answer retransmissions of that 2xx, or a 2xx kept to answer
    late copies of its INVITE."""

    data: bytes
    peer: Peer
    until: float
    key: object = None


@dataclass(frozen=True, slots=True)
class EndpointStats:
    received: int
    malformed: int
    sent: int
    transactions: int


class Endpoint:
    """One SIP endpoint: a local address, its transactions, and the user above them."""

    def __init__(self, local: Peer, user: EndpointUser, *, user_agent: str = "Hotline",
                 screen: Callable[[Request, Peer, float], bool] | None = None) -> None:
        self.local = local
        self.user = user
        self.user_agent = user_agent
        self._screen = screen
        self._table = TransactionTable()
        self._outbox: list[Datagram] = []
        self._peer_of: dict[int, Peer] = {}
        self._tags: dict[int, str] = {}
        self._handlers: dict[int, ResponseHandler] = {}
        self._answers: dict[DialogId, tuple[AnswerRetransmission, Peer]] = {}
        self._acks: dict[DialogId, _Sent] = {}
        self._answered: dict[tuple[str, str, str, int], _Sent] = {}
        self._heap: list[tuple[float, int, object]] = []
        self._order = itertools.count()
        self.received = 0
        self.malformed = 0
        self.sent = 0

    # -- the transport side ---------------------------------------------------------------------

    def take_output(self) -> list[Datagram]:
        """What to send now, in order; the outbox is empty afterwards."""
        out, self._outbox = self._outbox, []
        return out

    def receive(self, data: bytes, source: Peer, now: float) -> None:
        """A datagram (or one framed TCP message) from `source`."""
        if not data.strip(b"\r\n \t"):
            return  # a keep-alive (RFC 5626 §4.4.1)
        try:
            message: Message | SipParseError = parse(data)
        except SipParseError as error:
            message = error
        self.receive_parsed(message, source, now)

    def receive_parsed(self, message: Message | SipParseError, source: Peer, now: float) -> None:
        """A message already parsed (or refused by the parser) — what a stream transport's
        framer hands out."""
        self.received += 1
        if isinstance(message, SipParseError):
            error = message
            self.malformed += 1
            reply = bad_request_for(error, to_tag=_tag())
            if reply is not None:
                self._emit(serialize(reply), source)
            return
        try:
            if isinstance(message, Response):
                self._receive_response(message, now)
            else:
                self._receive_request(message, source, now)
        except (SipSyntaxError, TransactionError):
            # Parsed, but a header the transaction layer needs (Via, CSeq) is unusable:
            # answered with 400 where possible, else dropped — never an exception out.
            self.malformed += 1
            if isinstance(message, Request) and message.method != "ACK":
                self._try_reply(message, 400, source)

    def send_failed(self, datagram: Datagram, now: float) -> None:
        """The transport could not deliver `datagram` (a connection refused, reset or timed
        out): its transaction, if it is still alive, fails with a transport error, which a
        client transaction reports to its user as a 503 at once (§8.1.3.1, §17.1.4) rather
        than after Timer B or F. A datagram no transaction sent (an ACK for a 2xx, a
        stateless reply) has no one to tell."""
        transaction = datagram.origin
        if transaction is None or transaction.terminated:
            return
        if self._peer_of.get(id(transaction)) != datagram.peer:
            return  # not (or no longer) this endpoint's transaction to that peer
        self._perform(transaction, transaction.handle(TransportFailed(), now), now)

    def next_timer(self) -> float | None:
        """The earliest time `fire` has something to do."""
        return self._heap[0][0] if self._heap else None

    def fire(self, now: float) -> None:
        """Run every timer due at `now`."""
        while self._heap and self._heap[0][0] <= now:
            _, _, owner = heapq.heappop(self._heap)
            if isinstance(owner, Transaction):
                due = owner.next_timer()
                if due is not None and due <= now:
                    self._perform(owner, owner.handle(TimerFired(), now), now)
                else:
                    self._arm(owner)
            elif isinstance(owner, AnswerRetransmission):
                self._fire_answer(owner, now)
            elif isinstance(owner, _Sent):
                self._expire(owner, now)

    @property
    def stats(self) -> EndpointStats:
        return EndpointStats(self.received, self.malformed, self.sent, len(self._table))

    # -- the user side: sending ------------------------------------------------------------------

    def via(self, transport: str | None = None) -> Via:
        """A Via for a request leaving this endpoint over `transport` (the local default when
        None), with a fresh branch and rport (RFC 3581). The transport must be the one the
        request goes out on (§18.1.1): the next hop answers a request that came over TCP
        on TCP, and a Via saying UDP on a TCP request is a mismatch strict peers refuse."""
        return Via((transport or self.local.transport).upper(), self.local.host,
                   self.local.port, (("branch", new_branch()), ("rport", None)))

    def send_request(self, request: Request, destination: Peer, now: float,
                     on_response: ResponseHandler) -> ClientTransaction:
        """Send `request` in a new client transaction; a top Via is added when it has none.
        Every response is passed to `on_response`; a timeout comes as a 408 and a transport
        failure as a 503, each made here (§8.1.3.1)."""
        if not request.headers.get_all("Via"):
            request.headers.set("Via", str(self.via(destination.transport)))
        if "User-Agent" not in request.headers:
            request.headers.add("User-Agent", self.user_agent)
        transaction = client_transaction(request, timers_for(destination.transport))
        self._table.add(transaction)
        self._peer_of[id(transaction)] = destination
        self._handlers[id(transaction)] = on_response
        self._perform(transaction, transaction.handle(Start(), now), now)
        return transaction

    def cancel(self, invite: ClientTransaction, now: float) -> None:
        """CANCEL a pending INVITE this endpoint sent (§9.1); its 487 reaches the INVITE's
        handler, the CANCEL's own response is not passed up."""
        destination = self._peer_of.get(id(invite))
        if destination is None or invite.terminated:
            return
        self.send_request(make_cancel(invite.request), destination, now, _ignore)

    def send_ack(self, ack: Request, destination: Peer, now: float) -> None:
        """Send the ACK for a 2xx (no transaction, §13.2.2.4) and keep it for retransmitted
        copies of that 2xx."""
        data = serialize(ack)
        key = dialog_id_of(ack)
        self._emit(data, destination)
        if key is not None:
            kept = _Sent(data, destination, now + 64 * timers_for(destination.transport).t1, key)
            self._acks[key] = kept
            self._push(kept.until, kept)

    def respond(self, transaction: ServerTransaction, response: Response, now: float) -> None:
        """Send a response through `transaction` (for a 2xx to an INVITE use `answer`)."""
        if transaction.terminated:
            return
        if "Server" not in response.headers and response.status >= 200:
            response.headers.add("Server", self.user_agent)
        self._perform(transaction, transaction.handle(FromUser(response), now), now)

    def answer(self, transaction: InviteServerTransaction, response: Response, now: float) -> None:
        """Send a 2xx to an INVITE and resend it until the ACK comes (§13.3.1.4)."""
        source = self._peer_of.get(id(transaction))
        key = _answer_key(response)
        if source is None or key is None:
            raise TransactionError("answer() needs a live INVITE transaction and a tagged 2xx")
        if "Server" not in response.headers:
            response.headers.add("Server", self.user_agent)
        self._perform(transaction, transaction.handle(FromUser(response), now), now)
        timers = timers_for(source.transport)
        retransmission = AnswerRetransmission(response, timers)
        retransmission.handle(Start(), now)  # the transaction has just sent it once
        # Resent only over an unreliable transport, but on every transport the dialog ends
        # when no ACK has come in 64*T1 (`answer_timed_out`).
        self._answers[key] = (retransmission, source)
        self._arm(retransmission)
        request = transaction.request
        copy_key = _invite_key(request)
        if copy_key is not None:
            kept = _Sent(serialize(response), source, now + 64 * timers.t1, copy_key)
            self._answered[copy_key] = kept
            self._push(kept.until, kept)

    def local_tag(self, transaction: ServerTransaction) -> str:
        """The To tag for every response to `transaction` (the same one on the 487 that a
        CANCEL brings as on the 180 before it)."""
        tag = self._tags.get(id(transaction))
        if tag is None:
            tag = self._tags[id(transaction)] = _tag()
        return tag

    def send_response_statelessly(self, request: Request, response: Response, peer: Peer) -> None:
        """Send a response with no transaction (a flood answered cheaply, a scanner)."""
        self._emit(serialize(response), peer)

    # -- receiving ---------------------------------------------------------------------------------

    def _receive_response(self, response: Response, now: float) -> None:
        route = self._table.route_response(response)
        if isinstance(route, StrayResponse):
            key = dialog_id_of(response)
            cseq = response.headers.cseq()
            if (key is not None and 200 <= response.status < 300 and cseq is not None
                    and cseq.method == "INVITE" and key in self._acks):
                kept = self._acks[key]
                self._emit(kept.data, kept.peer)
            return
        self._perform(route, route.handle(FromNetwork(response), now), now)

    def _receive_request(self, request: Request, source: Peer, now: float) -> None:
        if self._screen is not None and not self._screen(request, source, now):
            return
        found = self._table.route_request(request)
        if not isinstance(found, NewRequest):
            self._perform(found, found.handle(FromNetwork(request), now), now)
            return
        if request.method == "ACK":
            key = dialog_id_of(request)
            pending = self._answers.pop(key, None) if key is not None else None
            if pending is not None:
                pending[0].handle(FromNetwork(request), now)
            self.user.ack_received(request, source, now)
            return
        if request.method == "INVITE":
            copy_key = _invite_key(request)
            kept = self._answered.get(copy_key) if copy_key is not None else None
            if kept is not None:
                # A late copy of an INVITE already answered: its transaction ended with the
                # 2xx (§17.2.1), so the UAS core sends that 2xx again.
                self._emit(kept.data, source)
                return
        transaction = server_transaction(request, timers_for(source.transport))
        self._table.add(transaction)
        self._peer_of[id(transaction)] = source
        self._perform(transaction, transaction.handle(Start(), now), now)

    def _deliver_request(self, transaction: ServerTransaction, request: Request,
                         now: float) -> None:
        source = self._peer_of[id(transaction)]
        if request.method == "CANCEL":
            invite = self._table.invite_for_cancel(request)
            tag = self.local_tag(invite) if invite is not None else _tag()
            to_cancel, to_invite = answer_cancel(request, invite, to_tag=tag)
            self.respond(transaction, to_cancel, now)
            if invite is not None and to_invite is not None:
                self.respond(invite, to_invite, now)
                self.user.invite_cancelled(invite, now)
            return
        self.user.request_received(request, transaction, source, now)

    # -- carrying out what machines say ------------------------------------------------------------

    def _perform(self, transaction: Transaction, outputs: list[Output], now: float) -> None:
        peer = self._peer_of.get(id(transaction))
        for output in outputs:
            if isinstance(output, Send):
                if peer is not None:
                    self._emit(serialize(output.message), peer, transaction)
            elif isinstance(output, Deliver):
                message = output.message
                if isinstance(message, Response):
                    self._handler(transaction)(message, now)
                else:
                    assert isinstance(transaction, ServerTransaction)
                    self._deliver_request(transaction, message, now)
            elif isinstance(output, TimedOut | TransportError):
                if isinstance(transaction, ClientTransaction):
                    status = 408 if isinstance(output, TimedOut) else 503
                    self._handler(transaction)(make_response(transaction.request, status), now)
            elif isinstance(output, Terminated):
                self._table.remove(transaction)
                self._peer_of.pop(id(transaction), None)
                self._handlers.pop(id(transaction), None)
                self._tags.pop(id(transaction), None)
        if not transaction.terminated:
            self._arm(transaction)

    def _handler(self, transaction: Transaction) -> ResponseHandler:
        return self._handlers.get(id(transaction), _ignore)

    def _fire_answer(self, retransmission: AnswerRetransmission, now: float) -> None:
        key = _answer_key(retransmission.response)
        if key is None or key not in self._answers:
            return
        due = retransmission.next_timer()
        if due is None or due > now:
            self._arm(retransmission)
            return
        peer = self._answers[key][1]
        for output in retransmission.handle(TimerFired(), now):
            if isinstance(output, Send):
                self._emit(serialize(output.message), peer)
            elif isinstance(output, TimedOut):
                del self._answers[key]
                self.user.answer_timed_out(key, now)
        if not retransmission.terminated:
            self._arm(retransmission)
        else:
            self._answers.pop(key, None)

    def _expire(self, kept: _Sent, now: float) -> None:
        if isinstance(kept.key, DialogId):
            if self._acks.get(kept.key) is kept:
                del self._acks[kept.key]
        elif isinstance(kept.key, tuple) and self._answered.get(kept.key) is kept:
            del self._answered[kept.key]

    def _arm(self, owner: Transaction | AnswerRetransmission) -> None:
        due = owner.next_timer()
        if due is not None:
            self._push(due, owner)

    def _push(self, due: float, owner: object) -> None:
        heapq.heappush(self._heap, (due, next(self._order), owner))

    def _emit(self, data: bytes, peer: Peer, origin: Transaction | None = None) -> None:
        self.sent += 1
        self._outbox.append(Datagram(data, peer, origin))

    def _try_reply(self, request: Request, status: int, source: Peer) -> None:
        try:
            reply = make_response(request, status, to_tag=_tag())
        except SipSyntaxError:
            return
        self._emit(serialize(reply), source)


def _ignore(response: Response, now: float) -> None:
    """The handler for requests whose responses nobody needs (CANCEL)."""


def _tag() -> str:
    return secrets.token_hex(6)


def _answer_key(response: Response) -> DialogId | None:
    """The dialog of a 2xx this endpoint sends as its UAS: local tag the To tag, remote the
    From tag — the id its ACK (`dialog_id_of` of an incoming request) and the user's
    `Dialog.as_uas` have. (`dialog_id_of` reads a response as the UAC receiving it.)"""
    key = dialog_id_of(response)
    return None if key is None else DialogId(key.call_id, key.remote_tag, key.local_tag)


def _invite_key(request: Request) -> tuple[str, str, str, int] | None:
    """What identifies copies of one INVITE: Call-ID, From tag, top branch, CSeq number."""
    try:
        sender = request.headers.from_address()
        cseq = request.headers.cseq()
        via = request.headers.via()
    except SipSyntaxError:
        return None
    call_id = request.headers.call_id()
    if sender is None or cseq is None or via is None or call_id is None:
        return None
    return call_id, sender.tag or "", via.branch or "", cseq.number


__all__ = [
    "Datagram",
    "Endpoint",
    "EndpointStats",
    "EndpointUser",
    "Peer",
    "ResponseHandler",
    "Timers",
]
