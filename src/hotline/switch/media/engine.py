"""The local media engine: the mixer on asyncio, with one UDP socket per leg and a 20 ms clock.

This is the embedded switch's media backend (see `backend.MediaBackend`). Everything that
decides what to send lives in `mixer.Mixer`; this shell only

- binds two UDP sockets per leg: RTP on an even port from the configured range and RTCP on
  the port above it (RFC 3550 §11), the pair taken and released together (RTCP multiplexed
  onto the RTP port, RFC 5761, is ignored),
- passes each datagram from the leg's connected remote to the mixer with the loop's time and
  sends what comes back at once (the relay fast path), dropping datagrams from anyone else,
- runs the mixer's tick on a grid: each tick is scheduled with `loop.call_at` at the ideal
  time `start + k·tick`, never "now + tick", so lateness in one tick does not push every later
  one back (after a stall of more than `MAX_LAG` the grid restarts from now instead of
  bursting to catch up),
- turns the mixer's events into the application's callbacks, always through `call_soon` so a
  callback never runs inside the mixer or the protocol,
- writes recordings on one worker thread (writes stay in order; the loop never touches disk),
- runs each leg's RTCP (`rtcp.RtcpSession`) on a timer of its own, off the RTP fast path: a
  compound SR/RR + SDES CNAME every `rtcp_interval` seconds randomised ×[0.5, 1.5] (the first
  after half that), a BYE when the leg closes; RTCP received is parsed (garbage counted and
  dropped) into the leg's statistics. It goes to the far end's `a=rtcp` address if its SDP had
  one, else to its RTP address with the port + 1 — and, like RTP, latches to the source of the
  first RTCP packet received after (re)connecting.

It works the same on the default loop and on uvloop.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import errno
import functools
import logging
import random
import secrets
import time
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any, Final

from hotline.switch.media.g711 import PcmArray
from hotline.switch.media.leg import LegStats, check_remote
from hotline.switch.media.mixer import Datagram, DigitReceived, Mixer
from hotline.switch.media.recorder import StereoRecording, StereoWavFile
from hotline.switch.media.rtcp import RTCP_MIN_INTERVAL, rtcp_interval

logger = logging.getLogger(__name__)

MAX_LAG: Final = 0.2  # seconds behind the grid after which the clock restarts from now
RECORDING_CHUNK_SECONDS: Final = 1.0  # how much audio a recording buffers between writes


class _LegProtocol(asyncio.DatagramProtocol):
    """A leg's socket: every datagram goes to the engine, errors are the engine's to ignore."""

    def __init__(self, engine: LocalMediaEngine, leg_id: str) -> None:
        self._engine = engine
        self._leg_id = leg_id

    def datagram_received(self, data: bytes, addr: tuple[str | Any, int]) -> None:
        self._engine._datagram_received(self._leg_id, data, addr)

    def error_received(self, exc: Exception) -> None:
        # ICMP port unreachable and the like: the phone went away; the SIP side will notice.
        logger.debug("media leg %s: socket error %s", self._leg_id, exc)


class _RtcpProtocol(_LegProtocol):
    """A leg's RTCP socket (its RTP port + 1)."""

    def datagram_received(self, data: bytes, addr: tuple[str | Any, int]) -> None:
        self._engine._rtcp_received(self._leg_id, data, addr)


