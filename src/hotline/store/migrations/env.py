"""Alembic environment: runs migrations on the connection `hotline.store.database.upgrade`
hands over (or on `HOTLINE_DATABASE_URL` when run by the `alembic` command itself)."""

from __future__ import annotations

from alembic import context

import hotline.store.models  # noqa: F401  (registers every table on Base.metadata)
from hotline.store.database import Base, make_engine

connection = context.config.attributes.get("connection")
if connection is None:
    with make_engine().begin() as own:
        context.configure(connection=own, target_metadata=Base.metadata,
                          render_as_batch=True)
        with context.begin_transaction():
            context.run_migrations()
else:
    context.configure(connection=connection, target_metadata=Base.metadata,
                      render_as_batch=True)
    with context.begin_transaction():
        context.run_migrations()
