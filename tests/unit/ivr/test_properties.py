"""Properties of the interpreter over random events and random callers (hypothesis)."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from hotline.ivr.actions import Finished
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
from hotline.ivr.flow import Flow
from hotline.ivr.session import IllegalEvent, IvrSession, SessionState
from tests.unit.ivr.harness import WEDNESDAY_MORNING, example, flow, session

STEP_LIMIT = 40

RUNAWAY = flow("""
name: runaway
start: menu
variables: {n: "0"}
nodes:
  menu: {type: play_option, exits: {"1": count, timeout: end, invalid: end}}
  count: {type: set_variable, assign: {n: n + 1}, next: check}
  check: {type: var_compare, left: n, op: ">", right: -1, exits: {true: count, false: end}}
  end: {type: stop_flow}
""")

FLOWS: dict[str, Flow] = {
    name: example(name) for name in ("gas_utility", "mobile_operator", "satisfaction_survey")
}
FLOWS["runaway"] = RUNAWAY

keys = st.sampled_from(list("0123456789*#"))
rows = st.lists(
    st.fixed_dictionaries(
        {"month": st.text(max_size=7), "usage_m3": st.integers(), "name": st.none()}
    ),
    max_size=2,
).map(tuple)
events: st.SearchStrategy[Event] = st.one_of(
    st.just(PlayFinished()),
    keys.map(DigitPressed),
    st.text(alphabet="0123456789*#", max_size=12).map(DigitsReceived),
    st.just(TimerFired()),
    rows.map(QueryResult),
    st.just(QueryFailed("down")),
    st.builds(
        HttpResult, st.integers(100, 599), st.dictionaries(st.text(max_size=5), st.integers())
    ),
    st.just(HttpFailed("refused")),
    st.builds(TicketOpened, st.text(max_size=5)),
    st.just(TicketFailed("refused")),
    st.builds(RecordingFinished, st.text(max_size=5), st.floats(0, 120)),
    st.just(CallerHungUp()),
)


def snapshot(s: IvrSession) -> tuple[object, ...]:
    return (s.state, s.next_timer(), s.visited, dict(s.variables), s.language, s.result)


@settings(max_examples=300, deadline=None)
@given(
    name=st.sampled_from(sorted(FLOWS)),
    script=st.lists(st.tuples(events, st.floats(0, 30), st.booleans()), max_size=40),
)
def test_random_events_never_crash_and_never_pass_the_step_limit(
    name: str, script: list[tuple[Event, float, bool]]
) -> None:
    s = session(FLOWS[name], step_limit=STEP_LIMIT)
    now = WEDNESDAY_MORNING
    s.start(now)
    finishes = 0
    for event, pause, on_time in script:
        now += pause
        timer = s.next_timer()
        if on_time and timer is not None:
            now = max(now, timer)
        before = snapshot(s)
        try:
            actions = s.handle(event, now)
        except IllegalEvent:
            assert snapshot(s) == before  # refused events change nothing
            continue
        walked = len(s.visited) - len(before[2])  # type: ignore[arg-type]
        assert walked <= STEP_LIMIT
        finishes += sum(isinstance(a, Finished) for a in actions)
        if s.state is SessionState.FINISHED:
            assert isinstance(actions[-1], Finished) and actions[-1] is s.result
    assert finishes <= 1


@settings(max_examples=200, deadline=None)
@given(name=st.sampled_from(sorted(FLOWS)), data=st.data())
def test_any_caller_reaches_an_outcome(name: str, data: st.DataObject) -> None:
    """A caller who presses random keys for a while and then goes quiet (or hangs up), with a
    shell that answers every request somehow, always ends in a defined outcome."""
    s = session(FLOWS[name], step_limit=STEP_LIMIT)
    now = WEDNESDAY_MORNING
    s.start(now)
    talkative = data.draw(st.integers(0, 30), label="keys before going quiet")
    hung_up = False
    for turn in range(500):
        if s.state is SessionState.FINISHED:
            break
        timer = s.next_timer()
        event: Event
        if s.state is SessionState.PLAYING:
            event = PlayFinished()
        elif s.state is SessionState.COLLECTING:
            if timer is None:
                event = PlayFinished()
            elif turn < talkative and data.draw(st.booleans(), label="press"):
                event = DigitPressed(data.draw(keys, label="key"))
            else:
                event = TimerFired()
        elif s.state is SessionState.QUERYING:
            event = data.draw(st.one_of(rows.map(QueryResult), st.just(QueryFailed("x"))))
        elif s.state is SessionState.REQUESTING:
            event = data.draw(st.sampled_from([HttpResult(200, {}), HttpFailed("x"), TimerFired()]))
        elif s.state is SessionState.TICKETING:
            event = data.draw(st.sampled_from([TicketOpened("17"), TicketFailed("x")]))
        else:
            event = RecordingFinished("r", 3.0)
        if (
            not hung_up
            and turn < talkative
            and data.draw(st.integers(0, 20), label="hang up?") == 0
        ):
            event = CallerHungUp()
            hung_up = True
        if isinstance(event, TimerFired):
            assert timer is not None
            now = timer
        s.handle(event, now)
    assert s.state is SessionState.FINISHED
    assert s.result is not None
    assert s.result.result in {
        "self_service",
        "transferred",
        "hung_up",
        "error",
        "message_left",
        "callback_requested",
        "survey_completed",
        "survey_skipped",
    }
    if name != "runaway":
        assert s.result.result != "error", s.result.detail
