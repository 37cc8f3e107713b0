"""Audio really flows both ways through the switch: baresip as the agent's phone (registered
with digest, auto-answering) and baresip as a caller through the trunk to DID 4001, each
playing its own tone; each side's recording of what it heard holds the other's tone and not
its own. The bridge in between is the local media engine."""

from __future__ import annotations

import time
import wave
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

from hotline.store.recordings import RecordingArchive
from hotline.switch.media.tone import detect_tone, sine, tone_power_ratio
from tests.interop.conftest import needs_baresip
from tests.interop.peers import Baresip, write_wav
from tests.interop.switch_fixture import PASSWORDS, TENANT, RunningSwitch, running_switch

pytestmark = needs_baresip


@pytest.fixture
def switch(tmp_path: Path) -> Iterator[RunningSwitch]:
    yield from running_switch(tmp_path)


def test_a_tone_from_each_side_reaches_the_other_through_the_bridge(
    switch: RunningSwitch, tmp_path: Path
) -> None:
    caller_tone = write_wav(tmp_path / "caller.wav", sine(1000.0, 20.0, level_dbfs=-10.0))
    agent_tone = write_wav(tmp_path / "agent.wav", sine(600.0, 20.0, level_dbfs=-10.0))
    with Baresip(tmp_path / "agent", "1001", registrar=switch.sip_address,
                 password=PASSWORDS["1001"], source=agent_tone) as agent:
        agent.wait_registered(timeout=10)
        switch.agent_ready("1001")
        with Baresip(tmp_path / "caller", "caller", source=caller_tone) as caller:
            caller.dial(f"sip:4001@{switch.sip_address}")
            caller.wait_event("CALL_ESTABLISHED", timeout=10)
            agent.wait_event("CALL_ESTABLISHED", timeout=15)
            time.sleep(3.0)  # the bridge carries both tones for a while
            caller.hangup()
            agent.wait_event("CALL_CLOSED", timeout=10)
    heard_by_agent, heard_by_caller = agent.heard(), caller.heard()
    agent_window = heard_by_agent[-16000:-4000]
    assert detect_tone(agent_window, 1000.0), tone_power_ratio(agent_window, 1000.0)
    assert not detect_tone(agent_window, 600.0)
    # The caller heard music on hold first, then the agent: judge the end of the call.
    caller_window = heard_by_caller[-16000:-4000]
    assert detect_tone(caller_window, 600.0), tone_power_ratio(caller_window, 600.0)
    assert not detect_tone(caller_window, 1000.0)
    # The bridged call was recorded: caller on the left channel, agent on the right.
    archive = RecordingArchive(switch.engine, tmp_path / "recordings")
    deadline = time.monotonic() + 10
    while not (found := archive.search(TENANT)[0]) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert len(found) == 1 and found[0].agent_id == "1001" and found[0].seconds > 1
    path = archive.file_of(found[0])
    assert path is not None
    with wave.open(str(path)) as wav:
        assert wav.getnchannels() == 2 and wav.getframerate() == 8000
        frames = np.frombuffer(wav.readframes(wav.getnframes()), dtype=np.int16)
    left, right = frames[0::2][-12000:-4000], frames[1::2][-12000:-4000]
    assert detect_tone(left, 1000.0) and not detect_tone(left, 600.0)
    assert detect_tone(right, 600.0) and not detect_tone(right, 1000.0)
