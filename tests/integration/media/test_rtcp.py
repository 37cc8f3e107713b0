"""RTCP over real UDP sockets: the engine's reports on RTP port + 1, and what it makes of ours.

The far end is a `Phone` from test_engine (RTP on an even port) with a plain datagram socket
on the port above for RTCP, as a phone that follows RFC 3550 §11 has. The engine runs with a
short RTCP interval (the constructor's test knob) so reports come every ~0.2 s, not ~5 s.
"""

from __future__ import annotations

import asyncio
import socket
from collections.abc import Awaitable, Callable, Coroutine
from typing import Any, cast

import pytest
import uvloop

from hotline.switch.media.engine import LocalMediaEngine
from hotline.switch.media.g711 import PCMU
from hotline.switch.media.rtcp import (
    RTCP_BYE,
    RTCP_SDES,
    RTCP_SR,
    ReceiverReport,
    ReportBlock,
    SenderReport,
    ntp_middle,
    ntp_timestamp,
    packet_types,
    parse_rtcp,
    serialise_rtcp,
)
from tests.integration.media.test_engine import TIMEOUT, Phone, call_leg

INTERVAL = 0.2
PORTS = range(44000, 46000)
FAR_END_PORTS = range(46000, 48000, 2)


class RtcpSocket(asyncio.DatagramProtocol):
    """A far end's RTCP socket: keeps every datagram with its source."""

    def __init__(self) -> None:
        self.received: list[tuple[bytes, tuple[str, int]]] = []
        self.transport: asyncio.DatagramTransport | None = None
        self._arrived = asyncio.Event()

    @classmethod
    async def open(cls, port: int = 0) -> RtcpSocket:
        loop = asyncio.get_running_loop()
        _, peer = await loop.create_datagram_endpoint(cls, local_addr=("127.0.0.1", port))
        return peer

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = cast(asyncio.DatagramTransport, transport)

    def datagram_received(self, data: bytes, addr: tuple[str, int]) -> None:
        self.received.append((data, (addr[0], addr[1])))
        self._arrived.set()

    @property
    def address(self) -> tuple[str, int]:
        assert self.transport is not None
        host, port = self.transport.get_extra_info("sockname")[:2]
        return host, port

    async def until(self, check: Callable[[], bool]) -> None:
        async def wait() -> None:
            while not check():
                self._arrived.clear()
                await self._arrived.wait()

        await asyncio.wait_for(wait(), TIMEOUT)

    def reports(self) -> list[SenderReport | ReceiverReport]:
        return [report for data, _ in self.received for report in parse_rtcp(data)]

    def send(self, data: bytes, to: tuple[str, int]) -> None:
        assert self.transport is not None
        self.transport.sendto(data, to)

    def close(self) -> None:
        if self.transport is not None:
            self.transport.close()


async def far_end() -> tuple[Phone, RtcpSocket]:
    """A phone with RTP on an even port and RTCP on the port above it."""
    for port in FAR_END_PORTS:
        try:
            rtcp = await RtcpSocket.open(port + 1)
        except OSError:
            continue
        loop = asyncio.get_running_loop()
        try:
            _, phone = await loop.create_datagram_endpoint(
                lambda: Phone(1000, PCMU), local_addr=("127.0.0.1", port))
        except OSError:
            rtcp.close()
            continue
        return phone, rtcp
    raise OSError("no free port pair for the far end")


def run(scenario: Callable[[LocalMediaEngine], Awaitable[None]],
        loop_factory: Callable[[], asyncio.AbstractEventLoop] | None = None,
        ports: range = PORTS) -> None:
    async def main() -> None:
        engine = LocalMediaEngine(ports=ports, rtcp_interval=INTERVAL)
        await engine.start()
        try:
            await scenario(engine)
        finally:
            await engine.close()

    coroutine: Coroutine[Any, Any, None] = main()
    with asyncio.Runner(loop_factory=loop_factory) as runner:
        runner.run(coroutine)


def rtcp_port(local: tuple[str, int]) -> tuple[str, int]:
    return local[0], local[1] + 1


