"""The knowledge base through the API: writing articles by role with every change audited,
articles hidden from roles not in `visible_to`, refused input that changes nothing, search
relevance in Chinese and English on the demo articles, the index following updates and
deletions, tenants kept apart, category counts; and the migration that builds the table as
declared with the full-text index beside it."""

from __future__ import annotations

from typing import Any

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import Engine, delete, inspect, text

from hotline.crm.kb_demo import demo_articles
from hotline.store.config_tables import TenantRow
from hotline.store.database import Base
from hotline.store.kb_tables import (
    SEARCH_INDEX,
    SEARCH_TABLE,
    KbArticleRow,
    is_search_index,
)

ARTICLES = "/api/kb/articles"


def write(client: TestClient, **fields: Any) -> dict[str, Any]:
    body = {"title": "Meter reading", "body": "Meters are read every two months.",
            "category": "metering", "language": "en", **fields}
    response = client.post(ARTICLES, json=body)
    assert response.status_code == 201, response.text
    result: dict[str, Any] = response.json()
    return result


def found(client: TestClient, **params: Any) -> dict[str, Any]:
    response = client.get(ARTICLES, params=params)
    assert response.status_code == 200, response.text
    result: dict[str, Any] = response.json()
    return result


def titles(client: TestClient, **params: Any) -> list[str]:
    return [item["title"] for item in found(client, **params)["items"]]


@pytest.fixture
def demo(supervisor: TestClient) -> dict[str, dict[str, Any]]:
    """The demo articles, written by the supervisor; by title."""
    return {article["title"]: write(supervisor, **article) for article in demo_articles()}


LEAK_ZH = "燃气泄漏应急处理步骤"
LEAK_EN = "Gas leak: what to tell the caller"
BILL_ZH = "燃气账单缴费渠道"
BILL_EN = "Paying your gas bill: payment channels"
SUPERVISORS_ONLY = "Complaint escalation: guidance for supervisors"


def test_staff_write_articles_everyone_reads_them_and_every_change_is_audited(
    agent: TestClient, supervisor: TestClient, admin: TestClient
) -> None:
    article = write(supervisor, tags=["meter", "reading", "meter"])
    assert article["tags"] == ["meter", "reading"]
    assert article["visible_to"] == ["agent", "supervisor", "admin"]
    assert (article["created_by"], article["updated_by"]) == ("supervisor", "supervisor")
    assert agent.get(f"{ARTICLES}/{article['id']}").json() == article
    changed = admin.patch(f"{ARTICLES}/{article['id']}",
                          json={"category": "billing", "visible_to": ["admin", "agent"]})
    assert changed.status_code == 200, changed.text
    after = changed.json()
    assert (after["category"], after["visible_to"]) == ("billing", ["agent", "admin"])
    assert (after["created_by"], after["updated_by"]) == ("supervisor", "admin")
    assert after["title"] == article["title"] and after["updated_at"] >= article["updated_at"]
    assert admin.delete(f"{ARTICLES}/{article['id']}").status_code == 204
    assert agent.get(f"{ARTICLES}/{article['id']}").status_code == 404
    assert admin.delete(f"{ARTICLES}/{article['id']}").status_code == 404
    audit = admin.get("/api/audit", params={"entity": "kb_article"}).json()
    assert [entry["action"] for entry in audit] == ["delete", "update", "create"]
    assert audit[1]["before"]["category"] == "metering"
    assert audit[1]["after"]["category"] == "billing"


def test_an_agent_cannot_write_change_or_delete_articles(
    agent: TestClient, supervisor: TestClient
) -> None:
    article = write(supervisor)
    assert agent.post(ARTICLES, json={"title": "Mine", "body": "x", "category": "c",
                                      "language": "en"}).status_code == 403
    assert agent.patch(f"{ARTICLES}/{article['id']}",
                       json={"title": "Changed"}).status_code == 403
    assert agent.delete(f"{ARTICLES}/{article['id']}").status_code == 403
    assert agent.get(f"{ARTICLES}/{article['id']}").json() == article
    assert found(agent)["total"] == 1


def test_an_article_for_supervisors_is_hidden_from_agents_everywhere(
    agent: TestClient, supervisor: TestClient, admin: TestClient
) -> None:
    public = write(supervisor, title="Escalation basics", category="complaints")
    hidden = write(supervisor, title="Escalation for supervisors", category="complaints",
                   visible_to=["supervisor"])
    assert titles(agent, q="escalation") == [public["title"]]
    assert found(agent)["total"] == 1
    assert agent.get(f"{ARTICLES}/{hidden['id']}").status_code == 404
    assert agent.get("/api/kb/categories").json() == [{"name": "complaints", "count": 1}]
    assert sorted(titles(supervisor, q="escalation")) == sorted([public["title"],
                                                                 hidden["title"]])
    assert supervisor.get(f"{ARTICLES}/{hidden['id']}").json() == hidden
    # Hidden from admins too: for them it does not exist, to change or to delete.
    assert admin.get(f"{ARTICLES}/{hidden['id']}").status_code == 404
    assert admin.patch(f"{ARTICLES}/{hidden['id']}", json={"title": "x"}).status_code == 404
    assert admin.delete(f"{ARTICLES}/{hidden['id']}").status_code == 404
    assert supervisor.get(f"{ARTICLES}/{hidden['id']}").json() == hidden


