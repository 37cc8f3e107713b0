"""The agent state machine: the table itself, then the same rules seen through the server."""

from __future__ import annotations

import pytest

from hotline.core import InteractionServer
from hotline.core.agent_fsm import (
    TRANSITIONS,
    AgentState,
    AgentTrigger,
    IllegalAgentTransition,
    next_agent_state,
)
from hotline.core.errors import CoreError, InvalidTenant, NotOffered, UnknownAgent
from hotline.core.events import (
    AgentAnswered,
    AgentDeclined,
    AgentHungUp,
    AgentLoggedIn,
    AgentLoggedOut,
    AgentNotReady,
    AgentReady,
    WrapUpEnded,
)
from hotline.core.model import Agent, Overflow, Queue, Team
from tests.unit.core.core_harness import Switch, agent, one_queue, tenant

S = AgentState
T = AgentTrigger

# The agent machine as the requirements describe it, written out independently of the code.
EXPECTED: dict[tuple[AgentState, AgentTrigger], AgentState] = {
    (S.LOGGED_OUT, T.LOGIN): S.NOT_READY,
    (S.NOT_READY, T.READY): S.READY,
    (S.NOT_READY, T.NOT_READY): S.NOT_READY,
    (S.NOT_READY, T.LOGOUT): S.LOGGED_OUT,
    (S.NOT_READY, T.DIAL): S.BUSY,
    (S.READY, T.OFFER): S.RESERVED,
    (S.READY, T.DIAL): S.BUSY,
    (S.READY, T.NOT_READY): S.NOT_READY,
    (S.READY, T.LOGOUT): S.LOGGED_OUT,
    (S.RESERVED, T.ANSWER): S.BUSY,
    (S.RESERVED, T.DECLINE): S.NOT_READY,
    (S.RESERVED, T.NO_ANSWER): S.NOT_READY,
    (S.RESERVED, T.WITHDRAWN): S.READY,
    (S.RESERVED, T.WITHDRAWN_TO_NOT_READY): S.NOT_READY,
    (S.RESERVED, T.LOGOUT): S.LOGGED_OUT,
    (S.BUSY, T.HANGUP): S.WRAP_UP,
    (S.BUSY, T.TAKE_OVER): S.BUSY,
    (S.BUSY, T.HANGUP_NO_WRAP_UP): S.READY,
    (S.BUSY, T.HANGUP_TO_NOT_READY): S.NOT_READY,
    (S.WRAP_UP, T.WRAP_UP_END): S.READY,
    (S.WRAP_UP, T.NOT_READY): S.NOT_READY,
    (S.WRAP_UP, T.LOGOUT): S.LOGGED_OUT,
    (S.WRAP_UP, T.DIAL): S.BUSY,
}

LEGAL = sorted(EXPECTED.items())
ILLEGAL = [(s, t) for s in S for t in T if (s, t) not in EXPECTED]


@pytest.mark.parametrize(("move", "expected"), LEGAL, ids=[f"{s}-{t}" for (s, t), _ in LEGAL])
def test_legal_agent_move_leads_to_the_tables_state(
    move: tuple[AgentState, AgentTrigger], expected: AgentState
) -> None:
    state, trigger = move
    assert next_agent_state("a1", state, trigger) is expected


@pytest.mark.parametrize(("state", "trigger"), ILLEGAL, ids=[f"{s}-{t}" for s, t in ILLEGAL])
def test_illegal_agent_move_raises_naming_state_and_trigger(
    state: AgentState, trigger: AgentTrigger
) -> None:
    with pytest.raises(IllegalAgentTransition) as raised:
        next_agent_state("a1", state, trigger)
    message = str(raised.value)
    assert f"'{state.value}'" in message
    assert f"'{trigger.value}'" in message
    assert "'a1'" in message
    assert (raised.value.state, raised.value.trigger) == (state, trigger)


def test_the_code_table_has_exactly_the_expected_moves() -> None:
    in_code = {(s, t): new for s, moves in TRANSITIONS.items() for t, new in moves.items()}
    assert in_code == EXPECTED
    assert set(TRANSITIONS) == set(S)


def test_illegal_agent_move_lists_what_the_state_allows() -> None:
    with pytest.raises(IllegalAgentTransition, match=r"allowed: login\)"):
        next_agent_state("a1", S.LOGGED_OUT, T.READY)


def test_illegal_agent_move_is_a_core_error_so_a_shell_can_refuse_it_and_go_on() -> None:
    assert issubclass(IllegalAgentTransition, CoreError)


# -- through the server -------------------------------------------------------------------------


