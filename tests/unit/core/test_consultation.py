"""Consultation, consultative transfer and conference (see `core/consultation.py`)."""

from __future__ import annotations

import pytest

from hotline.analytics.kpi import KpiProjection
from hotline.core.agent_fsm import AgentState
from hotline.core.commands import (
    CancelOffer,
    CompleteTransfer,
    Conference,
    Consult,
    Hold,
    Offer,
    Retrieve,
)
from hotline.core.errors import CoreError
from hotline.core.events import (
    AgentConsulted,
    AgentHungUp,
    AgentRetrieved,
    AgentTransferred,
    ConsultCancelled,
    ConsultConferenced,
    ConsultTransferred,
)
from hotline.core.facts import AgentStateChanged, InteractionDelivered
from hotline.core.interaction_fsm import InteractionState
from tests.unit.core.core_harness import Switch, one_queue

A = AgentState
I = InteractionState  # noqa: E741
K = "c1.consult2"  # the consultation's id: the customer's id and the server's next number


def talking(wrap_up: float | None = 30) -> Switch:
    """Agent a serves caller c1; b is ready; c is logged out."""
    switch = Switch(one_queue("a", "b", "c", wrap_up=wrap_up))
    switch.login("a", at=0)
    switch.arrive("c1", at=1, ani="139")
    switch.answer("a", at=2)
    switch.login("b", at=3)
    return switch


def consulting(wrap_up: float | None = 30) -> Switch:
    switch = talking(wrap_up)
    switch.send(AgentConsulted("c1", "a", "b"), at=10)
    switch.answer("b", at=12)
    return switch


def test_consulting_holds_the_customer_and_rings_the_colleague() -> None:
    switch = talking()
    out = switch.send(AgentConsulted("c1", "a", "b"), at=10)
    assert out == [Hold("c1"), Consult(K, "c1", "a", "b"), Offer(K, "b", "q", 20.0)]
    assert switch.server.interaction_state("c1") is I.ON_HOLD
    assert switch.state("b") is A.RESERVED and switch.offered_to("b") == K
    delivered = [f for f in switch.facts if isinstance(f, InteractionDelivered)][-1]
    assert (delivered.direction, delivered.parent) == ("internal", "c1")
    with pytest.raises(CoreError, match="cancel the consultation"):
        switch.send(AgentRetrieved("c1", "a"), at=11)
    with pytest.raises(CoreError, match="consultation or conference going"):
        switch.send(AgentTransferred("c1", "a", queue="q"), at=11)
    with pytest.raises(CoreError, match="already consulting"):
        switch.send(AgentConsulted("c1", "a", "b"), at=11)


def test_the_colleague_must_be_ready_and_someone_else() -> None:
    switch = talking()
    with pytest.raises(CoreError, match="'c' is logged_out, not ready"):
        switch.send(AgentConsulted("c1", "a", "c"), at=10)
    with pytest.raises(CoreError, match="themself"):
        switch.send(AgentConsulted("c1", "a", "a"), at=10)
    assert switch.server.interaction_state("c1") is I.IN_SERVICE
    assert switch.server.active_interactions() == ["c1"]


def test_a_consultative_transfer_hands_the_customer_to_the_colleague() -> None:
    switch = consulting()
    with pytest.raises(CoreError, match="already consulting"):
        switch.send(AgentConsulted("c1", "a", "b"), at=13)
    out = switch.send(ConsultTransferred("c1", "a"), at=20)
    assert CompleteTransfer("c1", K, "c1.2", "b") in out
    assert switch.outcome("c1") == (I.COMPLETED, "transferred")
    assert switch.outcome(K) == (I.COMPLETED, "consult_transferred")
    assert switch.server.interaction_state("c1.2") is I.IN_SERVICE
    assert switch.server.agent_interaction("b") == "c1.2"
    assert switch.state("a") is A.WRAP_UP and switch.state("b") is A.BUSY
    take_over = switch.last_agent_move("b")
    assert isinstance(take_over, AgentStateChanged)
    assert (take_over.old, take_over.new, take_over.interaction_id) == (A.BUSY, A.BUSY, "c1.2")
    switch.agent_hangs_up("b", at=60)
    assert switch.outcome("c1.2") == (I.COMPLETED, "agent_hung_up")
    # In the figures: one caller, answered once in the totals; b's leg and time count too.
    kpi = KpiProjection(0.0, 3600.0, 1, {"q": 20.0}, {"a": ["q"], "b": ["q"], "c": ["q"]})
    kpi.feed(switch.facts)
    report = kpi.close(200.0)
    assert (report.totals.offered, report.totals.answered) == (1, 1)
    assert report.queues["q"].offered == 2 and report.queues["q"].answered == 2
    assert report.totals.working_time >= (60 - 3) + (60 - 12)


