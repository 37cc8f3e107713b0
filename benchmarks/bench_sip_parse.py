"""SIP message parsing and serialising: a typical INVITE with SDP, messages per second.

    .venv/bin/python benchmarks/bench_sip_parse.py [--messages 20000] [--repeat 7]

Each run parses `--messages` copies of the same datagram (a softphone's INVITE: 12 headers, a
180-byte SDP body) with `hotline.switch.sip.parse` and serialises each result back with
`serialize`; the figure is the median over `--repeat` runs. Parse alone and serialise alone
are timed the same way, and the stream parser is fed the same messages back to back in 1,400-
byte chunks (a TCP segment's worth). The parse validates what the transaction layer relies on
(Via, From, To, Call-ID, CSeq, Max-Forwards, Contact, Content-Length), so this is the cost of a
message accepted by the stack, not of splitting lines. There is no peer: Hotline may not use
another SIP library, so none is measured here.
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Callable

from hotline.switch.sip import Message, StreamParser, parse, serialize

SDP = (
    b"v=0\r\no=alice 2890844526 2890844526 IN IP4 192.0.2.10\r\ns=-\r\n"
    b"c=IN IP4 192.0.2.10\r\nt=0 0\r\nm=audio 49170 RTP/AVP 0 8 101\r\n"
    b"a=rtpmap:101 telephone-event/8000\r\na=fmtp:101 0-16\r\na=sendrecv\r\n"
)
HEAD = (
    "INVITE sip:4001@pbx.example.com SIP/2.0\r\n"
    "Via: SIP/2.0/UDP 192.0.2.10:5060;branch=z9hG4bK-524287-1---8f2a1b3c;rport\r\n"
    "Max-Forwards: 70\r\n"
    "Contact: <sip:1001@192.0.2.10:5060;transport=udp>\r\n"
    'To: "Gas Hotline" <sip:4001@pbx.example.com>\r\n'
    'From: "Alice Caller" <sip:1001@pbx.example.com>;tag=a73kszlfl\r\n'
    "Call-ID: 1j9FpLxk3uxtm8tnA7fZbQ..\r\n"
    "CSeq: 1 INVITE\r\n"
    "Allow: INVITE, ACK, CANCEL, BYE, NOTIFY, REFER, MESSAGE, OPTIONS, INFO, SUBSCRIBE\r\n"
    "Content-Type: application/sdp\r\n"
    "Supported: replaces, norefersub, extended-refer, timer, X-cisco-serviceuri\r\n"
    "User-Agent: Example Softphone 5.1.2 rv2.10.19.3\r\n"
    "Allow-Events: presence, kpml, talk\r\n"
)
INVITE = HEAD.encode() + b"Content-Length: %d\r\n\r\n" % len(SDP) + SDP


def median_rate(work: Callable[[], object], count: int, repeat: int) -> float:
    """Messages per second: `count` over the median time of `repeat` runs of `work`."""
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        work()
        times.append(time.perf_counter() - start)
    return count / statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--messages", type=int, default=20_000)
    parser.add_argument("--repeat", type=int, default=7)
    args = parser.parse_args()
    count, repeat = args.messages, args.repeat

    message = parse(INVITE)
    if serialize(message) != INVITE:
        raise SystemExit("the benchmark INVITE does not serialise back unchanged")
    messages = [message] * count
    stream = INVITE * count
    chunks = [stream[i:i + 1400] for i in range(0, len(stream), 1400)]

    def parse_and_serialise() -> None:
        for _ in range(count):
            serialize(parse(INVITE))

    def parse_only() -> None:
        for _ in range(count):
            parse(INVITE)

    def serialise_only() -> None:
        for item in messages:
            serialize(item)

    def stream_parse() -> None:
        framer = StreamParser()
        got: list[Message | object] = []
        for chunk in chunks:
            got += framer.feed(chunk)
        assert len(got) == count

    print(f"typical INVITE: {len(INVITE)} bytes, {len(message.headers)} headers; "
          f"{count} messages per run, median of {repeat} runs")
    print(f"  parse + serialise : {median_rate(parse_and_serialise, count, repeat):>9,.0f} msg/s")
    print(f"  parse             : {median_rate(parse_only, count, repeat):>9,.0f} msg/s")
    print(f"  serialise         : {median_rate(serialise_only, count, repeat):>9,.0f} msg/s")
    print(f"  stream (TCP) parse: {median_rate(stream_parse, count, repeat):>9,.0f} msg/s")


if __name__ == "__main__":
    main()