def _refused(switch: Switch, event: object, error: type[Exception]) -> Exception:
    """Apply an event the server must refuse; check it changed nothing and return the error."""
    server = switch.server
    before = {a: (server.agent_state(a), server.agent_interaction(a)) for a in server.agent_ids()}
    active = {i: server.interaction_state(i) for i in server.active_interactions()}
    timer = server.next_timer()
    with pytest.raises(error) as raised:
        server.handle(event, switch.now + 1)  # type: ignore[arg-type]
    assert server.drain_facts() == []
    assert {a: (server.agent_state(a), server.agent_interaction(a))
            for a in server.agent_ids()} == before
    assert {i: server.interaction_state(i) for i in server.active_interactions()} == active
    assert server.next_timer() == timer
    return raised.value


def test_ready_for_a_logged_out_agent_is_refused_and_changes_nothing() -> None:
    switch = Switch(one_queue("a1"))
    error = _refused(switch, AgentReady("a1"), IllegalAgentTransition)
    assert "'ready'" in str(error) and "'logged_out'" in str(error)
    assert switch.state("a1") is S.LOGGED_OUT


def test_ready_for_a_ready_agent_is_refused() -> None:
    switch = Switch(one_queue("a1"))
    switch.login("a1")
    _refused(switch, AgentReady("a1"), IllegalAgentTransition)
    assert switch.state("a1") is S.READY


def test_logging_in_twice_is_refused() -> None:
    switch = Switch(one_queue("a1"))
    switch.login("a1")
    _refused(switch, AgentLoggedIn("a1"), IllegalAgentTransition)


def test_logging_out_while_busy_is_refused_and_the_call_goes_on() -> None:
    switch = Switch(one_queue("a1"))
    switch.login("a1")
    switch.arrive("c1")
    switch.answer("a1")
    _refused(switch, AgentLoggedOut("a1"), IllegalAgentTransition)
    assert switch.state("a1") is S.BUSY
    assert switch.server.agent_interaction("a1") == "c1"


def test_ending_wrap_up_when_not_in_wrap_up_is_refused() -> None:
    switch = Switch(one_queue("a1"))
    switch.login("a1")
    _refused(switch, WrapUpEnded("a1"), IllegalAgentTransition)


def test_answering_a_call_offered_to_someone_else_is_refused() -> None:
    switch = Switch(one_queue("a1", "a2"))
    switch.login("a1", "a2")
    switch.arrive("c1")
    assert switch.offered_to("a1") == "c1"
    error = _refused(switch, AgentAnswered("c1", "a2"), NotOffered)
    assert "'c1'" in str(error) and "'a2'" in str(error)
    assert switch.offered_to("a1") == "c1"


def test_answering_a_call_still_in_queue_is_refused() -> None:
    switch = Switch(one_queue("a1"))
    switch.login("a1", ready=False)
    switch.arrive("c1")
    _refused(switch, AgentAnswered("c1", "a1"), NotOffered)
    assert switch.server.waiting("q") == ["c1"]


def test_declining_a_call_offered_to_someone_else_is_refused() -> None:
    switch = Switch(one_queue("a1", "a2"))
    switch.login("a1", "a2")
    switch.arrive("c1")
    _refused(switch, AgentDeclined("c1", "a2"), NotOffered)


def test_hanging_up_a_call_the_agent_is_not_serving_is_refused() -> None:
    switch = Switch(one_queue("a1", "a2"))
    switch.login("a1", "a2")
    switch.arrive("c1")
    _refused(switch, AgentHungUp("c1", "a1"), NotOffered)  # still ringing
    switch.answer("a1")
    _refused(switch, AgentHungUp("c1", "a2"), NotOffered)  # someone else's call


@pytest.mark.parametrize(
    "event",
    [
        AgentLoggedIn("ghost"),
        AgentLoggedOut("ghost"),
        AgentReady("ghost"),
        AgentNotReady("ghost", "break"),
        WrapUpEnded("ghost"),
    ],
    ids=lambda e: type(e).__name__,
)
def test_events_for_an_unknown_agent_are_refused(event: object) -> None:
    switch = Switch(one_queue("a1"))
    error = _refused(switch, event, UnknownAgent)
    assert "'ghost'" in str(error)


def test_answer_by_an_unknown_agent_is_refused() -> None:
    switch = Switch(one_queue("a1"))
    switch.login("a1")
    switch.arrive("c1")
    _refused(switch, AgentAnswered("c1", "ghost"), UnknownAgent)


def test_not_ready_reason_outside_the_tenants_list_is_refused() -> None:
    switch = Switch(one_queue("a1"))
    switch.login("a1")
    error = _refused(switch, AgentNotReady("a1", "nap"), CoreError)
    assert "'nap'" in str(error) and "lunch" in str(error)
    assert switch.state("a1") is S.READY


def test_not_ready_reason_is_refused_even_while_busy() -> None:
    switch = Switch(one_queue("a1"))
    switch.login("a1")
    switch.arrive("c1")
    switch.answer("a1")
    _refused(switch, AgentNotReady("a1", "nap"), CoreError)
    switch.agent_hangs_up("a1")
    assert switch.state("a1") is S.READY  # no deferred not-ready was remembered


