"""The knowledge-base repository: writing articles and finding them by their words.

Writing an article sets its search tokens (`text_search.index_text` of the title, and of
title, body and tags together); the database's full-text index follows them (see
`kb_tables`). Reading always names the caller's role: an article is seen only by the roles
in its `visible_to`, in searches, category counts and by id alike.

`search` matches the articles holding any token of the query and ranks them by the
database's relevance measure, a title hit weighing more than a body hit; ties go to the
newest. On SQLite that is FTS5's bm25 (title column weighted `TITLE_WEIGHT` times the
other), on PostgreSQL `ts_rank_cd` over the tsvector whose title lexemes carry weight A and
the rest B. The two scores are on different scales: they order one result list, nothing
more. Without a query (or one with no searchable token, only punctuation), `search` lists
the newest articles first.

Nothing here commits: the caller commits the change with its audit entry.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Float,
    Integer,
    Select,
    bindparam,
    cast,
    column,
    exists,
    func,
    literal_column,
    select,
    table,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Session

from hotline.crm import text_search
from hotline.store.account_tables import Role
from hotline.store.kb_tables import SEARCH_TABLE, SEARCH_VECTOR, KbArticleRow

TITLE_WEIGHT = 5.0
"""How much more a token in an article's title counts than one in its body (SQLite; on
PostgreSQL the weights A and B of `ts_rank_cd` set the ratio, 1.0 to 0.4)."""

_FIELDS = ("title", "body", "category", "tags", "language", "visible_to")
_ROLE_ORDER = list(Role)
_SEARCH = table(SEARCH_TABLE, column("rowid", Integer))
_SIMPLE: ColumnElement[Any] = literal_column("'simple'::regconfig")


@dataclass(frozen=True)
class ArticleHit:
    """An article found: the article, its relevance (None when listing without a query) and
    the part of its body to show."""

    article: KbArticleRow
    score: float | None
    snippet: str


def create_article(session: Session, tenant_id: int, username: str,
                   fields: Mapping[str, Any], now: datetime) -> KbArticleRow:
    """A new article of the tenant from `fields`: title, body, category, tags, language and
    visible_to (role names)."""
    article = KbArticleRow(tenant_id=tenant_id, created_by=username, created_at=now)
    _write(article, fields, username, now)
    session.add(article)
    session.flush()
    return article


def update_article(session: Session, article: KbArticleRow, username: str,
                   changes: Mapping[str, Any], now: datetime) -> KbArticleRow:
    """Change the fields given in `changes` (any of those `create_article` takes); the
    article's search tokens follow."""
    fields = {name: getattr(article, name) for name in _FIELDS} | dict(changes)
    _write(article, fields, username, now)
    session.flush()
    return article


def delete_article(session: Session, article: KbArticleRow) -> None:
    """Remove the article (and so its entry in the full-text index)."""
    session.delete(article)
    session.flush()


def article_in(session: Session, tenant_id: int, article_id: int,
               role: Role) -> KbArticleRow | None:
    """The tenant's article `article_id` if `role` may see it, else None."""
    article = session.get(KbArticleRow, article_id)
    if article is None or article.tenant_id != tenant_id or role.value not in article.visible_to:
        return None
    return article


