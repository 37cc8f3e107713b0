"""Two minimal user agents wired back to back in memory, over virtual time (test helper).

`Phone` is just enough of a UA core (RFC 3261 §8, §13, §15) to drive the transaction and
dialog layers the way the real one will: it routes messages through a `TransactionTable`,
creates dialogs from INVITE responses, ACKs 2xx (again for each retransmitted 2xx), keeps
its own 2xx alive until ACKed, answers BYE and CANCEL. `Network` carries messages between two
phones with a fixed latency and a pluggable loss/duplication policy, and runs everything in
time order with no real clock.
"""

from __future__ import annotations

import heapq
import itertools
from collections.abc import Callable
from dataclasses import dataclass, field

from hotline.switch.sip import Headers, Message, Request, Response, SipUri, Via, make_response
from hotline.switch.sip.answer import AnswerRetransmission
from hotline.switch.sip.client_transaction import (
    ClientTransaction,
    InviteClientTransaction,
    client_transaction,
    make_cancel,
)
from hotline.switch.sip.dialog import Dialog, DialogId, dialog_id_of
from hotline.switch.sip.server_transaction import (
    InviteServerTransaction,
    ServerTransaction,
    answer_cancel,
    server_transaction,
)
from hotline.switch.sip.timers import Timers
from hotline.switch.sip.transaction import (
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
    new_branch,
)
from hotline.switch.sip.transaction_table import NewRequest, StrayResponse, TransactionTable

Policy = Callable[[Message, float], int]
"""How many copies of a message the network delivers (0 = lost, 2 = duplicated)."""


def deliver_once(message: Message, now: float) -> int:
    """A perfect network."""
    return 1


