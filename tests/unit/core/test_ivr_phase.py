"""The IVR phase of an interaction: a flow serves the caller first, then routing or not."""

from __future__ import annotations

import pytest

from hotline.analytics.kpi import KpiProjection
from hotline.core.commands import Hangup, PlayQueueMusic, Reject, RunFlow, TransferOut
from hotline.core.errors import CoreError, NotOffered
from hotline.core.events import InteractionArrived, IvrFinished
from hotline.core.facts import AttributesCollected
from hotline.core.interaction_fsm import InteractionState
from hotline.core.model import Queue
from hotline.core.routing import UnknownQueue
from tests.unit.core.core_harness import Switch, agent, tenant

I = InteractionState  # noqa: E741


def with_flows(**rules: object) -> Switch:
    return Switch(tenant(
        [Queue("general"), Queue("repair", priority=2)], [agent("a1")],
        dnis_flows={"95598": "gas"}, blacklist=frozenset({"666"}), **rules))


def test_a_call_on_a_dnis_with_a_flow_runs_it_before_any_queue() -> None:
    switch = with_flows()
    assert switch.arrive("c1", at=1, dnis="95598") == [RunFlow("c1", "gas")]
    assert switch.server.interaction_state("c1") is I.IN_IVR
    assert switch.server.waiting("general") == []
    # No flow for this DNIS and no default: straight to routing.
    assert switch.arrive("c2", at=1, dnis="12345") == [PlayQueueMusic("c2", "general")]


def test_the_default_flow_an_explicit_flow_and_an_explicit_queue() -> None:
    switch = with_flows(default_flow="welcome")
    assert switch.arrive("c1", at=1) == [RunFlow("c1", "welcome")]
    assert switch.send(InteractionArrived("c2", flow="survey"), at=1) == [RunFlow("c2", "survey")]
    assert switch.arrive("c3", at=1, queue="repair") == [PlayQueueMusic("c3", "repair")]
    # A blacklisted caller is refused before any flow runs.
    assert switch.arrive("c4", at=1, ani="666") == [Reject("c4", "blacklisted")]


def test_a_dnis_routed_to_a_queue_without_a_flow_skips_the_default_flow() -> None:
    switch = with_flows(default_flow="welcome",
                        dnis_routes={"4001": "repair", "95598": "general"})
    # Routed, no flow of its own: straight to the route's queue.
    assert switch.arrive("c1", at=1, dnis="4001") == [PlayQueueMusic("c1", "repair")]
    # Routed and with a flow: the flow first.
    assert switch.arrive("c2", at=1, dnis="95598") == [RunFlow("c2", "gas")]
    # Not routed: the default flow.
    assert switch.arrive("c3", at=1, dnis="4000") == [RunFlow("c3", "welcome")]


def test_a_flow_that_ends_in_a_queue_routes_with_what_it_collected() -> None:
    switch = with_flows()
    switch.arrive("c1", at=1, dnis="95598", priority=1, attributes={"lang": "zh"})
    out = switch.send(IvrFinished("c1", "queue", queue="repair", priority=5,
                                  attributes={"account": "8800123"}), at=20)
    assert out == [PlayQueueMusic("c1", "repair")]
    details = switch.server.interaction_details("c1")
    assert details is not None
    assert details.attributes == {"lang": "zh", "account": "8800123"}
    assert details.priority == 6
    assert [f for f in switch.facts if isinstance(f, AttributesCollected)] == [
        AttributesCollected(20, "c1", {"account": "8800123"})]
    assert switch.path("c1") == ["delivered", "in_ivr", "routing", "queued"]


def test_self_service_transfer_out_and_hang_up_in_the_flow_end_it() -> None:
    switch = with_flows()
    for call in ("c1", "c2", "c3", "c4"):
        switch.arrive(call, at=1, dnis="95598")
    assert switch.send(IvrFinished("c1", "self_service"), at=30) == [Hangup("c1")]
    assert switch.outcome("c1") == (I.COMPLETED, "self_service")
    assert switch.send(IvrFinished("c2", "number", number=" 119 "), at=31) == [
        TransferOut("c2", "119")]
    assert switch.outcome("c2") == (I.COMPLETED, "transferred_out")
    assert switch.send(IvrFinished("c4", "error"), at=31) == [Hangup("c4")]
    assert switch.outcome("c4") == (I.COMPLETED, "ivr_error")
    switch.customer_hangs_up("c3", at=32)
    assert switch.outcome("c3") == (I.COMPLETED, "abandoned_in_ivr")
    assert switch.server.active_interactions() == []
    kpi = KpiProjection(0.0, 3600.0, 1, {"general": 20.0, "repair": 20.0}, {"a1": ["general"]})
    kpi.feed(switch.facts)
    totals = kpi.report().totals
    assert (totals.self_service, totals.abandoned_in_ivr, totals.offered) == (1, 1, 0)


def test_bad_ivr_results_are_refused_and_change_nothing() -> None:
    switch = with_flows()
    switch.arrive("c1", at=1, dnis="95598")
    with pytest.raises(UnknownQueue, match="'nowhere'"):
        switch.send(IvrFinished("c1", "queue", queue="nowhere"), at=2)
    with pytest.raises(CoreError, match="must name the queue"):
        switch.send(IvrFinished("c1", "queue"), at=2)
    with pytest.raises(CoreError, match="must name the number"):
        switch.send(IvrFinished("c1", "number", number=" "), at=2)
    with pytest.raises(CoreError, match="unknown IVR outcome 'dance'"):
        switch.send(IvrFinished("c1", "dance", attributes={"x": "1"}), at=2)
    assert switch.server.interaction_state("c1") is I.IN_IVR
    assert not any(isinstance(f, AttributesCollected) for f in switch.facts)
    switch.arrive("c2", at=3)
    with pytest.raises(NotOffered, match="not in an IVR flow"):
        switch.send(IvrFinished("c2", "self_service"), at=4)


def test_a_caller_who_asks_the_flow_for_an_agent_rings_them_or_waits_in_their_queue() -> None:
    switch = Switch(tenant([Queue("general"), Queue("repair", skills={"repair": 1})],
                           [agent("a1"), agent("r1", {"repair": 2})], default_flow="menu"))
    switch.login("r1", at=0, queues=("repair",))
    switch.arrive("c1", at=1)
    switch.send(IvrFinished("c1", "agent", agent="r1"), at=5)
    assert switch.offered_to("r1") == "c1"
    assert switch.server.interaction_details("c1").queue == "repair"  # type: ignore[union-attr]
    # Busy now: the next caller asking for r1 waits in r1's queue.
    switch.answer("r1", at=6)
    switch.arrive("c2", at=7)
    switch.send(IvrFinished("c2", "agent", agent="r1"), at=8)
    assert switch.server.waiting("repair") == ["c2"]
    with pytest.raises(CoreError, match="no agent 'zz'"):
        switch.arrive("c3", at=9)
        switch.send(IvrFinished("c3", "agent", agent="zz"), at=9)
    with pytest.raises(CoreError, match="must name the agent"):
        switch.send(IvrFinished("c3", "agent"), at=9)
    assert switch.server.interaction_state("c3") is I.IN_IVR