@pytest.mark.parametrize("loop_factory", [None, uvloop.new_event_loop], ids=["asyncio", "uvloop"])
def test_sender_reports_arrive_from_rtp_port_plus_one_with_sensible_counts(
    loop_factory: Callable[[], asyncio.AbstractEventLoop] | None,
) -> None:
    async def scenario(engine: LocalMediaEngine) -> None:
        phone, rtcp = await far_end()
        local = await call_leg(engine, "caller", phone)
        phone.talk(local)
        await rtcp.until(lambda: len(rtcp.received) >= 3)
        for data, source in rtcp.received:
            assert source == rtcp_port(local)
            assert packet_types(data) == [RTCP_SR, RTCP_SDES]
            assert engine.cname.encode() in data
        reports = rtcp.reports()
        ssrcs = {packet.ssrc for packet in phone.received}
        assert all(isinstance(report, SenderReport) for report in reports)
        last = cast(SenderReport, reports[-1])
        assert ssrcs == {last.ssrc}
        assert 0 < last.packet_count <= engine.stats("caller").packets_sent
        assert last.octet_count == 160 * last.packet_count  # 20 ms of G.711 each
        (block,) = last.reports
        assert block.ssrc == 1234  # the phone's stream
        assert block.cumulative_lost == 0 and block.fraction_lost == 0
        assert 0 < block.extended_highest_sequence < phone.sequence
        assert block.last_sender_report == 0  # the phone sent no SR
        assert engine.stats("caller").rtcp_sent >= 3
        phone.close()
        rtcp.close()

    run(scenario, loop_factory)


def test_a_leg_that_sends_nothing_sends_receiver_reports() -> None:
    async def scenario(engine: LocalMediaEngine) -> None:
        phone, rtcp = await far_end()
        local = await call_leg(engine, "caller", phone)
        engine.set_direction("caller", send=False, receive=True)  # the phone holds us
        phone.talk(local)
        await rtcp.until(lambda: len(rtcp.received) >= 2)
        report = rtcp.reports()[-1]
        assert isinstance(report, ReceiverReport)
        assert len(report.reports) == 1 and report.reports[0].ssrc == 1234
        phone.close()
        rtcp.close()

    run(scenario)


def test_the_far_ends_reports_show_up_in_the_legs_stats() -> None:
    async def scenario(engine: LocalMediaEngine) -> None:
        phone, rtcp = await far_end()
        local = await call_leg(engine, "caller", phone)
        phone.talk(local)
        await rtcp.until(lambda: len(rtcp.received) >= 1)
        before = engine.stats("caller")
        assert before.remote_fraction_lost is None and before.round_trip_ms is None
        ours = cast(SenderReport, rtcp.reports()[-1])
        # The phone reports a quarter lost of our stream, answering our last SR at once; and
        # sends an SR of its own, which the engine's next report block must answer.
        block = ReportBlock(ours.ssrc, 64, 42, 1000, 80, ntp_middle(ours.ntp_timestamp), 0)
        phone_sr = SenderReport(1234, ntp_timestamp(1_000_000.0), 0, 10, 1600, (block,))
        rtcp.send(serialise_rtcp([phone_sr], "phone@test"), rtcp_port(local))
        await asyncio.sleep(0.05)
        stats = engine.stats("caller")
        assert stats.rtcp_received == 1 and stats.rtcp_malformed == 0
        assert stats.remote_fraction_lost == 0.25 and stats.remote_lost == 42
        assert stats.remote_jitter_ms == 10.0  # 80 timestamp units at 8 kHz
        assert stats.round_trip_ms is not None and 0 <= stats.round_trip_ms < 2000
        count = len(rtcp.received)
        await rtcp.until(lambda: len(rtcp.received) > count)
        (answer,) = cast(SenderReport, rtcp.reports()[-1]).reports
        assert answer.last_sender_report == ntp_middle(phone_sr.ntp_timestamp)
        assert 0 < answer.delay_since_last_sender_report < 65536  # < 1 s after our SR came
        phone.close()
        rtcp.close()

    run(scenario)


def test_garbage_on_the_rtcp_port_is_counted_and_dropped() -> None:
    async def scenario(engine: LocalMediaEngine) -> None:
        phone, rtcp = await far_end()
        local = await call_leg(engine, "caller", phone)
        phone.talk(local)
        garbage_ = (b"\x80\xc9", b"x", b"not rtcp at all", bytes([0x81, 201, 0, 40]), bytes(64))
        for garbage in garbage_:
            rtcp.send(garbage, rtcp_port(local))
        rtcp.send(serialise_rtcp([ReceiverReport(1234)], "phone@test"), rtcp_port(local))
        await phone.until(lambda: phone.audio_count() >= 10)
        stats = engine.stats("caller")
        assert stats.rtcp_malformed == 5 and stats.rtcp_received == 1
        assert stats.packets_received >= 5 and stats.malformed == 0  # RTP unaffected
        await rtcp.until(lambda: len(rtcp.received) >= 2)  # and reports still go out
        phone.close()
        rtcp.close()

    run(scenario)


