"""Knowledge-base articles for the demo tenant, a city gas utility's hotline (seed 000).

A dozen short articles, in Chinese and in English, on what callers ask most: what to do about
a gas leak, meter readings, paying the bill, the price tiers, booking an installation,
how fast repairs come, moving house, safety inspections and complaints; one of them is
guidance for supervisors only. The phone numbers, prices and time limits are made up for the
demo, not any utility's real tariff. Each article is a dict of the fields
`POST /api/kb/articles` takes.
"""

from __future__ import annotations

from typing import Any

_ALL = ["agent", "supervisor", "admin"]

_ARTICLES: list[dict[str, Any]] = [
    {
        "title": "燃气泄漏应急处理步骤",
        "category": "safety",
        "tags": ["应急", "泄漏", "抢修"],
        "language": "zh",
        "body": (
            "用户报告闻到燃气味或怀疑燃气泄漏时，请按以下步骤指导：\n"
            "1. 立即关闭燃气表前阀门和灶具开关。\n"
            "2. 打开门窗通风，不要开关任何电器，不要使用明火，不要在室内拨打电话。\n"
            "3. 迅速离开现场，到室外安全地点后再拨打24小时抢修热线96777。\n"
            "4. 记录用户地址、联系电话和现场情况，按最高优先级创建抢修工单。\n"
            "抢修人员接单后30分钟内到达现场（市区）。如用户出现头晕、恶心，请同时拨打120。"
        ),
    },
    {
        "title": "Gas leak: what to tell the caller",
        "category": "safety",
        "tags": ["emergency", "leak", "repair"],
        "language": "en",
        "body": (
            "If a caller smells gas or suspects a gas leak, stay calm and give these steps in "
            "order: turn off the valve before the meter and all appliances; open doors and "
            "windows; do not switch lights or any electrical device on or off, do not light a "
            "flame; leave the building and call the 24-hour emergency line 96777 from "
            "outside. Open an urgent repair ticket with the address and a contact number. "
            "The emergency crew reaches urban addresses within 30 minutes."
        ),
    },
    {
        "title": "抄表周期与用气量查询",
        "category": "metering",
        "tags": ["抄表", "用气量", "燃气表"],
        "language": "zh",
        "body": (
            "居民用户每两个月抄表一次，抄表员上门或通过远传燃气表自动读数。用户可通过自助语音"
            "（按1再按2）、微信公众号或营业厅查询最近12个月的用气量。若用户对读数有疑问，"
            "请核对燃气表表号和表盘读数，必要时创建“抄表复核”工单，复核结果在3个工作日内回复。"
        ),
    },
    {
        "title": "燃气账单缴费渠道",
        "category": "billing",
        "tags": ["账单", "缴费", "欠费"],
        "language": "zh",
        "body": (
            "账单在抄表后5个工作日内生成，用户可通过以下渠道缴费：微信或支付宝生活缴费、"
            "银行代扣、各营业厅柜台、自助语音银行卡缴费。逾期未缴将按日收取0.05%滞纳金；"
            "欠费超过60天的，将提前7天书面通知后暂停供气。缴费后如账单未更新，请核对缴费"
            "户号，到账一般不超过24小时。"
        ),
    },
    {
        "title": "Paying your gas bill: payment channels",
        "category": "billing",
        "tags": ["bill", "payment", "arrears"],
        "language": "en",
        "body": (
            "Bills are issued within five working days of the meter reading. Customers can pay "
            "by WeChat Pay or Alipay, by direct debit from a bank account, at any service "
            "hall, or by bank card through the self-service phone menu. A late payment fee "
            "of 0.05% a day applies after the due date; supply is suspended after 60 days of "
            "arrears, with seven days' written notice. A payment usually shows on the "
            "account within 24 hours: check the account number if it does not."
        ),
    },
    {
        "title": "居民阶梯气价说明",
        "category": "billing",
        "tags": ["气价", "阶梯", "价格"],
        "language": "zh",
        "body": (
            "居民生活用气实行三档阶梯气价，按年度累计用气量计算：第一档0至320立方米，"
            "每立方米3.45元；第二档321至400立方米，每立方米4.14元；第三档400立方米以上，"
            "每立方米5.18元。家庭人口5人及以上的，可持户口本到营业厅申请增加基数。"
            "非居民用户气价另行公布。"
        ),
    },
    {
        "title": "新装燃气预约安装",
        "category": "installation",
        "tags": ["预约", "安装", "开户"],
        "language": "zh",
        "body": (
            "新用户办理燃气开通需提供房产证明和身份证，可在营业厅或热线预约。预约成功后，"
            "工作人员在2个工作日内电话确认上门时间，安装通气当天需有成年人在场。安装前请"
            "确认厨房通风良好，灶具须为天然气专用并带有熄火保护装置。"
        ),
    },
    {
        "title": "Repair response times",
        "category": "repairs",
        "tags": ["repair", "response time", "appointment"],
        "language": "en",
        "body": (
            "Emergency repairs (gas leak, no supply to a whole building) are dispatched at "
            "once and reach urban addresses within 30 minutes, suburbs within an hour. "
            "Ordinary faults such as a stiff valve, a faulty meter or low flame pressure get "
            "an appointment within 24 hours and a visit within two working days. Tell the "
            "caller the ticket number so that they can follow the repair."
        ),
    },
    {
        "title": "搬家过户与停气销户",
        "category": "accounts",
        "tags": ["过户", "搬家", "销户"],
        "language": "zh",
        "body": (
            "用户搬家或房屋买卖需办理燃气过户：新旧户主携带身份证、房产证明到营业厅办理，"
            "过户前须结清全部气费。旧户主如需停气销户，可预约工作人员上门抄表并拆除或封存"
            "燃气表，剩余预存款退回原缴费账户。"
        ),
    },
    {
        "title": "Moving house: transferring or closing a gas account",
        "category": "accounts",
        "tags": ["moving", "transfer", "account"],
        "language": "en",
        "body": (
            "When a customer moves out, the account can be transferred to the new occupant or "
            "closed. A transfer needs both parties' ID and proof of ownership or tenancy, and "
            "all bills paid up to the final meter reading. To close an account, book a "
            "final reading; any credit left is refunded to the account it was paid from."
        ),
    },
    {
        "title": "入户安全检查",
        "category": "safety",
        "tags": ["安检", "安全", "上门"],
        "language": "zh",
        "body": (
            "公司每年为居民用户免费入户安全检查一次，检查燃气表、管道、阀门、软管和灶具。"
            "安检员持工作证上门，不收取任何费用，也不推销产品。如用户对上门人员身份有疑问，"
            "可拨打热线核实工号。发现隐患时，安检员会出具整改通知书。"
        ),
    },
    {
        "title": "投诉受理与处理流程",
        "category": "complaints",
        "tags": ["投诉", "回访"],
        "language": "zh",
        "body": (
            "受理投诉时，请完整记录用户诉求、涉及人员和时间，创建投诉工单。一般投诉在"
            "24小时内联系用户，5个工作日内办结；办结后由回访组进行满意度回访。用户不满意的，"
            "工单重新打开并升级至班长处理。"
        ),
    },
    {
        "title": "Complaint escalation: guidance for supervisors",
        "category": "complaints",
        "tags": ["complaint", "escalation"],
        "language": "en",
        "visible_to": ["supervisor", "admin"],
        "body": (
            "Escalate a complaint to the duty manager when the customer has complained about "
            "the same issue twice, when safety is involved, or when the media or a regulator "
            "is mentioned. Call the customer back yourself within four hours, agree a "
            "resolution date, and note every contact on the ticket."
        ),
    },
]


def demo_articles() -> list[dict[str, Any]]:
    """The demo articles, each a fresh dict (visible to every role unless it says
    otherwise)."""
    return [{**article, "tags": list(article["tags"]),
             "visible_to": list(article.get("visible_to", _ALL))} for article in _ARTICLES]
