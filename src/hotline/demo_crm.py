"""The demo tenant's customers, tickets and knowledge base, so that a first look at the agent
desktop shows a customer card, open tickets and articles to search.

`DEMO_CUSTOMERS` are forty gas-utility customers with fixed phone numbers (`known_numbers`):
the demo's synthetic callers call from one of them half of the time, so that about every
other call pops a known customer (some VIP, whose calls get the tenant's VIP priority) and
the rest show a blank card to fill in. `ensure_demo_crm` adds them once, with a handful of
tickets in various states — some already overdue, so that the supervisor's board has
something to show — custom fields for repairs and appointments (`DEMO_FIELDS`), and the
knowledge-base articles of `hotline.crm.kb_demo`.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from hotline.crm.kb_demo import demo_articles
from hotline.crm.ticket_fields import parse_definitions
from hotline.crm.ticket_workflow import TicketAction, TicketType
from hotline.store import customers, kb, ticket_types, tickets
from hotline.store.customer_tables import CustomerRow
from hotline.store.customers import CustomerCreate

_SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"
_GIVEN = ("伟", "芳", "娜", "敏", "静", "磊", "洋", "勇", "艳", "杰")
_STREETS = ("天河路", "中山大道", "黄埔大道", "珠江新城华夏路", "广州大道北")


def _customer(index: int) -> dict[str, Any]:
    name = _SURNAMES[index % len(_SURNAMES)] + _GIVEN[(index * 7) % len(_GIVEN)]
    return {
        "name": name,
        "phones": [f"139{index:08d}"],
        "accounts": [f"88{index + 1000:07d}"],
        "address": f"广州市天河区{_STREETS[index % len(_STREETS)]}{index * 3 + 1}号",
        "tier": "vip" if index % 5 == 0 else "standard",
        "tags": ["residential"] if index % 4 else ["commercial"],
    }


DEMO_CUSTOMERS: tuple[dict[str, Any], ...] = tuple(_customer(index) for index in range(1, 41))


def known_numbers() -> list[str]:
    """The phone numbers of the demo customers (the synthetic callers use them)."""
    return [phone for customer in DEMO_CUSTOMERS for phone in customer["phones"]]


# (customer index, type, title, hours ago created, actions as (action, extra))
_TICKETS: tuple[tuple[int, str, str, float, tuple[tuple[str, dict[str, str]], ...]], ...] = (
    (0, "repair", "厨房有燃气味，已关阀门", 6.0,
     (("accept", {}), ("dispatch", {"team": "repair"}))),
    (1, "repair", "燃气表不走字", 3.5, (("accept", {}), ("dispatch", {"team": "repair"}))),
    (2, "complaint", "上门服务迟到两小时", 30.0, (("accept", {}),
                                                ("dispatch", {"team": "service"}))),
    (3, "appointment", "预约安装燃气热水器", 2.0, (("accept", {}),)),
    (4, "business", "Transfer the account to the new owner", 1.0, ()),
    (5, "suggestion", "希望增加微信缴费提醒", 80.0, (("accept", {}), ("resolve", {}))),
)


DEMO_FIELDS: dict[TicketType, list[dict[str, Any]]] = {
    TicketType.REPAIR: [
        {"name": "meter", "label": "燃气表号 Meter number", "kind": "text", "max_length": 32},
        {"name": "smell", "label": "有燃气味 Smell of gas", "kind": "boolean",
         "required": True},
        {"name": "floor", "label": "楼层 Floor", "kind": "number"},
    ],
    TicketType.APPOINTMENT: [
        {"name": "date", "label": "日期 Date", "kind": "date", "required": True},
        {"name": "slot", "label": "时段 Time", "kind": "choice", "required": True,
         "choices": ["08:00-12:00", "13:00-17:00", "18:00-20:00"]},
    ],
}
"""The demo tenant's custom fields per ticket type."""


def ensure_demo_crm(session: Session, tenant_id: int, now: datetime) -> bool:
    """Add the demo customers, tickets, custom fields and articles unless the tenant has
    customers already; whether it did."""
    count = session.scalar(select(func.count()).select_from(CustomerRow)
                           .where(CustomerRow.tenant_id == tenant_id)) or 0
    if count:
        return False
    for ticket_type, fields in DEMO_FIELDS.items():
        ticket_types.set_type(session, tenant_id, ticket_type, None,
                              parse_definitions(fields))
    made = [customers.create(session, tenant_id, CustomerCreate(**fields), now)
            for fields in DEMO_CUSTOMERS]
    for index, kind, title, hours_ago, actions in _TICKETS:
        customer = made[index]
        created = now - timedelta(hours=hours_ago)
        custom = {"smell": True, "meter": customer.accounts[0]} if kind == "repair" else {}
        row = tickets.create_ticket(session, tenant_id, "supervisor", {
            "type": kind, "title": title, "customer_id": customer.id,
            "customer_phone": customer.phones[0], "custom_fields": custom}, created)
        for action, extra in actions:
            tickets.act(session, row, TicketAction(action), "supervisor", created, **extra)
    for article in demo_articles():
        kb.create_article(session, tenant_id, "admin", article, now)
    return True
