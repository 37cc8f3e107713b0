"""Transfers inside the center (to a queue, to an agent) and agents' outbound calls."""

from __future__ import annotations

import pytest

from hotline.analytics.kpi import KpiProjection
from hotline.core.agent_fsm import AgentState, IllegalAgentTransition
from hotline.core.commands import (
    Connect,
    Dial,
    Hangup,
    Offer,
    PlayQueueMusic,
    RunFlow,
    SendDigits,
    Transfer,
)
from hotline.core.errors import CoreError, NotOffered, UnknownAgent
from hotline.core.events import (
    AgentDialed,
    AgentHeld,
    AgentHungUp,
    AgentSentDigits,
    AgentTransferred,
    CallConnected,
    DialFailed,
    IvrFinished,
)
from hotline.core.facts import InteractionDelivered
from hotline.core.interaction_fsm import InteractionState
from hotline.core.model import Queue
from tests.unit.core.core_harness import Switch, agent, tenant

A = AgentState
I = InteractionState  # noqa: E741


def two_queues(wrap_up: float | None = 0.0, **rules: object) -> Switch:
    """Queue `billing` served by a1/a2, queue `repair` by r1/r2."""
    return Switch(tenant(
        [Queue("billing", skills={"billing": 1}), Queue("repair", skills={"repair": 1})],
        [agent("a1", {"billing": 1}, wrap_up=wrap_up), agent("a2", {"billing": 1},
                                                             wrap_up=wrap_up),
         agent("r1", {"repair": 1}, wrap_up=wrap_up), agent("r2", {"repair": 1},
                                                            wrap_up=wrap_up)],
        **rules,
    ))


# -- to a queue ------------------------------------------------------------------------------


def test_a_transfer_to_a_queue_ends_the_agents_leg_and_queues_a_new_leg_with_the_caller_data(
) -> None:
    switch = two_queues(wrap_up=30)
    switch.login("a1", at=0)
    switch.arrive("c1", at=1, queue="billing", ani="13800000001", attributes={"account": "42"})
    switch.answer("a1", at=2)
    out = switch.send(AgentTransferred("c1", "a1", queue="repair"), at=10)
    assert out == [Transfer("c1", "c1.2"), PlayQueueMusic("c1.2", "repair")]
    assert switch.outcome("c1") == (I.COMPLETED, "transferred")
    assert switch.state("a1") is A.WRAP_UP
    assert switch.server.waiting("repair") == ["c1.2"]
    leg = switch.server.interaction_details("c1.2")
    assert leg is not None
    assert (leg.ani, leg.attributes, leg.parent) == ("13800000001", {"account": "42"}, "c1")
    delivered = [f for f in switch.facts if isinstance(f, InteractionDelivered)]
    assert [(f.interaction_id, f.parent) for f in delivered] == [("c1", None), ("c1.2", "c1")]
    # A repair agent who logs in gets it; a second transfer makes a third leg.
    switch.login("r1", at=20)
    assert switch.answer("r1", at=21) == "c1.2"
    switch.send(AgentTransferred("c1.2", "r1", queue="billing"), at=30)
    assert switch.server.waiting("billing") == ["c1.3"]


def test_a_transfer_to_a_queue_with_a_ready_agent_rings_them_at_once() -> None:
    switch = two_queues()
    switch.login("a1", "r1", at=0)
    switch.arrive("c1", at=1, queue="billing")
    switch.answer("a1", at=2)
    out = switch.send(AgentTransferred("c1", "a1", queue="repair"), at=5)
    assert Offer("c1.2", "r1", "repair", 20.0) in out
    assert switch.state("a1") is A.READY


def test_a_transferred_caller_is_not_sent_back_to_the_agent_who_passed_them_on() -> None:
    switch = Switch(tenant([Queue("q")], [agent("a", wrap_up=30), agent("b")],
                           sticky_wait=60.0))
    switch.login("a", at=0)
    switch.arrive("c1", at=1, ani="139")
    switch.answer("a", at=2)
    switch.send(AgentTransferred("c1", "a", queue="q"), at=3)
    # Sticky routing would hold the leg for `a` (in wrap-up) for a minute; it must not.
    switch.login("b", at=4)
    assert switch.offered_to("b") == "c1.2"


