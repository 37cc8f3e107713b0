"""Validation finds each kind of problem and names the node."""

from __future__ import annotations

import pytest

from hotline.ivr.validation import Problem, validate
from tests.unit.ivr.harness import flow

GOOD = """
name: t
start: menu
nodes:
  menu:
    type: play_option
    prompts: [menu]
    exits: {"1": ask, timeout: end, invalid: end}
  ask:
    type: play_digit
    variable: account
    max_digits: 8
    exits: {ok: say, timeout: end, invalid: end}
  say: {type: play_number, value: account, format: digits, next: end}
  end: {type: stop_flow}
"""


def problems(text: str) -> list[Problem]:
    return validate(flow(text))


def only(text: str, kind: str) -> Problem:
    found = problems(text)
    assert [p.kind for p in found] == [kind], found
    return found[0]


def test_a_good_flow_has_no_problems() -> None:
    assert problems(GOOD) == []


def test_unknown_node_type() -> None:
    problem = only(GOOD.replace("type: play_number", "type: play_numbers"), "unknown_node_type")
    assert problem.node == "say"
    assert "'say' (play_numbers)" in problem.message and "play_number" in problem.message


def test_missing_exit() -> None:
    problem = only(
        GOOD.replace(
            "exits: {ok: say, timeout: end, invalid: end}", "exits: {ok: say, invalid: end}"
        ),
        "missing_exit",
    )
    assert problem.node == "ask"
    assert problem.message == "node 'ask' (play_digit): exit 'timeout' is missing"


def test_dangling_exit() -> None:
    problem = only(GOOD.replace("next: end}", "next: ending}"), "dangling_exit")
    assert problem.node == "say"
    assert "'next' leads to 'ending'" in problem.message


def test_unknown_exit_name() -> None:
    problem = only(GOOD.replace("ok: say,", "ok: say, found: end,"), "unknown_exit")
    assert problem.node == "ask" and "'found'" in problem.message


def test_start_that_is_not_a_node() -> None:
    found = problems(GOOD.replace("start: menu", "start: menus"))
    assert any(p.kind == "dangling_exit" and "menus" in p.message for p in found)


def test_unreachable_node() -> None:
    problem = only(
        GOOD + "  orphan: {type: play_only, prompts: [x], next: end}\n", "unreachable_node"
    )
    assert problem.node == "orphan"
    assert "'orphan' (play_only)" in problem.message


def test_the_hang_up_handler_is_reachable_by_itself() -> None:
    assert problems(GOOD + "  gone: {type: user_stop_flow}\n") == []


def test_unknown_variable() -> None:
    problem = only(GOOD.replace("value: account", "value: acount"), "unknown_variable")
    assert problem.node == "say"
    assert "'acount'" in problem.message


def test_a_variable_set_on_another_exit_is_unknown() -> None:
    text = """
name: t
start: lookup
nodes:
  lookup:
    type: access_db
    sql: "SELECT name FROM c WHERE ani = :ani"
    params: {ani: ANI}
    into: {name: name}
    exits: {found: hello, not_found: hello, error: end}
  hello: {type: play_only, prompts: [{tts: "Hello ${name}"}], next: end}
  end: {type: stop_flow}
"""
    # `name` may be set (found), so that path is fine...
    assert problems(text) == []
    # ...but not on a path where only not_found leads
    broken = text.replace(
        "exits: {found: hello, not_found: hello", "exits: {found: end, not_found: hello"
    )
    problem = only(broken, "unknown_variable")
    assert problem.node == "hello" and "'name'" in problem.message


def test_declared_inputs_and_macros_are_known() -> None:
    text = GOOD.replace("value: account", "value: ANI & DATE & outage")
    assert [p.kind for p in problems(text)] == ["unknown_variable"]
    assert problems(text.replace("start: menu", "start: menu\nvariables: {outage: '0'}")) == []


def test_set_variable_sees_its_own_earlier_assignments() -> None:
    text = """
name: t
start: set
nodes:
  set: {type: set_variable, assign: {a: 1, b: a + 1}, next: end}
  end: {type: stop_flow}
"""
    assert problems(text) == []
    problem = only(text.replace("{a: 1, b: a + 1}", "{b: a + 1, a: 1}"), "unknown_variable")
    assert problem.node == "set" and "assign.b" in problem.message


def test_loop_that_never_waits_for_input() -> None:
    text = """
name: t
start: menu
variables: {n: "0"}
nodes:
  menu: {type: play_option, exits: {"1": count, timeout: end, invalid: end}}
  count: {type: set_variable, assign: {n: n + 1}, next: check}
  check: {type: var_compare, left: n, op: "<", right: 3, exits: {true: say, false: menu}}
  say: {type: play_only, prompts: [beep], next: count}
  end: {type: stop_flow}
"""
    problem = only(text, "loop_without_input")
    assert problem.node == "check"
    assert "check -> count -> say" in problem.message


def test_a_loop_through_a_menu_is_fine() -> None:
    text = """
name: t
start: menu
nodes:
  menu: {type: play_option, exits: {"1": info, timeout: end, invalid: end}}
  info: {type: play_only, prompts: [info], next: menu}
  end: {type: stop_flow}
"""
    assert problems(text) == []


