"""The interpreter's rules: the event table, hang-up handling, the step limit, macros."""

from __future__ import annotations

import pytest

from hotline.ivr.actions import Finished, Hangup, HttpCall, Play, Query
from hotline.ivr.events import (
    CallerHungUp,
    DigitPressed,
    DigitsReceived,
    Event,
    HttpFailed,
    HttpResult,
    PlayFinished,
    QueryFailed,
    QueryResult,
    RecordingFinished,
    TicketFailed,
    TicketOpened,
    TimerFired,
)
from hotline.ivr.session import ACCEPTS, IllegalEvent, IvrSession, SessionState
from tests.unit.ivr.harness import Caller, at, flow, session

ALL_EVENTS: list[Event] = [
    PlayFinished(),
    DigitPressed("1"),
    DigitsReceived("1"),
    TimerFired(),
    QueryResult(()),
    QueryFailed("x"),
    HttpResult(200, {}),
    HttpFailed("x"),
    TicketOpened("1"),
    TicketFailed("x"),
    RecordingFinished("r", 1),
    CallerHungUp(),
]

MENU = """
name: t
start: menu
nodes:
  menu: {type: play_option, prompts: [menu], exits: {"1": end, timeout: end, invalid: end}}
  end: {type: stop_flow}
"""


def test_the_event_table_matches_what_each_state_waits_for() -> None:
    expected = {
        SessionState.NOT_STARTED: set(),
        SessionState.PLAYING: {PlayFinished, DigitPressed, CallerHungUp},
        SessionState.COLLECTING: {
            PlayFinished,
            DigitPressed,
            DigitsReceived,
            TimerFired,
            CallerHungUp,
        },
        SessionState.QUERYING: {QueryResult, QueryFailed, CallerHungUp},
        SessionState.REQUESTING: {HttpResult, HttpFailed, TimerFired, CallerHungUp},
        SessionState.TICKETING: {TicketOpened, TicketFailed, CallerHungUp},
        SessionState.RECORDING: {PlayFinished, RecordingFinished, DigitPressed, CallerHungUp},
        SessionState.FINISHED: set(),
    }
    assert {state: set(events) for state, events in ACCEPTS.items()} == expected


@pytest.mark.parametrize("event", ALL_EVENTS, ids=lambda e: type(e).__name__)
def test_nothing_is_accepted_before_start(event: Event) -> None:
    s = session(flow(MENU))
    with pytest.raises(IllegalEvent):
        s.handle(event, 0)
    assert s.state is SessionState.NOT_STARTED


def test_illegal_events_raise_and_change_nothing() -> None:
    s = session(flow(MENU))
    s.start(0)
    s.handle(PlayFinished(), 1)
    before = (s.state, s.next_timer(), s.visited, dict(s.variables))
    for event in (QueryResult(()), HttpResult(200, {}), RecordingFinished("r", 1), PlayFinished()):
        with pytest.raises(IllegalEvent):
            s.handle(event, 2)
    with pytest.raises(IllegalEvent, match="due at 6"):
        s.handle(TimerFired(), 5.9)
    with pytest.raises(IllegalEvent, match="not one of"):
        s.handle(DigitPressed("x"), 2)
    assert (s.state, s.next_timer(), s.visited, dict(s.variables)) == before
    assert s.handle(DigitPressed("1"), 3)[-1] == Finished("self_service", {})


def test_a_finished_session_accepts_nothing() -> None:
    s = session(flow(MENU))
    s.start(0)
    s.handle(CallerHungUp(), 1)
    for event in ALL_EVENTS:
        with pytest.raises(IllegalEvent):
            s.handle(event, 2)
    with pytest.raises(IllegalEvent):
        s.start(3)


def test_keys_during_a_plain_prompt_are_ignored() -> None:
    f = flow("""
name: t
start: hello
nodes:
  hello: {type: play_only, prompts: [hello], next: end}
  end: {type: stop_flow}
""")
    s = session(f)
    s.start(0)
    assert s.handle(DigitPressed("5"), 1) == []
    assert s.state is SessionState.PLAYING


def test_hang_up_without_a_handler_finishes_as_hung_up() -> None:
    s = session(flow(MENU))
    s.start(0)
    assert s.handle(CallerHungUp(), 1) == [Finished("hung_up", {})]
    assert s.next_timer() is None


HANDLER = """
name: t
start: ask
nodes:
  ask:
    type: play_digit
    variable: account
    max_digits: 4
    exits: {ok: end, timeout: end, invalid: end}
  end: {type: stop_flow}
  gone: {type: user_stop_flow, next: note}
  note: {type: set_variable, assign: {left_at: "'ask'"}, next: log}
  log:
    type: access_db
    sql: "INSERT INTO abandoned (ani) VALUES (:ani)"
    params: {ani: ANI}
    exits: {found: end, not_found: end, error: end}
"""


