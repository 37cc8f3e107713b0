"""Routing rules and waiting lines: where a call goes, in what order it is served, and what
happens when it waits too long, is not answered, or the customer leaves (R4–R8, R10)."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest

from hotline.core.agent_fsm import AgentState
from hotline.core.commands import (
    CancelOffer,
    Hangup,
    Hold,
    Offer,
    PlayQueueMusic,
    Reject,
    Retrieve,
    TransferOut,
)
from hotline.core.errors import CoreError, NotOffered
from hotline.core.events import (
    AgentHeld,
    AgentHungUp,
    AgentLoggedOut,
    AgentRetrieved,
    AgentTransferredOut,
    InteractionArrived,
)
from hotline.core.hours import BusinessHours
from hotline.core.interaction_fsm import IllegalInteractionTransition, InteractionState
from hotline.core.model import Overflow, Queue, Tenant
from tests.unit.core.core_harness import Switch, agent, one_queue, tenant

A = AgentState
I = InteractionState  # noqa: E741


def _offers(commands: list[object]) -> list[tuple[str, str]]:
    return [(c.interaction_id, c.agent_id) for c in commands if isinstance(c, Offer)]


def _two_queues(low: int = 0, high: int = 0, **rules: object) -> Switch:
    """Queues `low` and `high` (with those priorities) and agent `a` who serves both."""
    return Switch(tenant([Queue("low", priority=low), Queue("high", priority=high)],
                         [agent("a")], **rules))


# -- which waiting call an agent takes ----------------------------------------------------------


def test_agent_serving_two_queues_takes_the_higher_priority_queue_first() -> None:
    switch = _two_queues(low=0, high=5)
    switch.login("a", ready=False)
    switch.arrive("early", at=10, queue="low")
    switch.arrive("late", at=20, queue="high")
    assert _offers(switch.ready("a", at=30)) == [("late", "a")]


def test_interaction_priority_adds_to_its_queue_priority() -> None:
    switch = _two_queues(low=0, high=5)
    switch.login("a", ready=False)
    switch.arrive("normal", at=5, queue="high")
    switch.arrive("urgent", at=10, queue="low", priority=6)
    assert _offers(switch.ready("a", at=30)) == [("urgent", "a")]


def test_at_equal_priority_the_call_waiting_longest_goes_first_across_queues() -> None:
    switch = _two_queues()
    switch.login("a", ready=False)
    switch.arrive("h1", at=10, queue="high")
    switch.arrive("l1", at=11, queue="low")
    switch.arrive("h2", at=12, queue="high")
    switch.ready("a", at=20)
    order = [switch.serve("a") for _ in range(3)]
    assert order == ["h1", "l1", "h2"]


def test_within_a_queue_higher_priority_then_arrival_order() -> None:
    switch = Switch(one_queue("a"))
    switch.login("a", ready=False)
    switch.arrive("c1", at=1)
    switch.arrive("c2", at=2, priority=3)
    switch.arrive("c3", at=3)
    switch.arrive("c4", at=3, priority=3)
    assert switch.server.waiting("q") == ["c2", "c4", "c1", "c3"]
    switch.ready("a", at=10)
    assert [switch.serve("a") for _ in range(4)] == ["c2", "c4", "c1", "c3"]


def test_vip_caller_by_number_jumps_the_line() -> None:
    switch = Switch(tenant([Queue("q")], [agent("a")], vip_numbers=frozenset({"13800000001"}),
                           vip_priority=10))
    switch.login("a", ready=False)
    switch.arrive("c1", at=1, ani="13900000001")
    switch.arrive("c2", at=2, ani="13900000002")
    switch.arrive("vip", at=3, ani="13800000001")
    assert switch.server.waiting("q") == ["vip", "c1", "c2"]
    assert switch.interaction_moves("vip")[-1].priority == 10
    assert _offers(switch.ready("a", at=4)) == [("vip", "a")]


def test_vip_caller_by_tier_attribute_jumps_the_line() -> None:
    switch = Switch(tenant([Queue("q")], [agent("a")], vip_priority=7))
    switch.login("a", ready=False)
    switch.arrive("c1", at=1, attributes={"tier": "gold"})
    switch.arrive("vip", at=2, priority=1, attributes={"tier": "vip"})
    assert switch.interaction_moves("vip")[-1].priority == 8
    assert _offers(switch.ready("a", at=4)) == [("vip", "a")]


# -- which queue a call goes to -----------------------------------------------------------------


def _routed() -> Tenant:
    return tenant([Queue("sales"), Queue("support"), Queue("general")], [agent("a")],
                  dnis_routes={"4001": "sales", "4002": "support"}, default_queue="general",
                  blacklist=frozenset({"666"}))


def test_dnis_picks_the_queue() -> None:
    switch = Switch(_routed())
    assert switch.arrive("c1", dnis="4002") == [PlayQueueMusic("c1", "support")]
    assert switch.server.waiting("support") == ["c1"]


def test_an_explicit_target_queue_wins_over_dnis() -> None:
    switch = Switch(_routed())
    switch.arrive("c1", dnis="4002", queue="sales")
    assert switch.server.waiting("sales") == ["c1"]


def test_unknown_dnis_goes_to_the_default_queue() -> None:
    switch = Switch(_routed())
    switch.arrive("c1", dnis="9999")
    assert switch.server.waiting("general") == ["c1"]


def test_no_route_is_rejected() -> None:
    switch = Switch(tenant([Queue("sales")], [agent("a")], default_queue=None,
                           dnis_routes={"4001": "sales"}))
    switch.login("a")
    assert switch.arrive("c1", dnis="9999") == [Reject("c1", "no_route")]
    assert switch.path("c1") == ["delivered", "routing", "completed"]
    assert switch.outcome("c1") == (I.COMPLETED, "no_route")
    assert switch.state("a") is A.READY
    assert switch.server.active_interactions() == []


def test_blacklisted_caller_is_rejected_and_never_queued() -> None:
    switch = Switch(_routed())
    switch.login("a")
    assert switch.arrive("c1", ani="666", dnis="4001") == [Reject("c1", "blacklisted")]
    assert switch.path("c1") == ["delivered", "routing", "completed"]
    assert switch.outcome("c1") == (I.COMPLETED, "blacklisted")
    assert switch.state("a") is A.READY
    assert all(switch.server.waiting(q) == [] for q in ("sales", "support", "general"))


# -- business hours -----------------------------------------------------------------------------

SHANGHAI = ZoneInfo("Asia/Shanghai")
NINE_TO_SIX = ((9 * 3600, 18 * 3600),)


def _at(year: int, month: int, day: int, hour: int, minute: int = 0) -> float:
    """Epoch seconds of a wall-clock time in Shanghai."""
    return datetime(year, month, day, hour, minute, tzinfo=SHANGHAI).timestamp()


def _office(after_hours_queue: str | None = None) -> Switch:
    hours = BusinessHours(
        timezone="Asia/Shanghai",
        weekly={day: NINE_TO_SIX for day in range(5)},  # Monday to Friday
        holidays=frozenset({date(2024, 10, 1)}),  # National Day, a Tuesday
    )
    return Switch(tenant([Queue("sales"), Queue("duty")], [agent("a")], default_queue="sales",
                         business_hours=hours, after_hours_queue=after_hours_queue),
                  start=_at(2024, 9, 1, 0))


@pytest.mark.parametrize(
    ("when", "is_open"),
    [
        (_at(2024, 9, 30, 8, 59), False),  # Monday, before opening (00:59 UTC)
        (_at(2024, 9, 30, 9, 0), True),  # Monday, opening time (01:00 UTC)
        (_at(2024, 9, 30, 17, 59), True),
        (_at(2024, 9, 30, 18, 0), False),  # closing time
        (_at(2024, 10, 1, 10, 0), False),  # Tuesday, but a holiday
        (_at(2024, 10, 2, 10, 0), True),  # Wednesday
        (_at(2024, 10, 5, 10, 0), False),  # Saturday
    ],
    ids=["before-open", "opening", "last-minute", "closing", "holiday", "weekday", "saturday"],
)
def test_outside_business_hours_a_call_is_rejected_as_closed(when: float, is_open: bool) -> None:
    switch = _office()
    commands = switch.arrive("c1", at=when)
    if is_open:
        assert commands == [PlayQueueMusic("c1", "sales")]
    else:
        assert commands == [Reject("c1", "closed")]
        assert switch.outcome("c1") == (I.COMPLETED, "closed")


def test_outside_business_hours_a_call_goes_to_the_after_hours_queue() -> None:
    switch = _office(after_hours_queue="duty")
    assert switch.arrive("night", at=_at(2024, 9, 30, 22)) == [PlayQueueMusic("night", "duty")]
    assert switch.arrive("holiday", at=_at(2024, 10, 1, 10)) == [
        PlayQueueMusic("holiday", "duty")]
    assert switch.arrive("day", at=_at(2024, 10, 2, 10)) == [PlayQueueMusic("day", "sales")]


def test_business_hours_follow_the_tenants_time_zone_not_utc() -> None:
    switch = _office()
    # 10:00 UTC on a Monday is 18:00 in Shanghai: closed there, though open by UTC clocks.
    monday_ten_utc = datetime(2024, 9, 30, 10, 0, tzinfo=ZoneInfo("UTC")).timestamp()
    assert switch.arrive("c1", at=monday_ten_utc) == [Reject("c1", "closed")]


# -- overflow and maximum wait ------------------------------------------------------------------


def _overflowing() -> Switch:
    return Switch(tenant(
        [Queue("first", skills={"first": 1}, overflow=Overflow(30, "backup")),
         Queue("backup", skills={"backup": 1})],
        [agent("f", {"first": 1}), agent("b", {"backup": 1})],
        default_queue="first",
    ))


def test_a_call_overflows_to_the_target_queue_after_waiting() -> None:
    switch = _overflowing()
    switch.arrive("c1", at=0)
    switch.advance(29.9)
    assert switch.server.waiting("first") == ["c1"]
    switch.advance(30)
    assert switch.server.waiting("first") == []
    assert switch.server.waiting("backup") == ["c1"]
    assert [(m.at, m.old.value, m.new.value, m.reason, m.queue)
            for m in switch.interaction_moves("c1")[-2:]] == [
        (30, "queued", "routing", "overflow", "first"),
        (30, "routing", "queued", "overflow", "backup"),
    ]
    assert switch.commands[-1] == PlayQueueMusic("c1", "backup")


def test_an_overflowed_call_keeps_its_place_ahead_of_later_calls_in_the_target_queue() -> None:
    switch = _overflowing()
    switch.arrive("c1", at=0)
    switch.arrive("c2", at=10, queue="backup")
    switch.advance(30)
    assert switch.server.waiting("backup") == ["c1", "c2"]
    switch.login("b", at=40)
    assert switch.offered_to("b") == "c1"


def test_an_answered_call_does_not_overflow() -> None:
    switch = _overflowing()
    switch.login("f", ready=False, at=0)
    switch.arrive("c1", at=0)
    switch.ready("f", at=20)
    switch.answer("f", at=25)
    switch.advance(100)
    assert "overflow" not in [m.reason for m in switch.interaction_moves("c1")]


def test_a_call_that_waits_the_maximum_is_rejected_and_completed() -> None:
    switch = Switch(one_queue("a", max_wait=60))
    switch.login("a", ready=False, at=0)
    switch.arrive("c1", at=0)
    switch.advance(59)
    assert switch.server.interaction_state("c1") is I.QUEUED
    assert switch.advance(60) == [Reject("c1", "max_wait")]
    assert switch.outcome("c1") == (I.COMPLETED, "max_wait")
    assert switch.server.interaction_state("c1") is None
    assert switch.ready("a", at=61) == []
    assert switch.state("a") is A.READY


def test_max_wait_counts_from_entering_each_queue() -> None:
    switch = Switch(tenant(
        [Queue("first", overflow=Overflow(30, "backup")), Queue("backup", max_wait=60)],
        [agent("a")],
    ))
    switch.arrive("c1", at=0)
    switch.advance(89)
    assert switch.server.waiting("backup") == ["c1"]
    switch.advance(90)
    assert switch.outcome("c1") == (I.COMPLETED, "max_wait")


# -- ring no answer, decline, and agents leaving ------------------------------------------------


def _ringing(**queue_settings: object) -> Switch:
    """a is ringing with c1 (arrived at 0); c2 arrived at 5 and waits; b is not ready."""
    switch = Switch(one_queue("a", "b", ring_timeout=20, **queue_settings))
    switch.login("a", at=0)
    switch.login("b", ready=False, at=0)
    switch.arrive("c1", at=0)
    switch.arrive("c2", at=5)
    assert switch.offered_to("a") == "c1"
    return switch


def test_ring_no_answer_withdraws_the_offer_and_makes_the_agent_not_ready() -> None:
    switch = _ringing()
    assert switch.advance(19.9) == []
    commands = switch.advance(20)
    assert CancelOffer("c1", "a") in commands
    assert switch.state("a") is A.NOT_READY
    last = switch.last_agent_move("a")
    assert (last.at, last.old, last.new, last.reason) == (20, A.RESERVED, A.NOT_READY,
                                                           "no_answer")


def test_ring_no_answer_puts_the_call_back_at_its_original_place() -> None:
    switch = _ringing()
    switch.advance(20)
    assert switch.server.waiting("q") == ["c1", "c2"]
    assert switch.outcome("c1") == (I.QUEUED, "no_answer")
    switch.ready("b", at=25)
    assert switch.offered_to("b") == "c1"


def test_declining_puts_the_call_back_at_its_original_place() -> None:
    switch = _ringing()
    assert switch.decline("a", at=8) == [CancelOffer("c1", "a")]
    assert switch.state("a") is A.NOT_READY
    assert switch.last_agent_move("a").reason == "declined"
    assert switch.server.waiting("q") == ["c1", "c2"]
    switch.ready("b", at=10)
    assert switch.offered_to("b") == "c1"


def test_a_declined_call_goes_at_once_to_another_ready_agent() -> None:
    switch = Switch(one_queue("a", "b"))
    switch.login("a", "b")
    switch.arrive("c1")
    commands = switch.decline("a")
    assert commands == [CancelOffer("c1", "a"), Offer("c1", "b", "q", 20.0)]


def test_ring_time_counts_towards_the_overflow_wait() -> None:
    switch = Switch(tenant(
        [Queue("first", overflow=Overflow(30, "backup"), ring_timeout=40), Queue("backup")],
        [agent("a")],
    ))
    switch.login("a", at=0)
    switch.arrive("c1", at=0)
    switch.advance(40)  # rang for 40 seconds: past its overflow time in 'first'
    assert switch.server.waiting("backup") == ["c1"]


def test_a_call_declined_after_its_overflow_time_overflows_now_not_in_the_past() -> None:
    switch = Switch(tenant(
        [Queue("first", overflow=Overflow(30, "backup"), ring_timeout=60), Queue("backup")],
        [agent("a")],
    ))
    switch.login("a", at=0)
    switch.arrive("c1", at=0)
    switch.decline("a", at=35)
    assert switch.server.next_timer() == 35
    switch.advance(35)
    overflow = switch.interaction_moves("c1")[-1]
    assert (overflow.at, overflow.queue, overflow.reason) == (35, "backup", "overflow")


def test_a_call_declined_after_both_its_deadlines_meets_the_earlier_one() -> None:
    switch = Switch(tenant(
        [Queue("first", max_wait=20, overflow=Overflow(30, "backup"), ring_timeout=60),
         Queue("backup")],
        [agent("a")],
    ))
    switch.login("a", at=0)
    switch.arrive("c1", at=0)
    switch.decline("a", at=35)
    assert switch.advance(35) == [Reject("c1", "max_wait")]
    assert switch.outcome("c1") == (I.COMPLETED, "max_wait")


def test_logging_out_while_reserved_puts_the_call_back() -> None:
    switch = _ringing()
    commands = switch.send(AgentLoggedOut("a"), at=8)
    assert commands == [CancelOffer("c1", "a")]
    assert switch.state("a") is A.LOGGED_OUT
    assert switch.outcome("c1") == (I.QUEUED, "agent_logged_out")
    assert switch.server.waiting("q") == ["c1", "c2"]
    switch.ready("b", at=9)
    assert switch.offered_to("b") == "c1"


def test_an_agent_who_logs_out_gets_no_more_calls() -> None:
    switch = Switch(one_queue("a", "b"))
    switch.login("a", "b", at=0)
    switch.send(AgentLoggedOut("a"), at=1)
    switch.arrive("c1", at=2)
    assert switch.offered_to("b") == "c1"
    switch.arrive("c2", at=3)
    assert switch.server.waiting("q") == ["c2"]


# -- the customer leaves ------------------------------------------------------------------------


def test_customer_hanging_up_while_queued_abandons_the_call() -> None:
    switch = Switch(one_queue("a"))
    switch.login("a", ready=False)
    switch.arrive("c1", at=0)
    assert switch.customer_hangs_up("c1", at=15) == []
    assert switch.outcome("c1") == (I.COMPLETED, "abandoned")
    assert switch.server.waiting("q") == []
    switch.ready("a", at=20)
    assert switch.state("a") is A.READY


def test_customer_hanging_up_while_ringing_frees_the_agent_for_the_next_call() -> None:
    switch = _ringing()
    commands = switch.customer_hangs_up("c1", at=10)
    assert commands == [CancelOffer("c1", "a"), Offer("c2", "a", "q", 20.0)]
    assert switch.outcome("c1") == (I.COMPLETED, "abandoned")
    assert [(m.old, m.new, m.reason) for m in switch.agent_moves("a")[-2:]] == [
        (A.RESERVED, A.READY, "customer_left"), (A.READY, A.RESERVED, "")]


def test_customer_hanging_up_while_ringing_leaves_the_agent_ready_when_no_one_waits() -> None:
    switch = Switch(one_queue("a"))
    switch.login("a")
    switch.arrive("c1")
    switch.customer_hangs_up("c1")
    assert switch.state("a") is A.READY
    assert switch.server.next_timer() is None  # the ring timer is gone


def test_customer_hanging_up_in_service_ends_the_call() -> None:
    switch = Switch(one_queue("a", wrap_up=15))
    switch.login("a")
    switch.arrive("c1", at=0)
    switch.answer("a", at=2)
    assert switch.customer_hangs_up("c1", at=50) == [Hangup("c1")]
    assert switch.outcome("c1") == (I.COMPLETED, "customer_hung_up")
    assert switch.state("a") is A.WRAP_UP


# -- sticky agent -------------------------------------------------------------------------------

CALLER = "13912345678"


def _sticky(sticky_wait: float | None = 60) -> Switch:
    """b served CALLER before; a and b are logged in; a would win by the queue's strategy."""
    switch = Switch(tenant([Queue("q")], [agent("a"), agent("b")], sticky_wait=sticky_wait))
    switch.login("b", at=0)
    switch.arrive("first", at=1, ani=CALLER)
    switch.serve("b", answer_at=2, hang_up_at=3)
    switch.login("a", at=4)
    return switch


