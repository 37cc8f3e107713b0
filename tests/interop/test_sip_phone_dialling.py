"""An agent dials from their own desk phone (baresip, registered with digest): an outside
number goes out through the tenant's trunk (SIPp) as the agent's outbound call — journalled,
the phone hearing ring-back, then bridged — or is refused by the extension's dial class;
another extension's phone rings and the two are bridged (an internal call, outside the core);
an extension with no registered phone gets 480.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from hotline.core.events import AgentLoggedIn, AgentLoggedOut
from hotline.store.journal_queries import list_interactions
from hotline.store.journal_tables import InteractionRecord
from hotline.store.recordings import RecordingArchive
from hotline.switch.media.tone import detect_tone, sine, tone_power_ratio
from tests.interop.conftest import needs_baresip, needs_sipp
from tests.interop.peers import SCENARIOS, Baresip, Event, Sipp, write_wav
from tests.interop.switch_fixture import PASSWORDS, TENANT, RunningSwitch, running_switch

pytestmark = [needs_baresip, needs_sipp]

NUMBER = "013800138000"


@pytest.fixture
def switch(tmp_path: Path) -> Iterator[RunningSwitch]:
    yield from running_switch(tmp_path)


def _phone(switch: RunningSwitch, workdir: Path, user: str, **options: object) -> Baresip:
    return Baresip(workdir, user, registrar=switch.sip_address, password=PASSWORDS[user],
                   **options)  # type: ignore[arg-type]


def _closed_with(phone: Baresip, status: str, timeout: float = 10) -> Event:
    """The phone's call closed with a final response whose status is `status`."""
    event = phone.wait_event("CALL_CLOSED", timeout=timeout)
    assert status in event.param, event.data
    return event


def _interactions(switch: RunningSwitch, agent: str | None, count: int,
                  timeout: float = 10) -> list[InteractionRecord]:
    """The tenant's interaction records (the agent's, unless `agent` is None), once there
    are `count` of them or `timeout` has passed."""
    deadline = time.monotonic() + timeout
    while True:
        rows, total = list_interactions(switch.engine, TENANT, agent=agent)
        if total >= count or time.monotonic() > deadline:
            return list(rows)
        time.sleep(0.2)


def test_an_agent_dials_an_outside_number_from_the_phone_and_it_is_journalled(
    switch: RunningSwitch, tmp_path: Path
) -> None:
    tone = write_wav(tmp_path / "agent.wav", sine(600.0, 30.0, level_dbfs=-10.0))
    trunk = Sipp(SCENARIOS / "uas_trunk.xml", tmp_path / "trunk", local_port=switch.trunk_port,
                 extra=["-rtp_echo"])
    with trunk, _phone(switch, tmp_path / "agent", "1001", source=tone) as phone:
        phone.wait_registered(timeout=10)
        switch.agent_ready("1001")
        phone.dial(f"sip:{NUMBER}@{switch.sip_address}")
        trunk.wait_log(f"answered {NUMBER}", timeout=10)
        phone.wait_event("CALL_ESTABLISHED", timeout=10)
        time.sleep(3.0)  # the trunk (SIPp) echoes what it gets: the agent hears their tone
        phone.hangup()
        trunk.wait_log(f"hung up {NUMBER}", timeout=10)
        phone.wait_event("CALL_CLOSED", timeout=10)
    rows = _interactions(switch, "1001", 1)
    assert len(rows) == 1
    row = rows[0]
    assert row.direction == "outbound" and row.result == "answered"
    assert NUMBER in (row.dnis, row.ani)
    # No second INVITE to the agent's phone: it placed the call and was never rung.
    assert not any(event.type == "CALL_INCOMING" for event in phone.events)
    heard = phone.heard()[-16000:-4000]
    assert detect_tone(heard, 600.0), tone_power_ratio(heard, 600.0)
    assert "InteractionDelivered" in switch.fact_names()
    # Recorded like any call (T6): the far end on the left, the agent on the right.
    archive = RecordingArchive(switch.engine, tmp_path / "recordings")
    deadline = time.monotonic() + 10
    while not (found := archive.search(TENANT)[0]) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert len(found) == 1 and found[0].agent_id == "1001" and found[0].seconds > 1


def test_a_number_above_the_extensions_dial_class_is_refused_403_and_nothing_happens(
    switch: RunningSwitch, tmp_path: Path
) -> None:
    trunk = Sipp(SCENARIOS / "uas_trunk.xml", tmp_path / "trunk", local_port=switch.trunk_port)
    with trunk, _phone(switch, tmp_path / "agent", "1001") as phone:
        phone.wait_registered(timeout=10)
        switch.agent_ready("1001")
        phone.dial(f"sip:+442079460000@{switch.sip_address}")  # "national" by default
        event = _closed_with(phone, "403")
        assert "international calls are not allowed" in event.param, event.data
        time.sleep(0.5)
        assert "INVITE" not in trunk.messages()
    assert _interactions(switch, "1001", 1, timeout=1) == []
    assert "InteractionDelivered" not in switch.fact_names()


def test_an_agent_the_core_does_not_let_dial_gets_the_cores_reason(
    switch: RunningSwitch, tmp_path: Path
) -> None:
    with _phone(switch, tmp_path / "agent", "1001") as phone:
        phone.wait_registered(timeout=10)
        switch.handle(AgentLoggedIn("1001"))
        switch.handle(AgentLoggedOut("1001"))
        phone.dial(f"sip:{NUMBER}@{switch.sip_address}")
        event = _closed_with(phone, "403")
        assert "logged_out" in event.param, event.data
    assert _interactions(switch, "1001", 1, timeout=1) == []


