"""Media hot path per core: G.711 encode+decode of 20 ms frames, RTP parse+serialise.

    .venv/bin/python benchmarks/bench_media.py [--seconds 1.0] [--repeat 5]

A bridged call moves 50 frames a second each way on each of its two legs, so 300 bridged calls
per core need 300 × 2 × 50 = 30,000 frames a second each way. Each figure is the median of
`--repeat` runs of `--seconds` each on one core (this process, one thread):

- encode+decode: one 160-sample int16 frame encoded to codes and the codes decoded back, per
  law, with the lookup tables of `hotline.switch.media.g711`. The decoded frame is checked
  against the input (within one quantisation step) before timing.
- RTP parse+serialise: a 172-byte PCMU packet parsed from bytes and written back.

The peer, measured in the same run, is the arithmetic G.711 coder written as numpy expressions
per frame (what one would write without tables), checked to give the same codes.
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Callable

import numpy as np
from numpy.typing import NDArray

from hotline.switch.media import g711
from hotline.switch.media.rtp import RtpPacket, parse_rtp, serialise_rtp

GOAL = 30_000


def per_second(work: Callable[[], object], seconds: float, repeat: int) -> float:
    rates = []
    for _ in range(repeat):
        count, start = 0, time.perf_counter()
        deadline = start + seconds
        while True:
            for _ in range(1000):
                work()
            count += 1000
            now = time.perf_counter()
            if now >= deadline:
                break
        rates.append(count / (now - start))
    return statistics.median(rates)


def arithmetic_ulaw(frame: NDArray[np.int16]) -> NDArray[np.uint8]:
    """µ-law by the segment arithmetic on each frame, the table-less way."""
    sample = frame.astype(np.int32)
    sign = np.where(sample < 0, 0x80, 0)
    biased = np.minimum(np.abs(sample), 32635) + 132
    segment = np.floor(np.log2(biased)).astype(np.int32) - 7
    interval = (biased >> (segment + 3)) & 0x0F
    codes: NDArray[np.uint8] = ((sign | (segment << 4) | interval) ^ 0xFF).astype(np.uint8)
    return codes


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--seconds", type=float, default=1.0)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    rng = np.random.default_rng(2024)
    frame = (rng.normal(0, 6000, 160)).clip(-32768, 32767).astype(np.int16)

    for codec in (g711.PCMU, g711.PCMA):
        error = np.abs(codec.decode(codec.encode(frame)).astype(int) - frame)
        assert error.max() <= 1024, f"{codec.name} round trip is off by {error.max()}"
    assert (arithmetic_ulaw(frame) == g711.ulaw_encode(frame)).all()

    packet_bytes = serialise_rtp(RtpPacket(0, 1234, 567_890, 0xDEADBEEF, bytes(160)))
    rows = [
        ("µ-law encode+decode, 20 ms frame", lambda: g711.ulaw_decode(g711.ulaw_encode(frame))),
        ("A-law encode+decode, 20 ms frame", lambda: g711.alaw_decode(g711.alaw_encode(frame))),
        (
            "µ-law encode+decode from/to bytes",
            lambda: g711.ulaw_decode(g711.ulaw_encode(frame.tobytes()).tobytes()).tobytes(),
        ),
        ("peer: µ-law arithmetic encode+decode", lambda: g711.ulaw_decode(arithmetic_ulaw(frame))),
        ("RTP parse+serialise, PCMU packet", lambda: serialise_rtp(parse_rtp(packet_bytes))),
    ]
    print(f"{'what':<40} {'per second':>12} {'÷ 30,000 goal':>14}")
    for name, work in rows:
        rate = per_second(work, args.seconds, args.repeat)
        print(f"{name:<40} {rate:>12,.0f} {rate / GOAL:>14.1f}")


if __name__ == "__main__":
    main()