def test_sticky_caller_gets_their_last_agent_when_ready() -> None:
    switch = _sticky()
    switch.arrive("again", at=10, ani=CALLER)
    assert switch.offered_to("b") == "again"
    assert switch.outcome("again") == (I.OFFERED, "sticky")


def test_without_sticky_routing_the_queue_strategy_decides() -> None:
    switch = _sticky(sticky_wait=None)
    switch.arrive("again", at=10, ani=CALLER)
    assert switch.offered_to("a") == "again"


def _b_busy_a_free(switch: Switch) -> None:
    """From `_sticky`: b takes another call and is busy with it; a is ready again by 12."""
    switch.arrive("other", at=10)
    switch.answer("a", at=10)
    switch.arrive("for-b", at=11)
    switch.answer("b", at=11)
    switch.agent_hangs_up("a", at=12)


def test_sticky_caller_is_held_for_their_busy_agent_who_gets_them_when_free() -> None:
    switch = _sticky(sticky_wait=60)
    _b_busy_a_free(switch)
    switch.arrive("again", at=20, ani=CALLER)
    assert switch.state("a") is A.READY  # held for b, not given to a
    assert switch.server.waiting("q") == ["again"]
    switch.agent_hangs_up("b", at=50)
    assert switch.offered_to("b") == "again"
    assert switch.state("a") is A.READY


