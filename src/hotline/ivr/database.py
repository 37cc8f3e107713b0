"""ACCESS DB on a real database: the one piece of the IVR that does I/O.

The session asks for a query with a `Query` action; the shell answers it with
`run_query(engine, query)` and hands the result back as an event. Values are always bound
parameters of a SQLAlchemy `text()` statement — the flow's SQL is fixed text and the
caller's keys never become part of it, so `1' OR '1'='1` is just a value that matches
nothing. The connection is only read from: whatever the statement did is rolled back.

The database is the project's store or a customer database reached by its own SQLAlchemy URL;
`Query.database` names which, and the shell keeps the mapping from names to engines.
"""

from __future__ import annotations

from sqlalchemy import Engine, text
from sqlalchemy.exc import SQLAlchemyError

from hotline.ivr.actions import Query
from hotline.ivr.events import QueryFailed, QueryResult

MAX_ROWS = 100
"""Rows kept from one query: a flow reads the first, a caller cannot hear a hundred."""


def run_query(engine: Engine, query: Query) -> QueryResult | QueryFailed:
    """Run `query` on `engine` with its parameters bound by name; the event that answers it."""
    statement = text(query.sql)
    try:
        with engine.connect() as connection:
            try:
                result = connection.execute(statement, dict(query.params))
                rows = tuple(dict(row._mapping) for row in result.fetchmany(MAX_ROWS))
            finally:
                connection.rollback()
    except SQLAlchemyError as error:
        return QueryFailed(f"{type(error).__name__}: {error}".splitlines()[0])
    return QueryResult(rows)


__all__ = ["MAX_ROWS", "run_query"]