def test_a_transfer_to_an_unknown_queue_changes_nothing() -> None:
    switch = two_queues()
    switch.login("a1", at=0)
    switch.arrive("c1", at=1, queue="billing")
    switch.answer("a1", at=2)
    with pytest.raises(CoreError, match=r"unknown queue .nope..*billing, repair"):
        switch.send(AgentTransferred("c1", "a1", queue="nope"), at=3)
    with pytest.raises(CoreError, match="exactly one"):
        switch.send(AgentTransferred("c1", "a1"), at=3)
    with pytest.raises(CoreError, match="exactly one"):
        switch.send(AgentTransferred("c1", "a1", queue="repair", to_agent="r1"), at=3)
    assert switch.server.interaction_state("c1") is I.IN_SERVICE
    assert switch.state("a1") is A.BUSY
    assert switch.server.active_interactions() == ["c1"]


def test_only_the_serving_agent_may_transfer_and_a_held_call_may_be_transferred() -> None:
    switch = two_queues()
    switch.login("a1", "a2", at=0)
    switch.arrive("c1", at=1, queue="billing")
    switch.answer("a1", at=2)
    with pytest.raises(NotOffered, match="'a2' is not serving"):
        switch.send(AgentTransferred("c1", "a2", queue="repair"), at=3)
    switch.send(AgentHeld("c1", "a1"), at=4)
    switch.send(AgentTransferred("c1", "a1", queue="repair"), at=5)
    assert switch.server.waiting("repair") == ["c1.2"]


# -- to an agent -----------------------------------------------------------------------------


def test_a_transfer_to_a_ready_agent_rings_that_agent_even_in_another_queue() -> None:
    switch = two_queues()
    switch.login("a1", "r2", "r1", at=0)
    switch.arrive("c1", at=1, queue="billing")
    switch.answer("a1", at=2)
    out = switch.send(AgentTransferred("c1", "a1", to_agent="r1"), at=5)
    # The leg belongs to the queue the call came from, and rings r1, the agent asked for.
    assert Offer("c1.2", "r1", "billing", 20.0) in out
    assert switch.state("r1") is A.RESERVED
    assert switch.answer("r1", at=6) == "c1.2"


def test_an_unanswered_transfer_to_an_agent_goes_back_to_the_queue_it_came_from() -> None:
    switch = two_queues(wrap_up=60)
    switch.login("a1", "r1", at=0)
    switch.arrive("c1", at=1, queue="billing")
    switch.answer("a1", at=2)
    switch.send(AgentTransferred("c1", "a1", to_agent="r1"), at=5)
    switch.advance(5 + 20)  # ring timeout
    assert switch.state("r1") is A.NOT_READY
    assert switch.server.waiting("billing") == ["c1.2"]


def test_a_transfer_to_an_agent_who_is_not_ready_is_refused_and_the_call_stays() -> None:
    switch = two_queues()
    switch.login("a1", at=0)
    switch.login("r1", at=0, ready=False)
    switch.arrive("c1", at=1, queue="billing")
    switch.answer("a1", at=2)
    with pytest.raises(CoreError, match="'r1' is not_ready, not ready"):
        switch.send(AgentTransferred("c1", "a1", to_agent="r1"), at=3)
    with pytest.raises(CoreError, match="themself"):
        switch.send(AgentTransferred("c1", "a1", to_agent="a1"), at=3)
    with pytest.raises(UnknownAgent):
        switch.send(AgentTransferred("c1", "a1", to_agent="zz"), at=3)
    assert switch.server.interaction_state("c1") is I.IN_SERVICE
    assert switch.server.active_interactions() == ["c1"]


# -- figures ---------------------------------------------------------------------------------


