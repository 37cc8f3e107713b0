"""Alembic environment: runs migrations on the connection `hotline.store.database.upgrade`
hands over (or on `HOTLINE_DATABASE_URL` when run by the `alembic` command itself).

Autogenerate compares the database with the declared tables, except for the knowledge base's
full-text index (`kb_tables.is_search_index`): the migration builds it by hand, differently
on each database, and it has no declaration to compare with.
"""

from __future__ import annotations

from alembic import context

import hotline.store.models  # noqa: F401  (registers every table on Base.metadata)
from hotline.store.database import Base, make_engine
from hotline.store.kb_tables import is_search_index


def declared(name: str | None, type_: str, _parent_names: object) -> bool:
    """Whether autogenerate compares the object: all but the full-text index."""
    return not is_search_index(name, type_)


connection = context.config.attributes.get("connection")
if connection is None:
    with make_engine().begin() as own:
        context.configure(connection=own, target_metadata=Base.metadata,
                          render_as_batch=True, include_name=declared)
        with context.begin_transaction():
            context.run_migrations()
else:
    context.configure(connection=connection, target_metadata=Base.metadata,
                      render_as_batch=True, include_name=declared)
    with context.begin_transaction():
        context.run_migrations()