def test_a_node_that_loops_to_itself() -> None:
    text = """
name: t
start: spin
nodes:
  spin: {type: var_compare, left: 1, right: 1, exits: {true: spin, false: end}}
  end: {type: stop_flow}
"""
    assert only(text, "loop_without_input").node == "spin"


@pytest.mark.parametrize(
    ("change", "fragment"),
    [
        (("max_digits: 8", "max_digits: 0"), "max_digits must be at least 1, got 0"),
        (("max_digits: 8", "max_digits: 8\n    min_digits: 9"), "min_digits must be 0..max_digits"),
        (("max_digits: 8", "max_digits: 8\n    timeout: 0"), "timeout must be more than 0"),
        (("max_digits: 8", "max_digits: 8\n    retries: -1"), "retries must be 0 or more"),
        (("max_digits: 8", "max_digits: 8\n    terminator: 'x'"), "terminator 'x'"),
        (("max_digits: 8", "max_digits: 8\n    pattern: '[0-'"), "not a regular expression"),
        (("variable: account", "variable: ANI"), "ANI is a macro"),
        (("format: digits", "format: roman"), "format 'roman' is not one of"),
    ],
)
def test_bad_parameters(change: tuple[str, str], fragment: str) -> None:
    found = [p for p in problems(GOOD.replace(*change)) if p.kind == "bad_parameter"]
    assert len(found) == 1, found
    assert fragment in found[0].message
    assert found[0].node in ("ask", "say")
    assert f"node '{found[0].node}'" in found[0].message


def test_sql_bind_parameters_must_match_params() -> None:
    text = """
name: t
start: q
nodes:
  q:
    type: access_db
    sql: "SELECT x FROM t WHERE a = :account AND b = :pin AND c::text = 'x'"
    params: {account: ANI, member: ANI}
    exits: {found: end, not_found: end, error: end}
  end: {type: stop_flow}
"""
    messages = [p.message for p in problems(text)]
    assert messages == [
        "node 'q' (access_db): sql uses :pin but params gives no value for it",
        "node 'q' (access_db): params gives 'member' but the sql has no :member",
    ]


def test_select_language_must_offer_the_flows_languages() -> None:
    text = """
name: t
start: lang
languages: [zh, en]
nodes:
  lang: {type: select_language, options: {"1": zh, "2": fr}, next: end}
  end: {type: stop_flow}
"""
    problem = only(text, "bad_parameter")
    assert problem.node == "lang" and "'fr'" in problem.message


def test_transfer_needs_exactly_one_target() -> None:
    text = """
name: t
start: t
nodes:
  t: {type: transfer, queue: repair, agent: "1001"}
"""
    assert "exactly one of" in only(text, "bad_parameter").message


def test_a_menu_needs_a_key() -> None:
    text = """
name: t
start: m
nodes:
  m: {type: play_option, exits: {timeout: end, invalid: end}}
  end: {type: stop_flow}
"""
    assert only(text, "bad_parameter").node == "m"


def test_only_one_hang_up_handler() -> None:
    found = problems(GOOD + "  gone: {type: user_stop_flow}\n  gone2: {type: user_stop_flow}\n")
    assert [(p.kind, p.node) for p in found] == [
        ("bad_parameter", "gone2"),
        ("unreachable_node", "gone2"),
    ]


def test_the_hang_up_branch_must_not_talk_to_the_caller() -> None:
    problem = only(GOOD + "  gone: {type: user_stop_flow, next: say}\n", "talks_after_hangup")
    assert problem.node == "say"


def test_every_problem_is_reported_at_once() -> None:
    broken = (
        GOOD.replace("max_digits: 8", "max_digits: 0")
        .replace("value: account", "value: nothing")
        .replace("type: stop_flow", "type: stopflow")
    )
    kinds = sorted(p.kind for p in problems(broken))
    assert kinds == ["bad_parameter", "unknown_node_type", "unknown_variable"]


TICKET_FLOW = """
name: t
start: open
nodes:
  open:
    type: create_ticket
    ticket_type: {ticket_type}
    priority: {priority}
    title: "{title}"
    fields: {{{field}: "${{ANI}}"}}
    into: {into}
    exits: {{ok: said, error: end}}
  said: {{type: play_number, value: ticket_no, format: digits, next: end}}
  end: {{type: stop_flow}}
"""


def ticket_flow(**changes: str) -> str:
    values = {"ticket_type": "repair", "priority": "urgent", "title": "Leak at ${ANI}",
              "field": "meter", "into": "ticket_no", **changes}
    return TICKET_FLOW.format(**values)


def test_a_create_ticket_node_is_checked_and_its_reference_is_known_after_ok() -> None:
    assert problems(ticket_flow()) == []
    for change, fragment in ((("ticket_type", "leak"), "ticket_type 'leak' is not one of"),
                             (("priority", "asap"), "priority 'asap' is not one of"),
                             (("title", ""), "title is empty"),
                             (("field", "'meter no'"), "field name 'meter no' is not a name")):
        problem = only(ticket_flow(**dict([change])), "bad_parameter")
        assert fragment in problem.message and problem.node == "open"
    # The reference variable is what `into` names: without it, reading it is an error.
    text = ticket_flow().replace("    into: ticket_no\n", "")
    assert only(text, "unknown_variable").node == "said"
