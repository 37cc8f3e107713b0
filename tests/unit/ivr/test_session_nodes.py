"""The interpreter walks each node type and takes each of its exits."""

from __future__ import annotations

import pytest
from sqlalchemy import create_engine, text

from hotline.ivr.actions import (
    Collect,
    Finished,
    Hangup,
    HttpCall,
    OpenTicket,
    Play,
    Query,
    Record,
    TransferToAgent,
    TransferToFlow,
    TransferToNumber,
    TransferToQueue,
)
from hotline.ivr.events import (
    CallerHungUp,
    DigitPressed,
    DigitsReceived,
    HttpResult,
    PlayFinished,
    QueryFailed,
    QueryResult,
    RecordingFinished,
    TicketFailed,
    TicketOpened,
)
from hotline.ivr.session import IllegalEvent, SessionState
from tests.unit.ivr.harness import HOURS, Caller, at, flow, session

STOP = """
  end: {type: stop_flow}
  other: {type: stop_flow, result: other}
"""


def test_play_only_plays_then_follows_next() -> None:
    f = flow(f"""
name: t
start: hello
nodes:
  hello: {{type: play_only, prompts: [welcome, {{tts: "Hi ${{ANI}}"}}], next: end}}
{STOP}""")
    s = session(f, ani="555")
    actions = s.start(0)
    assert actions == [Play((("prompt", "welcome"), ("tts", "Hi 555")), "zh")]
    assert s.state is SessionState.PLAYING
    assert s.handle(PlayFinished(), 1) == [Hangup(), Finished("self_service", {})]
    assert s.visited == ("hello", "end")


def test_tts_prompt_speaks_the_current_language() -> None:
    f = flow(f"""
name: t
start: hello
languages: [zh, en]
nodes:
  hello: {{type: play_only, prompts: [{{tts: {{zh: 你好, en: Hello}}}}], next: end}}
{STOP}""")
    assert session(f).start(0)[0] == Play((("tts", "你好"),), "zh")
    assert session(f, language="en").start(0)[0] == Play((("tts", "Hello"),), "en")


def test_play_number_says_a_variable_in_its_format() -> None:
    f = flow(f"""
name: t
start: total
variables: {{amount: "12.50"}}
nodes:
  total: {{type: play_number, value: amount + 1, format: amount, next: end}}
{STOP}""")
    assert session(f).start(0) == [Play((("number", "13.50", "amount"),), "zh")]


DIGITS = f"""
name: t
start: ask
nodes:
  ask:
    type: play_digit
    prompts: [enter_account]
    invalid_prompts: [bad_account]
    timeout_prompts: [no_account]
    variable: account
    min_digits: 3
    max_digits: 5
    terminator: "#"
    timeout: 5
    inter_digit_timeout: 2
    retries: 1
    exits: {{ok: end, timeout: other, invalid: other}}
{STOP}"""


def test_play_digit_collects_until_the_terminator() -> None:
    s = session(flow(DIGITS))
    assert s.start(0) == [Play((("prompt", "enter_account"),), "zh"), Collect(5, "#", 5)]
    assert s.handle(PlayFinished(), 3) == []
    assert s.next_timer() == 8
    for key in "123":
        assert s.handle(DigitPressed(key), 4) == []
    assert s.next_timer() == 6  # inter-digit timeout after each key
    actions = s.handle(DigitPressed("#"), 4.5)
    assert actions[-1] == Finished("self_service", {"account": "123"})


def test_play_digit_ends_at_max_digits() -> None:
    caller = Caller(session(flow(DIGITS)), now=0).start().press("12345")
    assert caller.finished.variables["account"] == "12345"


def test_play_digit_accepts_a_partial_entry_on_timeout_when_long_enough() -> None:
    caller = Caller(session(flow(DIGITS)), now=0).start().press("1234").wait()
    assert caller.finished == Finished("self_service", {"account": "1234"})


