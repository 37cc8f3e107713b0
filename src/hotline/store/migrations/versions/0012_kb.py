"""The knowledge base: articles, and a full-text index over their tokens (an FTS5 table kept
in step by triggers on SQLite, a GIN expression index on PostgreSQL).

Revision ID: 0012_kb
Revises: 0011_ticket_types
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0012_kb"
down_revision = "0011_ticket_types"
branch_labels = None
depends_on = None

# The index is written out here rather than imported from `kb_tables`, so that this revision
# keeps building what it built when the application changes.
_SQLITE_INDEX = [
    "CREATE VIRTUAL TABLE kb_search USING fts5("
    "search_title, search_text, content='kb_articles', content_rowid='id', "
    "tokenize='ascii')",
    "CREATE TRIGGER kb_articles_search_insert AFTER INSERT ON kb_articles BEGIN "
    "INSERT INTO kb_search (rowid, search_title, search_text) "
    "VALUES (new.id, new.search_title, new.search_text); END",
    "CREATE TRIGGER kb_articles_search_delete AFTER DELETE ON kb_articles BEGIN "
    "INSERT INTO kb_search (kb_search, rowid, search_title, search_text) "
    "VALUES ('delete', old.id, old.search_title, old.search_text); END",
    "CREATE TRIGGER kb_articles_search_update "
    "AFTER UPDATE OF search_title, search_text ON kb_articles BEGIN "
    "INSERT INTO kb_search (kb_search, rowid, search_title, search_text) "
    "VALUES ('delete', old.id, old.search_title, old.search_text); "
    "INSERT INTO kb_search (rowid, search_title, search_text) "
    "VALUES (new.id, new.search_title, new.search_text); END",
]
_POSTGRES_INDEX = (
    "CREATE INDEX ix_kb_articles_search ON kb_articles USING gin ("
    "(setweight(to_tsvector('simple'::regconfig, search_title), 'A') || "
    "setweight(to_tsvector('simple'::regconfig, search_text), 'B')))"
)


def upgrade() -> None:
    op.create_table(
        "kb_articles",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column(
            "tenant_id", sa.Integer(), sa.ForeignKey("tenants.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("title", sa.String(200), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("category", sa.String(64), nullable=False),
        sa.Column("tags", sa.JSON(), nullable=False),
        sa.Column("language", sa.String(8), nullable=False),
        sa.Column("visible_to", sa.JSON(), nullable=False),
        sa.Column("search_title", sa.Text(), nullable=False),
        sa.Column("search_text", sa.Text(), nullable=False),
        sa.Column("created_by", sa.String(64), nullable=False),
        sa.Column("updated_by", sa.String(64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_kb_articles_tenant_category", "kb_articles", ["tenant_id", "category"])
    op.create_index("ix_kb_articles_tenant_updated", "kb_articles", ["tenant_id", "updated_at"])
    if op.get_bind().dialect.name == "sqlite":
        for statement in _SQLITE_INDEX:
            op.execute(statement)
    else:
        op.execute(_POSTGRES_INDEX)


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        for trigger in ("insert", "delete", "update"):
            op.execute(f"DROP TRIGGER kb_articles_search_{trigger}")
        op.execute("DROP TABLE kb_search")
    else:
        op.drop_index("ix_kb_articles_search", table_name="kb_articles")
    op.drop_index("ix_kb_articles_tenant_updated", table_name="kb_articles")
    op.drop_index("ix_kb_articles_tenant_category", table_name="kb_articles")
    op.drop_table("kb_articles")
