"""Reason phrases that say why."""

from __future__ import annotations

from hotline.switch.sip.status import reason_because


def test_the_reason_phrase_keeps_the_reason_and_stays_short() -> None:
    assert reason_because(403, "no") == "Forbidden (no)"
    assert len(reason_because(486, "x" * 500)) == 200
    assert reason_because(603, "agent '1002' is logged_out") == (
        "Decline (agent '1002' is logged_out)")
