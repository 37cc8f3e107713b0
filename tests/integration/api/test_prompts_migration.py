"""The Alembic migration builds the prompt catalogue's table exactly as `prompt_tables`
declares it, on both databases."""

from __future__ import annotations

from typing import Any

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import Engine

from hotline.store.database import Base
from hotline.store.prompt_tables import PromptRow


def _prompts_only(obj: Any, _name: str | None, type_: str, _reflected: bool,
                  _other: Any) -> bool:
    table = obj if type_ == "table" else getattr(obj, "table", None)
    return table is not None and table.name == PromptRow.__tablename__


def test_the_migration_builds_the_prompts_table_as_declared(engine: Engine) -> None:
    with engine.connect() as connection:
        context = MigrationContext.configure(
            connection, opts={"include_object": _prompts_only, "compare_type": True})
        assert compare_metadata(context, Base.metadata) == []