def test_rtcp_latches_to_where_the_far_end_sends_it_from() -> None:
    async def scenario(engine: LocalMediaEngine) -> None:
        phone, rtcp = await far_end()
        natted = await RtcpSocket.open()  # the phone's RTCP seen through a NAT
        stranger = await RtcpSocket.open()
        local = await call_leg(engine, "caller", phone)
        phone.talk(local)
        natted.send(b"garbage does not latch", rtcp_port(local))
        natted.send(serialise_rtcp([ReceiverReport(1234)], "phone@test"), rtcp_port(local))
        await natted.until(lambda: len(natted.received) >= 2)
        stranger.send(serialise_rtcp([ReceiverReport(666)], "evil"), rtcp_port(local))
        count = len(rtcp.received)
        await natted.until(lambda: len(natted.received) >= 4)
        assert len(rtcp.received) <= count + 1  # at most one in flight when it latched
        assert not stranger.received
        stats = engine.stats("caller")
        assert stats.rtcp_received == 1 and stats.rtcp_malformed == 1
        for socket_ in (phone, rtcp, natted, stranger):
            socket_.close()

    run(scenario)


def test_an_explicit_rtcp_address_from_sdp_is_used() -> None:
    async def scenario(engine: LocalMediaEngine) -> None:
        phone = await Phone.open(1000)
        rtcp = await RtcpSocket.open()
        local = await engine.open_leg("caller")
        engine.connect_leg("caller", phone.address, codec="PCMU", payload_type=0,
                           event_payload_type=101, rtcp=rtcp.address)
        phone.talk(local)
        await rtcp.until(lambda: len(rtcp.received) >= 2)
        assert all(source == rtcp_port(local) for _, source in rtcp.received)
        phone.close()
        rtcp.close()

    run(scenario)


def test_closing_a_leg_sends_a_bye() -> None:
    async def scenario(engine: LocalMediaEngine) -> None:
        phone, rtcp = await far_end()
        local = await call_leg(engine, "caller", phone)
        phone.talk(local)
        await phone.until(lambda: phone.audio_count() >= 5)
        engine.close_leg("caller")
        await rtcp.until(lambda: any(packet_types(d)[-1] == RTCP_BYE for d, _ in rtcp.received))
        data, source = rtcp.received[-1]
        assert source == rtcp_port(local)
        assert packet_types(data) == [RTCP_SR, RTCP_SDES, RTCP_BYE]
        ssrcs = {packet.ssrc for packet in phone.received}
        assert {report.ssrc for report in parse_rtcp(data)} == ssrcs
        phone.close()
        rtcp.close()

    run(scenario)


def test_two_engine_legs_report_to_each_other() -> None:
    async def scenario(engine: LocalMediaEngine) -> None:
        a = await engine.open_leg("a")
        b = await engine.open_leg("b")
        for leg, remote in (("a", b), ("b", a)):
            engine.connect_leg(leg, remote, codec="PCMU", payload_type=0, event_payload_type=101)

        def both_measured() -> bool:
            return all(engine.stats(leg).round_trip_ms is not None for leg in ("a", "b"))

        async def wait() -> None:
            while not both_measured():
                await asyncio.sleep(0.05)

        await asyncio.wait_for(wait(), TIMEOUT)
        for leg in ("a", "b"):
            stats = engine.stats(leg)
            assert stats.rtcp_sent >= 1 and stats.rtcp_received >= 1
            assert stats.rtcp_malformed == 0 and stats.remote_lost == 0
            assert stats.remote_fraction_lost == 0.0 and stats.remote_jitter_ms is not None
            assert stats.round_trip_ms is not None and 0 <= stats.round_trip_ms < 500

    run(scenario)


def test_the_rtp_and_rtcp_ports_are_taken_and_released_together() -> None:
    ports = range(48100, 48104)  # two pairs: 48100/48101 and 48102/48103
    with pytest.raises(ValueError, match="RTCP port"):
        LocalMediaEngine(ports=range(48100, 48101))

    async def scenario(engine: LocalMediaEngine) -> None:
        blocker = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        try:
            blocker.bind(("127.0.0.1", 48101))  # the first pair's RTCP port is someone else's
            assert (await engine.open_leg("first"))[1] == 48102
            with pytest.raises(OSError, match="no free RTP/RTCP port pair"):
                await engine.open_leg("second")
        finally:
            blocker.close()
        engine.close_leg("first")
        await asyncio.sleep(0.05)  # transports close on the next turn of the loop
        for port in (48100, 48101):  # the failed attempt let go of 48100 at once
            probe = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
            probe.bind(("127.0.0.1", port))
            probe.close()
        again = await engine.open_leg("again")
        assert again[1] in (48100, 48102)
        engine.close_leg("again")
        await asyncio.sleep(0.05)
        for port in (48102, 48103):  # closing released both
            probe = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
            probe.bind(("127.0.0.1", port))
            probe.close()

    run(scenario, ports=ports)
