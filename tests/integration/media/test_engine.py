"""The local media engine over real UDP sockets on 127.0.0.1, with phones written here.

Each phone is a plain asyncio datagram endpoint that sends a G.711 tone in 20 ms RTP packets
and keeps what it receives. Tests wait for content (enough packets, a digit) with generous
time-outs and assert on what was heard, never on timing.
"""

from __future__ import annotations

import asyncio
import io
import wave
from collections.abc import Awaitable, Callable, Coroutine
from pathlib import Path
from typing import Any, cast

import numpy as np
import pytest
import uvloop
from numpy.typing import NDArray

from hotline.switch.media.backend import MediaBackend
from hotline.switch.media.dtmf import (
    TelephoneEvent,
    parse_telephone_event,
    serialise_telephone_event,
)
from hotline.switch.media.engine import LocalMediaEngine
from hotline.switch.media.g711 import PCMA, PCMU, G711Codec
from hotline.switch.media.rtp import RtpPacket, RtpParseError, parse_rtp, serialise_rtp
from hotline.switch.media.tone import sine, tone_power_ratio

EVENT_PT = 101
TIMEOUT = 3.0
PORTS = range(42000, 44000)


class Phone(asyncio.DatagramProtocol):
    """A SIP phone's media side: talks a tone every 20 ms, keeps every packet it gets."""

    def __init__(self, tone: float, codec: G711Codec) -> None:
        self.codec = codec
        self.audio = sine(tone, 20.0, level_dbfs=-10)
        self.received: list[RtpPacket] = []
        self.transport: asyncio.DatagramTransport | None = None
        self.sequence = 0
        self._talking: asyncio.TimerHandle | None = None
        self._waiters: list[tuple[Callable[[], bool], asyncio.Future[None]]] = []

    @classmethod
    async def open(cls, tone: float, codec: G711Codec = PCMU) -> Phone:
        loop = asyncio.get_running_loop()
        _, phone = await loop.create_datagram_endpoint(lambda: cls(tone, codec),
                                                       local_addr=("127.0.0.1", 0))
        return phone

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = cast(asyncio.DatagramTransport, transport)

    @property
    def address(self) -> tuple[str, int]:
        assert self.transport is not None
        host, port = self.transport.get_extra_info("sockname")[:2]
        return host, port

    def datagram_received(self, data: bytes, addr: tuple[str, int]) -> None:
        try:
            self.received.append(parse_rtp(data))
        except RtpParseError:
            return
        for check, future in list(self._waiters):
            if not future.done() and check():
                future.set_result(None)

    async def until(self, check: Callable[[], bool]) -> None:
        future = asyncio.get_running_loop().create_future()
        if check():
            return
        self._waiters.append((check, future))
        await asyncio.wait_for(future, TIMEOUT)

    def send(self, packet: RtpPacket, to: tuple[str, int]) -> None:
        assert self.transport is not None
        self.transport.sendto(serialise_rtp(packet), to)

    def talk(self, to: tuple[str, int]) -> None:
        """Send one frame of the tone every 20 ms, on a grid, until `close`."""
        loop = asyncio.get_running_loop()
        start = loop.time()

        def frame() -> None:
            index = self.sequence
            self.sequence += 1
            samples = self.audio[(index * 160) % len(self.audio):][:160]
            payload = self.codec.encode(samples).tobytes()
            self.send(RtpPacket(self.codec.payload_type, index & 0xFFFF, index * 160, 1234,
                                payload), to)
            self._talking = loop.call_at(start + self.sequence * 0.02, frame)

        frame()

    def send_digit(self, event: int, to: tuple[str, int]) -> None:
        """One key press as RFC 4733: updates, then the end packet three times."""
        timestamp = 4_000_000 + self.sequence * 160
        bodies = [TelephoneEvent(event, False, 10, 160 * n) for n in (1, 2, 3, 4)]
        bodies += [TelephoneEvent(event, True, 10, 800)] * 3
        for index, body in enumerate(bodies):
            self.sequence += 1
            self.send(RtpPacket(EVENT_PT, self.sequence & 0xFFFF, timestamp, 1234,
                                serialise_telephone_event(body), marker=index == 0), to)

    def heard(self, frames: int) -> NDArray[np.int16]:
        """The last `frames` audio frames received, decoded."""
        audio = [p.payload for p in self.received if p.payload_type == self.codec.payload_type]
        return self.codec.decode(b"".join(audio[-frames:]))

    def audio_count(self) -> int:
        return sum(p.payload_type == self.codec.payload_type for p in self.received)

    def close(self) -> None:
        if self._talking is not None:
            self._talking.cancel()
        if self.transport is not None:
            self.transport.close()


