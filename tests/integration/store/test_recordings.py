"""The recordings archive on each database: where the gateway writes, what it reports, what the
API finds, what retention removes; and the migration that builds the table as declared."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import Engine

from hotline.store import config_repo
from hotline.store.database import Base, session_factory
from hotline.store.recordings import RecordingArchive

NOW = datetime.now(UTC)


@pytest.fixture
def archive(engine: Engine, tmp_path: Path) -> Iterator[RecordingArchive]:
    with session_factory(engine)() as session:
        for name in ("acme", "globex"):
            config_repo.create_tenant(session, {"name": name, "timezone": "Asia/Shanghai"})
        session.commit()
    yield RecordingArchive(engine, tmp_path / "recordings")


def record(archive: RecordingArchive, interaction_id: str, *, tenant: str = "acme",
           agent_id: str | None = "1001", started_at: datetime = NOW,
           audio: bytes = b"RIFF....WAVE") -> tuple[int, Path]:
    path = archive.path_for(tenant, interaction_id)
    path.write_bytes(audio)
    return archive.finished(tenant, interaction_id, agent_id, path, 12.5, started_at), path


def test_a_finished_recording_is_listed_and_found(archive: RecordingArchive) -> None:
    path = archive.path_for("acme", "sip-1a2b3c")
    assert path.parent.parent.parent == archive.root
    assert path.parent.parent.name == "acme"
    assert path.parent.name == datetime.now(UTC).strftime("%Y-%m-%d") and path.parent.is_dir()
    assert path.name.startswith("sip-1a2b3c-") and path.suffix == ".wav"
    assert archive.path_for("acme", "sip-1a2b3c") != path
    path.write_bytes(b"x" * 1234)
    naive = datetime(2026, 3, 1, 8, 30)  # a time without a zone is taken as UTC
    recording_id = archive.finished("acme", "sip-1a2b3c", "1001", path, 61.25, naive)

    found, total = archive.search("acme")
    assert total == 1 and [item.id for item in found] == [recording_id]
    recording = archive.get("acme", recording_id)
    assert recording == found[0]
    assert recording.tenant == "acme" and recording.interaction_id == "sip-1a2b3c"
    assert (recording.agent_id, recording.seconds, recording.bytes) == ("1001", 61.25, 1234)
    assert recording.started_at == naive.replace(tzinfo=UTC)
    assert recording.path == path.relative_to(archive.root).as_posix()
    assert archive.file_of(recording) == path.resolve()
    assert archive.get("globex", recording_id) is None
    assert archive.search("globex") == ([], 0)


def test_search_filters_and_pages_newest_first(archive: RecordingArchive) -> None:
    ids = {name: record(archive, name, agent_id=agent, started_at=NOW - timedelta(hours=hours))[0]
           for name, agent, hours in [("sip-a", "1001", 3), ("sip-b", "1002", 2),
                                      ("sip-c", None, 1), ("sip-d", "1001", 0)]}
    record(archive, "sip-other", tenant="globex")

    def names(**filters: Any) -> list[str]:
        return [item.interaction_id for item in archive.search("acme", **filters)[0]]

    assert names() == ["sip-d", "sip-c", "sip-b", "sip-a"]
    assert names(agent_id="1001") == ["sip-d", "sip-a"]
    assert names(interaction_id="sip-b") == ["sip-b"]
    assert names(since=NOW - timedelta(hours=2), until=NOW) == ["sip-c", "sip-b"]
    page, total = archive.search("acme", limit=2, offset=1)
    assert total == 4 and [item.id for item in page] == [ids["sip-c"], ids["sip-b"]]
    with pytest.raises(ValueError, match="limit"):
        archive.search("acme", limit=0)


def test_purge_removes_old_rows_and_files_and_keeps_new(archive: RecordingArchive) -> None:
    old_id, old_path = record(archive, "sip-old", started_at=NOW - timedelta(days=40))
    gone_id, gone_path = record(archive, "sip-gone", tenant="globex",
                                started_at=NOW - timedelta(days=31))
    new_id, new_path = record(archive, "sip-new", started_at=NOW - timedelta(days=29))
    gone_path.unlink()  # a file already gone is no obstacle

    assert archive.purge(NOW - timedelta(days=30)) == 2
    assert not old_path.exists()
    assert archive.get("acme", old_id) is None and archive.get("globex", gone_id) is None
    assert new_path.exists()
    kept = archive.get("acme", new_id)
    assert kept is not None and archive.file_of(kept) == new_path.resolve()
    assert archive.root.is_dir()
    assert archive.purge(NOW - timedelta(days=30)) == 0


def test_a_recording_whose_file_is_gone_has_no_file(archive: RecordingArchive) -> None:
    recording_id, path = record(archive, "sip-1")
    path.unlink()
    recording = archive.get("acme", recording_id)
    assert recording is not None and archive.file_of(recording) is None


@pytest.mark.parametrize("bad", ["", "../etc", "a/b", "a\\b", "..", ".hidden", "sip 1",
                                 "sip\x001", "x" * 65])
def test_path_for_refuses_names_that_are_not_plain(archive: RecordingArchive, bad: str) -> None:
    with pytest.raises(ValueError, match="not allowed"):
        archive.path_for("acme", bad)
    with pytest.raises(ValueError, match="not allowed"):
        archive.path_for(bad, "sip-1")
    assert not archive.root.exists() or not any(archive.root.rglob("*.wav"))


def test_finished_refuses_files_outside_the_root_and_unknown_tenants(
    archive: RecordingArchive, tmp_path: Path
) -> None:
    outside = tmp_path / "elsewhere.wav"
    outside.write_bytes(b"RIFF")
    with pytest.raises(ValueError, match="not under the recordings root"):
        archive.finished("acme", "sip-1", None, outside, 1.0, NOW)
    sneaky = archive.root / ".." / "elsewhere.wav"
    with pytest.raises(ValueError, match="not under the recordings root"):
        archive.finished("acme", "sip-1", None, sneaky, 1.0, NOW)
    path = archive.path_for("initech", "sip-1")
    path.write_bytes(b"RIFF")
    with pytest.raises(ValueError, match="no tenant 'initech'"):
        archive.finished("initech", "sip-1", None, path, 1.0, NOW)
    assert archive.search("acme") == ([], 0)


def _recordings_only(obj: Any, _name: str | None, type_: str, _reflected: bool,
                     _other: Any) -> bool:
    table = obj if type_ == "table" else getattr(obj, "table", None)
    return table is not None and table.name == "recordings"


def test_the_migration_builds_the_recordings_table_as_declared(engine: Engine) -> None:
    with engine.connect() as connection:
        context = MigrationContext.configure(
            connection, opts={"include_object": _recordings_only, "compare_type": True})
        assert compare_metadata(context, Base.metadata) == []