def test_a_busy_far_end_refuses_the_phones_call_with_486(
    switch: RunningSwitch, tmp_path: Path
) -> None:
    trunk = Sipp(SCENARIOS / "uas_trunk_busy.xml", tmp_path / "trunk",
                 local_port=switch.trunk_port)
    with trunk, _phone(switch, tmp_path / "agent", "1001") as phone:
        phone.wait_registered(timeout=10)
        switch.agent_ready("1001")
        phone.dial(f"sip:{NUMBER}@{switch.sip_address}")
        trunk.wait_log(f"busy {NUMBER}", timeout=10)
        _closed_with(phone, "486")
    rows = _interactions(switch, None, 1)
    assert len(rows) == 1 and rows[0].direction == "outbound" and rows[0].result != "answered"
    assert _agent_state(switch, "1001") == "ready"


def test_the_phone_cancelling_while_the_far_end_rings_cancels_the_far_end(
    switch: RunningSwitch, tmp_path: Path
) -> None:
    trunk = Sipp(SCENARIOS / "uas_trunk_ringing.xml", tmp_path / "trunk",
                 local_port=switch.trunk_port)
    with trunk, _phone(switch, tmp_path / "agent", "1001") as phone:
        phone.wait_registered(timeout=10)
        switch.agent_ready("1001")
        phone.dial(f"sip:{NUMBER}@{switch.sip_address}")
        trunk.wait_log(f"ringing {NUMBER}", timeout=10)
        phone.wait_event("CALL_PROGRESS", timeout=10)  # 183: our ring-back as early media
        phone.hangup()
        trunk.wait_log(f"cancelled {NUMBER}", timeout=10)
    deadline = time.monotonic() + 10
    while _agent_state(switch, "1001") != "ready" and time.monotonic() < deadline:
        time.sleep(0.1)
    assert _agent_state(switch, "1001") == "ready"  # back from dialling, no wrap-up


def test_an_extension_calls_another_and_they_talk(
    switch: RunningSwitch, tmp_path: Path
) -> None:
    one_tone = write_wav(tmp_path / "one.wav", sine(600.0, 30.0, level_dbfs=-10.0))
    two_tone = write_wav(tmp_path / "two.wav", sine(1000.0, 30.0, level_dbfs=-10.0))
    with _phone(switch, tmp_path / "one", "1001", source=one_tone) as one, \
            _phone(switch, tmp_path / "two", "1002", source=two_tone,
                   auto_answer=False) as two:
        one.wait_registered(timeout=10)
        two.wait_registered(timeout=10)
        one.dial(f"sip:1002@{switch.sip_address}")
        two.wait_event("CALL_INCOMING", timeout=10)
        one.wait_event("CALL_RINGING", timeout=10)
        two.answer()
        one.wait_event("CALL_ESTABLISHED", timeout=10)
        two.wait_event("CALL_ESTABLISHED", timeout=10)
        time.sleep(3.0)
        one.hangup()
        two.wait_event("CALL_CLOSED", timeout=10)
        one.wait_event("CALL_CLOSED", timeout=10)
    heard_by_one, heard_by_two = one.heard()[-16000:-4000], two.heard()[-16000:-4000]
    assert detect_tone(heard_by_one, 1000.0), tone_power_ratio(heard_by_one, 1000.0)
    assert not detect_tone(heard_by_one, 600.0)
    assert detect_tone(heard_by_two, 600.0), tone_power_ratio(heard_by_two, 600.0)
    assert not detect_tone(heard_by_two, 1000.0)
    # Outside the core: nothing journalled, no interaction.
    assert "InteractionDelivered" not in switch.fact_names()
    assert list_interactions(switch.engine, TENANT)[1] == 0


def test_calling_an_extension_with_no_registered_phone_gets_480(
    switch: RunningSwitch, tmp_path: Path
) -> None:
    with _phone(switch, tmp_path / "one", "1001") as one:
        one.wait_registered(timeout=10)
        one.dial(f"sip:1003@{switch.sip_address}")
        _closed_with(one, "480")


def test_a_phone_calling_a_did_still_comes_in_as_a_call(
    switch: RunningSwitch, tmp_path: Path
) -> None:
    with _phone(switch, tmp_path / "agent", "1001") as agent, \
            _phone(switch, tmp_path / "caller", "1002") as caller:
        agent.wait_registered(timeout=10)
        caller.wait_registered(timeout=10)
        switch.agent_ready("1001")
        caller.dial(f"sip:4001@{switch.sip_address}")
        caller.wait_event("CALL_ESTABLISHED", timeout=10)
        agent.wait_event("CALL_ESTABLISHED", timeout=15)
        caller.hangup()
        agent.wait_event("CALL_CLOSED", timeout=10)
    rows = _interactions(switch, "1001", 1)
    assert len(rows) == 1 and rows[0].direction == "inbound"


def _agent_state(switch: RunningSwitch, agent: str) -> str:
    """The agent's latest state in the facts."""
    def latest() -> str:
        states = [str(getattr(fact, "new", "")) for fact in switch.facts
                  if type(fact).__name__ == "AgentStateChanged"
                  and getattr(fact, "agent_id", None) == agent]
        return states[-1] if states else ""
    return switch.call(latest)
