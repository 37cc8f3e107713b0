"""The asyncio shell around an `Endpoint`: UDP and TCP sockets, and its timers on the loop.

`SipTransport` binds a UDP socket and a TCP listener on one port, feeds what arrives to the
endpoint with the loop's clock as `now`, and sends what the endpoint puts out. Whoever acts on
the endpoint from outside (the B2BUA answering a call, a CTI command) calls `poke()` after, and
the output is sent and the next timer armed on the next turn of the loop — once per turn
however many times it was poked.

TCP: a connection that comes in is kept by its peer address, and messages to that address go
out on it (a phone registered over TCP is reached on its own connection, RFC 5626's rule
without the outbound extension). A message for a TCP peer with no connection opens one;
messages for that peer wait for the connection. When the connection cannot be made (refused,
unreachable, or not up within `connect_timeout`) every waiting message is handed back to the
endpoint (`Endpoint.send_failed`), so the transaction that sent it fails at once with a
transport error — its user sees a 503 (RFC 3261 §8.1.3.1, §17.1.4) instead of waiting for
Timer B. The stream is framed by `StreamParser`; when the framing is lost the connection is
closed after a 400 where one can be sent.

Nothing that arrives can raise out of here: the endpoint answers or drops malformed input,
and an error in the user above it is logged and the transport goes on serving.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import logging
from collections.abc import Callable

from .endpoint import Datagram, Endpoint, Peer
from .message import Message, SipParseError, bad_request_for, serialize
from .stream import SipFramingError, StreamParser

log = logging.getLogger("hotline.sip")


class _Udp(asyncio.DatagramProtocol):
    def __init__(self, owner: SipTransport) -> None:
        self.owner = owner

    def datagram_received(self, data: bytes, addr: tuple[str | object, ...]) -> None:
        host, port = str(addr[0]), int(str(addr[1]))
        self.owner.deliver(lambda now: self.owner.endpoint.receive(data, Peer(host, port), now))

    def error_received(self, exc: Exception) -> None:  # ICMP unreachable and the like
        log.debug("UDP error: %s", exc)


class _Tcp(asyncio.Protocol):
    def __init__(self, owner: SipTransport, peer: Peer | None = None) -> None:
        self.owner = owner
        self.parser = StreamParser()
        self.peer = peer
        self.transport: asyncio.Transport | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self.transport = transport
        if self.peer is None:
            host, port = transport.get_extra_info("peername")[:2]
            self.peer = Peer(str(host), int(port), "TCP")
        self.owner.connections[(self.peer.host, self.peer.port)] = self

    def data_received(self, data: bytes) -> None:
        assert self.peer is not None and self.transport is not None
        peer = self.peer
        for item in self.parser.feed(data):
            if isinstance(item, SipFramingError):
                reply = bad_request_for(item)
                if reply is not None:
                    self.transport.write(serialize(reply))
                self.transport.close()
                return
            self.owner.deliver(functools.partial(self._receive, item, peer))
        if self.parser.failure is not None:
            self.transport.close()

    def _receive(self, item: Message | SipParseError, peer: Peer, now: float) -> None:
        self.owner.endpoint.receive_parsed(item, peer, now)

    def connection_lost(self, exc: Exception | None) -> None:
        if self.peer is not None:
            key = (self.peer.host, self.peer.port)
            if self.owner.connections.get(key) is self:
                del self.owner.connections[key]


class SipTransport:
    """One endpoint on one host and port, over UDP and TCP."""

    def __init__(self, endpoint: Endpoint, *, connect_timeout: float = 10.0) -> None:
        """`connect_timeout`: how long an outgoing TCP connection may take before the
        messages waiting for it fail (a peer that drops SYNs would otherwise hold them until
        the kernel gives up, minutes later)."""
        self.endpoint = endpoint
        self.connect_timeout = connect_timeout
        self.connections: dict[tuple[str, int], _Tcp] = {}
        self._udp: asyncio.DatagramTransport | None = None
        self._server: asyncio.Server | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._flush_pending = False
        self._timer: asyncio.TimerHandle | None = None
        self._timer_at: float | None = None
        self._connecting: dict[tuple[str, int], list[Datagram]] = {}
        self._tasks: set[asyncio.Task[None]] = set()

    def now(self) -> float:
        assert self._loop is not None
        return self._loop.time()

    async def start(self, *, tcp: bool = True) -> None:
        """Bind UDP (and TCP) on the endpoint's local host and port; port 0 picks one, and
        the endpoint's `local` is updated to what was bound."""
        self._loop = asyncio.get_running_loop()
        local = self.endpoint.local
        # With port 0 the UDP port is the system's pick, and TCP needs the same number, which
        # something else may hold (an outgoing connection's local port): pick again then.
        attempts = 20 if local.port == 0 else 1
        for attempt in range(attempts):
            udp, _ = await self._loop.create_datagram_endpoint(
                lambda: _Udp(self), local_addr=(local.host, local.port))
            port = int(udp.get_extra_info("sockname")[1])
            if tcp:
                try:
                    self._server = await self._loop.create_server(
                        lambda: _Tcp(self), local.host, port)
                except OSError:
                    udp.close()
                    if attempt + 1 == attempts:
                        raise
                    continue
            break
        self._udp = udp
        self.endpoint.local = Peer(local.host, port, local.transport)

    async def close(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
        if self._udp is not None:
            self._udp.close()
        for connection in list(self.connections.values()):
            if connection.transport is not None:
                connection.transport.close()
        if self._server is not None:
            self._server.close()
            with contextlib.suppress(Exception):
                await self._server.wait_closed()
        for task in list(self._tasks):
            task.cancel()

    # -- the loop ----------------------------------------------------------------------------

    def deliver(self, work: Callable[[float], None]) -> None:
        """Run `work(now)` against the endpoint, then send what it produced."""
        try:
            work(self.now())
        except Exception:  # the user above the endpoint failed: log it, keep serving
            log.exception("SIP message handling failed")
        self._flush()

    def poke(self) -> None:
        """The endpoint was acted on from outside: flush its output on this loop turn."""
        if not self._flush_pending and self._loop is not None:
            self._flush_pending = True
            self._loop.call_soon(self._flush)

    def _flush(self) -> None:
        self._flush_pending = False
        for datagram in self.endpoint.take_output():
            self._send(datagram)
        self._arm()

    def _arm(self) -> None:
        assert self._loop is not None
        due = self.endpoint.next_timer()
        if due is None or due == self._timer_at:
            return
        if self._timer is not None:
            self._timer.cancel()
        self._timer_at = due
        self._timer = self._loop.call_at(due, self._fire)

    def _fire(self) -> None:
        self._timer, self._timer_at = None, None
        self.deliver(self.endpoint.fire)

    def _send(self, datagram: Datagram) -> None:
        peer = datagram.peer
        if peer.transport.upper() == "TCP":
            self._send_tcp(datagram)
        elif self._udp is not None:
            self._udp.sendto(datagram.data, (peer.host, peer.port))

    def _send_tcp(self, datagram: Datagram) -> None:
        peer = datagram.peer
        key = (peer.host, peer.port)
        connection = self.connections.get(key)
        if (connection is not None and connection.transport is not None
                and not connection.transport.is_closing()):
            connection.transport.write(datagram.data)
            return
        waiting = self._connecting.get(key)
        if waiting is not None:
            waiting.append(datagram)
            return
        self._connecting[key] = [datagram]
        task = asyncio.get_running_loop().create_task(self._connect(peer))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _connect(self, peer: Peer) -> None:
        key = (peer.host, peer.port)
        assert self._loop is not None
        try:
            _, protocol = await asyncio.wait_for(self._loop.create_connection(
                lambda: _Tcp(self, peer), peer.host, peer.port), self.connect_timeout)
        except (OSError, TimeoutError) as error:
            reason = str(error) or f"no connection within {self.connect_timeout:g} s"
            log.warning("SIP over TCP to %s:%d failed: %s", peer.host, peer.port, reason)
            self._failed(self._connecting.pop(key, []))
            return
        waiting = self._connecting.pop(key, [])
        if protocol.transport is None or protocol.transport.is_closing():
            self._failed(waiting)
            return
        for datagram in waiting:
            protocol.transport.write(datagram.data)

    def _failed(self, datagrams: list[Datagram]) -> None:
        """Tell the endpoint these could not be sent; its transactions fail (503 upwards)."""
        if not datagrams:
            return

        def report(now: float) -> None:
            for datagram in datagrams:
                self.endpoint.send_failed(datagram, now)

        self.deliver(report)