def test_logging_in_to_an_unknown_queue_is_refused() -> None:
    switch = Switch(one_queue("a1"))
    error = _refused(switch, AgentLoggedIn("a1", ("nowhere",)), CoreError)
    assert "'nowhere'" in str(error)
    assert switch.state("a1") is S.LOGGED_OUT


def test_logging_in_to_a_queue_without_its_skills_is_refused() -> None:
    switch = Switch(tenant([Queue("vip", skills={"mandarin": 5})],
                           [agent("a1", {"mandarin": 4})]))
    error = _refused(switch, AgentLoggedIn("a1", ("vip",)), CoreError)
    assert "'vip'" in str(error)


def test_not_ready_changes_the_reason_while_not_ready() -> None:
    switch = Switch(one_queue("a1"))
    switch.login("a1", ready=False)
    switch.not_ready("a1", "lunch")
    last = switch.last_agent_move("a1")
    assert (last.old, last.new, last.reason) == (S.NOT_READY, S.NOT_READY, "lunch")


def test_agent_journey_through_a_call_is_recorded_one_fact_per_move() -> None:
    switch = Switch(one_queue("a1", wrap_up=10.0))
    switch.login("a1", at=0)
    switch.arrive("c1", at=5)
    switch.answer("a1", at=6)
    switch.agent_hangs_up("a1", at=60)
    switch.advance(100)
    switch.not_ready("a1", "lunch", at=120)
    switch.send(AgentLoggedOut("a1"), at=130)
    moves = [(m.at, m.old.value, m.new.value) for m in switch.agent_moves("a1")]
    assert moves == [
        (0, "logged_out", "not_ready"),
        (0, "not_ready", "ready"),
        (5, "ready", "reserved"),
        (6, "reserved", "busy"),
        (60, "busy", "wrap_up"),
        (70, "wrap_up", "ready"),
        (120, "ready", "not_ready"),
        (130, "not_ready", "logged_out"),
    ]


# -- tenants the server refuses -----------------------------------------------------------------


def test_tenant_with_many_problems_is_refused_listing_each_one() -> None:
    bad = tenant(
        [
            Queue("sales", overflow=Overflow(30, "nowhere"), skills={"en": 11}),
            Queue("sales"),
            Queue("loop", overflow=Overflow(-1, "loop"), ring_timeout=0, max_wait=0),
        ],
        [agent("a1", {"en": 0}), agent("a1"), agent("a2", wrap_up=-5)],
        teams=(Team("blue"),),
        default_queue="gone",
        after_hours_queue="night",
        dnis_routes={"4001": "support"},
        sticky_wait=-1,
    )
    with pytest.raises(InvalidTenant) as raised:
        InteractionServer(bad)
    message = str(raised.value)
    for problem in [
        "queue 'sales' is defined 2 times",
        "agent 'a1' is defined 2 times",
        "queue 'sales' overflows to unknown queue 'nowhere'",
        "queue 'loop' overflows to itself",
        "queue 'loop' overflow.after must be >= 0",
        "queue 'loop' max_wait must be > 0",
        "queue 'loop' ring_timeout must be > 0",
        "queue 'sales' needs skill 'en' at level 11",
        "agent 'a1' has skill 'en' at level 0",
        "agent 'a2' wrap_up must be >= 0",
        "DNIS '4001' routes to unknown queue 'support'",
        "default_queue 'gone' is not a queue",
        "after_hours_queue 'night' is not a queue",
        "sticky_wait must be >= 0",
    ]:
        assert problem in message


def test_agent_in_an_unknown_team_is_refused() -> None:
    with pytest.raises(InvalidTenant, match="agent 'a1' is in unknown team 'red'"):
        InteractionServer(tenant([Queue("q")], [Agent("a1", team="red")]))


def test_queues_that_overflow_into_each_other_at_once_are_refused() -> None:
    # Zero-second overflows in a ring would move a waiting call between the queues forever.
    ring = tenant([Queue("a", overflow=Overflow(0, "b")), Queue("b", overflow=Overflow(0, "a"))],
                  [agent("x")])
    with pytest.raises(InvalidTenant, match="'a' -> 'b' -> 'a'"):
        InteractionServer(ring)


def test_queues_that_overflow_into_each_other_after_a_wait_are_accepted() -> None:
    ring = tenant([Queue("a", overflow=Overflow(30, "b")), Queue("b", overflow=Overflow(0, "a"))],
                  [agent("x")])
    switch = Switch(ring)
    switch.arrive("c1", at=0)
    switch.advance(100)
    assert [(m.at, m.queue) for m in switch.interaction_moves("c1") if m.new == "queued"] == [
        (0, "a"), (30, "b"), (30, "a"), (60, "b"), (60, "a"), (90, "b"), (90, "a")]


def test_a_consistent_tenant_is_accepted() -> None:
    InteractionServer(one_queue("a1", "a2"))
