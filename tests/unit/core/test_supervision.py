"""A supervisor's actions on a call: release it, listen, whisper, barge (S2)."""

from __future__ import annotations

import pytest

from hotline.core.agent_fsm import AgentState
from hotline.core.commands import CallAgent, Hangup, Monitor
from hotline.core.errors import CoreError, NotOffered
from hotline.core.events import (
    AgentHeld,
    AgentTransferred,
    ForceReleased,
    MonitorEnded,
    MonitorStarted,
    SupervisorCalled,
)
from hotline.core.facts import MonitoringChanged
from hotline.core.interaction_fsm import InteractionState
from tests.unit.core.core_harness import Switch, one_queue

A = AgentState
I = InteractionState  # noqa: E741


def on_a_call(wrap_up: float | None = 30) -> Switch:
    switch = Switch(one_queue("a", "b", wrap_up=wrap_up))
    switch.login("a", at=0)
    switch.arrive("c1", at=1)
    switch.answer("a", at=2)
    return switch


def monitoring(switch: Switch) -> list[tuple[str, str | None]]:
    return [(f.supervisor, f.mode) for f in switch.facts if isinstance(f, MonitoringChanged)]


def test_a_supervisor_releases_an_agents_call_and_the_agent_goes_to_wrap_up() -> None:
    switch = on_a_call()
    assert switch.send(ForceReleased("c1", "boss"), at=10) == [Hangup("c1")]
    assert switch.outcome("c1") == (I.COMPLETED, "force_released")
    assert switch.state("a") is A.WRAP_UP
    switch.arrive("c2", at=11)
    with pytest.raises(NotOffered, match="only a call an agent is on can be released"):
        switch.send(ForceReleased("c2", "boss"), at=12)


def test_listen_then_whisper_then_barge_then_leave() -> None:
    switch = on_a_call()
    assert switch.send(MonitorStarted("c1", "boss", "listen"), at=3) == [
        Monitor("c1", "boss", "listen")]
    assert switch.send(MonitorStarted("c1", "boss", "listen"), at=4) == []  # no change
    switch.send(MonitorStarted("c1", "boss", "whisper"), at=5)
    switch.send(AgentHeld("c1", "a"), at=6)  # a held call can still be monitored
    switch.send(MonitorStarted("c1", "boss", "barge"), at=7)
    assert switch.send(MonitorEnded("c1", "boss"), at=8) == [Monitor("c1", "boss", None)]
    assert monitoring(switch) == [("boss", "listen"), ("boss", "whisper"), ("boss", "barge"),
                                  ("boss", None)]
    with pytest.raises(CoreError, match="'boss' is not monitoring"):
        switch.send(MonitorEnded("c1", "boss"), at=9)


def test_monitoring_ends_with_the_call_and_does_not_follow_a_transfer() -> None:
    switch = on_a_call()
    switch.send(MonitorStarted("c1", "boss", "listen"), at=3)
    switch.send(MonitorStarted("c1", "lead", "whisper"), at=3)
    switch.send(AgentTransferred("c1", "a", queue="q"), at=5)
    assert monitoring(switch)[-2:] == [("boss", None), ("lead", None)]
    switch.login("b", at=6)
    switch.answer("b", at=7)
    switch.send(MonitorStarted("c1.2", "boss", "listen"), at=8)
    switch.agent_hangs_up("b", at=9)
    assert monitoring(switch)[-1] == ("boss", None)


def test_only_calls_in_service_are_monitored_and_modes_are_checked() -> None:
    switch = on_a_call()
    with pytest.raises(CoreError, match="unknown monitoring mode 'spy'"):
        switch.send(MonitorStarted("c1", "boss", "spy"), at=3)
    with pytest.raises(CoreError, match="supervisor's name"):
        switch.send(MonitorStarted("c1", " ", "listen"), at=3)
    switch.arrive("c2", at=4)
    with pytest.raises(NotOffered, match="only a call an agent is on can be monitored"):
        switch.send(MonitorStarted("c2", "boss", "listen"), at=4)
    assert monitoring(switch) == []


def test_a_supervisor_calls_a_ready_agent_and_the_call_ends_like_any_other() -> None:
    switch = Switch(one_queue("a", "b", wrap_up=0.0))
    switch.login("a", at=0)
    out = switch.send(SupervisorCalled("sv1", "a", "boss"), at=1)
    assert out[0] == CallAgent("sv1", "boss", "a")
    assert switch.offered_to("a") == "sv1"
    switch.arrive("c1", at=2)  # a caller waits meanwhile: the agent is on the phone
    assert switch.server.waiting("q") == ["c1"]
    switch.answer("a", at=3)
    assert switch.send(ForceReleased("sv1", "boss"), at=9)[0] == Hangup("sv1")
    assert switch.outcome("sv1") == (I.COMPLETED, "force_released")
    assert switch.offered_to("a") == "c1"  # back to work
    with pytest.raises(CoreError, match="'b' is logged_out, not ready"):
        switch.send(SupervisorCalled("sv2", "b", "boss"), at=10)


def test_a_supervisors_call_nobody_answers_just_ends() -> None:
    switch = Switch(one_queue("a"))
    switch.login("a", at=0)
    switch.send(SupervisorCalled("sv1", "a", "boss"), at=1)
    switch.advance(1 + 20)
    assert switch.outcome("sv1") == (I.COMPLETED, "no_answer")
    assert switch.server.waiting("q") == []
    assert switch.state("a") is A.NOT_READY
