"""A leg's RTCP addressing and the send-side counts its sender reports carry."""

from __future__ import annotations

from hotline.switch.media.dtmf import dtmf_packets
from hotline.switch.media.g711 import PCMU
from hotline.switch.media.leg import Leg, RtpSender


def test_rtcp_goes_to_rtp_port_plus_one_unless_sdp_or_latching_says_otherwise() -> None:
    leg = Leg("a", RtpSender(1, 0, 0), 160)
    assert leg.rtcp_destination is None  # not connected
    leg.connect(("192.0.2.1", 5000), PCMU, 0, None)
    assert leg.rtcp_destination == ("192.0.2.1", 5001)
    leg.remote = ("198.51.100.2", 31000)  # RTP latched behind a NAT: its host, port + 1
    assert leg.rtcp_destination == ("198.51.100.2", 31001)
    leg.rtcp_remote = ("192.0.2.1", 6000)  # a=rtcp
    assert leg.rtcp_destination == ("192.0.2.1", 6000)
    leg.rtcp_latched = ("198.51.100.2", 31007)
    assert leg.rtcp_destination == ("198.51.100.2", 31007)
    leg.rtcp_remote = leg.rtcp_latched = None
    leg.remote = ("192.0.2.1", 65535)
    assert leg.rtcp_destination is None  # no port above


def test_the_sender_counts_payload_octets_of_every_kind_of_packet() -> None:
    sender = RtpSender(1, 0, 0)
    sender.audio(0, bytes(160))
    sender.relay(0, 99, 1000, False, bytes(80))
    planned = dtmf_packets("5", 0, interval=0.02)[0]
    sender.event(101, planned, 0)
    assert sender.sent == 3
    assert sender.octets == 160 + 80 + len(planned.payload)


def test_stats_carry_what_the_far_end_reports() -> None:
    leg = Leg("a", RtpSender(7, 0, 0), 160)
    stats = leg.stats()
    assert stats.rtcp_sent == 0 and stats.remote_lost is None and stats.round_trip_ms is None