@pytest.mark.parametrize("fields", [
    {"title": ""},
    {"title": "   "},
    {"title": "t" * 201},
    {"title": "tab\there"},
    {"body": ""},
    {"body": "b" * 20_001},
    {"body": "nul\x00"},
    {"category": ""},
    {"category": "c" * 65},
    {"tags": ["ok", ""]},
    {"tags": ["t" * 65]},
    {"tags": [f"t{i}" for i in range(21)]},
    {"tags": "not-a-list"},
    {"language": "fr"},
    {"visible_to": []},
    {"visible_to": ["customer"]},
    {"secret": True},
])
def test_an_invalid_article_is_refused_and_changes_nothing(
    supervisor: TestClient, admin: TestClient, fields: dict[str, Any]
) -> None:
    article = write(supervisor)
    valid = {"title": "T", "body": "B", "category": "c", "language": "en"}
    refused = supervisor.post(ARTICLES, json=valid | fields)
    assert refused.status_code == 422, refused.text
    changed = supervisor.patch(f"{ARTICLES}/{article['id']}", json=fields)
    assert changed.status_code == 422, changed.text
    assert found(supervisor)["total"] == 1
    assert supervisor.get(f"{ARTICLES}/{article['id']}").json() == article
    assert len(admin.get("/api/audit", params={"entity": "kb_article"}).json()) == 1


def test_a_null_in_a_change_is_refused_by_name(supervisor: TestClient) -> None:
    article = write(supervisor)
    refused = supervisor.patch(f"{ARTICLES}/{article['id']}",
                               json={"title": None, "tags": None})
    assert refused.status_code == 422
    assert refused.json()["detail"].startswith("tags, title cannot be null")
    assert supervisor.get(f"{ARTICLES}/{article['id']}").json() == article


def test_bad_search_parameters_are_refused(agent: TestClient) -> None:
    for params in ({"limit": 0}, {"limit": 101}, {"offset": -1}, {"q": "x" * 201},
                   {"category": "c" * 65}):
        assert agent.get(ARTICLES, params=params).status_code == 422, params


@pytest.mark.usefixtures("demo")
@pytest.mark.parametrize(("query", "first"), [
    ("燃气泄漏", LEAK_ZH),
    ("gas leak", LEAK_EN),
    ("GAS LEAK!", LEAK_EN),
    ("账单", BILL_ZH),
    ("bill payment", BILL_EN),
    ("阶梯气价", "居民阶梯气价说明"),
    ("搬家 过户", "搬家过户与停气销户"),
    ("moving house", "Moving house: transferring or closing a gas account"),
    ("安全检查", "入户安全检查"),
    ("ｒｅｐａｉｒ　ｒｅｓｐｏｎｓｅ", "Repair response times"),
])
def test_search_puts_the_article_about_the_query_first(
    agent: TestClient, query: str, first: str
) -> None:
    page = found(agent, q=query)
    assert page["items"][0]["title"] == first, page["items"]
    scores = [item["score"] for item in page["items"]]
    assert scores == sorted(scores, reverse=True)
    assert page["total"] == len(page["items"])


def test_a_query_matches_any_of_its_words_and_only_articles_holding_one(
    agent: TestClient, demo: dict[str, dict[str, Any]]
) -> None:
    # "leak" is in the English leak article and in the one on repairs, "payment" only in
    # the English billing article: together, exactly the three.
    assert sorted(titles(agent, q="leak")) == sorted([LEAK_EN, "Repair response times"])
    assert sorted(titles(agent, q="leak payment")) == sorted(
        [LEAK_EN, "Repair response times", BILL_EN])
    assert titles(agent, q="泄漏")[0] == LEAK_ZH
    assert found(agent, q="nothing matches this xyzzy") == {
        "total": 0, "limit": 20, "offset": 0, "items": []}
    assert found(agent, q="核电站")["total"] == 0