async def call_leg(engine: LocalMediaEngine, leg_id: str, phone: Phone) -> tuple[str, int]:
    """Open a leg for the phone and connect it, as the B2BUA does after offer/answer."""
    local = await engine.open_leg(leg_id)
    engine.connect_leg(leg_id, phone.address, codec=phone.codec.name,
                       payload_type=phone.codec.payload_type, event_payload_type=EVENT_PT)
    return local


def run(scenario: Callable[[LocalMediaEngine], Awaitable[None]],
        loop_factory: Callable[[], asyncio.AbstractEventLoop] | None = None) -> None:
    async def main() -> None:
        engine = LocalMediaEngine(ports=PORTS)
        await engine.start()
        try:
            await scenario(engine)
        finally:
            await engine.close()

    coroutine: Coroutine[Any, Any, None] = main()
    with asyncio.Runner(loop_factory=loop_factory) as runner:
        runner.run(coroutine)


@pytest.mark.parametrize("loop_factory", [None, uvloop.new_event_loop], ids=["asyncio", "uvloop"])
@pytest.mark.parametrize("laws", [(PCMU, PCMU), (PCMU, PCMA)], ids=["relayed", "transcoded"])
def test_bridged_phones_hear_each_others_tone(
    loop_factory: Callable[[], asyncio.AbstractEventLoop] | None,
    laws: tuple[G711Codec, G711Codec],
) -> None:
    async def scenario(engine: LocalMediaEngine) -> None:
        alice, bob = await Phone.open(1000, laws[0]), await Phone.open(600, laws[1])
        to_alice = await call_leg(engine, "alice", alice)
        to_bob = await call_leg(engine, "bob", bob)
        assert to_alice[1] % 2 == 0 and to_bob[1] % 2 == 0 and to_alice != to_bob
        engine.bridge("alice", "bob")
        alice.talk(to_alice)
        bob.talk(to_bob)
        await alice.until(lambda: alice.audio_count() >= 40)
        await bob.until(lambda: bob.audio_count() >= 40)
        assert tone_power_ratio(alice.heard(25), 600) > 0.9
        assert tone_power_ratio(bob.heard(25), 1000) > 0.9
        stats = engine.stats("alice")
        assert stats.packets_received >= 30 and stats.packets_sent >= 30 and stats.lost == 0
        alice.close()
        bob.close()

    run(scenario, loop_factory)


def test_digits_pressed_on_a_phone_arrive_once_each() -> None:
    async def scenario(engine: LocalMediaEngine) -> None:
        phone = await Phone.open(1000)
        local = await call_leg(engine, "caller", phone)
        pressed: list[str] = []
        done = asyncio.get_running_loop().create_future()

        def on_digit(digit: str) -> None:
            pressed.append(digit)
            if len(pressed) == 3 and not done.done():
                done.set_result(None)

        engine.on_digit("caller", on_digit)
        for event in (5, 11, 0):
            phone.send_digit(event, local)
        await asyncio.wait_for(done, TIMEOUT)
        phone.talk(local)  # let a few more ticks pass: nothing else may be reported
        await phone.until(lambda: phone.audio_count() >= 10)
        assert pressed == ["5", "#", "0"]
        phone.close()

    run(scenario)


def test_digits_sent_reach_the_phone_as_telephone_events() -> None:
    async def scenario(engine: LocalMediaEngine) -> None:
        phone = await Phone.open(1000)
        await call_leg(engine, "agent", phone)
        engine.send_digits("agent", "7*")

        def ended() -> list[TelephoneEvent]:
            return [parse_telephone_event(p.payload) for p in phone.received
                    if p.payload_type == EVENT_PT]

        await phone.until(lambda: sum(e.end for e in ended()) == 6)
        events = ended()
        assert [e.event for e in events] == [7] * 7 + [10] * 7
        assert [e.end for e in events] == ([False] * 4 + [True] * 3) * 2
        phone.close()

    run(scenario)