def test_play_digit_retries_after_a_short_entry_then_leaves_by_invalid() -> None:
    caller = Caller(session(flow(DIGITS)), now=0).start().press("12#")
    assert caller.of(Play)[-1] == Play(
        (("prompt", "bad_account"), ("prompt", "enter_account")), "zh"
    )
    assert caller.session.state is SessionState.COLLECTING
    caller.press("9#")
    assert caller.finished.result == "other"
    assert "account" not in caller.finished.variables


def test_play_digit_retries_after_silence_then_leaves_by_timeout() -> None:
    caller = Caller(session(flow(DIGITS)), now=0).start().wait()
    assert caller.of(Play)[-1].prompts[0] == ("prompt", "no_account")  # type: ignore[union-attr]
    caller.wait()
    assert caller.finished.result == "other"
    assert caller.session.visited == ("ask", "other")


def test_play_digit_takes_a_whole_entry_from_a_collecting_gateway() -> None:
    s = session(flow(DIGITS))
    s.start(0)
    actions = s.handle(DigitsReceived("4321#"), 1)
    assert actions[-1] == Finished("self_service", {"account": "4321"})


def test_a_key_during_the_prompt_barges_in() -> None:
    s = session(flow(DIGITS))
    s.start(0)
    s.handle(DigitPressed("7"), 0.5)  # no PlayFinished: the key cut the prompt short
    assert s.next_timer() == 2.5
    s.handle(DigitPressed("7"), 1)
    s.handle(DigitPressed("7"), 1.5)
    assert s.handle(DigitPressed("#"), 2)[-1].variables == {"account": "777"}  # type: ignore[union-attr]


def test_play_digit_checks_the_pattern() -> None:
    f = flow(f"""
name: t
start: score
nodes:
  score:
    type: play_digit
    variable: score
    pattern: "[1-5]"
    retries: 0
    exits: {{ok: end, timeout: other, invalid: other}}
{STOP}""")
    assert Caller(session(f), now=0).start().press("4").finished.result == "self_service"
    assert Caller(session(f), now=0).start().press("7").finished.result == "other"


MENU = f"""
name: t
start: menu
nodes:
  menu:
    type: play_option
    prompts: [main_menu]
    invalid_prompts: [invalid]
    timeout: 4
    retries: 2
    exits: {{"1": end, "2": other, "*": again, timeout: timed_out, invalid: invalid}}
  again: {{type: stop_flow, result: again}}
  timed_out: {{type: stop_flow, result: timed_out}}
  invalid: {{type: stop_flow, result: invalid}}
{STOP}"""


@pytest.mark.parametrize(("key", "result"), [("1", "self_service"), ("2", "other"), ("*", "again")])
def test_play_option_follows_the_exit_of_the_key(key: str, result: str) -> None:
    assert Caller(session(flow(MENU)), now=0).start().press(key).finished.result == result


def test_play_option_replays_the_menu_after_a_wrong_key_and_gives_up_after_retries() -> None:
    caller = Caller(session(flow(MENU)), now=0).start().press("9")
    assert caller.of(Play)[-1] == Play((("prompt", "invalid"), ("prompt", "main_menu")), "zh")
    caller.press("8")
    assert caller.session.state is SessionState.COLLECTING
    caller.press("7")
    assert caller.finished.result == "invalid"
    assert len(caller.of(Collect)) == 3


def test_play_option_a_good_key_after_a_wrong_one_still_counts() -> None:
    assert Caller(session(flow(MENU)), now=0).start().press("92").finished.result == "other"


def test_play_option_times_out_after_retries() -> None:
    caller = Caller(session(flow(MENU)), now=0).start().wait().wait()
    assert caller.session.state is SessionState.COLLECTING
    caller.wait()
    assert caller.finished.result == "timed_out"
    assert caller.now == 12  # three tries of 4 s, prompts take no time here


LANGUAGE = f"""
name: t
start: choose
languages: [zh, en]
nodes:
  choose:
    type: select_language
    options: {{"1": zh, "2": en}}
    retries: 0
    next: hello
  hello: {{type: play_only, prompts: [{{tts: {{zh: 你好, en: Hello}}}}], next: end}}
{STOP}"""