def test_a_transferred_leg_counts_in_its_target_queue_but_not_twice_in_the_totals() -> None:
    switch = two_queues()
    switch.login("a1", "r1", at=0)
    switch.arrive("c1", at=1, queue="billing")
    switch.answer("a1", at=3)
    switch.send(AgentTransferred("c1", "a1", queue="repair"), at=10)
    switch.answer("r1", at=12)
    switch.agent_hangs_up("r1", at=40)
    kpi = KpiProjection(0.0, 3600.0, 1, {"billing": 20.0, "repair": 20.0},
                        {"a1": ["billing"], "r1": ["repair"]})
    kpi.feed(switch.facts)
    report = kpi.close(100.0)
    assert (report.totals.offered, report.totals.answered) == (1, 1)
    assert (report.queues["billing"].offered, report.queues["billing"].answered) == (1, 1)
    assert (report.queues["repair"].offered, report.queues["repair"].answered) == (1, 1)
    assert report.queues["repair"].asa_seconds == 2.0
    assert report.queues["repair"].aht_seconds == 28.0
    assert report.totals.aht_seconds == 7.0  # only the first leg's handling is in the totals


# -- outbound calls --------------------------------------------------------------------------


def test_an_agent_dials_out_talks_and_goes_back_to_ready_after_wrap_up() -> None:
    switch = two_queues(wrap_up=10)
    switch.login("a1", at=0)
    assert switch.send(AgentDialed("o1", "a1", " 13900000000 "), at=5) == [
        Dial("o1", "a1", "13900000000")]
    assert switch.state("a1") is A.BUSY
    assert switch.server.interaction_state("o1") is I.DIALING
    # A caller who comes in meanwhile waits: the agent is on the phone.
    switch.arrive("c1", at=6, queue="billing")
    assert switch.server.waiting("billing") == ["c1"]
    assert switch.send(CallConnected("o1"), at=8) == [Connect("o1", "a1")]
    switch.send(AgentHeld("o1", "a1"), at=9)
    assert switch.send(AgentHungUp("o1", "a1"), at=30) == [Hangup("o1")]
    assert switch.outcome("o1") == (I.COMPLETED, "agent_hung_up")
    assert switch.state("a1") is A.WRAP_UP
    switch.advance(40)
    assert switch.offered_to("a1") == "c1"
    details = next(f for f in switch.facts if isinstance(f, InteractionDelivered))
    assert (details.direction, details.dnis, details.ani) == ("outbound", "13900000000", "")


def test_a_call_dialled_while_not_ready_returns_the_agent_to_the_same_pause() -> None:
    switch = two_queues(wrap_up=None)
    switch.login("a1", at=0, ready=False)
    switch.not_ready("a1", "training", at=1)
    switch.send(AgentDialed("o1", "a1", "139"), at=2)
    switch.send(CallConnected("o1"), at=3)
    switch.send(AgentHungUp("o1", "a1"), at=20)
    assert switch.state("a1") is A.WRAP_UP
    switch.end_wrap_up("a1", at=25)
    assert switch.state("a1") is A.NOT_READY
    assert switch.server.agent_status("a1").reason == "training"


@pytest.mark.parametrize("reason", ["busy", "no_answer", "unreachable"])
def test_a_call_that_never_connects_ends_with_its_reason_and_no_wrap_up(reason: str) -> None:
    switch = two_queues(wrap_up=30)
    switch.login("a1", at=0)
    switch.send(AgentDialed("o1", "a1", "139"), at=1)
    assert switch.send(DialFailed("o1", reason), at=9) == [Hangup("o1")]
    assert switch.outcome("o1") == (I.COMPLETED, reason)
    assert switch.state("a1") is A.READY


def test_an_agent_may_cancel_a_call_while_it_rings_and_bad_reports_are_refused() -> None:
    switch = two_queues()
    switch.login("a1", at=0)
    switch.send(AgentDialed("o1", "a1", "139"), at=1)
    with pytest.raises(CoreError, match="unknown dial failure 'lost'"):
        switch.send(DialFailed("o1", "lost"), at=2)
    with pytest.raises(CoreError, match="already in progress"):
        switch.send(AgentDialed("o1", "a2", "139"), at=2)
    switch.send(AgentHungUp("o1", "a1"), at=3)
    assert switch.outcome("o1") == (I.COMPLETED, "cancelled")
    assert switch.state("a1") is A.READY
    with pytest.raises(CoreError, match="no interaction 'o1'"):
        switch.send(CallConnected("o1"), at=4)