def search(
    session: Session,
    tenant_id: int,
    role: Role,
    query: str | None = None,
    category: str | None = None,
    tag: str | None = None,
    limit: int = 20,
    offset: int = 0,
) -> tuple[list[ArticleHit], int]:
    """One page of the tenant's articles that `role` may see, in `category` and with `tag`
    when given: those matching `query`, most relevant first, or without a query the newest
    first; and how many there are in all."""
    dialect = session.get_bind().dialect.name
    where = [KbArticleRow.tenant_id == tenant_id,
             _holds(dialect, KbArticleRow.visible_to, role.value)]
    if category is not None:
        where.append(KbArticleRow.category == category)
    if tag is not None:
        where.append(_holds(dialect, KbArticleRow.tags, tag))
    newest = (KbArticleRow.updated_at.desc(), KbArticleRow.id.desc())
    if dialect == "sqlite":
        found = _sqlite_search(query or "", where)
    else:  # PostgreSQL, the only other database Hotline runs on
        found = _postgres_search(query or "", where)
    if found is None:
        listed = select(KbArticleRow).where(*where)
        total = session.scalar(select(func.count()).select_from(listed.subquery())) or 0
        rows = session.scalars(listed.order_by(*newest).limit(limit).offset(offset)).all()
        return [ArticleHit(row, None, text_search.snippet(row.body)) for row in rows], total
    matched, score, best_first = found
    total = session.scalar(select(func.count()).select_from(matched.subquery())) or 0
    page = session.execute(
        matched.add_columns(score).order_by(best_first, *newest).limit(limit).offset(offset))
    return [ArticleHit(row, float(value), text_search.snippet(row.body, query))
            for row, value in page], total


def categories(session: Session, tenant_id: int, role: Role) -> list[tuple[str, int]]:
    """The categories of the articles `role` may see, by name, with how many each holds."""
    dialect = session.get_bind().dialect.name
    counts = session.execute(
        select(KbArticleRow.category, func.count())
        .where(KbArticleRow.tenant_id == tenant_id,
               _holds(dialect, KbArticleRow.visible_to, role.value))
        .group_by(KbArticleRow.category).order_by(KbArticleRow.category))
    return [(name, count) for name, count in counts]

_Found = tuple[Select[KbArticleRow], ColumnElement[float], ColumnElement[Any]]


def _sqlite_search(query: str, where: list[ColumnElement[bool]]) -> _Found | None:
    expression = text_search.fts5_query(query)
    if expression is None:
        return None
    fts: ColumnElement[Any] = literal_column(SEARCH_TABLE)
    matched = (select(KbArticleRow).join(_SEARCH, _SEARCH.c.rowid == KbArticleRow.id)
               .where(fts.op("MATCH")(bindparam("fts_query", expression)), *where))
    # bm25 is lower for better matches: the score is its negation, so higher is better.
    rank = func.bm25(fts, TITLE_WEIGHT, 1.0, type_=Float)
    return matched, (-rank).label("score"), rank.asc()


def _postgres_search(query: str, where: list[ColumnElement[bool]]) -> _Found | None:
    expression = text_search.tsquery(query)
    if expression is None:
        return None
    vector: ColumnElement[Any] = literal_column(SEARCH_VECTOR)
    wanted = func.to_tsquery(_SIMPLE, bindparam("ts_query", expression))
    matched = select(KbArticleRow).where(vector.op("@@")(wanted), *where)
    rank = func.ts_rank_cd(vector, wanted, type_=Float)
    return matched, rank.label("score"), rank.desc()


def _holds(dialect: str, json_list: Any, value: str) -> ColumnElement[bool]:
    """Whether the JSON list in the column `json_list` holds the string `value`."""
    if dialect == "sqlite":
        items = func.json_each(json_list).table_valued("value")
        return exists(select(items.c.value).where(items.c.value == value))
    return cast(json_list, JSONB).contains([value])


def _write(article: KbArticleRow, fields: Mapping[str, Any], username: str,
           now: datetime) -> None:
    article.title = fields["title"]
    article.body = fields["body"]
    article.category = fields["category"]
    article.tags = _distinct(fields.get("tags") or [])
    article.language = str(fields["language"])
    article.visible_to = [role.value for role in sorted({Role(name) for name in
                                                        fields["visible_to"]},
                                                       key=_ROLE_ORDER.index)]
    article.search_title = text_search.index_text(article.title)
    article.search_text = text_search.index_text(
        "\n".join([article.title, article.body, *article.tags]))
    article.updated_by = username
    article.updated_at = now


def _distinct(values: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(values))