def test_select_language_switches_the_language_of_later_prompts() -> None:
    caller = Caller(session(flow(LANGUAGE)), now=0).start().press("2")
    assert caller.of(Play)[-1] == Play((("tts", "Hello"),), "en")
    assert caller.session.language == "en"


def test_select_language_keeps_the_default_without_a_choice() -> None:
    caller = Caller(session(flow(LANGUAGE)), now=0).start().wait()
    assert caller.of(Play)[-1] == Play((("tts", "你好"),), "zh")


@pytest.mark.parametrize(
    ("left", "op", "right", "expected"),
    [
        ("10", ">", "9", True),  # numbers compare as numbers...
        ("'10'", ">", "'9'", True),
        ("'abc'", ">", "'abd'", False),  # ...text as text
        ("5", "<=", "5", True),
        ("5", "<", "5", False),
        ("5", ">=", "6", False),
        ("'0755'", "startswith", "'07'", True),
        ("'13912345678'", "matches", "'^139'", True),
        ("'a'", "==", "'a'", True),
        ("'a'", "!=", "'a'", False),
        ("'007'", "==", "'7'", False),  # equality is exact text: account numbers keep zeros
    ],
)
def test_var_compare(left: str, op: str, right: str, expected: bool) -> None:
    f = flow(f"""
name: t
start: cmp
nodes:
  cmp:
    type: var_compare
    left: "{left}"
    op: "{op}"
    right: "{right}"
    exits: {{true: end, false: other}}
{STOP}""")
    result = session(f).start(0)[-1]
    assert isinstance(result, Finished)
    assert result.result == ("self_service" if expected else "other")


def test_set_variable_computes_in_order_without_eval() -> None:
    f = flow(f"""
name: t
start: set
variables: {{n: "2"}}
nodes:
  set:
    type: set_variable
    assign: {{n: n * 3 + 1, label: "'n=' & n", code: "'__import__(\\"os\\")'"}}
    next: end
{STOP}""")
    result = session(f).start(0)[-1]
    assert result == Finished(
        "self_service", {"n": "7", "label": "n=7", "code": '__import__("os")'}
    )


def test_arithmetic_on_text_ends_the_session_with_an_error() -> None:
    f = flow(f"""
name: t
start: set
variables: {{n: "abc"}}
nodes:
  set: {{type: set_variable, assign: {{n: n + 1}}, next: end}}
{STOP}""")
    actions = session(f).start(0)
    assert actions[0] == Hangup()
    assert isinstance(actions[1], Finished) and actions[1].result == "error"
    assert "'set'" in actions[1].detail and "'abc' is not a number" in actions[1].detail


ACCESS_DB = f"""
name: t
start: lookup
variables: {{account: "1001"}}
nodes:
  lookup:
    type: access_db
    database: customers
    sql: "SELECT name, balance FROM accounts WHERE id = :id"
    params: {{id: account}}
    into: {{customer: name, balance: balance}}
    exits: {{found: end, not_found: other, error: failed}}
  failed: {{type: stop_flow, result: failed}}
{STOP}"""


def test_access_db_asks_for_a_query_with_bound_parameters() -> None:
    s = session(flow(ACCESS_DB))
    assert s.start(0) == [
        Query("customers", "SELECT name, balance FROM accounts WHERE id = :id", {"id": "1001"})
    ]
    assert s.state is SessionState.QUERYING


def test_access_db_found_puts_the_first_row_into_variables() -> None:
    s = session(flow(ACCESS_DB))
    s.start(0)
    rows = ({"name": "Wang", "balance": 12.5}, {"name": "Li", "balance": 1})
    result = s.handle(QueryResult(rows), 1)[-1]
    assert result == Finished(
        "self_service", {"account": "1001", "customer": "Wang", "balance": "12.5"}
    )


def test_access_db_not_found_and_error_exits() -> None:
    s = session(flow(ACCESS_DB))
    s.start(0)
    assert s.handle(QueryResult(()), 1)[-1].result == "other"  # type: ignore[union-attr]
    s = session(flow(ACCESS_DB))
    s.start(0)
    assert s.handle(QueryFailed("down"), 1)[-1].result == "failed"  # type: ignore[union-attr]


