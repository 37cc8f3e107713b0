"""Transfer from the agent's phone (RFC 3515 REFER): baresip's transfer command sends the
customer to another extension's phone; the customer then talks to that agent (tones both
ways) and the core knows the call as transferred. A transfer the core refuses (the target agent
is not ready) is declined and the call stays with the first agent."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from hotline.switch.media.tone import detect_tone, sine, tone_power_ratio
from tests.interop.conftest import needs_baresip
from tests.interop.peers import Baresip, write_wav
from tests.interop.switch_fixture import PASSWORDS, RunningSwitch, running_switch

pytestmark = needs_baresip


@pytest.fixture
def switch(tmp_path: Path) -> Iterator[RunningSwitch]:
    yield from running_switch(tmp_path)


def _phone(tmp_path: Path, switch: RunningSwitch, user: str, tone: Path | None) -> Baresip:
    return Baresip(tmp_path / user, user, registrar=switch.sip_address,
                   password=PASSWORDS[user], source=tone)


def _wait_in_service(switch: RunningSwitch, agent: str) -> None:
    """The phone says established once it answered; the switch bridges a moment later. A
    person presses transfer after that moment; the test waits for it too."""
    deadline = time.monotonic() + 10
    while _in_service_with(switch) != {agent}:
        assert time.monotonic() < deadline, f"{agent} never in service"
        time.sleep(0.05)


def _in_service_with(switch: RunningSwitch) -> set[str]:
    return switch.call(lambda: {
        agent for agent in ("1001", "1002")
        if switch.runtime.server.agent_interaction(agent) is not None})


def test_the_phones_transfer_key_sends_the_customer_to_another_extension(
    switch: RunningSwitch, tmp_path: Path
) -> None:
    caller_tone = write_wav(tmp_path / "caller.wav", sine(1000.0, 30.0, level_dbfs=-10.0))
    second_tone = write_wav(tmp_path / "second.wav", sine(600.0, 30.0, level_dbfs=-10.0))
    with _phone(tmp_path, switch, "1001", None) as first, \
            _phone(tmp_path, switch, "1002", second_tone) as second:
        first.wait_registered(timeout=10)
        second.wait_registered(timeout=10)
        switch.agent_ready("1001")
        with Baresip(tmp_path / "caller", "caller", source=caller_tone) as caller:
            caller.dial(f"sip:4001@{switch.sip_address}")
            first.wait_event("CALL_ESTABLISHED", timeout=15)
            _wait_in_service(switch, "1001")
            switch.agent_ready("1002")  # only now: the call must reach 1001 first
            first.command("transfer", f"sip:1002@{switch.sip_address}")
            first.wait_event("CALL_CLOSED", timeout=10)
            second.wait_event("CALL_ESTABLISHED", timeout=15)
            time.sleep(3.0)  # the customer and the second agent talk
            assert _in_service_with(switch) == {"1002"}
            caller.hangup()
            second.wait_event("CALL_CLOSED", timeout=10)
    heard_by_second = second.heard()[-16000:-4000]
    assert detect_tone(heard_by_second, 1000.0), tone_power_ratio(heard_by_second, 1000.0)
    heard_by_caller = caller.heard()[-16000:-4000]
    assert detect_tone(heard_by_caller, 600.0), tone_power_ratio(heard_by_caller, 600.0)
    names = switch.fact_names()
    assert names.count("InteractionDelivered") == 2  # the customer's call, then its transfer


def test_a_transfer_the_core_refuses_is_declined_with_its_reason(
    switch: RunningSwitch, tmp_path: Path
) -> None:
    with _phone(tmp_path, switch, "1001", None) as first, \
            _phone(tmp_path, switch, "1002", None) as second:
        first.wait_registered(timeout=10)
        second.wait_registered(timeout=10)
        switch.agent_ready("1001")  # 1002 stays logged out: a transfer to it is refused
        with Baresip(tmp_path / "caller", "caller") as caller:
            caller.dial(f"sip:4001@{switch.sip_address}")
            first.wait_event("CALL_ESTABLISHED", timeout=15)
            _wait_in_service(switch, "1001")
            first.command("transfer", f"sip:1002@{switch.sip_address}")
            deadline = time.monotonic() + 10
            while "transfer failed" not in first.log() and time.monotonic() < deadline:
                time.sleep(0.1)
            # baresip 1.0 ends its call when its transfer fails; the switch did not move it.
            caller.wait_event("CALL_CLOSED", timeout=10)
    assert "603 Decline (agent '1002' is logged_out, not ready" in first.log()
    assert not any(event.type == "CALL_INCOMING" for event in second.events)
    names = switch.fact_names()
    assert names.count("InteractionDelivered") == 1  # no transferred interaction