def test_a_word_in_the_title_outranks_the_same_word_in_a_body(supervisor: TestClient) -> None:
    # The body-only hit is newer, and in a much shorter text: only the title's weight can
    # put the other first.
    in_title = write(supervisor, title="Valve replacement", body=(
        "Old fittings are replaced by our engineers on a visit booked in advance; the "
        "customer must be at home, the supply is turned off for about an hour, and the new "
        "parts carry a two-year warranty."))
    write(supervisor, title="Kitchen safety", body="Check the valve.")
    assert titles(supervisor, q="valve") == [in_title["title"], "Kitchen safety"]
    in_title_zh = write(supervisor, title="阀门更换", language="zh", body=(
        "旧的接头由工作人员提前预约上门更换，更换时用户须在家，供气暂停约一小时，"
        "新配件保修两年。"))
    write(supervisor, title="厨房安全", body="检查阀门。", language="zh")
    assert titles(supervisor, q="阀门") == [in_title_zh["title"], "厨房安全"]


def test_equally_relevant_articles_come_newest_first(supervisor: TestClient) -> None:
    older = write(supervisor, title="Meter A", body="Same words.")
    newer = write(supervisor, title="Meter B", body="Same words.")
    assert titles(supervisor, q="meter") == [newer["title"], older["title"]]
    supervisor.patch(f"{ARTICLES}/{older['id']}", json={"category": "touched"})
    assert titles(supervisor, q="meter") == [older["title"], newer["title"]]


def test_a_single_chinese_character_finds_the_words_it_begins(agent: TestClient,
                                                              demo: dict[str, Any]) -> None:
    assert LEAK_ZH in titles(agent, q="泄", limit=100)
    assert titles(agent, q="搬") == ["搬家过户与停气销户"]


def test_without_a_query_the_newest_articles_come_first_with_no_score(
    agent: TestClient, supervisor: TestClient, demo: dict[str, dict[str, Any]]
) -> None:
    visible = [title for title in demo if title != SUPERVISORS_ONLY]
    page = found(agent, limit=5)
    assert page["total"] == len(visible) == 12
    assert [item["title"] for item in page["items"]] == visible[::-1][:5]
    assert {item["score"] for item in page["items"]} == {None}
    # An empty box or a query of punctuation only is no query.
    assert found(agent, q="", limit=5) == page
    assert found(agent, q=" ？！…", limit=5) == page
    rest = found(agent, limit=5, offset=10)
    assert [item["title"] for item in rest["items"]] == visible[::-1][10:]
    item = page["items"][0]
    assert set(item) == {"id", "title", "category", "tags", "language", "snippet", "score",
                         "updated_at"}
    assert found(supervisor)["total"] == 13


def test_the_snippet_shows_the_body_around_the_first_word_found(supervisor: TestClient) -> None:
    body = " ".join(["Background about the company and its history."] * 20
                    + ["To report a leak call 96777 at once."]
                    + ["More text that is not about anything in particular."] * 20)
    article = write(supervisor, title="Long article", body=body)
    hit = found(supervisor, q="96777")["items"][0]
    assert hit["id"] == article["id"]
    assert "96777" in hit["snippet"] and hit["snippet"].startswith("…")
    assert len(hit["snippet"]) <= 200
    listed = found(supervisor)["items"][0]["snippet"]
    assert listed.startswith("Background about the company") and len(listed) <= 200
    zh = write(supervisor, title="长文章", body="公司简介。" * 60 + "燃气泄漏请拨打96777。"
               + "其他内容。" * 60, language="zh")
    snippet = found(supervisor, q="泄漏")["items"][0]
    assert snippet["id"] == zh["id"] and "燃气泄漏" in snippet["snippet"]


def test_a_change_reindexes_the_article(agent: TestClient, supervisor: TestClient) -> None:
    article = write(supervisor, title="Meter reading", body="Read every two months.",
                    tags=["schedule"])
    assert titles(agent, q="schedule") == ["Meter reading"]
    changed = supervisor.patch(f"{ARTICLES}/{article['id']}",
                               json={"title": "抄表周期", "body": "每两个月抄表一次。",
                                     "tags": ["周期"], "language": "zh"})
    assert changed.status_code == 200
    for gone in ("meter", "reading", "schedule", "months"):
        assert found(agent, q=gone)["total"] == 0, gone
    for new in ("抄表", "周期", "两个月"):
        assert titles(agent, q=new) == ["抄表周期"], new
    # A change of category or visibility leaves the words searchable.
    supervisor.patch(f"{ARTICLES}/{article['id']}", json={"category": "other"})
    assert titles(agent, q="抄表") == ["抄表周期"]


def test_a_deleted_article_is_no_longer_found(agent: TestClient, supervisor: TestClient,
                                              demo: dict[str, dict[str, Any]]) -> None:
    assert supervisor.delete(f"{ARTICLES}/{demo[LEAK_ZH]['id']}").status_code == 204
    assert LEAK_ZH not in titles(agent, q="燃气泄漏", limit=100)
    assert found(agent, q="泄漏")["total"] == 0
    assert found(agent)["total"] == 11


