"""The local media engine under load: N bridged calls (2N legs) of 20 ms G.711 both ways.

    .venv/bin/python benchmarks/bench_media_engine.py [--calls 50 150 300] [--seconds 10]
        [--loop uvloop|asyncio] [--transcode]

The engine runs in this process on one event loop; the phones run in a separate process (one
UDP socket each, plain non-blocking sockets and epoll, each phone sending on its own 20 ms
grid, the phones' grids spread over the 20 ms). Each call is two legs bridged. For every N:

- engine CPU: the engine process's user+system CPU time (getrusage) over the wall time of the
  run, as a share of one core; phones CPU likewise for the phone process, to show the load
  generator was not the bottleneck;
- loss: packets a phone sent that its peer never received, in % of those sent;
- late: packets received more than 40 ms after they were sent, in % of those received. The
  send time travels in the payload (its first 12 bytes: counter and monotonic send time;
  CLOCK_MONOTONIC is shared by processes), which the relay fast path carries untouched.

With `--transcode` one side of every call uses PCMA, so every frame is decoded, passed
through the jitter buffer and re-encoded at the tick (the slow path). The payload no longer
survives, so loss is counted from RTP sequence gaps and lateness against the stream's own
timestamps: a packet is late when it arrives more than 40 ms after the earliest arrival the
timestamps predict (`min(arrival − timestamp/8000)` over the stream).
"""

from __future__ import annotations

import argparse
import asyncio
import multiprocessing
import multiprocessing.connection
import os
import resource
import select
import socket
import struct
import time
from typing import Any

from hotline.switch.media.engine import LocalMediaEngine

FRAME = 0.02
LATE = 0.040
EVENT_PT = 101
_HEADER = struct.Struct("!BBHII")
_STAMP = struct.Struct("!Id")


def cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


# -- the phones' process ----------------------------------------------------------------------

def phones(conn: multiprocessing.connection.Connection, count: int, laws: list[int]) -> None:
    """Run `count` phones; talk to the engine ports it is given; report what they saw."""
    sockets = []
    for _ in range(count):
        sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        sock.bind(("127.0.0.1", 0))
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 1 << 18)
        sock.setblocking(False)
        sockets.append(sock)
    conn.send([sock.getsockname() for sock in sockets])
    engine_ports, seconds, transcode = conn.recv()
    by_fd = {sock.fileno(): index for index, sock in enumerate(sockets)}
    poller = select.epoll()
    for sock in sockets:
        poller.register(sock.fileno(), select.EPOLLIN)
    sent = [0] * count
    received = [0] * count
    late = [0] * count
    # For --transcode: per phone, first/last sequence and the earliest (arrival - ts/8000).
    first_seq: list[int | None] = [None] * count
    highest: list[int] = [0] * count
    offsets: list[list[float]] = [[] for _ in range(count)]
    silence = bytes([0xFF]) * (160 - _STAMP.size)
    start = time.monotonic() + 0.1
    cpu_start = cpu_seconds()
    spread = [start + FRAME * index / count for index in range(count)]
    step = 0
    end = start + seconds

    def drain(fd: int) -> None:
        index = by_fd[fd]
        sock = sockets[index]
        while True:
            try:
                data = sock.recv(2048)
            except BlockingIOError:
                return
            arrival = time.monotonic()
            if len(data) < 12 + _STAMP.size or data[1] & 0x7F == EVENT_PT:
                continue
            if 192 <= data[1] <= 223:
                continue  # the engine's RTCP to a port it took for this phone's RTCP
            received[index] += 1
            if transcode:
                _, _, sequence, timestamp, _ = _HEADER.unpack_from(data)
                if first_seq[index] is None:
                    first_seq[index] = sequence
                    highest[index] = sequence
                elif (sequence - highest[index]) & 0xFFFF < 0x8000:
                    highest[index] = sequence
                offsets[index].append(arrival - timestamp / 8000)
            else:
                _, send_time = _STAMP.unpack_from(data, 12)
                if arrival - send_time > LATE:
                    late[index] += 1

    cursor = 0  # phones [0, cursor) have sent this frame; their slots are in index order
    while True:
        now = time.monotonic()
        if now >= end:
            break
        while spread[cursor] + step * FRAME <= now:
            stamp = _STAMP.pack(sent[cursor], time.monotonic())
            packet = _HEADER.pack(0x80, laws[cursor], step & 0xFFFF, (step * 160) & 0xFFFFFFFF,
                                  1000 + cursor)
            try:
                sockets[cursor].sendto(packet + stamp + silence, engine_ports[cursor])
                sent[cursor] += 1
            except BlockingIOError:
                pass
            cursor += 1
            if cursor == count:
                cursor, step = 0, step + 1
        timeout = max(0.0, spread[cursor] + step * FRAME - time.monotonic())
        for fd, _ in poller.poll(timeout):
            drain(fd)
    drain_until = time.monotonic() + 0.3
    while time.monotonic() < drain_until:
        for fd, _ in poller.poll(0.05):
            drain(fd)
    cpu = cpu_seconds() - cpu_start
    wall = time.monotonic() - start
    if transcode:
        for index in range(count):
            if first_seq[index] is not None and offsets[index]:
                base = min(offsets[index])
                late[index] = sum(offset - base > LATE for offset in offsets[index])
    conn.send((sent, received, late, cpu / wall))
    conn.close()


