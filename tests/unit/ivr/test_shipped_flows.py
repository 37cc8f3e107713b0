"""The flows in examples/ivr/ validate clean, and a scripted caller walks their main paths."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from sqlalchemy import Engine, create_engine, text

from hotline.ivr.actions import (
    Finished,
    Hangup,
    HttpCall,
    Play,
    Record,
    TransferToQueue,
)
from hotline.ivr.events import (
    CallerHungUp,
    DigitPressed,
    HttpResult,
    PlayFinished,
    TicketFailed,
)
from hotline.ivr.flow import Transfer
from hotline.ivr.session import SessionState
from hotline.ivr.validation import validate
from tests.unit.ivr.harness import EXAMPLES, Caller, at, example, session

DEMO_TENANT = Path(__file__).resolve().parents[3] / "src" / "hotline" / "demo_tenant.yaml"
SCENARIO = Path(__file__).resolve().parents[3] / "examples" / "scenarios" / "mobile_operator.yaml"


@pytest.mark.parametrize("path", sorted(EXAMPLES.glob("*.yaml")), ids=lambda p: p.stem)
def test_shipped_flows_validate_clean(path: Path) -> None:
    assert validate(example(path.stem)) == []


def test_the_three_flows_are_shipped() -> None:
    assert {p.stem for p in EXAMPLES.glob("*.yaml")} >= {
        "gas_utility",
        "mobile_operator",
        "satisfaction_survey",
    }


def _queues_of(flow_name: str) -> set[str]:
    flow = example(flow_name)
    return {
        n.queue.render(lambda v: "${" + v + "}")
        for n in flow.nodes.values()
        if isinstance(n, Transfer) and n.queue is not None
    }


def test_gas_utility_queues_are_the_demo_tenants() -> None:
    tenant = yaml.safe_load(DEMO_TENANT.read_text(encoding="utf-8"))
    assert _queues_of("gas_utility") <= {q["name"] for q in tenant["queues"]}


# --- gas utility ---------------------------------------------------------------------------


@pytest.fixture
def customers() -> Engine:
    """The gas utility's customer database, as the flow's header describes it."""
    engine = create_engine("sqlite://")
    with engine.begin() as connection:
        connection.execute(
            text(
                "CREATE TABLE gas_usage "
                "(account TEXT, month TEXT, usage_m3 NUMERIC, amount NUMERIC)"
            )
        )
        connection.execute(
            text(
                "INSERT INTO gas_usage VALUES ('100234', '2025-01', 30.5, '105.23'), "
                "('100234', '2025-02', 28, '96.60'), ('555001', '2025-02', 12, '41.40')"
            )
        )
        connection.execute(
            text("CREATE TABLE members (member_no TEXT, pin TEXT, name TEXT, tier TEXT)")
        )
        connection.execute(text("INSERT INTO members VALUES ('8001', '4321', 'Chen', 'gold')"))
    return engine


def gas(customers: Engine, now: float = at("2025-03-05T10:00:00")) -> Caller:
    return Caller(session(example("gas_utility")), now=now, database=customers).start()


def test_gas_usage_query_answers_from_the_database(customers: Engine) -> None:
    caller = gas(customers).press("2")  # English
    assert caller.session.language == "en"
    caller.press("1").press("100234#")
    prompts = caller.of(Play)[-2].prompts  # type: ignore[union-attr]
    assert prompts == (
        ("tts", "Your gas usage in 2025-02 was"),
        ("number", "28", "number"),
        ("tts", "cubic metres; the amount due is"),
        ("number", "96.6", "amount"),  # SQLite's NUMERIC keeps 96.60 as a float
    )
    caller.wait()  # no more questions
    assert caller.finished.result == "self_service"
    assert caller.finished.variables["account"] == "100234"
    assert caller.actions[-2] == Hangup()


def test_gas_unknown_account_three_times_goes_to_an_agent(customers: Engine) -> None:
    caller = gas(customers).press("1").press("1")
    for _ in range(3):
        caller.press("999999#")
    transfer = caller.actions[-2]
    assert isinstance(transfer, TransferToQueue) and transfer.queue == "inquiry"
    assert transfer.attributes["lookup_failures"] == "3"
    assert caller.spoken().count("没有找到该户号") == 2


def test_gas_repair_opens_a_ticket_then_goes_to_the_repair_queue_first(
    customers: Engine,
) -> None:
    caller = gas(customers).press("1").press("3")
    [request] = caller.tickets
    assert (request.ticket_type, request.priority) == ("repair", "urgent")
    assert request.title == "燃气抢修（IVR）13912345678" and request.fields == {"smell": "true"}
    assert "已为您登记抢修单，单号 | 1 | 。" in caller.spoken()
    transfer = caller.actions[-2]
    assert transfer == TransferToQueue(
        "repair",
        10,
        {"repair": 1},
        {"language": "zh", "lookup_failures": "0", "pin_failures": "0", "request": "repair",
         "ticket_no": "1"},
    )
    assert caller.finished.result == "transferred"


def test_gas_repair_still_reaches_the_repair_desk_when_no_ticket_can_be_opened(
    customers: Engine,
) -> None:
    caller = Caller(session(example("gas_utility")), database=customers,
                    ticket=lambda _: TicketFailed("store away")).start().press("1").press("3")
    transfer = caller.actions[-2]
    assert isinstance(transfer, TransferToQueue) and transfer.queue == "repair"
    assert "ticket_no" not in transfer.attributes and "单号" not in caller.spoken()


@pytest.mark.parametrize(
    ("key", "queue"), [("2", "delivery"), ("4", "complaint"), ("0", "inquiry")]
)
def test_gas_menu_routes_to_the_desks(customers: Engine, key: str, queue: str) -> None:
    transfer = gas(customers).press("1").press(key).actions[-2]
    assert isinstance(transfer, TransferToQueue) and transfer.queue == queue
    assert transfer.attributes["request"] == queue


def test_gas_prices_and_service_numbers(customers: Engine) -> None:
    caller = gas(customers).press("1").press("5")
    assert ("number", "3.45", "amount") in caller.prompts()
    assert ("number", "96778", "digits") in caller.prompts()
    caller.press("9")  # back to the main menu
    assert caller.session.visited[-1] == "main_menu"


def test_gas_member_verification_with_the_right_pin(customers: Engine) -> None:
    caller = gas(customers).press("2").press("6").press("8001#").press("4321#")
    assert ("tts", "Hello Chen, we are putting you through to member services.") in caller.prompts()
    transfer = caller.actions[-2]
    assert isinstance(transfer, TransferToQueue)
    assert transfer.queue == "inquiry" and transfer.priority == 5
    assert transfer.attributes["verified"] == "yes" and transfer.attributes["tier"] == "gold"
    assert transfer.attributes["pin"] == ""  # the PIN does not travel to the agent


def test_gas_member_verification_refuses_a_wrong_pin_three_times(customers: Engine) -> None:
    caller = gas(customers).press("1").press("6")
    for _ in range(3):
        caller.press("8001#").press("0000#")
    transfer = caller.actions[-2]
    assert isinstance(transfer, TransferToQueue) and transfer.queue == "inquiry"
    assert "verified" not in transfer.attributes
    assert transfer.attributes["pin"] == ""
    assert caller.spoken().count("会员号或密码错误") == 2


def test_gas_account_number_must_be_digits(customers: Engine) -> None:
    caller = gas(customers).press("1").press("1").press("1*1*1*#")
    assert caller.session.visited[-1] == "ask_account"  # asked again, not looked up


@pytest.mark.parametrize("when", ["2025-03-05T21:00:00", "2025-01-29T10:00:00"])
def test_gas_out_of_hours_and_holidays_go_to_the_duty_repair_desk(
    customers: Engine, when: str
) -> None:
    caller = gas(customers, now=at(when)).press("1")
    transfer = caller.actions[-2]
    assert isinstance(transfer, TransferToQueue) and transfer.queue == "repair"
    assert "main_menu" not in caller.session.visited


def test_gas_caller_hangs_up_in_the_menu(customers: Engine) -> None:
    caller = gas(customers).press("1").hang_up()
    assert caller.last == Finished(
        "hung_up", {"lookup_failures": "0", "pin_failures": "0", "request": ""}
    )


# --- mobile operator ---------------------------------------------------------------------


def mobile(http: object = None, **variables: str) -> Caller:
    return Caller(session(example("mobile_operator"), variables=variables), http=http).start()  # type: ignore[arg-type]


def test_mobile_queues_are_the_scenarios() -> None:
    scenario = yaml.safe_load(SCENARIO.read_text(encoding="utf-8"))
    names = {q["name"] for q in scenario["queues"]}
    flow = example("mobile_operator")
    choices = {
        e.value  # type: ignore[union-attr]
        for n in flow.nodes.values()
        if n.id.startswith("choose_")
        for e in [n.assign["target_queue"]]  # type: ignore[attr-defined]
    }
    assert choices <= names and choices == {"prepaid", "postpaid", "technical"}


def test_mobile_no_outage_no_overload_goes_straight_to_the_queue() -> None:
    caller = mobile().press("3")
    transfer = caller.actions[-2]
    assert isinstance(transfer, TransferToQueue) and transfer.queue == "postpaid"
    assert "outage_notice" not in caller.session.visited


def test_mobile_outage_notice_plays_before_queueing() -> None:
    caller = mobile(outage="1", outage_area="Tianhe").press("4")
    assert (
        "tts",
        "Tianhe地区目前网络故障，工程师正在抢修，给您带来不便，敬请谅解。",
    ) in caller.prompts()
    visited = caller.session.visited
    assert visited.index("outage_notice") < visited.index("to_queue")
    transfer = caller.actions[-2]
    assert isinstance(transfer, TransferToQueue) and transfer.queue == "technical"


def test_mobile_overload_advice_leave_a_message() -> None:
    caller = mobile(queue_waiting="35").press("2")
    assert caller.session.visited[-1] == "overload_advice"
    caller.press("1")
    record = caller.of(Record)[0]
    assert record == Record(120, True, "#", "customer_service")
    assert caller.finished.result == "message_left"
    assert caller.finished.variables["message"].startswith("rec-")


def test_mobile_overload_advice_callback_on_another_number() -> None:
    caller = mobile(queue_waiting="35").press("2").press("2")
    assert ("number", "13912345678", "digits") in caller.prompts()  # the ANI, said back
    caller.press("2").press("02087654321#")
    assert caller.finished.result == "callback_requested"
    assert caller.finished.variables["callback_number"] == "02087654321"


def test_mobile_overload_advice_callback_on_the_calling_number() -> None:
    caller = mobile(queue_waiting="35").press("2").press("2").press("1")
    assert caller.finished.variables["callback_number"] == "13912345678"


def test_mobile_overload_advice_keep_waiting() -> None:
    caller = mobile(queue_waiting="35").press("2").press("3")
    transfer = caller.actions[-2]
    assert isinstance(transfer, TransferToQueue) and transfer.queue == "prepaid"


def test_mobile_a_short_queue_gets_no_advice() -> None:
    caller = mobile(queue_waiting="20").press("2")
    assert "overload_advice" not in caller.session.visited


def test_mobile_balance_self_service_over_the_webhook() -> None:
    calls: list[HttpCall] = []

    def billing(call: HttpCall) -> HttpResult:
        calls.append(call)
        return HttpResult(200, {"data": {"balance": "56.80", "valid_until": "20250630"}})

    caller = mobile(http=billing).press("1")
    assert calls[0].url == "https://billing.example.invalid/api/balance?msisdn=13912345678"
    assert ("number", "56.80", "amount") in caller.prompts()
    assert ("number", "20250630", "date") in caller.prompts()
    caller.wait()
    assert caller.finished.result == "self_service"


def test_mobile_billing_down_sends_the_caller_to_an_agent() -> None:
    caller = mobile(http=lambda call: None).press("1")  # the webhook never answers
    transfer = caller.actions[-2]
    assert isinstance(transfer, TransferToQueue) and transfer.queue == "prepaid"


def test_mobile_hang_up_reports_where_the_caller_gave_up() -> None:
    calls: list[HttpCall] = []

    def billing(call: HttpCall) -> HttpResult:
        calls.append(call)
        return HttpResult(204, {})

    caller = mobile(http=billing, queue_waiting="35").press("2").hang_up()
    assert calls[-1].body == {"msisdn": "13912345678", "stage": "queueing", "at": "20250305100000"}
    assert caller.finished.result == "hung_up"


# --- satisfaction survey -------------------------------------------------------------------


def survey() -> Caller:
    flow = example("satisfaction_survey")
    return Caller(session(flow, variables={"agent_id": "1016", "interaction_id": "c-42"})).start()


def test_survey_names_the_agent_and_stores_the_score() -> None:
    caller = survey()
    assert "1016" in caller.prompts()[0][1]
    caller.press("5")
    assert caller.finished == Finished(
        "survey_completed",
        {"agent_id": "1016", "interaction_id": "c-42", "comment": "", "score": "5"},
    )


def test_survey_low_score_records_a_comment() -> None:
    caller = survey().press("1")
    assert caller.of(Record) == [Record(60, True, "#", None)]
    assert caller.finished.result == "survey_completed"
    assert caller.finished.variables["score"] == "1"
    assert caller.finished.variables["comment"].startswith("rec-")


def test_survey_rejects_keys_outside_one_to_five() -> None:
    caller = survey().press("7").press("0").press("9")
    assert caller.finished.result == "survey_skipped"
    assert "score" not in caller.finished.variables


def test_survey_hang_up_during_the_comment_keeps_the_score() -> None:
    s = session(example("satisfaction_survey"), variables={"agent_id": "1016"})
    s.start(0)
    s.handle(PlayFinished(), 1)
    s.handle(DigitPressed("2"), 2)  # a low score: asked for a comment
    assert s.state is SessionState.RECORDING
    assert s.handle(CallerHungUp(), 3) == [
        Finished("hung_up", {"agent_id": "1016", "interaction_id": "", "comment": "", "score": "2"})
    ]