def test_sticky_caller_goes_to_anyone_once_the_sticky_wait_is_over() -> None:
    switch = _sticky(sticky_wait=60)
    _b_busy_a_free(switch)
    switch.arrive("again", at=20, ani=CALLER)
    switch.advance(79)
    assert switch.state("a") is A.READY
    switch.advance(80)
    assert switch.offered_to("a") == "again"
    assert switch.outcome("again") == (I.OFFERED, "offered")


def test_sticky_caller_is_held_while_their_agent_is_not_ready_too() -> None:
    switch = _sticky(sticky_wait=60)
    switch.not_ready("b", "lunch", at=5)
    switch.arrive("again", at=20, ani=CALLER)
    assert switch.state("a") is A.READY
    switch.ready("b", at=30)
    assert switch.offered_to("b") == "again"


def test_sticky_caller_held_for_an_agent_who_logs_out_goes_to_anyone_at_once() -> None:
    switch = _sticky(sticky_wait=60)
    switch.not_ready("b", "lunch", at=5)
    switch.arrive("again", at=20, ani=CALLER)
    switch.send(AgentLoggedOut("b"), at=30)
    assert switch.offered_to("a") == "again"


def test_sticky_wait_of_zero_gives_the_call_to_anyone_when_the_last_agent_is_busy() -> None:
    switch = _sticky(sticky_wait=0)
    _b_busy_a_free(switch)
    switch.arrive("again", at=20, ani=CALLER)
    assert switch.offered_to("a") == "again"


