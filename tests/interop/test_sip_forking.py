"""An agent with two phones registered on one extension (a desk phone and a softphone): an
offer rings both at once; the one that answers takes the call, the other stops ringing; a
phone that refuses does not decline the offer while the other still rings."""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from hotline.core.agent_fsm import AgentState
from tests.interop.conftest import needs_baresip
from tests.interop.peers import Baresip
from tests.interop.switch_fixture import PASSWORDS, RunningSwitch, running_switch

pytestmark = needs_baresip


@pytest.fixture
def switch(tmp_path: Path) -> Iterator[RunningSwitch]:
    yield from running_switch(tmp_path)


def _device(tmp_path: Path, switch: RunningSwitch, name: str, *, auto: bool) -> Baresip:
    return Baresip(tmp_path / name, "1001", registrar=switch.sip_address,
                   password=PASSWORDS["1001"], auto_answer=auto)


def _registered_twice(switch: RunningSwitch) -> None:
    deadline = time.monotonic() + 10
    while switch.call(lambda: switch.switch.gateway.registered_contacts("1001")) < 2:
        assert time.monotonic() < deadline, "two contacts never registered"
        time.sleep(0.1)


@contextmanager
def _both_ringing(switch: RunningSwitch,
                  tmp_path: Path) -> Iterator[tuple[Baresip, Baresip, Baresip]]:
    """Two devices registered as extension 1001 (answering by hand), its agent ready, and a
    caller's call to 4001 ringing both: (desk, soft, caller)."""
    with _device(tmp_path, switch, "desk", auto=False) as desk, \
            _device(tmp_path, switch, "soft", auto=False) as soft:
        desk.wait_registered(timeout=10)
        soft.wait_registered(timeout=10)
        _registered_twice(switch)
        switch.agent_ready("1001")
        with Baresip(tmp_path / "caller", "caller") as caller:
            caller.dial(f"sip:4001@{switch.sip_address}")
            desk.wait_event("CALL_INCOMING", timeout=15)
            soft.wait_event("CALL_INCOMING", timeout=15)
            yield desk, soft, caller


def test_both_phones_ring_and_the_one_that_answers_takes_the_call(
    switch: RunningSwitch, tmp_path: Path
) -> None:
    with _both_ringing(switch, tmp_path) as (desk, soft, caller):
        soft.answer()
        soft.wait_event("CALL_ESTABLISHED", timeout=10)
        desk.wait_event("CALL_CLOSED", timeout=10)  # cancelled: it stops ringing
        assert not any(event.type == "CALL_ESTABLISHED" for event in desk.events)
        caller.hangup()
        soft.wait_event("CALL_CLOSED", timeout=10)
    rows = switch.call(lambda: [fact for fact in switch.facts
                                if type(fact).__name__ == "InteractionStateChanged"
                                and str(getattr(fact, "reason", "")) == "answered"])
    assert len(rows) == 1


def test_one_phone_refusing_does_not_decline_while_the_other_rings(
    switch: RunningSwitch, tmp_path: Path
) -> None:
    with _both_ringing(switch, tmp_path) as (desk, soft, caller):
        desk.hangup()  # rejects the ringing call on this device only
        desk.wait_event("CALL_CLOSED", timeout=10)
        time.sleep(0.5)
        # Still offered to the agent (a decline would make them not ready, the call
        # queued again).
        assert switch.call(lambda: switch.runtime.server.agent_state("1001")) \
            is AgentState.RESERVED
        soft.answer()
        soft.wait_event("CALL_ESTABLISHED", timeout=10)
        caller.hangup()
        soft.wait_event("CALL_CLOSED", timeout=10)