@dataclass
class Phone:
    """A toy UA: one line, auto-ringing, answering when told to."""

    name: str
    network: Network
    timers: Timers
    table: TransactionTable = field(default_factory=TransactionTable)
    dialogs: dict[DialogId, Dialog] = field(default_factory=dict)
    answers: dict[DialogId, AnswerRetransmission] = field(default_factory=dict)
    acks: dict[DialogId, Request] = field(default_factory=dict)
    delivered: list[Message] = field(default_factory=list)
    sent: list[Message] = field(default_factory=list)
    timeouts: list[Transaction] = field(default_factory=list)
    incoming: InviteServerTransaction | None = None
    outgoing: InviteClientTransaction | None = None
    started: dict[int, float] = field(default_factory=dict)
    ended: dict[int, float] = field(default_factory=dict)
    every_transaction: list[Transaction] = field(default_factory=list)
    answered: dict[tuple[str | None, str | None], Response] = field(default_factory=dict)
    tag: str = ""

    def __post_init__(self) -> None:
        self.tag = f"{self.name}-tag"
        self.uri = SipUri(f"{self.name}.example", user=self.name, port=5060)

    def via(self) -> Via:
        """A Via for this hop with a fresh branch."""
        return Via("UDP", f"{self.name}.example", 5060, (("branch", new_branch()),))

    # Acting as the TU ----------------------------------------------------------------------

    def call(self, callee: Phone, now: float) -> InviteClientTransaction:
        """Send an INVITE to `callee`."""
        headers = Headers()
        headers.add("Via", str(self.via()))
        headers.add("Max-Forwards", "70")
        headers.add("From", f"<{self.uri}>;tag={self.tag}")
        headers.add("To", f"<{callee.uri}>")
        headers.add("Call-ID", f"call-{self.name}@example")
        headers.add("CSeq", "1 INVITE")
        headers.add("Contact", f"<{self.uri}>")
        transaction = self._client(Request("INVITE", callee.uri, headers), now)
        assert isinstance(transaction, InviteClientTransaction)
        self.outgoing = transaction
        return transaction

    def answer(self, status: int, now: float) -> None:
        """Answer the ringing INVITE with `status`."""
        assert self.incoming is not None
        invite = self.incoming.request
        extra = [("Contact", f"<{self.uri}>")] if status < 300 else []
        response = make_response(invite, status, to_tag=self.tag, headers=extra)
        self.answered[_call_key(invite)] = response
        if 200 <= status < 300:
            dialog = self._dialog_for_uas(invite, response)
            dialog.confirm()
            retransmission = AnswerRetransmission(response, self.timers)
            self.answers[dialog.id] = retransmission
            self._perform(self.incoming, self.incoming.handle(FromUser(response), now), now)
            # The transaction has just sent the 2xx once; from now on the core repeats it.
            self._perform(None, retransmission.handle(Start(), now)[1:], now)
        else:
            self._perform(self.incoming, self.incoming.handle(FromUser(response), now), now)

    def hang_up(self, now: float) -> ClientTransaction:
        """Send BYE in the (only) dialog."""
        (dialog,) = self.dialogs.values()
        return self._client(dialog.create_request("BYE", self.via()), now)

    def cancel(self, now: float) -> ClientTransaction:
        """CANCEL the outgoing INVITE."""
        assert self.outgoing is not None
        return self._client(make_cancel(self.outgoing.request), now)

    # Receiving -----------------------------------------------------------------------------

    def receive(self, message: Message, now: float) -> None:
        """A message from the network."""
        if isinstance(message, Response):
            route = self.table.route_response(message)
            if isinstance(route, StrayResponse):
                self._stray(message, now)
            else:
                self._perform(route, route.handle(FromNetwork(message), now), now)
            return
        found = self.table.route_request(message)
        if not isinstance(found, NewRequest):
            self._perform(found, found.handle(FromNetwork(message), now), now)
        elif message.method == "ACK":
            self._ack_received(message, now)
        else:
            transaction = server_transaction(message, self.timers)
            self._track(transaction, now)
            self._perform(transaction, transaction.handle(Start(), now), now)

    def next_timer(self) -> float | None:
        """The earliest deadline of any machine of this phone."""
        times = [self.table.next_timer()]
        times += [answer.next_timer() for answer in self.answers.values()]
        return min((t for t in times if t is not None), default=None)

    def fire(self, now: float) -> None:
        """Fire whatever is due."""
        for transaction, outputs in self.table.fire_timers(now):
            self._perform(transaction, outputs, now)
        for retransmission in list(self.answers.values()):
            due = retransmission.next_timer()
            if due is not None and due <= now:
                self._perform(None, retransmission.handle(TimerFired(), now), now)

    # The UA core ---------------------------------------------------------------------------

    def _client(self, request: Request, now: float) -> ClientTransaction:
        transaction = client_transaction(request, self.timers)
        self._track(transaction, now)
        self._perform(transaction, transaction.handle(Start(), now), now)
        return transaction

    def _track(self, transaction: Transaction, now: float) -> None:
        self.table.add(transaction)
        self.every_transaction.append(transaction)
        self.started[id(transaction)] = now

    def _perform(self, source: Transaction | None, outputs: list[Output], now: float) -> None:
        for output in outputs:
            if isinstance(output, Send):
                self.sent.append(output.message)
                self.network.send(self, output.message, now)
            elif isinstance(output, Deliver):
                self.delivered.append(output.message)
                self._to_user(source, output.message, now)
            elif isinstance(output, TimedOut) and source is not None:
                self.timeouts.append(source)
            elif isinstance(output, Terminated) and source is not None:
                self.ended[id(source)] = now
                self.table.remove(source)

    def _to_user(self, source: Transaction | None, message: Message, now: float) -> None:
        if isinstance(message, Response):
            assert source is not None
            self._response_to_user(source.request, message, now)
            return
        assert isinstance(source, ServerTransaction)
        if message.method == "INVITE" and _call_key(message) in self.answered:
            # A late copy of an INVITE already answered (its transaction ended with the 2xx,
            # §17.2.1): the UAS core repeats its answer instead of ringing again.
            final = self.answered[_call_key(message)]
            self._perform(source, source.handle(FromUser(final), now), now)
        elif message.method == "INVITE":
            assert isinstance(source, InviteServerTransaction)
            self.incoming = source
            contact = [("Contact", f"<{self.uri}>")]
            ringing = make_response(message, 180, to_tag=self.tag, headers=contact)
            self._perform(source, source.handle(FromUser(ringing), now), now)
        elif message.method == "CANCEL":
            invite = self.table.invite_for_cancel(message)
            to_cancel, to_invite = answer_cancel(message, invite, to_tag=self.tag)
            self._perform(source, source.handle(FromUser(to_cancel), now), now)
            if invite is not None and to_invite is not None:
                self._perform(invite, invite.handle(FromUser(to_invite), now), now)
        else:
            dialog = self.dialogs.get(dialog_id_of(message) or DialogId("", "", ""))
            verdict = None if dialog is not None else make_response(message, 481)
            if dialog is not None:
                verdict = dialog.receive_request(message)
            reply = verdict or make_response(message, 200)
            self._perform(source, source.handle(FromUser(reply), now), now)

    def _response_to_user(self, request: Request, response: Response, now: float) -> None:
        key = dialog_id_of(response)
        if request.method == "INVITE" and key is not None and response.status < 300:
            dialog = self.dialogs.get(key)
            if dialog is None:
                dialog = self.dialogs[key] = Dialog.as_uac(request, response)
            else:
                dialog.receive_response(request, response)
            if response.status >= 200:
                ack = self.acks[key] = dialog.create_ack(self.via())
                self.sent.append(ack)
                self.network.send(self, ack, now)
        elif key is not None and key in self.dialogs:
            self.dialogs[key].receive_response(request, response)

    def _stray(self, response: Response, now: float) -> None:
        key = dialog_id_of(response)
        if key is not None and key in self.acks and 200 <= response.status < 300:
            self.sent.append(self.acks[key])
            self.network.send(self, self.acks[key], now)

    def _ack_received(self, ack: Request, now: float) -> None:
        key = dialog_id_of(ack)
        if key is not None and key in self.answers:
            self.delivered.append(ack)
            self._perform(None, self.answers.pop(key).handle(FromNetwork(ack), now), now)

    def _dialog_for_uas(self, invite: Request, response: Response) -> Dialog:
        dialog = Dialog.as_uas(invite, response)
        return self.dialogs.setdefault(dialog.id, dialog)


