"""Real SIP peers against the embedded switch: SIPp as a trunk placing calls and as an agent's
phone that registers with digest authentication and auto-answers.

The whole path runs: INVITE to DID 4001 → `InteractionArrived` → queue with music → the offer
rings the agent's registered phone → its 200 → `AgentAnswered` → bridge → the caller's BYE →
`CustomerHungUp` → the switch's BYE to the phone → facts in the journal.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from hotline.core.events import (
    AgentDialed,
    AgentHeld,
    AgentHungUp,
    AgentRetrieved,
    AgentTransferred,
)
from hotline.store.journal_queries import list_interactions
from tests.interop.peers import SCENARIOS, SIPP, Sipp, phone_sipp
from tests.interop.switch_fixture import PASSWORDS, TENANT, RunningSwitch, running_switch

pytestmark = pytest.mark.skipif(SIPP is None, reason="sipp is not installed "
                                "(scripts/ensure-packages --test installs it)")


@pytest.fixture
def switch(tmp_path: Path) -> Iterator[RunningSwitch]:
    yield from running_switch(tmp_path)


def test_a_phone_registers_with_digest_and_a_wrong_password_is_refused(
    switch: RunningSwitch, tmp_path: Path
) -> None:
    with phone_sipp(tmp_path / "good", switch.sip_address, "1001", PASSWORDS["1001"]) as phone:
        phone.wait_log("registered 1001", timeout=10)
        assert switch.call(lambda: switch.switch.gateway.registered_contacts("1001")) == 1
    with phone_sipp(tmp_path / "bad", switch.sip_address, "1002", "wrong") as phone:
        result = phone.wait(timeout=15)
    assert result.successful == 0
    assert "403" in phone.messages() or "401" in phone.messages()
    assert switch.call(lambda: switch.switch.gateway.registered_contacts("1002")) == 0


def test_trunk_calls_to_4001_reach_the_agents_registered_phone(
    switch: RunningSwitch, tmp_path: Path
) -> None:
    with phone_sipp(tmp_path / "phone", switch.sip_address, "1001", PASSWORDS["1001"]) as phone:
        phone.wait_log("registered 1001", timeout=10)
        switch.agent_ready("1001")
        caller = Sipp("uac", tmp_path / "caller", target=switch.sip_address, service="4001",
                      calls=3, rate=1, pause_ms=1000, max_concurrent=1)
        with caller:
            result = caller.wait(timeout=40)
        assert result.ok, result.stdout + caller.messages()
        assert result.successful == 3
        phone.wait_log("hung up", timeout=10, count=3)
    rows, total = list_interactions(switch.engine, TENANT, agent="1001")
    assert total == 3
    assert all(row.result == "answered" for row in rows)
    assert switch.fact_names().count("InteractionDelivered") == 3


def test_an_unknown_did_gets_404_and_the_switch_keeps_serving(
    switch: RunningSwitch, tmp_path: Path
) -> None:
    caller = Sipp("uac", tmp_path / "nowhere", target=switch.sip_address, service="9999",
                  calls=1)
    with caller:
        result = caller.wait(timeout=20)
    assert result.successful == 0
    assert "SIP/2.0 404" in caller.messages()
    with phone_sipp(tmp_path / "phone", switch.sip_address, "1002", PASSWORDS["1002"]) as phone:
        phone.wait_log("registered 1002", timeout=10)


def test_click_to_dial_rings_the_agents_phone_then_the_customer_through_the_trunk(
    switch: RunningSwitch, tmp_path: Path
) -> None:
    trunk = Sipp(SCENARIOS / "uas_trunk.xml", tmp_path / "trunk", local_port=switch.trunk_port)
    with trunk, phone_sipp(tmp_path / "phone", switch.sip_address, "1001",
                           PASSWORDS["1001"]) as phone:
        phone.wait_log("registered 1001", timeout=10)
        switch.agent_ready("1001")
        switch.handle(AgentDialed("dial-1", "1001", "013800138000"))
        phone.wait_log("answered", timeout=10)
        trunk.wait_log("answered 013800138000", timeout=10)
        assert _reached(switch, "dial-1", "in_service")  # CallConnected reached the core
        switch.handle(AgentHungUp("dial-1", "1001"))
        trunk.wait_log("hung up", timeout=10)
        phone.wait_log("hung up", timeout=10)
    rows, total = list_interactions(switch.engine, TENANT, agent="1001")
    assert total == 1 and rows[0].result == "answered"


def test_hold_and_blind_transfer_act_on_the_real_legs(
    switch: RunningSwitch, tmp_path: Path
) -> None:
    with phone_sipp(tmp_path / "p1", switch.sip_address, "1001", PASSWORDS["1001"]) as one, \
            phone_sipp(tmp_path / "p2", switch.sip_address, "1002", PASSWORDS["1002"]) as two:
        one.wait_log("registered 1001", timeout=10)
        two.wait_log("registered 1002", timeout=10)
        switch.agent_ready("1001")
        caller = Sipp("uac", tmp_path / "caller", target=switch.sip_address, service="4001",
                      calls=1, pause_ms=6000)
        with caller:
            one.wait_log("answered", timeout=10)
            interaction = switch.call(lambda: next(iter(switch.switch.gateway.calls)))
            switch.handle(AgentHeld(interaction, "1001"))
            switch.handle(AgentRetrieved(interaction, "1001"))
            switch.agent_ready("1002")
            switch.handle(AgentTransferred(interaction, "1001", to_agent="1002"))
            one.wait_log("hung up", timeout=10)   # the first agent's leg is released
            two.wait_log("answered", timeout=10)  # the caller now rings the second
            result = caller.wait(timeout=20)
        assert result.successful == 1
        two.wait_log("hung up", timeout=10)


def _reached(switch: RunningSwitch, interaction: str, state: str, timeout: float = 10) -> bool:
    """Whether the interaction's state changed to `state` within `timeout` seconds."""
    def seen() -> bool:
        return any(type(fact).__name__ == "InteractionStateChanged"
                   and getattr(fact, "interaction_id", None) == interaction
                   and str(getattr(fact, "new", "")) == state for fact in switch.facts)

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if switch.call(seen):
            return True
        time.sleep(0.1)
    return False
