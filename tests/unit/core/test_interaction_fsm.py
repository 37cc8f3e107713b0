"""The interaction state machine: the table itself, then the same rules seen through the server."""

from __future__ import annotations

import pytest

from hotline.core.commands import Connect, Hangup, Offer, PlayQueueMusic
from hotline.core.errors import CoreError, UnknownInteraction
from hotline.core.events import (
    AgentAnswered,
    AgentDeclined,
    AgentHungUp,
    CustomerHungUp,
    InteractionArrived,
)
from hotline.core.interaction_fsm import (
    TRANSITIONS,
    IllegalInteractionTransition,
    InteractionState,
    InteractionTrigger,
    next_interaction_state,
)
from tests.unit.core.core_harness import Switch, one_queue

S = InteractionState
T = InteractionTrigger

# The interaction machine as the requirements describe it, written out independently of the code.
EXPECTED: dict[tuple[InteractionState, InteractionTrigger], InteractionState] = {
    (S.DELIVERED, T.ROUTE): S.ROUTING,
    (S.ROUTING, T.ENQUEUE): S.QUEUED,
    (S.ROUTING, T.REJECT): S.COMPLETED,
    (S.QUEUED, T.OFFER): S.OFFERED,
    (S.QUEUED, T.ABANDON): S.COMPLETED,
    (S.QUEUED, T.MAX_WAIT): S.COMPLETED,
    (S.QUEUED, T.OVERFLOW): S.ROUTING,
    (S.OFFERED, T.ANSWER): S.IN_SERVICE,
    (S.OFFERED, T.REQUEUE): S.QUEUED,
    (S.OFFERED, T.ABANDON): S.COMPLETED,
    (S.IN_SERVICE, T.HANGUP): S.COMPLETED,
    (S.IN_SERVICE, T.HOLD): S.ON_HOLD,
    (S.IN_SERVICE, T.TRANSFER_OUT): S.COMPLETED,
    (S.ON_HOLD, T.RETRIEVE): S.IN_SERVICE,
    (S.ON_HOLD, T.HANGUP): S.COMPLETED,
    (S.ON_HOLD, T.TRANSFER_OUT): S.COMPLETED,
    (S.IN_SERVICE, T.TRANSFER): S.COMPLETED,
    (S.ON_HOLD, T.TRANSFER): S.COMPLETED,
    (S.DELIVERED, T.DIAL): S.DIALING,
    (S.DIALING, T.CONNECT): S.IN_SERVICE,
    (S.DIALING, T.DIAL_FAIL): S.COMPLETED,
    (S.DELIVERED, T.START_IVR): S.IN_IVR,
    (S.IN_IVR, T.IVR_ROUTE): S.ROUTING,
    (S.IN_IVR, T.IVR_END): S.COMPLETED,
    (S.IN_IVR, T.ABANDON): S.COMPLETED,
    (S.DELIVERED, T.CONSULT): S.OFFERED,
}

LEGAL = sorted(EXPECTED.items())
ILLEGAL = [(s, t) for s in S for t in T if (s, t) not in EXPECTED]


@pytest.mark.parametrize(("move", "expected"), LEGAL, ids=[f"{s}-{t}" for (s, t), _ in LEGAL])
def test_legal_interaction_move_leads_to_the_tables_state(
    move: tuple[InteractionState, InteractionTrigger], expected: InteractionState
) -> None:
    state, trigger = move
    assert next_interaction_state("c1", state, trigger) is expected


@pytest.mark.parametrize(("state", "trigger"), ILLEGAL, ids=[f"{s}-{t}" for s, t in ILLEGAL])
def test_illegal_interaction_move_raises_naming_state_and_trigger(
    state: InteractionState, trigger: InteractionTrigger
) -> None:
    with pytest.raises(IllegalInteractionTransition) as raised:
        next_interaction_state("c1", state, trigger)
    message = str(raised.value)
    assert f"'{state.value}'" in message
    assert f"'{trigger.value}'" in message
    assert "'c1'" in message
    assert (raised.value.state, raised.value.trigger) == (state, trigger)


def test_the_code_table_has_exactly_the_expected_moves() -> None:
    in_code = {(s, t): new for s, moves in TRANSITIONS.items() for t, new in moves.items()}
    assert in_code == EXPECTED
    assert set(TRANSITIONS) == set(S)