def test_a_held_sticky_caller_still_times_out() -> None:
    switch = Switch(tenant([Queue("q", max_wait=30)], [agent("a"), agent("b")], sticky_wait=60))
    switch.login("b", at=0)
    switch.arrive("first", at=1, ani=CALLER)
    switch.serve("b", answer_at=2, hang_up_at=3)
    switch.not_ready("b", at=4)
    switch.arrive("again", at=10, ani=CALLER)
    switch.advance(40)
    assert switch.outcome("again") == (I.COMPLETED, "max_wait")
    switch.ready("b", at=50)
    assert switch.state("b") is A.READY


# -- wrap-up and deferred not-ready ----------------------------------------------------------


def _one_call(wrap_up: float | None) -> Switch:
    """Agent a answered c1 at 1 and hung up at 60; c2 is waiting."""
    switch = Switch(one_queue("a", wrap_up=wrap_up))
    switch.login("a", at=0)
    switch.arrive("c1", at=0)
    switch.answer("a", at=1)
    switch.arrive("c2", at=2)
    switch.agent_hangs_up("a", at=60)
    return switch


def test_timed_wrap_up_ends_by_its_timer_and_the_agent_takes_the_next_call() -> None:
    switch = _one_call(wrap_up=30)
    assert switch.state("a") is A.WRAP_UP
    assert switch.server.next_timer() == 90
    switch.advance(89)
    assert switch.state("a") is A.WRAP_UP
    assert _offers(switch.advance(90)) == [("c2", "a")]


