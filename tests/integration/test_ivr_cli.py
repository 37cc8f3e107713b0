"""`hotline ivr validate` and `hotline ivr test`: problems and exit codes, and the shipped gas
utility flow run headless with a scripted caller against a customer database made here."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from sqlalchemy import create_engine
from typer.testing import CliRunner

from hotline.cli import app
from hotline.ivr import load_flow
from hotline.ivr.actions import Query
from hotline.ivr.database import run_query
from hotline.ivr.events import QueryResult
from hotline.ivr.flow import AccessDb

runner = CliRunner()
GAS = Path(__file__).parents[2] / "examples" / "ivr" / "gas_utility.yaml"
MONDAY_MORNING = "2025-03-03T10:00"


@pytest.fixture
def customers(tmp_path: Path) -> str:
    """A customer database as the gas flow's header describes it; its SQLAlchemy URL."""
    path = tmp_path / "customers.db"
    with sqlite3.connect(path) as connection:
        connection.executescript("""
            CREATE TABLE gas_usage (account TEXT, month TEXT, usage_m3 NUMERIC, amount NUMERIC);
            CREATE TABLE members (member_no TEXT, pin TEXT, name TEXT, tier TEXT);
            INSERT INTO gas_usage VALUES ('12345678', '2025-01', 40, 138.00),
                                         ('12345678', '2025-02', 31, 106.95);
            INSERT INTO members VALUES ('8001', '1234', 'Li Wei', 'gold');
        """)
    connection.close()
    return f"sqlite:///{path}"


def ivr_test(*args: str) -> tuple[int, list[str]]:
    result = runner.invoke(app, ["ivr", "test", str(GAS), "--at", MONDAY_MORNING, *args])
    # Each transcript line: "   0.0s  what     text".
    return result.exit_code, [line[10:].rstrip() for line in result.stdout.splitlines()[1:]]


def test_validate_says_no_problems_for_the_shipped_flows() -> None:
    for flow in sorted(GAS.parent.glob("*.yaml")):
        result = runner.invoke(app, ["ivr", "validate", str(flow)])
        assert result.exit_code == 0, result.output
        assert result.stdout.endswith("no problems\n")


def test_validate_prints_every_problem_and_fails(tmp_path: Path) -> None:
    flow = tmp_path / "broken.yaml"
    flow.write_text("name: broken\nstart: greet\nnodes:\n"
                    "  greet: {type: play_only, prompts: [hi], next: nowhere}\n"
                    "  orphan: {type: fly_away}\n", encoding="utf-8")
    result = runner.invoke(app, ["ivr", "validate", str(flow)])
    assert result.exit_code == 1
    lines = result.stdout.splitlines()
    assert any(line.startswith(f"{flow}: greet: node 'greet' (play_only): exit 'next' leads "
                               "to 'nowhere'") and line.endswith("[dangling_exit]")
               for line in lines)
    assert any("[unknown_node_type]" in line and ": orphan: " in line for line in lines)
    assert any("[unreachable_node]" in line and ": orphan: " in line for line in lines)


def test_a_file_that_does_not_load_prints_its_errors_and_fails(tmp_path: Path) -> None:
    flow = tmp_path / "bad.yaml"
    flow.write_text("name: bad\nstart: a\nnodes:\n  a: {type: stop_flow, colour: red}\n",
                    encoding="utf-8")
    for command in ("validate", "test"):
        result = runner.invoke(app, ["ivr", command, str(flow)])
        assert result.exit_code == 1
        assert f"{flow}: nodes.a.colour: unknown key for stop_flow" in result.stdout
    missing = runner.invoke(app, ["ivr", "validate", str(tmp_path / "none.yaml")])
    assert missing.exit_code == 2


def test_a_repair_call_ends_in_the_repair_queue() -> None:
    code, lines = ivr_test("--digits", "2,3")
    assert code == 0
    assert lines == [
        "node     choose_language (select_language)",
        "play     [zh] 欢迎致电燃气服务热线。普通话请按1。",
        "listen   up to 1 key(s), 4 s",
        "caller   presses 2",
        "node     check_hours (time_condition)",
        "node     main_menu (play_option)",
        "play     [en] For your monthly gas usage press 1, to book a gas delivery press 2, to "
        "report a leak or fault press 3, for complaints press 4, for prices and service "
        "numbers press 5, for member services press 6, to speak to an agent press 0.",
        "listen   up to 1 key(s), 6 s",
        "caller   presses 3",
        "node     mark_repair (set_variable)",
        "node     open_repair_ticket (create_ticket)",
        "ticket   repair (urgent) '燃气抢修（IVR）13800138000' {'smell': 'true'}",
        "result   ticket 1 opened (a test: nothing is stored)",
        "node     tell_ticket (play_only)",
        "play     [en] Your repair request number is",
        "play     [en] <number 1 digits>",
        "play     [en] .",
        "node     to_repair (transfer)",
        "transfer to queue repair (priority 10, skills repair>=1)",
        "end      transferred",
        "vars     lookup_failures=0, pin_failures=0, request=repair, ticket_no=1",
    ]


