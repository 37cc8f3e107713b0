"""The switch's `RegistrationKeeper` on each database: what the registrar changes reaches the
store off the event loop (a burst in few writes, the last state winning), an unregistered AOR
leaves it, and a store that fails is logged while the registration goes on working."""

from __future__ import annotations

import asyncio
import logging
import threading
import time
from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy import Engine, text

from hotline import telephony
from hotline.store.sip_bindings import load_bindings, save_bindings
from hotline.switch.sip.address import parse_name_address
from hotline.switch.sip.registrar import Binding, Bindings
from hotline.telephony import RegistrationKeeper

AOR = "sip:1001@hotline.example"


def binding(host: str, expires_at: float, cseq: int = 1) -> Binding:
    return Binding(AOR, parse_name_address(f"<sip:1001@{host}:5060>"), expires_at,
                   "reg-1@phone", cseq, 1.0, 0.0, (host, 5060), "UDP")


def stored_now(engine: Engine) -> list[tuple[str, str, str | None, int | None]]:
    return [(b.username, b.contact, b.source_host, b.cseq)
            for b in load_bindings(engine, datetime.now(UTC))]


def test_changes_are_written_off_the_loop_and_unregistering_deletes(
    engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    bindings = Bindings()
    keeper = RegistrationKeeper(engine, bindings)
    writers: list[threading.Thread] = []

    def save(*args: Any) -> None:
        writers.append(threading.current_thread())
        save_bindings(*args)

    monkeypatch.setattr(telephony, "save_bindings", save)

    async def main() -> None:
        loop = asyncio.get_running_loop()
        now = loop.time()
        for cseq in range(1, 6):  # a burst: written in one or two goes, the last state wins
            bindings.replace(AOR, [binding("192.0.2.10", now + 600, cseq)])
        await keeper.close()
        assert 1 <= len(writers) <= 2
        assert stored_now(engine) == [("1001", "<sip:1001@192.0.2.10:5060>", "192.0.2.10", 5)]
        remaining = load_bindings(engine, datetime.now(UTC))[0].expires_at.timestamp()
        assert abs(remaining - (time.time() + 600)) < 5
        bindings.replace(AOR, [])
        await keeper.close()

    asyncio.run(main())
    assert stored_now(engine) == []
    assert writers and threading.main_thread() not in writers


def test_a_failed_write_is_logged_and_the_binding_still_works(
    engine: Engine, caplog: pytest.LogCaptureFixture
) -> None:
    bindings = Bindings()
    keeper = RegistrationKeeper(engine, bindings)
    with engine.begin() as connection:
        connection.execute(text("ALTER TABLE sip_bindings RENAME TO sip_bindings_away"))

    async def main() -> None:
        now = asyncio.get_running_loop().time()
        bindings.replace(AOR, [binding("192.0.2.10", now + 600)])
        await keeper.close()
        assert len(bindings.lookup(AOR, now)) == 1
        with engine.begin() as connection:  # the database is back: the next change writes both
            connection.execute(text("ALTER TABLE sip_bindings_away RENAME TO sip_bindings"))
        bindings.replace("sip:1002@hotline.example", [])
        await keeper.close()

    with caplog.at_level(logging.ERROR, logger="hotline.sip"):
        asyncio.run(main())
    assert "could not be saved" in caplog.text
    assert [row[1] for row in stored_now(engine)] == ["<sip:1001@192.0.2.10:5060>"]