def test_manual_wrap_up_lasts_until_the_agent_ends_it() -> None:
    switch = _one_call(wrap_up=None)
    assert switch.server.next_timer() is None
    switch.advance(10_000)
    assert switch.state("a") is A.WRAP_UP
    assert _offers(switch.end_wrap_up("a", at=10_001)) == [("c2", "a")]


def test_ready_ends_a_manual_wrap_up() -> None:
    switch = _one_call(wrap_up=None)
    assert _offers(switch.ready("a", at=100)) == [("c2", "a")]


def test_zero_wrap_up_goes_straight_to_ready() -> None:
    switch = _one_call(wrap_up=0)
    moves = [(m.old, m.new) for m in switch.agent_moves("a")[-2:]]
    assert moves == [(A.BUSY, A.READY), (A.READY, A.RESERVED)]
    assert switch.offered_to("a") == "c2"


def test_not_ready_during_wrap_up_applies_at_once_and_stops_the_timer() -> None:
    switch = _one_call(wrap_up=30)
    switch.not_ready("a", "lunch", at=70)
    assert switch.state("a") is A.NOT_READY
    assert switch.server.next_timer() is None
    switch.advance(200)
    assert switch.state("a") is A.NOT_READY


@pytest.mark.parametrize("wrap_up", [0, 30, None], ids=["no-wrap-up", "timed", "manual"])
def test_not_ready_requested_while_busy_applies_after_the_call(wrap_up: float | None) -> None:
    switch = Switch(one_queue("a", wrap_up=wrap_up))
    switch.login("a", at=0)
    switch.arrive("c1", at=0)
    switch.answer("a", at=1)
    switch.not_ready("a", "lunch", at=10)
    assert switch.state("a") is A.BUSY
    switch.arrive("c2", at=20)
    switch.agent_hangs_up("a", at=60)
    switch.advance(100)
    if wrap_up is None:
        switch.end_wrap_up("a", at=100)
    assert switch.state("a") is A.NOT_READY
    assert switch.last_agent_move("a").reason == "lunch"
    assert switch.server.waiting("q") == ["c2"]


