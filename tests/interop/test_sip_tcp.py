"""SIP over TCP against real peers: a SIPp phone registers over TCP (digest) and takes calls
on its own connection; callers come in over TCP or UDP.

The switch must reach a phone that registered over TCP on the connection the phone opened
(its Contact says `transport=TCP`, its source port is the connection's), and its own Via and
Contact must name TCP on that leg; a caller over TCP is answered on the caller's connection.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from hotline.store.journal_queries import list_interactions
from tests.interop.peers import SCENARIOS, SIPP, Sipp, phone_sipp
from tests.interop.switch_fixture import PASSWORDS, TENANT, RunningSwitch, running_switch

pytestmark = pytest.mark.skipif(SIPP is None, reason="sipp is not installed "
                                "(scripts/ensure-packages --test installs it)")


@pytest.fixture
def switch(tmp_path: Path) -> Iterator[RunningSwitch]:
    yield from running_switch(tmp_path)


@pytest.mark.parametrize("caller_transport", ["tcp", "udp"])
def test_a_call_to_4001_reaches_a_phone_registered_over_tcp(
    switch: RunningSwitch, tmp_path: Path, caller_transport: str
) -> None:
    with phone_sipp(tmp_path / "phone", switch.sip_address, "1001", PASSWORDS["1001"],
                    transport="tcp") as phone:
        phone.wait_log("registered 1001", timeout=10)
        assert switch.call(lambda: switch.switch.gateway.registered_contacts("1001")) == 1
        switch.agent_ready("1001")
        caller = Sipp("uac", tmp_path / "caller", target=switch.sip_address, service="4001",
                      calls=1, pause_ms=1000, transport=caller_transport)
        with caller:
            result = caller.wait(timeout=30)
        assert result.ok, result.stdout + caller.messages()
        assert result.successful == 1
        phone.wait_log("answered", timeout=10)
        phone.wait_log("hung up", timeout=10)
        trace = phone.messages()
    # What the switch sent the phone went over TCP and says so.
    invite = _first_request(trace, "INVITE")
    assert re.search(r"^Via: SIP/2\.0/TCP ", invite, re.MULTILINE | re.IGNORECASE), invite
    assert re.search(r"^Contact:.*;transport=tcp", invite, re.MULTILINE | re.IGNORECASE), invite
    bye = _first_request(trace, "BYE")
    assert re.search(r"^Via: SIP/2\.0/TCP ", bye, re.MULTILINE | re.IGNORECASE), bye
    rows, total = list_interactions(switch.engine, TENANT, agent="1001")
    assert total == 1
    assert rows[0].result == "answered"
    assert switch.fact_names().count("InteractionDelivered") == 1


def _first_request(trace: str, method: str) -> str:
    """The first `method` request SIPp received, from its -trace_msg log."""
    match = re.search(rf"^{method} sip:.*?(?=\n\s*\n)", trace, re.MULTILINE | re.DOTALL)
    assert match is not None, f"no {method} in the trace:\n{trace}"
    return match.group(0)


def test_a_phone_registered_over_tcp_without_transport_in_its_contact_is_reached_on_its_connection(
    switch: RunningSwitch, tmp_path: Path
) -> None:
    """Some phones register over TCP with a bare Contact (no `transport=tcp`): the switch
    still reaches them where the REGISTER came from — on that connection, not over UDP."""
    scenario = tmp_path / "uas_register_bare_contact.xml"
    text = (SCENARIOS / "uas_register.xml").read_text()
    scenario.write_text(text.replace(";transport=[transport]>", ">"))
    phone = Sipp(scenario, tmp_path / "phone", target=switch.sip_address, service="1001",
                 auth=("1001", PASSWORDS["1001"]), calls=1, pause_ms=3_600_000,
                 out_of_call=SCENARIOS / "uas_answer.xml", transport="tcp")
    with phone:
        phone.wait_log("registered 1001", timeout=10)
        switch.agent_ready("1001")
        caller = Sipp("uac", tmp_path / "caller", target=switch.sip_address, service="4001",
                      calls=1, pause_ms=500, transport="tcp")
        with caller:
            result = caller.wait(timeout=30)
        assert result.ok, result.stdout + caller.messages()
        phone.wait_log("hung up", timeout=10)
    rows, total = list_interactions(switch.engine, TENANT, agent="1001")
    assert total == 1 and rows[0].result == "answered"