@pytest.mark.parametrize("trigger", list(T))
def test_a_completed_interaction_accepts_nothing_more(trigger: InteractionTrigger) -> None:
    with pytest.raises(IllegalInteractionTransition, match="it is completed"):
        next_interaction_state("c1", S.COMPLETED, trigger)


def test_illegal_interaction_move_is_a_core_error_so_a_shell_can_refuse_it_and_go_on() -> None:
    assert issubclass(IllegalInteractionTransition, CoreError)


# -- through the server -------------------------------------------------------------------------


def test_an_answered_call_goes_through_every_state_in_order() -> None:
    switch = Switch(one_queue("a1"))
    switch.login("a1")
    commands = switch.arrive("c1", at=10)
    assert commands == [PlayQueueMusic("c1", "q"), Offer("c1", "a1", "q", 20.0)]
    switch.answer("a1", at=12)
    assert switch.commands[-1] == Connect("c1", "a1")
    assert switch.agent_hangs_up("a1", at=70) == [Hangup("c1")]
    assert switch.path("c1") == [
        "delivered", "routing", "queued", "offered", "in_service", "completed"]
    assert [m.reason for m in switch.interaction_moves("c1")] == [
        "routed", "routed", "offered", "answered", "agent_hung_up"]
    assert switch.server.interaction_state("c1") is None
    assert switch.server.active_interactions() == []


def test_interaction_state_view_follows_the_call() -> None:
    switch = Switch(one_queue("a1"))
    switch.login("a1", ready=False)
    switch.arrive("c1")
    assert switch.server.interaction_state("c1") is S.QUEUED
    switch.ready("a1")
    assert switch.server.interaction_state("c1") is S.OFFERED
    switch.answer("a1")
    assert switch.server.interaction_state("c1") is S.IN_SERVICE


@pytest.mark.parametrize(
    "event",
    [
        CustomerHungUp("nope"),
        AgentAnswered("nope", "a1"),
        AgentDeclined("nope", "a1"),
        AgentHungUp("nope", "a1"),
    ],
    ids=lambda e: type(e).__name__,
)
def test_events_for_an_unknown_interaction_are_refused(event: object) -> None:
    switch = Switch(one_queue("a1"))
    switch.login("a1")
    with pytest.raises(UnknownInteraction, match="'nope'"):
        switch.server.handle(event, 1.0)  # type: ignore[arg-type]
    assert switch.server.drain_facts() == []
    assert switch.state("a1") == "ready"


def test_a_completed_call_is_forgotten_so_further_events_for_it_are_refused() -> None:
    switch = Switch(one_queue("a1"))
    switch.login("a1")
    switch.arrive("c1")
    switch.serve("a1")
    with pytest.raises(UnknownInteraction):
        switch.customer_hangs_up("c1")
    assert switch.server.drain_facts() == []


def test_an_interaction_id_already_in_progress_is_refused() -> None:
    switch = Switch(one_queue("a1"))
    switch.arrive("c1", ani="555")
    with pytest.raises(CoreError, match="'c1' is already in progress"):
        switch.server.handle(InteractionArrived("c1", ani="666"), 1.0)
    assert switch.server.drain_facts() == []
    assert switch.server.waiting("q") == ["c1"]


def test_an_arrival_naming_an_unknown_queue_is_refused_as_a_core_error() -> None:
    switch = Switch(one_queue("a1"))
    with pytest.raises(CoreError, match="'nowhere'"):
        switch.server.handle(InteractionArrived("c1", queue="nowhere"), 1.0)
    assert switch.server.drain_facts() == []
    assert switch.server.active_interactions() == []


def test_something_that_is_not_an_event_is_a_type_error() -> None:
    switch = Switch(one_queue("a1"))
    with pytest.raises(TypeError, match="not an interaction-server event"):
        switch.server.handle("AgentReady a1", 1.0)  # type: ignore[arg-type]


def test_an_id_can_be_used_again_once_its_interaction_is_completed() -> None:
    switch = Switch(one_queue("a1"))
    switch.login("a1")
    switch.arrive("c1")
    switch.serve("a1")
    switch.arrive("c1")
    assert switch.offered_to("a1") == "c1"