def test_after_hours_every_caller_goes_to_the_duty_repair_desk() -> None:
    code, lines = ivr_test("--digits", "1", "--closed")
    assert code == 0
    assert "node     after_hours (play_only)" in lines
    assert "transfer to queue repair (priority 10, skills repair>=1)" in lines


def test_a_usage_query_reads_the_customer_database(customers: str) -> None:
    code, lines = ivr_test("--digits", "2,1,12345678#,", "--database", f"customers={customers}")
    assert code == 0
    assert lines[lines.index("caller   presses 12345678#"):] == [
        "caller   presses 12345678#",
        "node     lookup_usage (access_db)",
        "query    database customers (account='12345678')",
        "result   1 row(s), first: month=2025-02, usage_m3=31, amount=106.95",
        "node     say_usage (play_only)",
        "play     [en] Your gas usage in 2025-02 was",
        "play     [en] <number 31 number>",
        "play     [en] cubic metres; the amount due is",
        "play     [en] <number 106.95 amount>",
        "node     anything_else (play_option)",
        "play     [en] For the main menu press 9, or hang up.",
        "listen   up to 1 key(s), 5 s",
        "caller   says nothing (5 s)",
        "node     goodbye (play_only)",
        "play     [en] Thank you for calling. Goodbye.",
        "node     done (stop_flow)",
        "hangup   the flow ends the call",
        "end      self_service",
        "vars     account=12345678, amount_due=106.95, lookup_failures=0, pin_failures=0, "
        "request=, usage=31, usage_month=2025-02",
    ]


def test_an_unknown_account_is_asked_again_and_a_caller_who_stops_typing_is_heard(
    customers: str
) -> None:
    code, lines = ivr_test("--digits", "1,1,999999,12345678#", "--database",
                           f"customers={customers}")
    assert code == 0
    assert "caller   stops typing (4 s)" in lines  # 999999 without #: the inter-digit timeout
    assert lines.count("result   no rows") == 1
    assert "play     [zh] 没有找到该户号。" in lines
    assert lines[-5:] == [
        "listen   up to 1 key(s), 5 s",
        "caller   hangs up",
        "node     caller_left (user_stop_flow)",
        "end      hung_up",
        "vars     account=12345678, amount_due=106.95, lookup_failures=1, pin_failures=0, "
        "request=, usage=31, usage_month=2025-02",
    ]


def test_without_a_database_url_the_query_fails_and_the_call_goes_to_an_agent() -> None:
    code, lines = ivr_test("--digits", "1,1,12345678#")
    assert code == 0
    assert any(line.startswith("result   query failed: no URL for database 'customers'")
               for line in lines)
    assert "transfer to queue inquiry (priority 0)" in lines


def test_a_member_with_the_right_pin_reaches_the_member_desk(customers: str) -> None:
    code, lines = ivr_test("--digits", "2,6,8001#,1234#", "--database",
                           f"customers={customers}")
    assert code == 0
    assert "play     [en] Hello Li Wei, we are putting you through to member services." in lines
    assert "transfer to queue inquiry (priority 5)" in lines
    assert lines[-1].startswith("vars     ") and "pin=," in lines[-1] and "tier=gold" in lines[-1]


def test_a_hostile_account_number_finds_nothing_and_changes_nothing(customers: str) -> None:
    lookup = load_flow(GAS).nodes["lookup_usage"]
    assert isinstance(lookup, AccessDb)
    engine = create_engine(customers)
    try:
        for hostile in ("1' OR '1'='1", "1'; DELETE FROM gas_usage; --"):
            found = run_query(engine, Query("customers", lookup.sql, {"account": hostile}))
            assert found == QueryResult(())
        everything = Query("customers", "SELECT count(*) AS n FROM gas_usage", {})
        assert run_query(engine, everything) == QueryResult(({"n": 2},))
    finally:
        engine.dispose()
    # A phone cannot send it: the script is refused before the call.
    result = runner.invoke(app, ["ivr", "test", str(GAS), "--digits", "2,1,1' OR '1'='1#"])
    assert result.exit_code == 2
    assert "keys are 0-9, * and #" in result.output


def test_bad_options_are_usage_errors() -> None:
    for args in (["--language", "fr"], ["--at", "yesterday"], ["--timezone", "Mars/Base"],
                 ["--database", "customers"], ["--http-body", "[1]"]):
        result = runner.invoke(app, ["ivr", "test", str(GAS), *args])
        assert result.exit_code == 2, (args, result.output)