def test_dialling_needs_a_number_and_a_free_agent() -> None:
    switch = two_queues()
    switch.login("a1", "a2", at=0)
    with pytest.raises(CoreError, match="number to dial"):
        switch.send(AgentDialed("o1", "a1", "  "), at=1)
    switch.arrive("c1", at=1, queue="billing")
    busy = "a1" if switch.offered_to("a1") else "a2"
    with pytest.raises(IllegalAgentTransition, match="cannot 'dial' while 'reserved'"):
        switch.send(AgentDialed("o1", busy, "139"), at=2)
    switch.answer(busy, at=3)
    with pytest.raises(IllegalAgentTransition, match="cannot 'dial' while 'busy'"):
        switch.send(AgentDialed("o1", busy, "139"), at=4)
    with pytest.raises(NotOffered, match="not an outbound call"):
        switch.send(CallConnected("c1"), at=5)
    assert switch.server.active_interactions() == ["c1"]


def test_a_connected_outbound_call_can_be_transferred_to_a_queue() -> None:
    switch = two_queues()
    switch.login("a1", at=0)
    switch.send(AgentDialed("o1", "a1", "139"), at=1)
    switch.send(CallConnected("o1"), at=2)
    switch.send(AgentTransferred("o1", "a1", queue="repair"), at=3)
    assert switch.server.waiting("repair") == ["o1.2"]
    leg = switch.server.interaction_details("o1.2")
    assert leg is not None and leg.direction == "outbound" and leg.dnis == "139"


# -- to an IVR flow (a survey) ---------------------------------------------------------------


def test_a_transfer_to_a_flow_starts_it_for_the_caller_with_the_agent_and_call_as_inputs(
) -> None:
    switch = two_queues(wrap_up=30)
    switch.login("a1", at=0)
    switch.arrive("c1", at=1, queue="billing", ani="139", attributes={"account": "42"})
    switch.answer("a1", at=2)
    out = switch.send(AgentTransferred("c1", "a1", flow="satisfaction_survey"), at=60)
    assert out == [Transfer("c1", "c1.2"), RunFlow("c1.2", "satisfaction_survey")]
    assert switch.server.interaction_state("c1.2") is I.IN_IVR
    leg = switch.server.interaction_details("c1.2")
    assert leg is not None and leg.attributes == {
        "account": "42", "agent_id": "a1", "interaction_id": "c1"}
    assert switch.state("a1") is A.WRAP_UP
    switch.send(IvrFinished("c1.2", "self_service", attributes={"score": "5"}), at=80)
    assert switch.outcome("c1.2") == (I.COMPLETED, "self_service")
    # The survey is not a second self-served call in the day's figures.
    kpi = KpiProjection(0.0, 3600.0, 1, {"billing": 20.0, "repair": 20.0}, {"a1": ["billing"]})
    kpi.feed(switch.facts)
    assert kpi.report().totals.self_service == 0
    switch.arrive("c2", at=82, queue="billing")
    switch.end_wrap_up("a1", at=82)
    switch.answer("a1", at=83)
    with pytest.raises(CoreError, match="exactly one"):
        switch.send(AgentTransferred("c2", "a1", queue="repair", flow="x"), at=84)
    with pytest.raises(CoreError, match="the flow's name"):
        switch.send(AgentTransferred("c2", "a1", flow=" "), at=84)


def test_an_agent_keys_digits_into_their_call_and_only_valid_digits() -> None:
    switch = two_queues()
    switch.login("a1", "a2", at=0)
    switch.arrive("c1", at=1, queue="billing")
    serving = "a1" if switch.offered_to("a1") else "a2"
    other = "a2" if serving == "a1" else "a1"
    switch.answer(serving, at=2)
    assert switch.send(AgentSentDigits("c1", serving, "123#"), at=3) == [
        SendDigits("c1", "123#")]
    with pytest.raises(CoreError, match="digits must be 1 to 32"):
        switch.send(AgentSentDigits("c1", serving, "12x"), at=4)
    with pytest.raises(NotOffered, match="is not serving"):
        switch.send(AgentSentDigits("c1", other, "1"), at=4)
