"""`SipTransport` over real sockets on 127.0.0.1: SIP over TCP, and what happens when a TCP
connection cannot be made.

A connection refused (or not up within the connect timeout) must reach the transaction that
wanted it sent as a transport error — the user sees a 503 at once (RFC 3261 §8.1.3.1,
§17.1.4) — not be logged and left to Timer B (32 s).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import socket
import time

import pytest

from hotline.switch.sip import Headers, Request, Response, SipUri
from hotline.switch.sip.endpoint import Endpoint, Peer
from hotline.switch.sip.message import make_response
from hotline.switch.sip.server_transaction import InviteServerTransaction, ServerTransaction
from hotline.switch.sip.transport import SipTransport

HOST = "127.0.0.1"


class _User:
    """Answers every request with 200 and remembers what came."""

    def __init__(self) -> None:
        self.endpoint: Endpoint | None = None
        self.requests: list[tuple[Request, Peer]] = []

    def request_received(self, request: Request, transaction: ServerTransaction, source: Peer,
                         now: float) -> None:
        self.requests.append((request, source))
        assert self.endpoint is not None
        self.endpoint.respond(transaction, make_response(request, 200, to_tag="t"), now)

    def ack_received(self, ack: Request, source: Peer, now: float) -> None:
        pass

    def invite_cancelled(self, transaction: InviteServerTransaction, now: float) -> None:
        pass

    def answer_timed_out(self, dialog: object, now: float) -> None:
        pass


def _closed_tcp_port() -> int:
    """A TCP port on 127.0.0.1 that nobody listens on (bound, then released)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((HOST, 0))
        port: int = sock.getsockname()[1]
    return port


def _request(method: str, port: int) -> Request:
    headers = Headers()
    headers.add("Max-Forwards", "70")
    headers.add("From", "<sip:hotline@127.0.0.1>;tag=abc")
    headers.add("To", f"<sip:1001@127.0.0.1:{port}>")
    headers.add("Call-ID", f"{method.lower()}-{port}@hotline")
    headers.add("CSeq", f"1 {method}")
    headers.add("Contact", "<sip:hotline@127.0.0.1;transport=tcp>")
    if method == "INVITE":
        headers.add("Content-Type", "application/sdp")
    return Request(method, SipUri(HOST, user="1001", port=port, params=(("transport", "tcp"),)),
                   headers)


async def _started() -> tuple[Endpoint, SipTransport, _User]:
    user = _User()
    endpoint = Endpoint(Peer(HOST, 0), user)
    user.endpoint = endpoint
    transport = SipTransport(endpoint)
    await transport.start()
    return endpoint, transport, user


async def _send_and_wait(endpoint: Endpoint, transport: SipTransport, request: Request,
                         peer: Peer, timeout: float) -> tuple[list[int], float]:
    """Send `request` to `peer`; the final status and how long it took to come."""
    loop = asyncio.get_running_loop()
    final: asyncio.Future[int] = loop.create_future()
    statuses: list[int] = []

    def on_response(response: Response, now: float) -> None:
        statuses.append(response.status)
        if response.status >= 200 and not final.done():
            final.set_result(response.status)

    started = time.monotonic()
    endpoint.send_request(request, peer, transport.now(), on_response)
    transport.poke()
    await asyncio.wait_for(final, timeout)
    return statuses, time.monotonic() - started


def test_an_invite_to_a_closed_tcp_port_ends_with_503_at_once() -> None:
    async def main() -> tuple[list[int], float, int]:
        endpoint, transport, _ = await _started()
        try:
            port = _closed_tcp_port()
            statuses, took = await _send_and_wait(
                endpoint, transport, _request("INVITE", port), Peer(HOST, port, "TCP"), 5.0)
            return statuses, took, endpoint.stats.transactions
        finally:
            await transport.close()

    statuses, took, transactions = asyncio.run(main())
    assert statuses == [503]
    assert took < 2.0  # Timer B is 32 s
    assert transactions == 0


def test_requests_queued_for_one_failed_connection_all_fail() -> None:
    async def main() -> list[list[int]]:
        endpoint, transport, _ = await _started()
        try:
            port = _closed_tcp_port()
            peer = Peer(HOST, port, "TCP")
            results = await asyncio.gather(
                _send_and_wait(endpoint, transport, _request("OPTIONS", port), peer, 5.0),
                _send_and_wait(endpoint, transport, _request("INVITE", port), peer, 5.0))
            return [statuses for statuses, _ in results]
        finally:
            await transport.close()

    assert asyncio.run(main()) == [[503], [503]]


def test_a_connect_that_does_not_complete_in_time_fails_the_transaction(
    caplog: pytest.LogCaptureFixture,
) -> None:
    async def main() -> tuple[list[int], float]:
        endpoint, transport, _ = await _started()
        transport.connect_timeout = 0.2
        # A listener with a full backlog that never accepts: connects hang (SYNs dropped).
        listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        listener.bind((HOST, 0))
        listener.listen(0)
        port = listener.getsockname()[1]
        fillers = []
        try:
            for _ in range(8):
                filler = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
                filler.setblocking(False)
                with contextlib.suppress(BlockingIOError):
                    filler.connect((HOST, port))
                fillers.append(filler)
            return await _send_and_wait(endpoint, transport, _request("OPTIONS", port),
                                        Peer(HOST, port, "TCP"), 5.0)
        finally:
            for filler in fillers:
                filler.close()
            listener.close()
            await transport.close()

    with caplog.at_level(logging.WARNING, logger="hotline.sip"):
        statuses, took = asyncio.run(main())
    assert statuses == [503]
    assert took < 2.0
    assert "no connection within 0.2 s" in caplog.text


def test_two_endpoints_talk_over_tcp_and_the_answer_comes_back_on_the_connection() -> None:
    async def main() -> tuple[list[int], str, str]:
        client, client_transport, _ = await _started()
        server, server_transport, server_user = await _started()
        try:
            port = server.local.port
            statuses, _ = await _send_and_wait(
                client, client_transport, _request("OPTIONS", port), Peer(HOST, port, "TCP"),
                5.0)
            request, source = server_user.requests[0]
            via = request.headers.via()
            return statuses, via.transport if via else "", source.transport
        finally:
            await client_transport.close()
            await server_transport.close()

    statuses, via_transport, source_transport = asyncio.run(main())
    assert statuses == [200]
    assert via_transport == "TCP"
    assert source_transport == "TCP"
