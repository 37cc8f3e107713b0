"""Fixtures shared by the whole suite: a fresh database of each kind Hotline supports.

Every store and API test that takes `database_url` (or `engine`) runs twice: on a SQLite file
and on a fresh PostgreSQL database. PostgreSQL tests need `HOTLINE_TEST_POSTGRES`, an admin URL
(the README's test command sets it, starting a local server if needed); when it is set and the
server cannot be reached, those tests fail — they are never skipped.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, create_engine, text

from hotline.store.database import make_engine, upgrade


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """The URL of an empty database of each supported kind."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'hotline.db'}"
        return
    admin_url = os.environ.get("HOTLINE_TEST_POSTGRES")
    if not admin_url:
        pytest.skip("set HOTLINE_TEST_POSTGRES to an admin URL to run PostgreSQL tests "
                    "(./dev test does)")
    name = f"hotline_test_{uuid.uuid4().hex[:12]}"
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
        yield admin_url.rsplit("/", 1)[0] + "/" + name
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture
def engine(database_url: str) -> Iterator[Engine]:
    """An engine on a fresh database of each kind, with the schema at Alembic's head."""
    engine = make_engine(database_url)
    upgrade(engine)
    yield engine
    engine.dispose()