def test_not_ready_requested_while_ringing_applies_if_the_customer_leaves() -> None:
    switch = Switch(one_queue("a"))
    switch.login("a")
    switch.arrive("c1")
    switch.not_ready("a", "break")
    assert switch.state("a") is A.RESERVED
    switch.customer_hangs_up("c1")
    assert switch.state("a") is A.NOT_READY
    assert switch.last_agent_move("a").reason == "break"


def test_ready_while_busy_withdraws_a_deferred_not_ready() -> None:
    switch = Switch(one_queue("a"))
    switch.login("a")
    switch.arrive("c1")
    switch.answer("a")
    switch.not_ready("a", "lunch")
    assert switch.ready("a") == []
    switch.agent_hangs_up("a")
    assert switch.state("a") is A.READY


def test_sticky_memory_forgets_a_caller_after_its_window() -> None:
    switch = Switch(tenant([Queue("q")], [agent("a"), agent("b")], sticky_wait=60,
                           sticky_memory=3600))
    switch.login("b", at=0)
    switch.arrive("first", at=1, ani=CALLER)
    switch.serve("b", answer_at=2, hang_up_at=3)
    switch.login("a", at=4)
    switch.arrive("within", at=3601, ani=CALLER)
    assert switch.offered_to("b") == "within"
    switch.answer("b", at=3601)
    switch.agent_hangs_up("b", at=3602)
    switch.arrive("after", at=3601 + 3601, ani=CALLER)
    assert switch.offered_to("a") == "after"


