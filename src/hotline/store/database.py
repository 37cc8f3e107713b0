"""Where the data lives: the database URL, engines and sessions, schema upgrades.

`HOTLINE_DATABASE_URL` picks the database; without it Hotline keeps everything in one SQLite
file, `var/hotline.db` under the working directory. SQLite gets write-ahead logging (readers
never block the journal writer), foreign keys, a busy timeout and `synchronous=NORMAL`, which in
WAL mode is durable across process crashes (only a power cut can take the last transactions).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.orm import DeclarativeBase, sessionmaker

DEFAULT_URL = "sqlite:///var/hotline.db"
MIGRATIONS = Path(__file__).parent / "migrations"


class Base(DeclarativeBase):
    """The declarative base every table of Hotline's derives from."""


def database_url() -> str:
    """The configured database URL (`HOTLINE_DATABASE_URL`), or the embedded SQLite file."""
    return os.environ.get("HOTLINE_DATABASE_URL") or DEFAULT_URL


def make_engine(url: str | None = None, **options: Any) -> Engine:
    """An engine for `url` (default: `database_url()`), set up for Hotline's use."""
    url = url or database_url()
    if url.startswith("sqlite"):
        path = url.split("///", 1)[1] if "///" in url else ""
        if path and path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"check_same_thread": False}, **options)
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    return create_engine(url, pool_pre_ping=True, **options)


def _sqlite_pragmas(connection: Any, _record: Any) -> None:
    cursor = connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.close()


def session_factory(engine: Engine) -> sessionmaker[Any]:
    return sessionmaker(engine, expire_on_commit=False)


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Bring the schema up to `revision` with Alembic (creating it on an empty database)."""
    from alembic import command
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, revision)
