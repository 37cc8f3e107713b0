"""Media foundation: the pure, sans-I/O pieces that carry a call's audio.

This package owns what travels in RTP and how it is described and timed — nothing here opens a
socket, reads a clock or sleeps; the asyncio media engine around it passes packets and the
current time in and takes frames and packets out.

- `g711`: µ-law and A-law (ITU-T G.711) between 16-bit linear PCM and 8-bit codes, by table.
- `rtp`: RTP packets (RFC 3550 §5.1) and sequence/timestamp arithmetic with wrap-around.
- `rtcp`: receiver statistics (RFC 3550 §6.4, A.1, A.3, A.8) and SR/RR packets.
- `dtmf`: RFC 4733 telephone-events: payload, a receiver that yields each digit once, a sender.
- `jitter`: a jitter buffer that reorders, drops late and duplicate packets and conceals gaps.
- `sdp`: SDP (RFC 4566) parsing and serialising, and the RFC 3264 offer/answer rules.
- `tone`: sine tones and Goertzel frequency detection, to prove audio flows between phones.
"""
