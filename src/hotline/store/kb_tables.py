"""The knowledge base (C3): articles, and the full-text index over them.

An article belongs to one tenant and has a category, tags, a language and the roles that may
read it (`visible_to`). It keeps its own search tokens (`hotline.crm.text_search`):
`search_title` those of its title, `search_text` those of title, body and tags; the
repository sets both whenever an article is written.

The full-text index itself is the database's own, so it is built by the migration
(`0012_kb`) and not declared here:
- on SQLite, an FTS5 table `kb_search` with the two token columns (an external-content
  table over `kb_articles`, so the text is stored once), kept in step by triggers on
  `kb_articles` (which also fire when a tenant's deletion cascades to its articles);
- on PostgreSQL, the GIN index `ix_kb_articles_search` on the expression `SEARCH_VECTOR`:
  the title's tokens with weight A, all of them with weight B.
`is_search_index` names these objects, so that comparing the schema with the declared tables
(Alembic's autogenerate, the migration tests) leaves them out.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, DateTime, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from hotline.store.account_tables import utc_now
from hotline.store.database import Base

TITLE = 200
BODY = 20_000
CATEGORY = 64
TAG = 64
MAX_TAGS = 20
USERNAME = 64
LANGUAGE = 8

SEARCH_TABLE = "kb_search"
"""The FTS5 table over the articles' tokens (SQLite)."""

SEARCH_INDEX = "ix_kb_articles_search"
"""The GIN index over `SEARCH_VECTOR` (PostgreSQL)."""

SEARCH_VECTOR = ("(setweight(to_tsvector('simple'::regconfig, search_title), 'A') || "
                 "setweight(to_tsvector('simple'::regconfig, search_text), 'B'))")
"""The tsvector of an article on PostgreSQL, exactly as the index is built on it (a query
must spell it the same way for the planner to use the index). The tokens are already cut,
so the 'simple' configuration only splits them at the spaces."""

_FTS5_SHADOW_TABLES = ("data", "idx", "content", "docsize", "config")


class KbArticleRow(Base):
    """One article of a tenant's knowledge base."""

    __tablename__ = "kb_articles"
    __table_args__ = (
        Index("ix_kb_articles_tenant_category", "tenant_id", "category"),
        Index("ix_kb_articles_tenant_updated", "tenant_id", "updated_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    tenant_id: Mapped[int] = mapped_column(ForeignKey("tenants.id", ondelete="CASCADE"))
    title: Mapped[str] = mapped_column(String(TITLE))
    body: Mapped[str] = mapped_column(Text)
    category: Mapped[str] = mapped_column(String(CATEGORY))
    tags: Mapped[list[str]] = mapped_column(JSON)
    language: Mapped[str] = mapped_column(String(LANGUAGE))
    visible_to: Mapped[list[str]] = mapped_column(JSON)
    search_title: Mapped[str] = mapped_column(Text)
    search_text: Mapped[str] = mapped_column(Text)
    created_by: Mapped[str] = mapped_column(String(USERNAME))
    updated_by: Mapped[str] = mapped_column(String(USERNAME))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utc_now)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utc_now)


def is_search_index(name: str | None, type_: str) -> bool:
    """Whether the database object `name` of kind `type_` ("table", "index"...) is part of
    the full-text index the migration builds outside the declared tables: the FTS5 table
    and the shadow tables SQLite keeps for it, or the PostgreSQL GIN index."""
    if name is None:
        return False
    if type_ == "table":
        return name == SEARCH_TABLE or name in {f"{SEARCH_TABLE}_{shadow}"
                                                for shadow in _FTS5_SHADOW_TABLES}
    return type_ == "index" and name == SEARCH_INDEX