def test_hang_up_runs_the_user_stop_flow_branch() -> None:
    s = session(flow(HANDLER), ani="555")
    s.start(0)
    s.handle(DigitPressed("1"), 1)
    assert s.handle(CallerHungUp(), 2) == [
        Query("default", "INSERT INTO abandoned (ani) VALUES (:ani)", {"ani": "555"})
    ]
    assert s.next_timer() is None  # the key timer went with the caller
    with pytest.raises(IllegalEvent):
        s.handle(CallerHungUp(), 3)
    assert s.handle(QueryResult(()), 3) == [Finished("hung_up", {"left_at": "ask"})]
    assert s.visited == ("ask", "gone", "note", "log", "end")


def test_hang_up_while_a_query_runs_also_reaches_the_handler() -> None:
    f = flow("""
name: t
start: q
nodes:
  q: {type: access_db, sql: "SELECT 1", exits: {found: end, not_found: end, error: end}}
  end: {type: stop_flow}
  gone: {type: user_stop_flow}
""")
    s = session(f)
    s.start(0)
    assert s.handle(CallerHungUp(), 1) == [Finished("hung_up", {})]


def test_the_hang_up_branch_never_talks_to_the_gone_caller() -> None:
    f = flow("""
name: t
start: hello
nodes:
  hello: {type: play_only, prompts: [hi], next: end}
  end: {type: stop_flow}
  gone: {type: user_stop_flow, next: hello}
""")
    s = session(f)
    s.start(0)
    assert s.handle(CallerHungUp(), 1) == [Finished("hung_up", {})]


RUNAWAY = """
name: t
start: count
variables: {n: "0"}
nodes:
  count: {type: set_variable, assign: {n: n + 1}, next: check}
  check: {type: var_compare, left: n, op: "<", right: 1000000, exits: {true: count, false: end}}
  end: {type: stop_flow}
"""


def test_the_step_limit_stops_a_runaway_flow() -> None:
    s = session(flow(RUNAWAY), step_limit=50)
    actions = s.start(0)
    assert actions[0] == Hangup()
    finished = actions[1]
    assert isinstance(finished, Finished) and finished.result == "error"
    assert "more than 50 nodes" in finished.detail
    assert len(s.visited) == 50
    assert finished.variables["n"] == "25"
    assert s.state is SessionState.FINISHED


def test_a_long_but_finite_walk_under_the_limit_completes() -> None:
    f = flow(RUNAWAY.replace("1000000", "10"))
    assert session(f, step_limit=100).start(0)[-1] == Finished("self_service", {"n": "10"})


def test_a_missing_exit_at_run_time_ends_with_an_error_not_a_crash() -> None:
    f = flow("""
name: t
start: hello
nodes:
  hello: {type: play_only, prompts: [hi], next: nowhere}
""")
    s = session(f)
    s.start(0)
    actions = s.handle(PlayFinished(), 1)
    assert actions[0] == Hangup()
    assert isinstance(actions[1], Finished) and "'nowhere'" in actions[1].detail


MACROS = """
name: t
start: hook
nodes:
  hook:
    type: http_request
    method: GET
    url: "https://x.example/?ani=${ANI}&dnis=${DNIS}&d=${DATE}&t=${TIME}&dt=${DATETIME}&l=${LANGUAGE}"
    exits: {ok: end, error: end, timeout: end}
  end: {type: stop_flow}
"""


@pytest.mark.parametrize(
    ("zone", "date", "time"),
    [
        ("Asia/Shanghai", "20250305", "083005"),
        ("UTC", "20250305", "003005"),
        ("America/New_York", "20250304", "193005"),
    ],
)
def test_macros_come_from_now_and_the_time_zone(zone: str, date: str, time: str) -> None:
    now = at("2025-03-05T00:30:05", "UTC")
    s = IvrSession(flow(MACROS), ani="139", dnis="96777", timezone=zone, language="en")
    [call] = s.start(now)
    assert isinstance(call, HttpCall)
    assert call.url == (
        f"https://x.example/?ani=139&dnis=96777&d={date}&t={time}&dt={date}{time}&l=en"
    )


def test_macros_follow_the_time_of_each_event() -> None:
    f = flow("""
name: t
start: hello
nodes:
  hello: {type: play_only, prompts: [hi], next: stamp}
  stamp: {type: set_variable, assign: {at: TIME}, next: end}
  end: {type: stop_flow}
""")
    s = IvrSession(f, timezone="UTC")
    s.start(at("2025-03-05T10:00:00", "UTC"))
    finished = s.handle(PlayFinished(), at("2025-03-05T10:01:30", "UTC"))[-1]
    assert finished == Finished("self_service", {"at": "100130"})


def test_input_variables_override_declared_defaults() -> None:
    f = flow("""
name: t
start: end
variables: {outage: "0", area: ""}
nodes:
  end: {type: stop_flow}
""")
    result = session(f, variables={"outage": "1"}).start(0)[-1]
    assert result == Finished("self_service", {"outage": "1", "area": ""})


def test_the_same_script_gives_the_same_transcript() -> None:
    def run() -> list[object]:
        caller = Caller(session(flow(HANDLER)), now=100).start().press("12").wait()
        return [*caller.actions, caller.session.visited]

    assert run() == run()


def test_prompts_are_plain_tuples_the_catalogue_can_render() -> None:
    s = session(flow(MENU))
    play = s.start(0)[0]
    assert isinstance(play, Play)
    assert play.prompts == (("prompt", "menu"),)