def test_access_db_against_a_real_database() -> None:
    engine = create_engine("sqlite://")
    with engine.begin() as connection:
        connection.execute(text("CREATE TABLE accounts (id TEXT, name TEXT, balance NUMERIC)"))
        connection.execute(text("INSERT INTO accounts VALUES ('1001', 'Wang', 88)"))
    caller = Caller(session(flow(ACCESS_DB)), now=0, database=engine).start()
    assert caller.finished.variables["customer"] == "Wang"
    assert caller.finished.variables["balance"] == "88"


HTTP = f"""
name: t
start: hook
variables: {{account: "a b/1"}}
nodes:
  hook:
    type: http_request
    method: POST
    url: "https://crm.example/api/${{account}}/balance"
    headers: {{X-Caller: "${{ANI}}"}}
    body: {{account: "${{account}}", date: "${{DATE}}"}}
    timeout: 3
    into: {{balance: data.balance, vip: data.vip}}
    exits: {{ok: end, error: other, timeout: late}}
  late: {{type: stop_flow, result: late}}
{STOP}"""


def test_http_request_renders_the_call_and_reads_the_answer() -> None:
    s = session(flow(HTTP), ani="555")
    noon = at("2025-03-05T12:00:00")
    [call] = s.start(noon)
    assert call == HttpCall(
        "POST",
        "https://crm.example/api/a%20b%2F1/balance",  # values are quoted into the URL
        {"X-Caller": "555"},
        {"account": "a b/1", "date": "20250305"},
        3,
    )
    assert s.next_timer() == noon + 3
    result = s.handle(HttpResult(200, {"data": {"balance": 42, "vip": True}}), noon + 1)[-1]
    assert isinstance(result, Finished)
    assert result.variables["balance"] == "42" and result.variables["vip"] == "true"
    assert s.next_timer() is None


def test_http_request_error_status_and_timeout() -> None:
    s = session(flow(HTTP))
    s.start(0)
    assert s.handle(HttpResult(500, {}), 1)[-1].result == "other"  # type: ignore[union-attr]
    caller = Caller(session(flow(HTTP)), now=0, http=lambda call: None).start()
    assert caller.finished.result == "late"
    assert caller.now == 3


def test_time_condition_open_closed_and_holiday() -> None:
    f = flow(f"""
name: t
start: hours
nodes:
  hours: {{type: time_condition, exits: {{open: end, closed: other, holiday: holiday}}}}
  holiday: {{type: stop_flow, result: holiday}}
{STOP}""")

    def result(now: float) -> str:
        last = session(f, business_hours=HOURS).start(now)[-1]
        assert isinstance(last, Finished)
        return last.result

    assert result(at("2025-03-05T19:59:59")) == "self_service"
    assert result(at("2025-03-05T20:00:00")) == "other"
    assert result(at("2025-03-05T07:00:00")) == "other"
    assert result(at("2025-01-29T10:00:00")) == "holiday"


def test_time_condition_holiday_goes_to_closed_without_a_holiday_exit() -> None:
    f = flow(f"""
name: t
start: hours
nodes:
  hours: {{type: time_condition, exits: {{open: end, closed: other}}}}
{STOP}""")
    last = session(f, business_hours=HOURS).start(at("2025-01-29T10:00:00"))[-1]
    assert isinstance(last, Finished) and last.result == "other"


TRANSFERS = """
name: t
start: menu
variables: {account: "1001", agent: "1016"}
nodes:
  menu:
    type: play_option
    exits: {"1": queue, "2": agent, "3": number, "4": flow, timeout: queue, invalid: queue}
  queue: {type: transfer, queue: repair, priority: 10, skills: {repair: 1}}
  agent: {type: transfer, agent: "${agent}"}
  number: {type: transfer, number: "02012345678"}
  flow: {type: transfer, flow: satisfaction_survey}
"""