def _call_key(request: Request) -> tuple[str | None, str | None]:
    return request.headers.call_id(), request.headers.get("CSeq")


@dataclass
class Network:
    """Carries messages between two phones with `latency` seconds of delay."""

    latency: float = 0.01
    policy: Policy = deliver_once
    lateness: float = 0.0
    """How late timers are fired after their deadline (a busy event loop)."""
    now: float = 0.0
    phones: list[Phone] = field(default_factory=list)
    _queue: list[tuple[float, int, int, Message]] = field(default_factory=list)
    _order: itertools.count[int] = field(default_factory=itertools.count)

    def phone(self, name: str, timers: Timers) -> Phone:
        """A phone attached to this network."""
        phone = Phone(name, self, timers)
        self.phones.append(phone)
        return phone

    def send(self, sender: Phone, message: Message, now: float) -> None:
        """Queue `message` for the other phone, as many times as the policy says."""
        receiver = 1 - self.phones.index(sender)
        for copy in range(self.policy(message, now)):
            at = now + self.latency * (1 + copy)
            heapq.heappush(self._queue, (at, next(self._order), receiver, message))

    def run(self, until: float) -> None:
        """Process deliveries and timers in time order, then let virtual time reach `until`
        (also when nothing is left to do: a caller polling `run(until=now + step)` must see
        time pass). A machine whose timer stays due after it fired would spin here at one
        instant for ever: that fails, naming the deadlines."""
        stuck = 0
        while True:
            candidates = [(self._queue[0][0], 0)] if self._queue else []
            for index, phone in enumerate(self.phones):
                deadline = phone.next_timer()
                if deadline is not None:
                    candidates.append((deadline + self.lateness, index + 1))
            if not candidates or min(candidates)[0] > until:
                self.now = max(self.now, until)
                return
            at, which = min(candidates)
            stuck = stuck + 1 if at <= self.now else 0
            if stuck > 100_000:
                raise AssertionError(f"no progress at t={self.now}: "
                                     f"{[phone.next_timer() for phone in self.phones]}")
            self.now = max(self.now, at)
            if which == 0:
                _, _, receiver, message = heapq.heappop(self._queue)
                self.phones[receiver].receive(message, self.now)
            else:
                self.phones[which - 1].fire(self.now)
