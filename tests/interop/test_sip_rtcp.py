"""RTCP through the switch with real phones: baresip's reports reach the media engine.

baresip sends RTCP (SR/RR + SDES) on its RTP port + 1 every few seconds by default; the engine
receives them on each leg's RTCP socket (RTP port + 1) and keeps what they say about the
stream it sends, and sends its own reports back.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from hotline.switch.media.leg import LegStats
from hotline.switch.media.tone import sine
from tests.interop.conftest import needs_baresip
from tests.interop.peers import Baresip, write_wav
from tests.interop.switch_fixture import PASSWORDS, RunningSwitch, running_switch

pytestmark = needs_baresip


@pytest.fixture
def switch(tmp_path: Path) -> Iterator[RunningSwitch]:
    yield from running_switch(tmp_path)


def bridged_legs_stats(switch: RunningSwitch) -> list[LegStats]:
    """The RTCP-relevant stats of the customer and agent legs of every bridged call."""

    def collect() -> list[LegStats]:
        media = switch.switch.media
        stats = []
        for call in switch.switch.gateway.calls.values():
            for leg in (call.customer, call.agent):
                if leg is not None:
                    stats.append(media.stats(leg.id))
        return stats

    return switch.call(collect)


def test_the_engine_receives_baresips_rtcp_reports_on_both_legs(
    switch: RunningSwitch, tmp_path: Path
) -> None:
    tone = write_wav(tmp_path / "tone.wav", sine(1000.0, 30.0, level_dbfs=-10.0))
    with Baresip(tmp_path / "agent", "1001", registrar=switch.sip_address,
                 password=PASSWORDS["1001"], source=tone) as agent:
        agent.wait_registered(timeout=10)
        switch.agent_ready("1001")
        with Baresip(tmp_path / "caller", "caller", source=tone) as caller:
            caller.dial(f"sip:4001@{switch.sip_address}")
            caller.wait_event("CALL_ESTABLISHED", timeout=10)
            agent.wait_event("CALL_ESTABLISHED", timeout=15)
            deadline = time.monotonic() + 20
            stats = bridged_legs_stats(switch)
            while time.monotonic() < deadline and not (
                len(stats) == 2 and all(s.remote_lost is not None and s.rtcp_sent for s in stats)
            ):
                time.sleep(0.5)
                stats = bridged_legs_stats(switch)
            caller.hangup()
            agent.wait_event("CALL_CLOSED", timeout=10)
    assert len(stats) == 2, stats
    for leg in stats:
        assert leg.rtcp_received >= 1 and leg.rtcp_malformed == 0, leg
        assert leg.rtcp_sent >= 1, leg
        # baresip reports on the stream we send it: nothing lost on loopback.
        assert leg.remote_lost == 0 and leg.remote_fraction_lost == 0.0, leg
        assert leg.remote_jitter_ms is not None and leg.remote_jitter_ms < 100, leg
        if leg.round_trip_ms is not None:  # when its block answered one of our SRs
            assert 0 <= leg.round_trip_ms < 1000, leg
