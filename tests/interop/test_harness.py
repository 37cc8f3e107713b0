"""The interop harness proved peer against peer, before any Hotline switch is involved.

SIPp against SIPp (built-in and our scenarios, with a SIPp digest registrar standing in for
Hotline's), baresip against SIPp (registration, calls both ways, RFC 4733 digits) and baresip
against baresip with a 1 kHz tone that must come out of the far end's recording.
"""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from hotline.switch.media.tone import detect_tone, sine, tone_power_ratio
from tests.interop.conftest import needs_baresip, needs_sipp
from tests.interop.peers import (
    SCENARIOS,
    Baresip,
    Sipp,
    digits_scenario,
    phone_sipp,
    write_wav,
)

pytestmark = pytest.mark.interop


def registrar(workdir: Path, user: str, password: str, **options: object) -> Sipp:
    """A SIPp digest registrar accepting `user`/`password` (scenarios/registrar.xml)."""
    return Sipp(
        SCENARIOS / "registrar.xml", workdir, keys={"user": user, "password": password},
        **options,  # type: ignore[arg-type]
    )


@needs_sipp
def test_builtin_uac_completes_calls_against_builtin_uas(peer_dir: Path) -> None:
    with Sipp("uas", peer_dir) as uas:
        uac = Sipp("uac", peer_dir, target=uas.address, calls=5, rate=20).start()
        result = uac.wait(timeout=10)
        assert result.ok, result.stdout + result.errors
        assert result.successful == 5
        served = uas.stop()
        assert served.stats["IncomingCall(C)"] == "5"


@needs_sipp
def test_sipp_phone_registers_with_digest_and_answers_digit_calls(peer_dir: Path) -> None:
    with (
        registrar(peer_dir, "1001", "s3cret") as reg,
        phone_sipp(peer_dir, reg.address, "1001", "s3cret") as phone,
    ):
        phone.wait_log(r"^registered 1001$", timeout=5)
        assert reg.wait_log(r"^registered 1001$", timeout=2)
        caller = Sipp(
            digits_scenario("12#", peer_dir / "digits.xml"), peer_dir, target=phone.address,
            service="1001", calls=2, rate=10, max_concurrent=1, pause_ms=200,
        ).start()
        result = caller.wait(timeout=12)
        assert result.ok, result.stdout + result.errors
        assert result.successful == 2
        assert len(phone.wait_log(r"^hung up ", count=2, timeout=3)) == 2
        assert "telephone-event" in caller.messages()


@needs_sipp
def test_registrar_rejects_a_wrong_password(peer_dir: Path) -> None:
    with (
        registrar(peer_dir, "1001", "s3cret") as reg,
        phone_sipp(peer_dir, reg.address, "1001", "wrong") as phone,
    ):
        reg.wait_log(r"^rejected$", timeout=5)
        result = phone.wait(timeout=5)  # the 403 is unexpected: the scenario fails
        assert result.failed == 1
        assert phone.log_lines() == []


@needs_sipp
def test_trunk_answers_calls(peer_dir: Path) -> None:
    with Sipp(SCENARIOS / "uas_trunk.xml", peer_dir) as trunk:
        caller = Sipp("uac", peer_dir, target=trunk.address, service="5551234", calls=3, rate=20)
        result = caller.start().wait(timeout=10)
        assert result.ok, result.stdout + result.errors
        assert trunk.wait_log(r"^hung up 5551234$", count=3, timeout=3)


@needs_sipp
@needs_baresip
def test_baresip_registers_and_auto_answers_sipp_digits(peer_dir: Path) -> None:
    with registrar(peer_dir / "registrar", "1002", "pa55") as reg:
        phone = Baresip(peer_dir / "baresip", "1002", registrar=reg.address, password="pa55")
        with phone:
            phone.wait_registered(timeout=5)
            assert reg.wait_log(r"^registered 1002$", timeout=2)
            caller = Sipp(
                digits_scenario("47*", peer_dir / "digits.xml"), peer_dir / "caller",
                target=f"127.0.0.1:{phone.sip_port}", service="1002", calls=1, pause_ms=300,
            ).start()
            result = caller.wait(timeout=10)
            assert result.ok, result.stdout + result.errors
            phone.wait_event("CALL_CLOSED", timeout=3)
            digits = [e.param for e in phone.events if e.type == "CALL_DTMF_START"]
            assert "".join(digits) == "47*", phone.log()


@needs_sipp
@needs_baresip
def test_baresip_calls_a_sipp_trunk(peer_dir: Path) -> None:
    with (
        Sipp(SCENARIOS / "uas_trunk.xml", peer_dir / "trunk") as trunk,
        Baresip(peer_dir / "baresip", "agent") as phone,
    ):
        phone.dial(f"sip:0800123@{trunk.address}")
        phone.wait_event("CALL_ESTABLISHED", timeout=5)
        trunk.wait_log(r"^answered 0800123$", timeout=3)
        phone.hangup()
        phone.wait_event("CALL_CLOSED", timeout=3)
        trunk.wait_log(r"^hung up 0800123$", timeout=3)


@needs_baresip
def test_baresip_to_baresip_carries_a_1khz_tone_and_digits(peer_dir: Path) -> None:
    tone = write_wav(peer_dir / "tone.wav", sine(1000.0, 10.0, level_dbfs=-10.0))
    with Baresip(peer_dir / "callee", "bob") as callee, \
            Baresip(peer_dir / "caller", "alice", source=tone) as caller:
        caller.dial(callee.uri)
        caller.wait_event("CALL_ESTABLISHED", timeout=5)
        callee.wait_event("CALL_RTPESTAB", timeout=5)  # RTP is arriving at the callee
        time.sleep(2.0)  # let it record 2 s of tone
        caller.send_digits("59")
        callee.wait_event("CALL_DTMF_START", where=lambda event: event.param == "9", timeout=3)
        assert [e.param for e in callee.events if e.type == "CALL_DTMF_START"] == ["5", "9"]
        caller.hangup()
        callee.wait_event("CALL_CLOSED", timeout=3)  # sndfile closes the WAV on hangup
    heard = callee.heard()
    assert len(heard) >= 8000, f"only {len(heard)} samples recorded"
    # Skip the first 0.5 s (jitter buffer fill); judge a 1 s window of steady audio.
    window = heard[4000:12000]
    assert detect_tone(window, 1000.0), tone_power_ratio(window, 1000.0)
    assert not detect_tone(window, 1500.0)
