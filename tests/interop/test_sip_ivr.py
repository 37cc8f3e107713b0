"""A caller through the trunk walks a real IVR: prompts rendered by espeak-ng and played as
G.711 RTP, keys sent by SIPp as RFC 4733 telephone-events (recorded pcaps), the flow's choice
sending the call to the agent's registered phone; a caller who keys nothing is ended by the
flow."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from hotline.core.facts import InteractionStateChanged
from hotline.core.interaction_fsm import InteractionState
from hotline.store.journal_queries import list_interactions
from tests.interop.peers import PCAP_DIR as SIPP_PCAPS
from tests.interop.peers import SCENARIOS, SIPP, Sipp, digits_scenario, phone_sipp
from tests.interop.switch_fixture import PASSWORDS, TENANT, RunningSwitch, running_switch

pytestmark = pytest.mark.skipif(SIPP is None, reason="sipp is not installed "
                                "(scripts/ensure-packages --test installs it)")

FLOW: dict[str, Any] = {
    "name": "front_desk",
    "start": "menu",
    "languages": ["en"],
    "nodes": {
        "menu": {
            "type": "play_option",
            "prompts": [{"tts": {"en": "For gas delivery press 2."}}],
            "timeout": 10, "retries": 0,
            "exits": {"1": "to_general", "2": "to_general", "timeout": "bye",
                      "invalid": "bye"},
        },
        "to_general": {"type": "transfer", "queue": "general"},
        "bye": {"type": "play_only", "prompts": [{"tts": {"en": "Goodbye."}}], "next": "end"},
        "end": {"type": "stop_flow"},
    },
}


def _states(switch: RunningSwitch) -> list[InteractionState]:
    """The states the switch's interactions went through, in order."""
    return switch.call(lambda: [fact.new for fact in switch.facts
                                if isinstance(fact, InteractionStateChanged)])


@pytest.fixture
def switch(tmp_path: Path) -> Iterator[RunningSwitch]:
    yield from running_switch(tmp_path, flow=FLOW)


def test_rfc4733_digits_drive_the_ivr_to_the_agents_phone(
    switch: RunningSwitch, tmp_path: Path
) -> None:
    with phone_sipp(tmp_path / "phone", switch.sip_address, "1001", PASSWORDS["1001"]) as phone:
        phone.wait_log("registered 1001", timeout=10)
        switch.agent_ready("1001")
        scenario = digits_scenario("2", tmp_path / "press2.xml")
        caller = Sipp(scenario, tmp_path / "caller", target=switch.sip_address, service="4000",
                      calls=1)
        with caller:
            phone.wait_log("answered", timeout=20)
            caller.wait(timeout=30)
        phone.wait_log("hung up", timeout=10)
    states = _states(switch)
    assert states[:3] == [InteractionState.IN_IVR, InteractionState.ROUTING,
                          InteractionState.QUEUED]  # the flow's choice queued it
    rows, total = list_interactions(switch.engine, TENANT, agent="1001")
    assert total == 1 and rows[0].result == "answered"


def test_the_standard_uac_to_4001_skips_the_ivr_and_reaches_the_agent(
    switch: RunningSwitch, tmp_path: Path
) -> None:
    """4001 has a DNIS route to the general queue and no flow: with the IVR as the tenant's
    default flow, its calls still go straight to the queue (the demo's 4001)."""
    with phone_sipp(tmp_path / "phone", switch.sip_address, "1001", PASSWORDS["1001"]) as phone:
        phone.wait_log("registered 1001", timeout=10)
        switch.agent_ready("1001")
        caller = Sipp("uac", tmp_path / "caller", target=switch.sip_address, service="4001",
                      calls=1, pause_ms=3000)
        with caller:
            result = caller.wait(timeout=30)
        assert result.ok and result.successful == 1, result.stdout + caller.messages()
        phone.wait_log("hung up", timeout=10)
    states = _states(switch)
    assert InteractionState.IN_IVR not in states
    assert InteractionState.IN_SERVICE in states
    rows, total = list_interactions(switch.engine, TENANT, agent="1001")
    assert total == 1 and rows[0].result == "answered"


def test_the_standard_uac_to_4000_is_answered_by_the_ivr(
    switch: RunningSwitch, tmp_path: Path
) -> None:
    """SIPp's built-in uac to 4000 (no route: the tenant's default flow): the switch answers,
    the caller is in the IVR when it hangs up, and the journal says it left there."""
    caller = Sipp("uac", tmp_path / "caller", target=switch.sip_address, service="4000",
                  calls=2, rate=1, pause_ms=1500, max_concurrent=1)
    with caller:
        result = caller.wait(timeout=30)
    assert result.ok and result.successful == 2, result.stdout + caller.messages()
    states = _states(switch)
    assert states.count(InteractionState.IN_IVR) == 2
    assert InteractionState.QUEUED not in states
    rows, total = list_interactions(switch.engine, TENANT)
    assert total == 2 and {row.result for row in rows} == {"abandoned_in_ivr"}


def test_sipps_standard_uac_pcap_sends_audio_then_a_digit_that_the_ivr_takes(
    switch: RunningSwitch, tmp_path: Path
) -> None:
    """SIPp's built-in `uac_pcap` to 4000: 8 s of G.711 audio (its g711a.pcap) while the menu
    plays and listens, then RFC 4733 "1", which the flow routes to the general queue; the
    agent's phone rings and answers before SIPp hangs up a second later."""
    caller_dir = tmp_path / "caller"
    caller_dir.mkdir()
    (caller_dir / "pcap").symlink_to(SIPP_PCAPS)  # the scenario names pcap/g711a.pcap
    with phone_sipp(tmp_path / "phone", switch.sip_address, "1001", PASSWORDS["1001"]) as phone:
        phone.wait_log("registered 1001", timeout=10)
        switch.agent_ready("1001")
        caller = Sipp("uac_pcap", caller_dir, target=switch.sip_address, service="4000",
                      calls=1)
        with caller:
            result = caller.wait(timeout=40)
        assert result.ok and result.successful == 1, result.stdout + caller.messages()
        phone.wait_log("answered", timeout=10)
    states = _states(switch)
    assert states[:4] == [InteractionState.IN_IVR, InteractionState.ROUTING,
                          InteractionState.QUEUED, InteractionState.OFFERED], states


def test_a_key_sent_in_a_sip_info_drives_the_ivr(
    switch: RunningSwitch, tmp_path: Path
) -> None:
    """A phone that keys in SIP INFO (application/dtmf-relay) instead of RFC 4733: the IVR
    takes the key as it would an RTP event."""
    with phone_sipp(tmp_path / "phone", switch.sip_address, "1001", PASSWORDS["1001"]) as phone:
        phone.wait_log("registered 1001", timeout=10)
        switch.agent_ready("1001")
        caller = Sipp(SCENARIOS / "uac_info_digit.xml", tmp_path / "caller",
                      target=switch.sip_address, service="4000", calls=1, pause_ms=3000,
                      keys={"digit": "2"})
        with caller:
            result = caller.wait(timeout=30)
        assert result.ok and result.successful == 1, result.stdout + caller.messages()
        phone.wait_log("answered", timeout=10)
    states = _states(switch)
    assert states[:4] == [InteractionState.IN_IVR, InteractionState.ROUTING,
                          InteractionState.QUEUED, InteractionState.OFFERED], states