def test_transfer_to_queue_carries_variables_priority_and_skills() -> None:
    caller = Caller(session(flow(TRANSFERS)), now=0).start().press("1")
    transfer, finished = caller.actions[-2:]
    attributes = {"language": "zh", "account": "1001", "agent": "1016"}
    assert transfer == TransferToQueue("repair", 10, {"repair": 1}, attributes)
    assert finished == Finished("transferred", {"account": "1001", "agent": "1016"})
    assert Hangup() not in caller.actions


@pytest.mark.parametrize(
    ("key", "expected"),
    [
        ("2", TransferToAgent("1016", {"language": "zh", "account": "1001", "agent": "1016"})),
        (
            "3",
            TransferToNumber("02012345678", {"language": "zh", "account": "1001", "agent": "1016"}),
        ),
        (
            "4",
            TransferToFlow(
                "satisfaction_survey", {"language": "zh", "account": "1001", "agent": "1016"}
            ),
        ),
    ],
)
def test_transfer_to_agent_number_and_flow(key: str, expected: object) -> None:
    caller = Caller(session(flow(TRANSFERS)), now=0).start().press(key)
    assert caller.actions[-2] == expected
    assert caller.finished.result == "transferred"


def test_record_message_records_and_keeps_the_recording_id() -> None:
    f = flow(f"""
name: t
start: message
nodes:
  message:
    type: voicemail
    prompts: [after_tone]
    mailbox: "1016"
    variable: msg
    max_seconds: 60
    next: end
{STOP}""")
    s = session(f)
    assert s.start(0) == [Play((("prompt", "after_tone"),), "zh"), Record(60, True, "#", "1016")]
    assert s.handle(PlayFinished(), 2) == []
    assert s.state is SessionState.RECORDING
    assert s.handle(RecordingFinished("rec-9", 12.0), 14)[-1] == Finished(
        "self_service", {"msg": "rec-9"}
    )


def test_stop_flow_hangs_up_and_reports_its_result() -> None:
    f = flow("""
name: t
start: end
nodes:
  end: {type: stop_flow, result: survey_completed}
""")
    assert session(f).start(0) == [Hangup(), Finished("survey_completed", {})]


TICKET = f"""
name: t
start: report
variables: {{meter: "GZ-7"}}
nodes:
  report:
    type: create_ticket
    ticket_type: repair
    priority: urgent
    title: "Leak reported by ${{ANI}}"
    description: "Meter ${{meter}}"
    fields: {{meter: "${{meter}}", smell: "true"}}
    into: ticket_no
    exits: {{ok: end, error: other}}
  bye:
    type: user_stop_flow
    next: note_it
  note_it:
    type: create_ticket
    ticket_type: business
    title: "Call back ${{ANI}}"
    exits: {{ok: gone, error: gone}}
  gone: {{type: stop_flow, result: gone}}
{STOP}"""


def test_create_ticket_asks_the_shell_and_keeps_the_reference() -> None:
    s = session(flow(TICKET), ani="555")
    [request] = s.start(0)
    assert request == OpenTicket("repair", "urgent", "Leak reported by 555", "Meter GZ-7",
                                 {"meter": "GZ-7", "smell": "true"})
    assert s.state is SessionState.TICKETING and s.next_timer() is None
    with pytest.raises(IllegalEvent):
        s.handle(PlayFinished(), 1)
    result = s.handle(TicketOpened("4711"), 1)[-1]
    assert isinstance(result, Finished) and result.result == "self_service"
    assert result.variables["ticket_no"] == "4711"


def test_create_ticket_refused_leaves_by_error_and_a_hang_up_can_still_open_one() -> None:
    failed = Caller(session(flow(TICKET)), ticket=lambda _: TicketFailed("store away")).start()
    assert failed.finished.result == "other" and "ticket_no" not in failed.finished.variables
    s = session(flow(TICKET), ani="555")
    s.start(0)
    # The caller hangs up while the ticket is being opened: the answer no longer matters,
    # and the USER STOP FLOW branch asks for a call-back ticket of its own.
    [callback] = s.handle(CallerHungUp(), 1)
    assert isinstance(callback, OpenTicket) and callback.title == "Call back 555"
    assert s.handle(TicketOpened("4712"), 2)[-1].result == "hung_up"  # type: ignore[union-attr]
