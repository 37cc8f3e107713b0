"""ACCESS DB on SQLAlchemy: values are bound, never pasted into the SQL, and nothing is kept."""

from __future__ import annotations

import pytest
from sqlalchemy import Engine, create_engine, text

from hotline.ivr.actions import Query
from hotline.ivr.database import MAX_ROWS, run_query
from hotline.ivr.events import QueryFailed, QueryResult

LOOKUP = "SELECT name, balance FROM accounts WHERE account = :account"


@pytest.fixture
def engine() -> Engine:
    engine = create_engine("sqlite://")
    with engine.begin() as connection:
        connection.execute(text("CREATE TABLE accounts (account TEXT, name TEXT, balance NUMERIC)"))
        connection.execute(
            text("INSERT INTO accounts VALUES ('1001', 'Wang', 88), ('1002', 'Li', 5)")
        )
    return engine


def count(engine: Engine) -> int:
    with engine.connect() as connection:
        return int(connection.execute(text("SELECT count(*) FROM accounts")).scalar_one())


def test_a_query_returns_rows_as_mappings(engine: Engine) -> None:
    result = run_query(engine, Query("customers", LOOKUP, {"account": "1001"}))
    assert result == QueryResult(({"name": "Wang", "balance": 88},))


def test_hostile_input_is_only_a_value(engine: Engine) -> None:
    for hostile in ("1' OR '1'='1", "1001'; DROP TABLE accounts; --", "' OR 1=1 --"):
        assert run_query(engine, Query("customers", LOOKUP, {"account": hostile})) == QueryResult(
            ()
        )
    assert count(engine) == 2


def test_a_statement_that_writes_is_rolled_back(engine: Engine) -> None:
    result = run_query(
        engine, Query("customers", "DELETE FROM accounts WHERE account = :a", {"a": "1001"})
    )
    assert isinstance(result, QueryFailed)  # it returns no rows to read
    assert count(engine) == 2


def test_bad_sql_is_a_failed_query_not_an_exception(engine: Engine) -> None:
    result = run_query(engine, Query("customers", "SELECT nope FROM nowhere", {}))
    assert isinstance(result, QueryFailed)
    assert "nowhere" in result.reason


def test_a_missing_bind_value_fails_the_query(engine: Engine) -> None:
    assert isinstance(run_query(engine, Query("customers", LOOKUP, {})), QueryFailed)


def test_at_most_max_rows_are_kept(engine: Engine) -> None:
    sql = (
        "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 500) "
        "SELECT i FROM n"
    )
    result = run_query(engine, Query("customers", sql, {}))
    assert isinstance(result, QueryResult)
    assert len(result.rows) == MAX_ROWS