def test_sticky_memory_is_pruned_so_it_does_not_grow_without_bound() -> None:
    switch = Switch(tenant([Queue("q")], [agent("a")], sticky_wait=0, sticky_memory=100))
    switch.login("a", at=0)
    for n in range(50):
        at = 10.0 * n + 1
        switch.arrive(f"c{n}", at=at, ani=f"caller-{n}")
        switch.serve("a", answer_at=at, hang_up_at=at + 1)
    remembered = switch.server._last_agent_by_ani
    assert len(remembered) <= 11
    assert "caller-49" in remembered and "caller-0" not in remembered


def test_time_running_backwards_is_refused_and_changes_nothing() -> None:
    switch = Switch(one_queue("a"))
    switch.login("a", at=10)
    assert switch.facts
    with pytest.raises(CoreError, match="time went backwards"):
        switch.server.handle(InteractionArrived("late"), 5)
    assert switch.server.drain_facts() == []
    assert switch.server.interaction_state("late") is None


def test_asking_for_an_unknown_queues_waiting_list_is_a_core_error() -> None:
    switch = Switch(one_queue("a"))
    with pytest.raises(CoreError, match="no queue 'nope'"):
        switch.server.waiting("nope")


# -- hold, retrieve, transfer to an outside number ---------------------------------------------