# -- the engine's side ------------------------------------------------------------------------

async def measure(calls: int, seconds: float, transcode: bool) -> dict[str, float]:
    legs = 2 * calls
    laws = [0 if index % 2 == 0 or not transcode else 8 for index in range(legs)]
    context = multiprocessing.get_context("spawn")
    parent, child = context.Pipe()
    process = context.Process(target=phones, args=(child, legs, laws), daemon=True)
    process.start()
    loop = asyncio.get_running_loop()
    addresses = await loop.run_in_executor(None, parent.recv)
    engine = LocalMediaEngine(ports=range(30000, 40000))
    await engine.start()
    ports = []
    for index in range(legs):
        host, port = await engine.open_leg(f"leg{index}")
        ports.append((host, port))
        engine.connect_leg(f"leg{index}", tuple(addresses[index]),
                           codec="PCMU" if laws[index] == 0 else "PCMA",
                           payload_type=laws[index], event_payload_type=EVENT_PT)
    for call in range(calls):
        engine.bridge(f"leg{2 * call}", f"leg{2 * call + 1}")
    cpu_start, wall_start = cpu_seconds(), time.monotonic()
    parent.send((ports, seconds, transcode))
    sent, received, late, phones_cpu = await loop.run_in_executor(None, parent.recv)
    cpu, wall = cpu_seconds() - cpu_start, time.monotonic() - wall_start
    await engine.close()
    process.join(5)
    # Phone 2k talks to phone 2k+1 and back: what one sent, its peer should have received.
    peer_sent = sum(sent[index ^ 1] for index in range(legs))
    if transcode:
        peer_sent = sum(round(seconds / FRAME) for _ in range(legs))  # the engine's 50/s
    total_received = sum(received)
    return {
        "engine_cpu": 100 * cpu / wall,
        "phones_cpu": 100 * phones_cpu,
        "loss": 100 * max(0, peer_sent - total_received) / max(1, peer_sent),
        "late": 100 * sum(late) / max(1, total_received),
        "packets": total_received / wall,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, nargs="+", default=[50, 150, 300])
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--loop", choices=["uvloop", "asyncio"], default="uvloop")
    parser.add_argument("--transcode", action="store_true")
    args = parser.parse_args()
    loop_factory: Any = None
    if args.loop == "uvloop":
        import uvloop

        loop_factory = uvloop.new_event_loop
    path = "transcoded at the tick" if args.transcode else "relay fast path"
    print(f"local media engine, {args.loop}, {path}, {args.seconds:.0f} s per run, "
          f"{os.cpu_count()} CPUs")
    print(f"{'calls':>6} {'legs':>6} {'pkts/s out':>11} {'engine CPU':>11} {'phones CPU':>11} "
          f"{'loss':>7} {'late>40ms':>10}")
    for calls in args.calls:
        with asyncio.Runner(loop_factory=loop_factory) as runner:
            figures = runner.run(measure(calls, args.seconds, args.transcode))
        print(f"{calls:>6} {2 * calls:>6} {figures['packets']:>11.0f} "
              f"{figures['engine_cpu']:>10.1f}% {figures['phones_cpu']:>10.1f}% "
              f"{figures['loss']:>6.2f}% {figures['late']:>9.2f}%")


if __name__ == "__main__":
    main()
