"""What an agent's transfer key means (REFER's Refer-To → the core's transfer event), read
against the real telephony snapshot and the core's tenant model."""

from __future__ import annotations

from types import MappingProxyType

import pytest

from hotline.core.events import AgentTransferred, AgentTransferredOut
from hotline.core.model import Queue
from hotline.store.telephony_directory import ExtensionEntry, TelephonySnapshot
from hotline.switch.b2bua.phone_transfer import phone_transfer_event
from hotline.switch.sip.address import parse_name_address
from tests.unit.core.core_harness import agent, tenant

TENANT = tenant([Queue("general"), Queue("repair")], [agent("a1"), agent("a2")],
                dnis_routes={"4001": "general", "4002": "repair"},
                dnis_flows={"4002": "survey"})


def _extension(number: str, agent_id: str | None, dial_class: str = "local") -> ExtensionEntry:
    return ExtensionEntry("acme", number, number, agent_id, "hotline", MappingProxyType({}),
                          2, dial_class, True, "")


SNAPSHOT = TelephonySnapshot([_extension("1001", "a1"), _extension("1002", "a2"),
                              _extension("1009", None)])


def _event(refer_to: str, snapshot: TelephonySnapshot = SNAPSHOT
           ) -> AgentTransferred | AgentTransferredOut | str:
    return phone_transfer_event(TENANT, snapshot, "c1", "a1", parse_name_address(refer_to))


def test_an_extension_a_queue_and_a_routed_did_are_transfers_inside_the_center() -> None:
    assert _event("<sip:1002@pbx>") == AgentTransferred("c1", "a1", to_agent="a2")
    assert _event("<sip:repair@pbx>") == AgentTransferred("c1", "a1", queue="repair")
    assert _event("sip:4001@pbx") == AgentTransferred("c1", "a1", queue="general")
    # A DID with a flow runs it (its queue is where the flow's caller goes afterwards).
    assert _event("sip:4002@pbx") == AgentTransferred("c1", "a1", flow="survey")


def test_other_numbers_go_out_when_the_agents_dial_class_allows() -> None:
    assert _event("<sip:88001234@pbx>") == AgentTransferredOut("c1", "a1", "88001234")
    internal = TelephonySnapshot([_extension("1001", "a1", dial_class="internal")])
    refusal = _event("<sip:88001234@pbx>", internal)
    assert isinstance(refusal, str) and "internal" in refusal


@pytest.mark.parametrize(("refer_to", "why"), [
    ("<sip:pbx.example>", "user part"),
    ("<tel:+8613800138000>", "user part"),
    ("<sip:1002@pbx?Replaces=abc%3Bto-tag%3D1%3Bfrom-tag%3D2>", "attended transfer"),
])
def test_what_cannot_be_a_blind_transfer_is_refused_with_a_reason(refer_to: str,
                                                                  why: str) -> None:
    refusal = _event(refer_to)
    assert isinstance(refusal, str) and why in refusal


def test_an_extension_without_an_agent_and_an_agent_without_an_extension() -> None:
    # 1009 is bound to nobody: it is dialled as a number (internal numbers are allowed).
    assert _event("<sip:1009@pbx>") == AgentTransferredOut("c1", "a1", "1009")
    nobody = TelephonySnapshot([])
    assert _event("<sip:88001234@pbx>", nobody) == "the agent has no extension"