def test_hold_and_retrieve_keep_the_agent_busy_and_play_music_meanwhile() -> None:
    switch = Switch(one_queue("a"))
    switch.login("a", at=0)
    switch.arrive("c1", at=1)
    switch.answer("a", at=2)
    assert switch.send(AgentHeld("c1", "a"), at=5) == [Hold("c1")]
    assert switch.server.interaction_state("c1") is I.ON_HOLD
    assert switch.state("a") is A.BUSY
    assert switch.send(AgentRetrieved("c1", "a"), at=9) == [Retrieve("c1")]
    assert switch.server.interaction_state("c1") is I.IN_SERVICE
    with pytest.raises(IllegalInteractionTransition, match="'retrieve' while 'in_service'"):
        switch.send(AgentRetrieved("c1", "a"), at=10)


def test_a_customer_on_hold_may_hang_up_and_the_agent_may_hang_up_a_held_call() -> None:
    switch = Switch(one_queue("a", "b"))
    switch.login("a", "b", at=0)
    switch.arrive("c1", at=1)
    switch.arrive("c2", at=1)
    switch.answer("a", at=2)
    switch.answer("b", at=2)
    switch.send(AgentHeld("c1", "a"), at=3)
    switch.send(AgentHeld("c2", "b"), at=3)
    assert switch.customer_hangs_up("c1", at=4) == [Hangup("c1")]
    assert switch.outcome("c1") == (I.COMPLETED, "customer_hung_up")
    assert switch.send(AgentHungUp("c2", "b"), at=5) == [Hangup("c2")]
    assert switch.outcome("c2") == (I.COMPLETED, "agent_hung_up")
    assert switch.state("a") is A.READY and switch.state("b") is A.READY


def test_only_the_serving_agent_may_hold_or_transfer() -> None:
    switch = Switch(one_queue("a", "b"))
    switch.login("a", "b", at=0)
    switch.arrive("c1", at=1)
    switch.answer("a", at=2)
    with pytest.raises(NotOffered, match="'b' is not serving"):
        switch.send(AgentHeld("c1", "b"), at=3)
    with pytest.raises(NotOffered, match="'b' is not serving"):
        switch.send(AgentTransferredOut("c1", "b", "95598"), at=3)


def test_transfer_to_an_outside_number_ends_the_agents_part() -> None:
    switch = Switch(one_queue("a", wrap_up=30))
    switch.login("a", at=0)
    switch.arrive("c1", at=1)
    switch.answer("a", at=2)
    switch.send(AgentHeld("c1", "a"), at=3)
    assert switch.send(AgentTransferredOut("c1", "a", "95598"), at=4) == [
        TransferOut("c1", "95598")]
    assert switch.outcome("c1") == (I.COMPLETED, "transferred_out")
    assert switch.state("a") is A.WRAP_UP


def test_a_transfer_without_a_number_is_refused_and_the_call_stays() -> None:
    switch = Switch(one_queue("a"))
    switch.login("a", at=0)
    switch.arrive("c1", at=1)
    switch.answer("a", at=2)
    with pytest.raises(CoreError, match="number"):
        switch.send(AgentTransferredOut("c1", "a", "  "), at=3)
    assert switch.server.interaction_state("c1") is I.IN_SERVICE
    assert switch.state("a") is A.BUSY
