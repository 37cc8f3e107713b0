"""Phones' SIP registrations in each database: saved, replaced, deleted, loaded back without
the expired ones; and the migration that builds the table as declared (and takes it away)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.migration import MigrationContext
from sqlalchemy import Engine, inspect

from hotline.store.database import MIGRATIONS, Base, upgrade
from hotline.store.sip_bindings import (
    StoredBinding,
    delete_bindings,
    load_bindings,
    save_bindings,
)

NOW = datetime(2026, 3, 1, 8, 30, 15, 250000, tzinfo=UTC)
AOR = "sip:1001@hotline.example"
OTHER = "sip:1002@hotline.example"


def stored(contact: str, *, aor: str = AOR, username: str = "1001", seconds: int = 3600,
           **options: Any) -> StoredBinding:
    return StoredBinding(
        username=username, aor=aor, contact=contact, expires_at=NOW + timedelta(seconds=seconds),
        registered_at=NOW - timedelta(seconds=5), call_id="a84b4c76e66710@pc33", cseq=314159,
        **options)


def test_bindings_are_saved_and_loaded_back_whole(engine: Engine) -> None:
    desk = stored("\"Desk\" <sip:1001@192.0.2.10:5062;transport=tcp>;+sip.instance=\"<urn:x>\"",
                  q=0.7, source_host="198.51.100.7", source_port=40123, transport="TCP")
    soft = stored("<sip:1001@192.0.2.11>")
    other = stored("<sip:1002@[2001:db8::1]:5070>", aor=OTHER, username="1002", seconds=60,
                   source_host="2001:db8::1", source_port=5070, transport="UDP")
    save_bindings(engine, {AOR: [desk, soft], OTHER: [other]})
    assert load_bindings(engine, NOW) == [desk, soft, other]
    loaded = load_bindings(engine, NOW)[0]
    assert loaded.expires_at.tzinfo is not None and loaded.expires_at == NOW + timedelta(hours=1)


def test_saving_an_aor_replaces_its_rows_and_an_empty_set_deletes_them(engine: Engine) -> None:
    save_bindings(engine, {AOR: [stored("<sip:1001@192.0.2.10>")],
                           OTHER: [stored("<sip:1002@192.0.2.12>", aor=OTHER, username="1002")]})
    refreshed = stored("<sip:1001@192.0.2.10>", seconds=7200, transport="UDP")
    save_bindings(engine, {AOR: [refreshed]})
    assert [b for b in load_bindings(engine, NOW) if b.aor == AOR] == [refreshed]
    save_bindings(engine, {AOR: []})
    assert [b.aor for b in load_bindings(engine, NOW)] == [OTHER]
    delete_bindings(engine, OTHER)
    assert load_bindings(engine, NOW) == []
    with pytest.raises(ValueError, match="filed under"):
        save_bindings(engine, {AOR: [stored("<sip:1002@192.0.2.12>", aor=OTHER)]})


def test_expired_rows_are_left_out_and_deleted(engine: Engine) -> None:
    save_bindings(engine, {AOR: [stored("<sip:1001@192.0.2.10>", seconds=60),
                                 stored("<sip:1001@192.0.2.11>", seconds=600)],
                           OTHER: [stored("<sip:1002@192.0.2.12>", aor=OTHER, seconds=30)]})
    later = NOW + timedelta(seconds=60)  # expiring at that very moment is expired
    assert [b.contact for b in load_bindings(engine, later)] == ["<sip:1001@192.0.2.11>"]
    assert [b.contact for b in load_bindings(engine, NOW)] == ["<sip:1001@192.0.2.11>"]
    # Saving with a moment also drops whatever expired by then, of any AOR.
    save_bindings(engine, {OTHER: [stored("<sip:1002@192.0.2.12>", aor=OTHER, seconds=10)]},
                  now=NOW + timedelta(seconds=700))
    assert load_bindings(engine, NOW) == []


def _sip_bindings_only(obj: Any, _name: str | None, type_: str, _reflected: bool,
                       _other: Any) -> bool:
    table = obj if type_ == "table" else getattr(obj, "table", None)
    return table is not None and table.name == "sip_bindings"


def test_the_migration_builds_the_table_as_declared(engine: Engine) -> None:
    with engine.connect() as connection:
        context = MigrationContext.configure(
            connection, opts={"include_object": _sip_bindings_only, "compare_type": True})
        assert compare_metadata(context, Base.metadata) == []


def test_the_migration_goes_down_and_up_again(engine: Engine) -> None:
    save_bindings(engine, {AOR: [stored("<sip:1001@192.0.2.10>")]})
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.downgrade(config, "0014_recordings")
    assert "sip_bindings" not in inspect(engine).get_table_names()
    assert "recordings" in inspect(engine).get_table_names()
    upgrade(engine)
    assert load_bindings(engine, NOW) == []