def test_a_recording_holds_the_caller_left_and_the_agent_right(tmp_path: Path) -> None:
    path = tmp_path / "call.wav"

    async def scenario(engine: LocalMediaEngine) -> None:
        caller, agent = await Phone.open(600), await Phone.open(1000)
        to_caller = await call_leg(engine, "caller", caller)
        to_agent = await call_leg(engine, "agent", agent)
        engine.bridge("caller", "agent")
        engine.start_recording("rec", "caller", "agent", path)
        caller.talk(to_caller)
        agent.talk(to_agent)
        await caller.until(lambda: caller.audio_count() >= 60)
        seconds = await engine.stop_recording("rec")
        assert seconds >= 1.0
        assert tone_power_ratio(agent.heard(20), 600) > 0.9  # the call itself went on
        caller.close()
        agent.close()

    run(scenario)
    with wave.open(io.BytesIO(path.read_bytes())) as reader:
        assert (reader.getnchannels(), reader.getsampwidth(), reader.getframerate()) == (2, 2,
                                                                                         8000)
        stereo = np.frombuffer(reader.readframes(reader.getnframes()), "<i2").reshape(-1, 2)
    assert len(stereo) >= 8000
    left, right = stereo[-4000:, 0], stereo[-4000:, 1]
    assert tone_power_ratio(left, 600) > 0.9 and tone_power_ratio(left, 1000) < 0.01
    assert tone_power_ratio(right, 1000) > 0.9 and tone_power_ratio(right, 600) < 0.01


def test_garbage_and_strangers_do_not_break_a_leg() -> None:
    async def scenario(engine: LocalMediaEngine) -> None:
        alice, bob = await Phone.open(1000), await Phone.open(600)
        stranger = await Phone.open(1400)
        to_alice = await call_leg(engine, "alice", alice)
        to_bob = await call_leg(engine, "bob", bob)
        pressed: list[str] = []
        engine.on_digit("alice", pressed.append)
        engine.bridge("alice", "bob")
        assert alice.transport is not None and stranger.transport is not None
        for garbage in (b"\x00", b"\xff" * 7, b"\x80\x00" + b"\x00" * 3, bytes(range(256)),
                        b"\x81\xc9\x00\x01" + b"\x00" * 4):  # the last is RTCP: ignored
            alice.transport.sendto(garbage, to_alice)
        stranger.send_digit(9, to_alice)  # valid RTP from the wrong address: dropped
        alice.talk(to_alice)
        await bob.until(lambda: bob.audio_count() >= 30)
        assert tone_power_ratio(bob.heard(20), 1000) > 0.9
        assert engine.stats("alice").malformed == 4
        assert pressed == []
        for phone in (alice, bob, stranger):
            phone.close()
        assert to_bob

    run(scenario)


def test_closing_a_leg_leaves_the_other_hearing_silence() -> None:
    async def scenario(engine: LocalMediaEngine) -> None:
        alice, bob = await Phone.open(1000), await Phone.open(600)
        to_alice = await call_leg(engine, "alice", alice)
        await call_leg(engine, "bob", bob)
        engine.bridge("alice", "bob")
        alice.talk(to_alice)
        await bob.until(lambda: bob.audio_count() >= 20)
        engine.close_leg("alice")
        count = bob.audio_count()
        await bob.until(lambda: bob.audio_count() >= count + 20)
        assert not np.any(bob.heard(10))
        with pytest.raises(KeyError, match="alice"):
            engine.stats("alice")
        alice.close()
        bob.close()

    run(scenario)


def test_a_prompt_plays_to_the_phone_and_reports_when_done() -> None:
    async def scenario(engine: LocalMediaEngine) -> None:
        phone = await Phone.open(1000)
        await call_leg(engine, "caller", phone)
        done = asyncio.get_running_loop().create_future()
        engine.play("caller", sine(400, 0.5), on_done=lambda: done.set_result(None))
        await asyncio.wait_for(done, TIMEOUT)
        await phone.until(lambda: phone.audio_count() >= 30)
        heard = phone.heard(phone.audio_count())
        sound = np.flatnonzero(heard)
        assert sound[-1] - sound[0] >= 3900  # the whole half second, then silence
        assert tone_power_ratio(heard[sound[0]:sound[-1] + 1], 400) > 0.9
        engine.play("caller", sine(500, 0.1), loop=True)
        await phone.until(lambda: phone.audio_count() >= 60)
        assert tone_power_ratio(phone.heard(5), 500) > 0.9
        phone.close()

    run(scenario)


def test_the_local_engine_is_a_media_backend() -> None:
    backend: MediaBackend = LocalMediaEngine()
    assert isinstance(backend, LocalMediaEngine)