def test_tenants_do_not_see_each_others_articles(
    supervisor: TestClient, other_admin: TestClient, demo: dict[str, dict[str, Any]]
) -> None:
    assert found(other_admin, q="燃气泄漏")["total"] == 0
    assert found(other_admin)["total"] == 0
    assert other_admin.get("/api/kb/categories").json() == []
    leak = demo[LEAK_EN]["id"]
    assert other_admin.get(f"{ARTICLES}/{leak}").status_code == 404
    assert other_admin.patch(f"{ARTICLES}/{leak}", json={"title": "x"}).status_code == 404
    assert other_admin.delete(f"{ARTICLES}/{leak}").status_code == 404
    theirs = write(other_admin, title="Gas leak at globex", body="Their own leak steps.")
    assert titles(other_admin, q="gas leak") == [theirs["title"]]
    assert theirs["title"] not in titles(supervisor, q="gas leak", limit=100)


def test_categories_count_the_articles_the_caller_may_see(
    agent: TestClient, supervisor: TestClient, demo: dict[str, dict[str, Any]]
) -> None:
    expected = {"accounts": 2, "billing": 3, "complaints": 1, "installation": 1,
                "metering": 1, "repairs": 1, "safety": 3}
    assert agent.get("/api/kb/categories").json() == [
        {"name": name, "count": count} for name, count in sorted(expected.items())]
    as_supervisor = {c["name"]: c["count"]
                     for c in supervisor.get("/api/kb/categories").json()}
    assert as_supervisor == expected | {"complaints": 2}


def test_category_and_tag_narrow_the_list_and_the_search(
    agent: TestClient, demo: dict[str, dict[str, Any]]
) -> None:
    assert sorted(titles(agent, category="billing")) == sorted(
        [BILL_ZH, BILL_EN, "居民阶梯气价说明"])
    assert titles(agent, q="gas", category="billing") == [BILL_EN]
    assert found(agent, category="nope")["total"] == 0
    assert titles(agent, tag="泄漏") == [LEAK_ZH]
    assert titles(agent, tag="emergency", q="leak") == [LEAK_EN]
    assert titles(agent, tag="repair") == ["Repair response times", LEAK_EN]
    assert found(agent, tag="leak", category="billing")["total"] == 0
    assert found(agent, tag="complaint")["total"] == 0  # on the supervisors' article only


def _kb_only(obj: Any, _name: str | None, type_: str, _reflected: bool,
             _other: Any) -> bool:
    table = obj if type_ == "table" else getattr(obj, "table", None)
    return table is not None and table.name == KbArticleRow.__tablename__


def _declared(name: str | None, type_: str, _parent_names: object) -> bool:
    return not is_search_index(name, type_)


def test_the_migration_builds_the_article_table_as_declared_and_the_index_beside_it(
    engine: Engine,
) -> None:
    with engine.connect() as connection:
        context = MigrationContext.configure(
            connection, opts={"include_object": _kb_only, "include_name": _declared,
                              "compare_type": True})
        assert compare_metadata(context, Base.metadata) == []
        # Nothing of the full-text index shows as a difference in the whole schema either.
        whole = MigrationContext.configure(connection, opts={"include_name": _declared})
        assert not [diff for diff in compare_metadata(whole, Base.metadata)
                    if "kb_" in repr(diff)]
    schema = inspect(engine)
    if engine.dialect.name == "sqlite":
        assert SEARCH_TABLE in schema.get_table_names()
    else:
        indexes = {index["name"] for index in schema.get_indexes("kb_articles")}
        assert SEARCH_INDEX in indexes


def test_the_sqlite_index_follows_every_change_even_a_tenants_deletion(
    app: FastAPI, engine: Engine, supervisor: TestClient, other_admin: TestClient,
    demo: dict[str, dict[str, Any]]
) -> None:
    if engine.dialect.name != "sqlite":
        pytest.skip("the FTS5 index is SQLite's; PostgreSQL indexes the column expression")
    write(other_admin, title="Gas leak at globex", body="Their own leak steps.")
    supervisor.patch(f"{ARTICLES}/{demo[LEAK_EN]['id']}", json={"body": "Leave at once."})
    supervisor.delete(f"{ARTICLES}/{demo[BILL_EN]['id']}")

    def check_index() -> None:
        # FTS5 compares an external-content index with its table and fails if they differ.
        connection.execute(text(f"INSERT INTO {SEARCH_TABLE}({SEARCH_TABLE}) "
                                "VALUES ('integrity-check')"))

    with engine.begin() as connection:
        check_index()
        connection.execute(delete(TenantRow).where(TenantRow.name == "globex"))
        check_index()
        stale = connection.execute(text(f"SELECT rowid FROM {SEARCH_TABLE} "
                                        f"WHERE {SEARCH_TABLE} MATCH 'globex'")).all()
        assert stale == []