def test_a_conference_puts_both_agents_on_the_call_and_either_may_leave() -> None:
    switch = consulting()
    out = switch.send(ConsultConferenced("c1", "a"), at=20)
    assert out == [Conference("c1", ("a", "b"))]
    assert switch.server.interaction_state("c1") is I.IN_SERVICE
    assert switch.server.agent_interaction("a") == switch.server.agent_interaction("b") == "c1"
    assert switch.outcome(K) == (I.COMPLETED, "conferenced")
    # The first agent leaves; the call goes on with the colleague, who then hangs up.
    assert switch.send(AgentHungUp("c1", "a"), at=30) == [Conference("c1", ("b",))]
    assert switch.state("a") is A.WRAP_UP
    assert switch.server.interaction_state("c1") is I.IN_SERVICE
    switch.send(AgentHungUp("c1", "b"), at=40)
    assert switch.outcome("c1") == (I.COMPLETED, "agent_hung_up")
    assert switch.state("b") is A.WRAP_UP


def test_when_the_customer_hangs_up_every_agent_on_the_conference_wraps_up() -> None:
    switch = consulting()
    switch.send(ConsultConferenced("c1", "a"), at=20)
    switch.customer_hangs_up("c1", at=25)
    assert switch.state("a") is A.WRAP_UP and switch.state("b") is A.WRAP_UP
    assert switch.server.active_interactions() == []


def test_cancelling_while_it_rings_or_after_the_answer_takes_the_customer_back() -> None:
    switch = talking(wrap_up=0.0)
    switch.send(AgentConsulted("c1", "a", "b"), at=10)
    out = switch.send(ConsultCancelled("c1", "a"), at=11)
    assert out == [CancelOffer(K, "b"), Retrieve("c1")]
    assert switch.state("b") is A.READY
    assert switch.server.interaction_state("c1") is I.IN_SERVICE
    switch.send(AgentConsulted("c1", "a", "b"), at=12)
    switch.answer("b", at=13)
    switch.send(ConsultCancelled("c1", "a"), at=14)
    assert switch.state("b") is A.READY  # no wrap-up configured
    assert switch.server.interaction_state("c1") is I.IN_SERVICE
    with pytest.raises(CoreError, match="no consultation is in progress"):
        switch.send(ConsultCancelled("c1", "a"), at=15)


def test_a_colleague_who_declines_or_does_not_answer_ends_the_consultation_only() -> None:
    switch = talking()
    switch.send(AgentConsulted("c1", "a", "b"), at=10)
    switch.decline("b", at=11)
    assert switch.state("b") is A.NOT_READY
    assert switch.server.interaction_state("c1") is I.ON_HOLD  # the agent decides what next
    assert switch.server.waiting("q") == []  # a consultation is never queued
    switch.send(AgentRetrieved("c1", "a"), at=12)
    switch.ready("b", at=13)
    switch.send(AgentConsulted("c1", "a", "b"), at=14)
    switch.advance(14 + 20)  # ring-no-answer
    assert switch.state("b") is A.NOT_READY
    assert switch.server.interaction_state("c1") is I.ON_HOLD
    with pytest.raises(CoreError, match="no consultation"):
        switch.send(ConsultTransferred("c1", "a"), at=40)


def test_transfer_and_conference_wait_for_the_colleague_to_answer() -> None:
    switch = talking()
    switch.send(AgentConsulted("c1", "a", "b"), at=10)
    with pytest.raises(CoreError, match="has not answered yet"):
        switch.send(ConsultTransferred("c1", "a"), at=11)
    with pytest.raises(CoreError, match="has not answered yet"):
        switch.send(ConsultConferenced("c1", "a"), at=11)


def test_the_customer_hanging_up_during_a_consultation_ends_it() -> None:
    switch = consulting()
    switch.customer_hangs_up("c1", at=15)
    assert switch.outcome(K) == (I.COMPLETED, "consult_cancelled")
    assert switch.state("a") is A.WRAP_UP and switch.state("b") is A.WRAP_UP
    assert switch.server.active_interactions() == []


def test_the_colleague_may_hang_up_the_consultation() -> None:
    switch = consulting()
    switch.send(AgentHungUp(K, "b"), at=15)
    assert switch.state("b") is A.WRAP_UP
    assert switch.server.interaction_state("c1") is I.ON_HOLD
    switch.send(AgentRetrieved("c1", "a"), at=16)  # no consultation any more
    assert switch.server.interaction_state("c1") is I.IN_SERVICE
