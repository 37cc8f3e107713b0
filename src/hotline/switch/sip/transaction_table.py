"""Matching messages to transactions (RFC 3261 §17.1.3, §17.2.3).

A response belongs to the client transaction whose request had the same top Via `branch`
and the same CSeq method (§17.1.3); the method matters because a CANCEL shares its INVITE's
branch. A response that matches nothing is a *stray response*: for an INVITE it may be a
retransmitted 2xx, which the UA core answers with the ACK again (§13.2.2.4).

A request belongs to the server transaction whose request had the same branch, the same
sent-by in the top Via and the same method — where an ACK counts as the INVITE it acknowledges
(§17.2.3). So an INVITE retransmission and the ACK for a non-2xx response go to the INVITE's
transaction, while a CANCEL, with the INVITE's branch but its own method, gets a transaction
of its own; `invite_for_cancel` finds the INVITE it is about. A request that matches nothing
is a *new request* for the UA core — including the ACK for a 2xx, which has a branch of its own.

Branches without the magic cookie come from RFC 2543 peers; for those the request is keyed,
as §17.2.3 suggests, on Request-URI, From tag, Call-ID, CSeq number and top Via (the To tag
is left out, as the ACK's differs from the INVITE's).

`TransactionTable` also gathers the machines' timers, so a runner only has to watch one
deadline: `next_timer()`, then `fire_timers(now)`.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from .client_transaction import ClientTransaction
from .message import Request, Response
from .server_transaction import InviteServerTransaction, ServerTransaction
from .syntax import SipSyntaxError
from .transaction import MAGIC_COOKIE, Output, TimerFired, Transaction, TransactionError

ClientKey = tuple[str, str]
ServerKey = tuple[str, ...]


@dataclass(frozen=True, slots=True)
class NewRequest:
    """No server transaction matches: the request is for the UA core."""

    request: Request


@dataclass(frozen=True, slots=True)
class StrayResponse:
    """No client transaction matches the response."""

    response: Response


def client_key(message: Request | Response) -> ClientKey:
    """Top Via branch and CSeq method (§17.1.3)."""
    try:
        via = message.headers.via()
        cseq = message.headers.cseq()
    except SipSyntaxError as error:
        raise TransactionError(f"cannot match a message with a bad Via or CSeq: {error}") from None
    if via is None or via.branch is None or cseq is None:
        raise TransactionError("cannot match a message without a Via branch and a CSeq")
    return via.branch, cseq.method


def server_key(request: Request) -> ServerKey:
    """Branch, sent-by and method with ACK as INVITE (§17.2.3); the RFC 2543 key otherwise."""
    try:
        via = request.headers.via()
        cseq = request.headers.cseq()
        sender = request.headers.from_address()
    except SipSyntaxError as error:
        raise TransactionError(f"cannot match a request with a bad header: {error}") from None
    if via is None or cseq is None:
        raise TransactionError("cannot match a request without a Via and a CSeq")
    method = "INVITE" if request.method == "ACK" else request.method
    branch = via.branch
    if branch is not None and branch.startswith(MAGIC_COOKIE):
        return branch, via.sent_by.lower(), method
    return (
        "rfc2543",
        str(request.uri),
        (sender.tag if sender is not None else None) or "",
        request.headers.call_id() or "",
        str(cseq.number),
        str(via),
        method,
    )


class TransactionTable:
    """The live transactions of one endpoint, found by the keys of §17.1.3 and §17.2.3."""

    def __init__(self) -> None:
        self._clients: dict[ClientKey, ClientTransaction] = {}
        self._servers: dict[ServerKey, ServerTransaction] = {}

    def add(self, transaction: Transaction) -> None:
        """Register a transaction; its key must not be taken by a live one."""
        if isinstance(transaction, ClientTransaction):
            key = client_key(transaction.request)
            self._check_free(self._clients.get(key), key)
            self._clients[key] = transaction
        elif isinstance(transaction, ServerTransaction):
            server = server_key(transaction.request)
            self._check_free(self._servers.get(server), server)
            self._servers[server] = transaction
        else:
            raise TransactionError(f"not a transaction: {transaction!r}")

    def remove(self, transaction: Transaction) -> None:
        """Forget a transaction (normally once it output `Terminated`)."""
        if isinstance(transaction, ClientTransaction):
            key = client_key(transaction.request)
            if self._clients.get(key) is transaction:
                del self._clients[key]
        elif isinstance(transaction, ServerTransaction):
            server = server_key(transaction.request)
            if self._servers.get(server) is transaction:
                del self._servers[server]

    def route_request(self, request: Request) -> ServerTransaction | NewRequest:
        """The server transaction a received request belongs to, or `NewRequest`."""
        found = self._servers.get(server_key(request))
        return NewRequest(request) if found is None else found

    def route_response(self, response: Response) -> ClientTransaction | StrayResponse:
        """The client transaction a received response belongs to, or `StrayResponse`."""
        try:
            found = self._clients.get(client_key(response))
        except TransactionError:
            return StrayResponse(response)
        return StrayResponse(response) if found is None else found

    def invite_for_cancel(self, cancel: Request) -> InviteServerTransaction | None:
        """The INVITE server transaction a CANCEL refers to (§9.2), if it is still here."""
        key = server_key(cancel)
        found = self._servers.get((*key[:-1], "INVITE"))
        return found if isinstance(found, InviteServerTransaction) else None

    def next_timer(self) -> float | None:
        """The earliest deadline of any transaction."""
        deadlines = [t for tx in self for t in [tx.next_timer()] if t is not None]
        return min(deadlines, default=None)

    def fire_timers(self, now: float) -> list[tuple[Transaction, list[Output]]]:
        """Fire every due timer; terminated transactions are removed. Returns who said what."""
        results: list[tuple[Transaction, list[Output]]] = []
        for transaction in list(self):
            deadline = transaction.next_timer()
            if deadline is not None and deadline <= now:
                results.append((transaction, transaction.handle(TimerFired(), now)))
            if transaction.terminated:
                self.remove(transaction)
        return results

    def __iter__(self) -> Iterator[Transaction]:
        yield from list(self._clients.values())
        yield from list(self._servers.values())

    def __len__(self) -> int:
        return len(self._clients) + len(self._servers)

    @staticmethod
    def _check_free(existing: Transaction | None, key: tuple[str, ...]) -> None:
        if existing is not None and not existing.terminated:
            raise TransactionError(f"a live transaction already has the key {key}")
