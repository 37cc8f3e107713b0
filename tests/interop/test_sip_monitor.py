"""A supervisor's listen, whisper and barge act on the real media: three baresip phones —
the caller (through the trunk to DID 4001), the agent's (1001) and the supervisor's (1004,
registered, not logged in as an agent, so it is never offered calls) — each play their own
tone, and what each one heard is checked for the others' tones.

`MonitorStarted(interaction, "1004", mode)` makes the core emit `Monitor`; the gateway calls
the supervisor's registered phone (`b2bua.supervision`: the supervisor is found as the
extension that authenticates as "1004") and, once it answers, sets who hears whom in the mixer
(`b2bua.hearing.mix`):

    listen   supervisor hears caller + agent; nobody hears the supervisor
    whisper  … and the agent hears the supervisor; the caller does not
    barge    … and the caller hears the supervisor too

One mode per call keeps the judging simple: the supervisor joins, the call goes on for a few
seconds, the caller hangs up, and each phone's recording is judged over a window near its end
(after the supervisor joined, before the hangup). `test_mode_changes_and_leaving_take_effect`
changes modes within one call and judges windows located by the wall-clock time of each change.
The conference tests join the caller and two agents (consultation with the caller on hold, then
`ConsultConferenced`); the colleague plays the supervisor's tone.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pytest
from numpy.typing import NDArray

from hotline.core.events import (
    AgentConsulted,
    ConsultConferenced,
    MonitorEnded,
    MonitorStarted,
)
from hotline.core.facts import InteractionStateChanged, MonitoringChanged
from hotline.core.interaction_fsm import InteractionState
from hotline.switch.media.tone import sine, tone_power_ratio
from tests.interop.conftest import needs_baresip
from tests.interop.peers import Baresip, PeerError, write_wav
from tests.interop.switch_fixture import PASSWORDS, RunningSwitch, running_switch

pytestmark = [pytest.mark.interop, needs_baresip]

RATE = 8000
CALLER_HZ, AGENT_HZ, SUPERVISOR_HZ, COLLEAGUE_HZ = 1000.0, 600.0, 1450.0, 1450.0
"""Apart by hundreds of hertz and clear of each other's 3rd-order intermodulation products
(2·1000 − 600 = 1400 is why the supervisor is not at 1400 Hz)."""
SUPERVISOR = "1004"
HEARD = 0.15
"""A tone takes at least this share of a window's power when it is heard (alone ≈ 0.9, one of
two at equal level ≈ 0.45, one of three ≈ 0.3)."""
NOT_HEARD = 0.03
"""… and less than this when it is not (the other tones leak ≈ 0 into its Goertzel bin)."""


@pytest.fixture
def switch(tmp_path: Path) -> Iterator[RunningSwitch]:
    yield from running_switch(tmp_path)


def _tone(tmp_path: Path, name: str, frequency: float) -> Path:
    return write_wav(tmp_path / f"{name}.wav", sine(frequency, 30.0, level_dbfs=-10.0))


def _phone(switch: RunningSwitch, tmp_path: Path, user: str, frequency: float) -> Baresip:
    return Baresip(tmp_path / f"phone-{user}", user, registrar=switch.sip_address,
                   password=PASSWORDS[user], source=_tone(tmp_path, f"tone-{user}", frequency))


def _hears(window: NDArray[np.int16], frequency: float, who: str) -> None:
    ratio = tone_power_ratio(window, frequency)
    assert ratio >= HEARD, f"{who} should hear {frequency:g} Hz: power share {ratio:.3f}"


def _deaf(window: NDArray[np.int16], frequency: float, who: str) -> None:
    ratio = tone_power_ratio(window, frequency)
    assert len(window) >= RATE // 2, f"{who}: window of {len(window)} samples is too short"
    assert ratio < NOT_HEARD, f"{who} should not hear {frequency:g} Hz: power share {ratio:.3f}"


def _end_window(samples: NDArray[np.int16]) -> NDArray[np.int16]:
    """1.5 s ending 0.5 s before the end of a recording (the hangup's edge left out)."""
    assert len(samples) >= 5 * RATE // 2, f"recording of {len(samples) / RATE:.2f} s is too short"
    return samples[-2 * RATE:-RATE // 2]


def _in_service(switch: RunningSwitch, timeout: float = 10.0) -> str:
    """The one interaction in the switch, once the core has it in service."""
    def found() -> str | None:
        for fact in switch.facts:
            if (isinstance(fact, InteractionStateChanged)
                    and fact.new is InteractionState.IN_SERVICE):
                return fact.interaction_id
        return None

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        interaction = switch.call(found)
        if interaction is not None:
            return interaction
        time.sleep(0.1)
    raise AssertionError(f"no interaction in service after {timeout} s: {switch.fact_names()}")


@dataclass
class Heard:
    caller: NDArray[np.int16]
    agent: NDArray[np.int16]
    supervisor: NDArray[np.int16]


@dataclass
class Phones:
    caller: Baresip
    agent: Baresip
    other: Baresip
    """The supervisor's phone, or a colleague's for a conference."""
    interaction: str


@contextmanager
def _call_in_service(switch: RunningSwitch, tmp_path: Path, other: str = SUPERVISOR,
                     other_hz: float = SUPERVISOR_HZ) -> Iterator[Phones]:
    """The agent's (1001) and another extension's phone (the supervisor's, 1004, unless
    `other` says) registered, and the caller through the trunk to 4001 talking to the
    agent; each phone plays its tone."""
    with _phone(switch, tmp_path, "1001", AGENT_HZ) as agent, \
            _phone(switch, tmp_path, other, other_hz) as second:
        agent.wait_registered(timeout=10)
        second.wait_registered(timeout=10)
        switch.agent_ready("1001")
        with Baresip(tmp_path / "caller", "caller",
                     source=_tone(tmp_path, "tone-caller", CALLER_HZ)) as caller:
            caller.dial(f"sip:4001@{switch.sip_address}")
            caller.wait_event("CALL_ESTABLISHED", timeout=10)
            agent.wait_event("CALL_ESTABLISHED", timeout=15)
            yield Phones(caller, agent, second, _in_service(switch))


def _monitored_call(switch: RunningSwitch, tmp_path: Path, mode: str) -> Heard:
    """A call from the caller to agent 1001, monitored by 1004 in `mode` for 3.5 s; what each
    phone heard over the whole call."""
    with _call_in_service(switch, tmp_path) as phones:
        time.sleep(1.0)  # caller and agent alone for a moment
        switch.handle(MonitorStarted(phones.interaction, SUPERVISOR, mode))
        phones.other.wait_event("CALL_ESTABLISHED", timeout=10)
        time.sleep(3.5)
        phones.caller.hangup()
        phones.agent.wait_event("CALL_CLOSED", timeout=10)
        phones.other.wait_event("CALL_CLOSED", timeout=10)  # the call's end hangs it up
    return Heard(phones.caller.heard(), phones.agent.heard(), phones.other.heard())


# What each phone hears in each mode: (tones heard, tones not heard). The supervisor hears
# caller and agent in every mode; listen is heard by nobody, whisper by the agent, barge by
# both.
MODES: dict[str, dict[str, tuple[tuple[float, ...], tuple[float, ...]]]] = {
    "listen": {"supervisor": ((CALLER_HZ, AGENT_HZ), ()),
               "caller": ((AGENT_HZ,), (SUPERVISOR_HZ,)),
               "agent": ((CALLER_HZ,), (SUPERVISOR_HZ,))},
    "whisper": {"supervisor": ((CALLER_HZ, AGENT_HZ), ()),
                "caller": ((AGENT_HZ,), (SUPERVISOR_HZ,)),
                "agent": ((CALLER_HZ, SUPERVISOR_HZ), ())},
    "barge": {"supervisor": ((CALLER_HZ, AGENT_HZ), ()),
              "caller": ((AGENT_HZ, SUPERVISOR_HZ), ()),
              "agent": ((CALLER_HZ, SUPERVISOR_HZ), ())},
}


@pytest.mark.parametrize("mode", list(MODES))
def test_each_mode_is_heard_by_exactly_whom_it_should(
    switch: RunningSwitch, tmp_path: Path, mode: str
) -> None:
    heard = _monitored_call(switch, tmp_path, mode)
    for who, (tones, silent) in MODES[mode].items():
        window = _end_window(getattr(heard, who))
        for tone in tones:
            _hears(window, tone, f"{who} ({mode})")
        for tone in silent:
            _deaf(window, tone, f"{who} ({mode})")


def _window(samples: NDArray[np.int16], ended_at: float, start: float,
            stop: float) -> NDArray[np.int16]:
    """The samples heard between wall-clock times `start` and `stop` (time.monotonic()) of a
    recording that ended at `ended_at`: a phone records in real time, so a moment `d` seconds
    before the end lies `d · 8000` samples before the last one."""
    first = len(samples) - round((ended_at - start) * RATE)
    last = len(samples) - round((ended_at - stop) * RATE)
    assert 0 <= first < last <= len(samples), (
        f"window {first}:{last} outside a recording of {len(samples)} samples")
    return samples[first:last]


def test_mode_changes_and_leaving_take_effect_within_one_call(
    switch: RunningSwitch, tmp_path: Path
) -> None:
    """barge → whisper (a new mode replaces the old) → MonitorEnded (the supervisor's phone is
    hung up); each phase judged in its own window of the recordings."""
    with _call_in_service(switch, tmp_path) as phones:
        caller, agent, supervisor = phones.caller, phones.agent, phones.other
        interaction = phones.interaction
        switch.handle(MonitorStarted(interaction, SUPERVISOR, "barge"))
        supervisor.wait_event("CALL_ESTABLISHED", timeout=10)
        barging = time.monotonic()
        time.sleep(2.5)
        whispering = time.monotonic()
        switch.handle(MonitorStarted(interaction, SUPERVISOR, "whisper"))
        time.sleep(2.5)
        left = time.monotonic()
        switch.handle(MonitorEnded(interaction, SUPERVISOR))
        supervisor.wait_event("CALL_CLOSED", timeout=5)  # MonitorEnded hangs it up
        supervisor_ended = time.monotonic()
        time.sleep(2.0)
        hung_up = time.monotonic()
        caller.hangup()
        agent.wait_event("CALL_CLOSED", timeout=10)
    heard_caller, heard_agent = caller.heard(), agent.heard()
    phases = {"barge": (barging + 1.0, whispering - 0.25),
              "whisper": (whispering + 1.0, left - 0.25),
              "ended": (supervisor_ended + 0.75, hung_up - 0.25)}
    caller_in = {name: _window(heard_caller, hung_up, *span) for name, span in phases.items()}
    agent_in = {name: _window(heard_agent, hung_up, *span) for name, span in phases.items()}
    _hears(caller_in["barge"], SUPERVISOR_HZ, "caller (barge)")
    _hears(agent_in["barge"], SUPERVISOR_HZ, "agent (barge)")
    _deaf(caller_in["whisper"], SUPERVISOR_HZ, "caller (whisper)")
    _hears(agent_in["whisper"], SUPERVISOR_HZ, "agent (whisper)")
    for name in phases:
        _hears(caller_in[name], AGENT_HZ, f"caller ({name})")
        _hears(agent_in[name], CALLER_HZ, f"agent ({name})")
    _deaf(agent_in["ended"], SUPERVISOR_HZ, "agent (after MonitorEnded)")
    # The supervisor's recording ends when they left, in the whisper phase: both still heard.
    supervisor_heard = _window(supervisor.heard(), supervisor_ended, whispering + 1.0, left - 0.25)
    _hears(supervisor_heard, CALLER_HZ, "supervisor (whisper)")
    _hears(supervisor_heard, AGENT_HZ, "supervisor (whisper)")


def test_a_monitored_call_is_forgotten_when_it_ends(
    switch: RunningSwitch, tmp_path: Path
) -> None:
    _monitored_call(switch, tmp_path, "listen")
    deadline = time.monotonic() + 5
    while switch.call(lambda: list(switch.switch.gateway.calls)) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert switch.call(lambda: list(switch.switch.gateway.calls)) == []


# ------------------------------------------------------------------------------ conference


@dataclass
class Conferenced:
    caller: NDArray[np.int16]
    agent: NDArray[np.int16]
    colleague: NDArray[np.int16]
    consulting: float
    conferenced: float
    hung_up: float
    colleague_ended: float
    colleague_hung_up_by_switch: bool


def _conference_call(switch: RunningSwitch, tmp_path: Path) -> Conferenced:
    """The caller reaches agent 1001, who consults 1002 (the caller on hold) for 2.5 s, then
    conferences all three for 3 s; the caller hangs up."""
    with _call_in_service(switch, tmp_path, "1002", COLLEAGUE_HZ) as phones:
        caller, agent, colleague = phones.caller, phones.agent, phones.other
        interaction = phones.interaction
        switch.agent_ready("1002")
        switch.handle(AgentConsulted(interaction, "1001", "1002"))
        colleague.wait_event("CALL_ESTABLISHED", timeout=10)
        consulting = time.monotonic()
        time.sleep(2.5)
        conferenced = time.monotonic()
        switch.handle(ConsultConferenced(interaction, "1001"))
        time.sleep(3.0)
        hung_up = time.monotonic()
        caller.hangup()
        agent.wait_event("CALL_CLOSED", timeout=10)
        try:
            colleague.wait_event("CALL_CLOSED", timeout=3)
            by_switch = True
        except PeerError:  # still connected: leave on its own
            by_switch = False
            colleague.hangup()
            colleague.wait_event("CALL_CLOSED", timeout=10)
        colleague_ended = time.monotonic()
    return Conferenced(caller.heard(), agent.heard(), colleague.heard(), consulting,
                       conferenced, hung_up, colleague_ended, by_switch)


def test_a_conference_lets_all_three_hear_each_other(
    switch: RunningSwitch, tmp_path: Path
) -> None:
    call = _conference_call(switch, tmp_path)
    consult = (call.consulting + 1.0, call.conferenced - 0.25)
    conference = (call.conferenced + 1.0, call.hung_up - 0.25)
    colleague_end = call.colleague_ended if not call.colleague_hung_up_by_switch else None
    # While they consult, the two agents hear each other and the caller (on hold) neither.
    caller = _window(call.caller, call.hung_up, *consult)
    _deaf(caller, AGENT_HZ, "caller (on hold)")
    _deaf(caller, COLLEAGUE_HZ, "caller (on hold)")
    agent = _window(call.agent, call.hung_up, *consult)
    _hears(agent, COLLEAGUE_HZ, "agent (consulting)")
    _deaf(agent, CALLER_HZ, "agent (consulting)")
    # In conference, each hears both others.
    caller = _window(call.caller, call.hung_up, *conference)
    _hears(caller, AGENT_HZ, "caller (conference)")
    _hears(caller, COLLEAGUE_HZ, "caller (conference)")
    agent = _window(call.agent, call.hung_up, *conference)
    _hears(agent, CALLER_HZ, "agent (conference)")
    _hears(agent, COLLEAGUE_HZ, "agent (conference)")
    # The colleague's recording ends when their call did (at the hangup, or when they left).
    colleague = _window(call.colleague, colleague_end or call.hung_up, *conference)
    _hears(colleague, CALLER_HZ, "colleague (conference)")
    _hears(colleague, AGENT_HZ, "colleague (conference)")
    colleague = _window(call.colleague, colleague_end or call.hung_up, *consult)
    _hears(colleague, AGENT_HZ, "colleague (consulting)")
    _deaf(colleague, CALLER_HZ, "colleague (consulting)")


def _low_band_share(samples: NDArray[np.int16], below: float = 550.0) -> float:
    """The share of power below `below` Hz: the music on hold's notes (262–523 Hz), not the
    phones' tones (600 Hz and up)."""
    spectrum = np.abs(np.fft.rfft(samples.astype(np.float64))) ** 2
    frequencies = np.fft.rfftfreq(len(samples), 1 / RATE)
    total = float(spectrum.sum())
    return float(spectrum[frequencies < below].sum()) / total if total else 0.0


def test_the_caller_hears_no_music_on_hold_in_a_conference(
    switch: RunningSwitch, tmp_path: Path
) -> None:
    call = _conference_call(switch, tmp_path)
    on_hold = _window(call.caller, call.hung_up, call.consulting + 1.0, call.conferenced - 0.25)
    assert _low_band_share(on_hold) > 0.5  # the music really is down there while on hold
    conference = _window(call.caller, call.hung_up, call.conferenced + 1.0, call.hung_up - 0.25)
    _hears(conference, AGENT_HZ, "caller (conference)")
    share = _low_band_share(conference)
    assert share < 0.01, f"music on hold is {share:.1%} of what the caller hears in conference"


def test_the_callers_hangup_ends_the_conference_for_both_agents(
    switch: RunningSwitch, tmp_path: Path
) -> None:
    call = _conference_call(switch, tmp_path)
    assert call.colleague_hung_up_by_switch


def test_a_supervisor_who_hangs_up_leaves_and_the_core_is_told(
    switch: RunningSwitch, tmp_path: Path
) -> None:
    with _call_in_service(switch, tmp_path) as phones:
        interaction, supervisor = phones.interaction, phones.other
        switch.handle(MonitorStarted(interaction, SUPERVISOR, "listen"))
        supervisor.wait_event("CALL_ESTABLISHED", timeout=10)
        supervisor.hangup()

        def left() -> bool:
            return any(isinstance(fact, MonitoringChanged) and fact.mode is None
                       for fact in switch.facts)

        deadline = time.monotonic() + 5
        while not switch.call(left):
            assert time.monotonic() < deadline, switch.fact_names()
            time.sleep(0.1)
        # The call goes on without the supervisor, who may listen in again.
        assert switch.call(lambda: list(switch.switch.gateway.calls)) == [interaction]
        seen = len(supervisor.events)
        switch.handle(MonitorStarted(interaction, SUPERVISOR, "listen"))
        supervisor.wait_event("CALL_ESTABLISHED", timeout=10, since=seen)
        phones.caller.hangup()
        phones.agent.wait_event("CALL_CLOSED", timeout=10)