class LocalMediaEngine:
    """RTP endpoints, bridging, mixing, prompts, digits and recording in this process."""

    def __init__(
        self, host: str = "127.0.0.1", ports: range = range(20000, 30000), *, tick: float = 0.020,
        rtcp_interval: float = RTCP_MIN_INTERVAL, rng: random.Random | None = None,
    ) -> None:
        # An RTP port is even and its RTCP port (+ 1) must be in the range too.
        even = [port for port in ports if port % 2 == 0 and 0 < port < 65535 and port + 1 in ports]
        if not even:
            raise ValueError(f"the port range {ports} holds no even port in 2..65534 whose "
                             f"RTCP port (+ 1) is in it too")
        if not 0.005 <= tick <= 0.1 or round(tick * 8000) != tick * 8000:
            raise ValueError(f"tick must be whole samples between 5 and 100 ms, got {tick} s")
        if not rtcp_interval > 0:
            raise ValueError(f"rtcp_interval must be positive, got {rtcp_interval}")
        self.host = host
        self.tick = tick
        self.rtcp_interval = rtcp_interval
        """The RFC 3550 minimum interval between reports (shorten it in tests only)."""
        self._rng = rng or random.Random()
        self.cname = f"hotline-{secrets.token_hex(6)}@{host}"
        """Our RTCP CNAME: random per engine (RFC 7022), the same on every leg."""
        self._rtcp_transports: dict[str, asyncio.DatagramTransport] = {}
        self._rtcp_timers: dict[str, asyncio.TimerHandle] = {}
        self._ports = even
        self._port_cursor = 0
        self._mixer = Mixer(frame_samples=round(tick * 8000))
        self._loop: asyncio.AbstractEventLoop | None = None
        self._timer: asyncio.TimerHandle | None = None
        self._next_tick = 0.0
        self._transports: dict[str, asyncio.DatagramTransport] = {}
        self._ports_in_use: dict[str, int] = {}
        self._digit_callbacks: dict[str, Callable[[str], None]] = {}
        self._playing: dict[str, int] = {}  # leg id -> id of the player whose on_done we hold
        self._done_callbacks: dict[int, Callable[[], None]] = {}
        self._files: dict[str, StereoWavFile] = {}
        self._finishing: dict[str, concurrent.futures.Future[float]] = {}
        self._writer = concurrent.futures.ThreadPoolExecutor(1, thread_name_prefix="recording")
        self._chunk_frames = round(RECORDING_CHUNK_SECONDS * 8000)

    # -- lifecycle --------------------------------------------------------------------------

    async def start(self) -> None:
        """Start the media clock (idempotent)."""
        loop = self._loop = asyncio.get_running_loop()
        if self._timer is None:
            self._next_tick = loop.time() + self.tick
            self._timer = loop.call_at(self._next_tick, self._on_tick)

    async def close(self) -> None:
        """Close every leg, finish every recording, stop the clock."""
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        for leg_id in list(self._mixer.legs):
            self.close_leg(leg_id)
        for recording_id in list(self._mixer.recordings):
            self._finishing[recording_id] = self._finish(self._mixer.stop_recording(recording_id))
        pending = list(self._finishing.values())
        self._finishing.clear()
        await asyncio.gather(*(asyncio.wrap_future(f) for f in pending), return_exceptions=True)
        self._writer.shutdown(wait=False)

    # -- legs -------------------------------------------------------------------------------

    async def open_leg(self, leg_id: str) -> tuple[str, int]:
        """Bind a socket for a new leg; the local (host, port) to put in SDP."""
        loop = self._loop = asyncio.get_running_loop()
        leg = self._mixer.add_leg(leg_id)
        try:
            transport, rtcp_transport, port = await self._bind(loop, leg_id)
        except BaseException:
            if self._mixer.legs.get(leg_id) is leg:
                self._mixer.remove_leg(leg_id)
            raise
        if self._mixer.legs.get(leg_id) is not leg:
            transport.close()
            rtcp_transport.close()
            raise KeyError(f"media leg {leg_id!r} was closed while its socket was being opened")
        self._transports[leg_id] = transport
        self._rtcp_transports[leg_id] = rtcp_transport
        self._ports_in_use[leg_id] = port
        self._schedule_rtcp(leg_id, initial=True)
        return self.host, port

    async def _bind(
        self, loop: asyncio.AbstractEventLoop, leg_id: str
    ) -> tuple[asyncio.DatagramTransport, asyncio.DatagramTransport, int]:
        """RTP on a free even port and RTCP on the one above, both or neither."""
        in_use = set(self._ports_in_use.values())
        for _ in range(len(self._ports)):
            port = self._ports[self._port_cursor]
            self._port_cursor = (self._port_cursor + 1) % len(self._ports)
            if port in in_use:
                continue
            try:
                transport, _ = await loop.create_datagram_endpoint(
                    functools.partial(_LegProtocol, self, leg_id), local_addr=(self.host, port)
                )
            except OSError:
                continue  # taken by another process: try the next one
            try:
                rtcp_transport, _ = await loop.create_datagram_endpoint(
                    functools.partial(_RtcpProtocol, self, leg_id),
                    local_addr=(self.host, port + 1),
                )
            except OSError:
                transport.close()  # its RTCP port is taken: the pair goes back together
                continue
            except BaseException:
                transport.close()
                raise
            return transport, rtcp_transport, port
        raise OSError(errno.EADDRINUSE, f"no free RTP/RTCP port pair in {self._ports[0]}.."
                      f"{self._ports[-1] + 1} on {self.host}")

    def connect_leg(self, leg_id: str, remote: tuple[str, int], *, codec: str, payload_type: int,
                    event_payload_type: int | None, rtcp: tuple[str, int] | None = None) -> None:
        """Send to and accept media from `remote` with the negotiated codec (again on re-INVITE);
        `rtcp` is the far end's RTCP address if its SDP gave one (`a=rtcp`, RFC 3605), else
        RTCP goes to `remote`'s port + 1."""
        rtcp_remote = None if rtcp is None else check_remote(rtcp)
        leg = self._mixer.leg(leg_id)
        before = (leg.remote, leg.rtcp_remote)
        self._mixer.connect(leg_id, remote, codec=codec, payload_type=payload_type,
                            event_payload_type=event_payload_type)
        leg.rtcp_remote = rtcp_remote
        if (leg.remote, leg.rtcp_remote) != before:
            leg.rtcp_latched = None

    def set_direction(self, leg_id: str, *, send: bool, receive: bool) -> None:
        """Whether we send media to the leg and accept media from it (hold, inactive)."""
        self._mixer.set_direction(leg_id, send=send, receive=receive)

    def close_leg(self, leg_id: str) -> None:
        """Send the leg's RTCP BYE, close its sockets, take it out of everyone's hearing,
        finish its recordings."""
        leg = self._mixer.legs.get(leg_id)
        if leg is not None:
            self._send_rtcp(leg_id, bye=True)
        for recording in self._mixer.remove_leg(leg_id):
            self._finishing[recording.id] = self._finish(recording)
        transport = self._transports.pop(leg_id, None)
        if transport is not None:
            transport.close()
        rtcp_transport = self._rtcp_transports.pop(leg_id, None)
        if rtcp_transport is not None:
            rtcp_transport.close()
        timer = self._rtcp_timers.pop(leg_id, None)
        if timer is not None:
            timer.cancel()
        self._ports_in_use.pop(leg_id, None)
        self._digit_callbacks.pop(leg_id, None)
        self._done_callbacks.pop(self._playing.pop(leg_id, 0), None)

    def stats(self, leg_id: str) -> LegStats:
        """The leg's packet counts, loss, lateness and jitter so far, and RTCP: packets sent,
        received and dropped, and what the far end last reported about our stream."""
        return self._mixer.stats(leg_id)

    # -- audio ------------------------------------------------------------------------------

    def play(self, leg_id: str, samples: PcmArray, *, loop: bool = False,
             on_done: Callable[[], None] | None = None) -> None:
        """Play 8 kHz int16 samples to the leg, replacing what it played (whose on_done is
        dropped); `on_done` is called soon after a one-shot clip has been played through."""
        player = self._mixer.play(leg_id, samples, loop=loop)
        self._done_callbacks.pop(self._playing.pop(leg_id, 0), None)
        if on_done is not None:
            self._playing[leg_id] = player.id
            self._done_callbacks[player.id] = on_done

    def stop_play(self, leg_id: str) -> None:
        """Stop the leg's player, without calling its on_done."""
        self._mixer.stop_play(leg_id)
        self._done_callbacks.pop(self._playing.pop(leg_id, 0), None)

    def hear(self, leg_id: str, sources: Iterable[str]) -> None:
        """From now on the leg hears exactly `sources` (empty: nobody)."""
        self._mixer.hear(leg_id, sources)

    def bridge(self, a: str, b: str) -> None:
        """Each of two legs hears the other, and only the other."""
        self._mixer.leg(a)
        self._mixer.leg(b)
        self._mixer.hear(a, [b])
        self._mixer.hear(b, [a])

    # -- digits -----------------------------------------------------------------------------

    def on_digit(self, leg_id: str, callback: Callable[[str], None] | None) -> None:
        """Call `callback(digit)` once per key pressed on the leg's phone (None: stop)."""
        self._mixer.leg(leg_id)
        if callback is None:
            self._digit_callbacks.pop(leg_id, None)
        else:
            self._digit_callbacks[leg_id] = callback

    def send_digits(self, leg_id: str, digits: str) -> None:
        """Send `digits` to the leg as RFC 4733 events, 100 ms each, in place of its audio."""
        self._mixer.send_digits(leg_id, digits)

    # -- recording --------------------------------------------------------------------------

    def start_recording(self, recording_id: str, left: str, right: str, path: Path) -> None:
        """Record what `left` sends us (left channel) and what `right` sends (right channel)
        to a stereo 8 kHz 16-bit WAV file at `path`."""
        path = Path(path)
        if not path.parent.is_dir():
            raise ValueError(f"cannot record to {path}: {path.parent} is not a directory")
        if recording_id in self._finishing:
            raise ValueError(f"recording {recording_id!r} has ended but was not stopped yet")
        self._mixer.start_recording(recording_id, left, right)
        self._files[recording_id] = StereoWavFile(path)

    async def stop_recording(self, recording_id: str) -> float:
        """Finish the recording's file; the seconds it holds."""
        if recording_id in self._mixer.recordings:
            recording = self._mixer.stop_recording(recording_id)
            self._finishing[recording_id] = self._finish(recording)
        try:
            future = self._finishing.pop(recording_id)
        except KeyError:
            raise KeyError(f"no recording {recording_id!r}") from None
        return await asyncio.wrap_future(future)

    def _finish(self, recording: StereoRecording) -> concurrent.futures.Future[float]:
        file = self._files.pop(recording.id)
        data = recording.take()
        seconds = recording.seconds

        def finish() -> float:
            file.write(data)
            file.close()
            return seconds

        return self._writer.submit(finish)

    def _write_recordings(self) -> None:
        for recording in self._mixer.recordings.values():
            if recording.buffered_frames >= self._chunk_frames:
                future = self._writer.submit(self._files[recording.id].write, recording.take())
                future.add_done_callback(_log_write_error)

    # -- the loop's side --------------------------------------------------------------------

    def _datagram_received(self, leg_id: str, data: bytes, addr: tuple[str | Any, int]) -> None:
        leg = self._mixer.legs.get(leg_id)
        if leg is None or leg.remote is None:
            return
        remote = leg.remote
        if addr[1] != remote[1] or addr[0] != remote[0]:
            # Symmetric RTP: a phone behind NAT (or one that writes an address it cannot be
            # reached at in its SDP, as baresip does with no routable interface) sends from
            # where it wants to be sent to. The first RTP packet after (re)connecting moves
            # the remote there; from then on other sources are strangers and dropped.
            if leg.latched or not data or data[0] & 0xC0 != 0x80:
                return
            leg.remote = (str(addr[0]), int(addr[1]))
        leg.latched = True
        loop = self._loop
        assert loop is not None
        try:
            out = self._mixer.receive(leg_id, data, loop.time())
        except Exception:
            logger.exception("media leg %s: dropped a datagram that could not be handled", leg_id)
            return
        if out:
            self._send(out)
        if self._mixer.events:
            self._dispatch()

    # -- RTCP: per leg, on its own timer --------------------------------------------------------

    def _schedule_rtcp(self, leg_id: str, *, initial: bool = False) -> None:
        loop = self._loop
        assert loop is not None
        delay = rtcp_interval(self._rng, self.rtcp_interval, initial=initial)
        self._rtcp_timers[leg_id] = loop.call_later(delay, self._rtcp_due, leg_id)

    def _rtcp_due(self, leg_id: str) -> None:
        if leg_id not in self._rtcp_transports:
            return
        try:
            self._send_rtcp(leg_id)
        except Exception:
            logger.exception("media leg %s: RTCP report failed", leg_id)
        self._schedule_rtcp(leg_id)

    def _send_rtcp(self, leg_id: str, *, bye: bool = False) -> None:
        """The leg's compound report (and BYE) to the far end's RTCP address, if it has one."""
        leg = self._mixer.legs.get(leg_id)
        transport = self._rtcp_transports.get(leg_id)
        loop = self._loop
        if leg is None or transport is None or loop is None:
            return
        destination = leg.rtcp_destination
        if destination is None:
            return
        sender = leg.sender
        data = leg.rtcp.report(
            ssrc=sender.ssrc, packets_sent=sender.sent, octets_sent=sender.octets,
            rtp_timestamp=sender.timestamp, reception=leg.reception, now=loop.time(),
            wallclock=time.time(), cname=self.cname, bye=bye,
        )
        transport.sendto(data, destination)

    def _rtcp_received(self, leg_id: str, data: bytes, addr: tuple[str | Any, int]) -> None:
        leg = self._mixer.legs.get(leg_id)
        loop = self._loop
        if leg is None or leg.remote is None or loop is None:
            return
        source = (str(addr[0]), int(addr[1]))
        latched = leg.rtcp_latched
        if latched is not None and source != latched:
            return  # a stranger once we know where the far end's RTCP comes from
        accepted = leg.rtcp.receive(data, ssrc=leg.sender.ssrc, reception=leg.reception,
                                    now=loop.time(), wallclock=time.time())
        if accepted and latched is None:
            leg.rtcp_latched = source

    def _send(self, datagrams: list[Datagram]) -> None:
        transports = self._transports
        for leg_id, remote, data in datagrams:
            transport = transports.get(leg_id)
            if transport is not None:
                transport.sendto(data, remote)

    def _dispatch(self) -> None:
        loop = self._loop
        assert loop is not None
        events, self._mixer.events = self._mixer.events, []
        for event in events:
            if isinstance(event, DigitReceived):
                callback = self._digit_callbacks.get(event.leg_id)
                if callback is not None:
                    loop.call_soon(callback, event.digit)
            else:
                done = self._done_callbacks.pop(event.player_id, None)
                if done is not None:
                    self._playing.pop(event.leg_id, None)
                    loop.call_soon(done)

    def _on_tick(self) -> None:
        loop = self._loop
        assert loop is not None
        now = loop.time()
        try:
            self._send(self._mixer.tick(now))
            if self._mixer.events:
                self._dispatch()
            self._write_recordings()
        except Exception:
            logger.exception("media tick failed; the clock keeps going")
        self._next_tick += self.tick
        if now - self._next_tick > MAX_LAG:
            self._next_tick = now + self.tick
        self._timer = loop.call_at(self._next_tick, self._on_tick)


def _log_write_error(future: concurrent.futures.Future[None]) -> None:
    error = future.exception()
    if error is not None:
        logger.error("writing a recording failed: %s", error)
