"""What a phone's dialled number means (a DID, another extension, an outside number, or a
refusal with its status), read against the real telephony snapshot; and how a failed
outbound call or the core's refusal is answered to the phone."""

from __future__ import annotations

from types import MappingProxyType

import pytest

from hotline.core.agent_fsm import AgentState, AgentTrigger, IllegalAgentTransition
from hotline.core.errors import CoreError
from hotline.store.telephony_directory import (
    DidEntry,
    ExtensionEntry,
    TelephonySnapshot,
    TrunkEntry,
)
from hotline.switch.b2bua.phone_dialling import (
    Refused,
    ToDid,
    ToExtension,
    ToOutside,
    core_refusal,
    dial_failure,
    phone_destination,
)


def _extension(number: str, agent_id: str | None, dial_class: str = "national",
               enabled: bool = True) -> ExtensionEntry:
    return ExtensionEntry("acme", number, number, agent_id, "hotline", MappingProxyType({}),
                          2, dial_class, enabled, "")


TRUNK = TrunkEntry("acme", "carrier", "192.0.2.9", 5060, "udp", None, None, None, (), "", "",
                   None, True)
EXTENSIONS = [_extension("1001", "a1"), _extension("1002", "a2"), _extension("1009", None),
              _extension("1003", "a3", dial_class="local"),
              _extension("1004", "a4", enabled=False)]
SNAPSHOT = TelephonySnapshot(EXTENSIONS, [TRUNK], [DidEntry("4001", "acme", None)])
NO_TRUNK = TelephonySnapshot(EXTENSIONS, [], [DidEntry("4001", "acme", None)])


def _dial(number: str, caller: str = "1001",
          snapshot: TelephonySnapshot = SNAPSHOT) -> object:
    entry = snapshot.extension_by_number("acme", caller)
    assert entry is not None
    return phone_destination(snapshot, entry, number)


def test_a_did_comes_in_as_a_call_whoever_dials_it() -> None:
    assert _dial("4001") == ToDid("4001")
    assert _dial("4001", caller="1009") == ToDid("4001")


def test_another_extension_is_an_internal_call() -> None:
    destination = _dial("1002")
    assert isinstance(destination, ToExtension) and destination.extension.number == "1002"
    assert isinstance(_dial("1002", caller="1009"), ToExtension)  # no agent needed


def test_an_outside_number_the_dial_class_allows_is_the_agents_outbound_call() -> None:
    assert _dial("013800138000") == ToOutside("013800138000", "a1")
    assert _dial("88001234", caller="1003") == ToOutside("88001234", "a3")


@pytest.mark.parametrize(("number", "caller", "snapshot", "status", "words"), [
    ("+442079460000", "1001", SNAPSHOT, 403, "international calls are not allowed"),
    ("00442079460000", "1001", SNAPSHOT, 403, "international"),
    ("013800138000", "1003", SNAPSHOT, 403, "national calls are not allowed"),
    ("88001234", "1009", SNAPSHOT, 403, "not an agent's"),
    ("88001234", "1001", NO_TRUNK, 503, "no outbound trunk"),
    ("alice", "1001", SNAPSHOT, 404, "not a number to dial"),
    ("1001", "1001", SNAPSHOT, 486, "own extension"),
    ("1004", "1001", SNAPSHOT, 403, "disabled"),
])
def test_refusals_carry_a_status_and_the_reason(number: str, caller: str,
                                                snapshot: TelephonySnapshot, status: int,
                                                words: str) -> None:
    destination = _dial(number, caller, snapshot)
    assert isinstance(destination, Refused), destination
    assert destination.status == status and words in destination.reason


def test_a_far_end_that_did_not_answer_maps_to_the_cores_reason_and_a_status() -> None:
    assert dial_failure("busy") == ("busy", 486)
    assert dial_failure("no_answer") == ("no_answer", 480)
    assert dial_failure("cancelled") == ("no_answer", 480)
    assert dial_failure("timeout") == ("no_answer", 408)
    assert dial_failure("rejected:503") == ("unreachable", 503)
    assert dial_failure("rejected:404") == ("unreachable", 503)


def test_the_cores_refusal_is_busy_for_an_agent_on_a_call_and_forbidden_otherwise() -> None:
    busy = core_refusal(IllegalAgentTransition("a1", AgentState.BUSY, AgentTrigger.DIAL))
    assert busy.status == 486 and "busy" in busy.reason
    out = core_refusal(IllegalAgentTransition("a1", AgentState.LOGGED_OUT, AgentTrigger.DIAL))
    assert out.status == 403 and "logged_out" in out.reason
    assert core_refusal(CoreError("unknown agent 'zz'")) == Refused(403, "unknown agent 'zz'")
