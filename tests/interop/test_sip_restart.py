"""Registrations survive a restart of the switch: a phone registered with one switch is
reached by the next one started on the same database, without registering again."""

from __future__ import annotations

from pathlib import Path

import pytest

from hotline.store.journal_queries import list_interactions
from tests.interop.peers import SIPP, Sipp, phone_sipp
from tests.interop.switch_fixture import PASSWORDS, TENANT, running_switch

pytestmark = pytest.mark.skipif(SIPP is None, reason="sipp is not installed "
                                "(scripts/ensure-packages --test installs it)")


def test_a_registered_phone_is_offered_calls_after_the_switch_restarts(tmp_path: Path) -> None:
    first = running_switch(tmp_path)
    before = next(first)
    with phone_sipp(tmp_path / "phone", before.sip_address, "1001", PASSWORDS["1001"]) as phone:
        phone.wait_log("registered 1001", timeout=10)
        first.close()  # the switch stops; the phone goes on listening on its port

        second = running_switch(tmp_path, reuse_database=True)
        after = next(second)
        try:
            assert after.call(lambda: after.switch.gateway.registered_contacts("1001")) == 1
            after.agent_ready("1001")
            caller = Sipp("uac", tmp_path / "caller", target=after.sip_address,
                          service="4001", calls=1, pause_ms=1000)
            with caller:
                result = caller.wait(timeout=30)
            assert result.ok, result.stdout + caller.messages()
            assert result.successful == 1
            phone.wait_log("hung up", timeout=10)
            assert len(phone.wait_log("registered 1001")) == 1  # it never registered again
            rows, total = list_interactions(after.engine, TENANT, agent="1001")
            assert total == 1 and rows[0].result == "answered"
        finally:
            second.close()
