"""Media: the pure, sans-I/O pieces that carry a call's audio, and the local engine on them.

This package owns what travels in RTP and how it is described and timed — nothing here except
`engine` (and the recording file writer it runs on a worker thread) opens a socket, reads a
clock or sleeps; the asyncio engine passes packets and the current time in and takes frames
and packets out.

- `g711`: µ-law and A-law (ITU-T G.711) between 16-bit linear PCM and 8-bit codes, by table.
- `rtp`: RTP packets (RFC 3550 §5.1) and sequence/timestamp arithmetic with wrap-around.
- `rtcp`: receiver statistics (RFC 3550 §6.4, A.1, A.3, A.8) and SR/RR packets.
- `dtmf`: RFC 4733 telephone-events: payload, a receiver that yields each digit once, a sender.
- `jitter`: a jitter buffer that reorders, drops late and duplicate packets and conceals gaps.
- `sdp`: SDP (RFC 4566) parsing and serialising, and the RFC 3264 offer/answer rules.
- `tone`: sine tones and Goertzel frequency detection, to prove audio flows between phones.
- `player`: a prompt or music handed out one frame at a time, once or looping.
- `recorder`: two legs' audio as a stereo WAV, buffered in memory and written in pieces.
- `leg`: one call leg's negotiated codec, receive statistics and outgoing RTP stream.
- `mixer`: the hearing graph and the per-tick mix, with the relay fast path for bridged calls.
- `engine`: `LocalMediaEngine`, the mixer on asyncio with a UDP socket per leg and a 20 ms clock.
- `backend`: `MediaBackend`, what the SIP B2BUA needs from any media backend (local, rtpengine).
"""
