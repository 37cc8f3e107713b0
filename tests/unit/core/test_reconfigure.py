"""A running server takes a changed configuration without a restart."""

from __future__ import annotations

import dataclasses

import pytest

from hotline.core.agent_fsm import AgentState
from hotline.core.errors import CoreError, InvalidTenant
from hotline.core.interaction_fsm import InteractionState
from hotline.core.model import Queue, Strategy
from tests.unit.core.core_harness import Switch, agent, tenant

A = AgentState
I = InteractionState  # noqa: E741


def start() -> Switch:
    return Switch(tenant([Queue("billing", skills={"billing": 1})],
                         [agent("a1", {"billing": 1}), agent("a2", {"billing": 1})]))


def test_a_new_queue_agent_and_dnis_route_work_at_once() -> None:
    switch = start()
    switch.login("a1", at=0)
    old = switch.server.tenant
    switch.server.reconfigure(dataclasses.replace(
        old,
        queues=(*old.queues, Queue("repair", skills={"repair": 1}, ring_timeout=7.0)),
        agents=(*old.agents, agent("r1", {"repair": 2})),
        dnis_routes={"95598": "repair"},
    ))
    switch.login("r1", at=1)
    switch.arrive("c1", at=2, dnis="95598")
    assert switch.offered_to("r1") == "c1"
    assert switch.server.agent_status("r1").queues == ("repair",)
    assert switch.server.interaction_details("c1").queue == "repair"  # type: ignore[union-attr]


def test_a_queue_with_callers_in_it_cannot_go_and_nothing_changes() -> None:
    switch = start()
    switch.arrive("c1", at=1)
    old = switch.server.tenant
    smaller = dataclasses.replace(old, queues=(Queue("other"),), default_queue="other")
    with pytest.raises(CoreError, match="queue 'billing' cannot be removed while interactions"):
        switch.server.reconfigure(smaller)
    assert switch.server.tenant is old
    assert switch.server.queue_names() == ["billing"]
    switch.customer_hangs_up("c1", at=2)
    switch.login("a1", at=3)
    switch.server.reconfigure(smaller)
    assert switch.server.queue_names() == ["other"]
    assert switch.server.agent_status("a1").queues == ()
    switch.arrive("c2", at=4)
    assert switch.server.waiting("other") == ["c2"]


def test_a_logged_in_agent_cannot_be_removed_but_a_logged_out_one_can() -> None:
    switch = start()
    switch.login("a1", at=0)
    old = switch.server.tenant
    without_a1 = dataclasses.replace(old, agents=(agent("a2", {"billing": 1}),))
    with pytest.raises(CoreError, match="agent 'a1' cannot be removed while logged in"):
        switch.server.reconfigure(without_a1)
    assert switch.server.agent_ids() == ["a1", "a2"]
    without_a2 = dataclasses.replace(old, agents=(agent("a1", {"billing": 1}),))
    switch.server.reconfigure(without_a2)
    assert switch.server.agent_ids() == ["a1"]


def test_a_new_strategy_ranks_the_ready_agents_afresh() -> None:
    switch = Switch(tenant([Queue("q", strategy=Strategy.LONGEST_IDLE)],
                           [agent("low", {"s": 1}), agent("high", {"s": 9})]))
    switch.login("low", at=0)
    switch.login("high", at=5)
    old = switch.server.tenant
    switch.server.reconfigure(dataclasses.replace(
        old, queues=(Queue("q", skills={"s": 1}, strategy=Strategy.HIGHEST_SKILL),)))
    switch.arrive("c1", at=6)
    assert switch.offered_to("high") == "c1"  # longest idle would have picked `low`


def test_new_settings_apply_to_what_happens_next() -> None:
    switch = start()
    switch.login("a1", at=0)
    old = switch.server.tenant
    switch.server.reconfigure(dataclasses.replace(
        old, agents=(agent("a1", {"billing": 1}, wrap_up=30), agent("a2", {"billing": 1})),
        not_ready_reasons=("coffee",)))
    switch.arrive("c1", at=1)
    switch.serve("a1", answer_at=2, hang_up_at=10)
    assert switch.state("a1") is A.WRAP_UP
    switch.not_ready("a1", "coffee", at=11)
    assert switch.state("a1") is A.NOT_READY
    with pytest.raises(CoreError, match="'break' is not one of"):
        switch.not_ready("a1", "break", at=12)


def test_an_invalid_or_foreign_configuration_is_refused() -> None:
    switch = start()
    old = switch.server.tenant
    with pytest.raises(InvalidTenant):
        switch.server.reconfigure(dataclasses.replace(old, default_queue="nowhere"))
    with pytest.raises(CoreError, match="tenant 'other'"):
        switch.server.reconfigure(dataclasses.replace(old, name="other"))
    assert switch.server.tenant is old
    switch.arrive("c1", at=1)
    assert switch.server.interaction_state("c1") is I.QUEUED
