"""The archive of call recordings (T6): where the SIP gateway writes them, the rows that find
them again, and the clean-up that enforces retention.

The files live under one root directory, `<root>/<tenant>/<yyyy-mm-dd>/<interaction>-<random>.wav`
(the date is the UTC day the recording started to be written); the database keeps one row per
file (`recording_tables.RecordingRow`) with its path relative to the root.

The gateway asks `path_for` where to write a call, records it there, and reports the finished
file with `finished` (synchronous: it calls it from a worker thread). The API lists and finds
recordings with `search` and `get`, and serves the file `file_of` returns. `purge` deletes the
recordings (rows and files) of calls that started before a moment, as `hotline recordings
purge` does. Tenant names and interaction ids become path components, so both must be plain
names: letters, digits, `.`, `_` and `-`, not starting with a dot; anything else (a path
separator above all) is refused with a `ValueError`.
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from sqlalchemy import Engine, delete, func, select
from sqlalchemy.orm import Session

from hotline.store.account_tables import utc_now
from hotline.store.accounts import as_utc
from hotline.store.config_tables import AGENT_ID, TenantRow
from hotline.store.recording_tables import INTERACTION_ID, RecordingRow

MAX_PAGE = 1000
"""The most recordings one `search` returns."""

_PURGE_BATCH = 500
_NAME = re.compile(r"[A-Za-z0-9_-][A-Za-z0-9._-]*")


@dataclass(frozen=True)
class Recording:
    """One recorded call: its tenant, call and agent, the file (relative to the root), when it
    started, how long it lasts and how big the file is."""

    id: int
    tenant: str
    interaction_id: str
    agent_id: str | None
    path: str
    started_at: datetime
    seconds: float
    bytes: int
    created_at: datetime


def check_name(value: str, what: str, longest: int = INTERACTION_ID) -> str:
    """`value` if it is safe as a path component; a `ValueError` naming `what` otherwise."""
    if not (0 < len(value) <= longest and _NAME.fullmatch(value)):
        raise ValueError(
            f"{what} {value!r} is not allowed in a recording's path: use 1 to {longest} "
            "letters, digits or . _ - (no path separators), not starting with a dot"
        )
    return value


class RecordingArchive:
    """The recordings of every tenant: files under `root`, rows in `engine`'s database."""

    def __init__(self, engine: Engine, root: Path) -> None:
        self.engine = engine
        self.root = root

    # -- for the gateway ----------------------------------------------------------------

    def path_for(self, tenant: str, interaction_id: str) -> Path:
        """A new file path to record `interaction_id` of `tenant` to (its directory created):
        `<root>/<tenant>/<yyyy-mm-dd>/<interaction_id>-<random>.wav`, never an existing one."""
        check_name(tenant, "tenant")
        check_name(interaction_id, "interaction id")
        directory = self.root / tenant / utc_now().strftime("%Y-%m-%d")
        directory.mkdir(parents=True, exist_ok=True)
        while True:
            path = directory / f"{interaction_id}-{secrets.token_hex(4)}.wav"
            if not path.exists():
                return path

    def finished(self, tenant: str, interaction_id: str, agent_id: str | None, path: Path,
                 seconds: float, started_at: datetime) -> int:
        """Note that the call `interaction_id` of `tenant` (taken by `agent_id`, if any),
        started at `started_at`, was recorded to `path` (under the root, as `path_for` gave
        it), `seconds` long; returns the recording's id. The file must exist (its size is
        stored). A `ValueError` for an unknown tenant, a bad id or a path outside the root."""
        check_name(interaction_id, "interaction id")
        if agent_id is not None and not 0 < len(agent_id) <= AGENT_ID:
            raise ValueError(f"agent id {agent_id!r} must be 1 to {AGENT_ID} characters")
        if not seconds >= 0:
            raise ValueError(f"a recording cannot last {seconds} seconds")
        relative = self._relative(path)
        size = (self.root / relative).stat().st_size
        with Session(self.engine) as session:
            tenant_id = session.scalar(select(TenantRow.id).where(TenantRow.name == tenant))
            if tenant_id is None:
                raise ValueError(f"no tenant {tenant!r}")
            row = RecordingRow(
                tenant_id=tenant_id, interaction_id=interaction_id, agent_id=agent_id,
                path=relative.as_posix(), started_at=as_utc(started_at), seconds=float(seconds),
                bytes=size, created_at=utc_now(),
            )
            session.add(row)
            session.commit()
            return row.id

    # -- retention ------------------------------------------------------------------------

    def purge(self, older_than: datetime) -> int:
        """Delete the recordings of every tenant that started before `older_than`: their
        files (one already gone is fine) and then their rows. Returns how many rows went."""
        cutoff = as_utc(older_than)
        removed = 0
        while True:
            with Session(self.engine) as session:
                rows = session.execute(
                    select(RecordingRow.id, RecordingRow.path)
                    .where(RecordingRow.started_at < cutoff)
                    .order_by(RecordingRow.id).limit(_PURGE_BATCH)
                ).all()
                if not rows:
                    return removed
                for _id, relative in rows:
                    self._remove(relative)
                session.execute(delete(RecordingRow).where(
                    RecordingRow.id.in_([row_id for row_id, _path in rows])))
                session.commit()
                removed += len(rows)

    def _remove(self, relative: str) -> None:
        path = self._inside(relative)
        if path is None:
            return
        path.unlink(missing_ok=True)
        # Drop the day's and then the tenant's directory once they are empty (never the root).
        root = self.root.resolve()
        for directory in (path.parent, path.parent.parent):
            if directory == root or not directory.is_relative_to(root):
                break
            try:
                directory.rmdir()
            except OSError:
                break

    # -- for the API ----------------------------------------------------------------------

    def search(
        self,
        tenant: str,
        *,
        interaction_id: str | None = None,
        agent_id: str | None = None,
        since: datetime | None = None,
        until: datetime | None = None,
        limit: int = 50,
        offset: int = 0,
    ) -> tuple[list[Recording], int]:
        """A page of `tenant`'s recordings, newest first, and how many match in all: those of
        `interaction_id`, of `agent_id`, started at or after `since` and before `until`."""
        if not 1 <= limit <= MAX_PAGE:
            raise ValueError(f"limit must be from 1 to {MAX_PAGE}, got {limit}")
        if offset < 0:
            raise ValueError(f"offset must not be negative, got {offset}")
        conditions = [TenantRow.name == tenant]
        if interaction_id is not None:
            conditions.append(RecordingRow.interaction_id == interaction_id)
        if agent_id is not None:
            conditions.append(RecordingRow.agent_id == agent_id)
        if since is not None:
            conditions.append(RecordingRow.started_at >= as_utc(since))
        if until is not None:
            conditions.append(RecordingRow.started_at < as_utc(until))
        query = (select(RecordingRow, TenantRow.name)
                 .join(TenantRow, TenantRow.id == RecordingRow.tenant_id).where(*conditions))
        with Session(self.engine) as session:
            total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
            rows = session.execute(
                query.order_by(RecordingRow.started_at.desc(), RecordingRow.id.desc())
                .limit(limit).offset(offset)
            ).all()
            return [_recording(row, name) for row, name in rows], total

    def get(self, tenant: str, recording_id: int) -> Recording | None:
        """`tenant`'s recording `recording_id`, or None (also when another tenant's)."""
        with Session(self.engine) as session:
            found = session.execute(
                select(RecordingRow, TenantRow.name)
                .join(TenantRow, TenantRow.id == RecordingRow.tenant_id)
                .where(RecordingRow.id == recording_id, TenantRow.name == tenant)
            ).first()
            return None if found is None else _recording(found[0], found[1])

    def file_of(self, recording: Recording) -> Path | None:
        """The recording's audio file, or None when it is gone (or not under the root)."""
        path = self._inside(recording.path)
        return path if path is not None and path.is_file() else None

    # -- paths ----------------------------------------------------------------------------

    def _relative(self, path: Path) -> Path:
        """`path` relative to the root; a `ValueError` when it is not under it."""
        root = self.root.resolve()
        absolute = (path if path.is_absolute() else Path.cwd() / path).resolve()
        if not absolute.is_relative_to(root) or absolute == root:
            raise ValueError(f"{path} is not under the recordings root {self.root}")
        return absolute.relative_to(root)

    def _inside(self, relative: str) -> Path | None:
        """The file a row's `relative` path names, if that is under the root."""
        root = self.root.resolve()
        path = (root / relative).resolve()
        return path if path.is_relative_to(root) and path != root else None


def _recording(row: RecordingRow, tenant: str) -> Recording:
    return Recording(
        id=row.id, tenant=tenant, interaction_id=row.interaction_id, agent_id=row.agent_id,
        path=row.path, started_at=as_utc(row.started_at), seconds=row.seconds, bytes=row.bytes,
        created_at=as_utc(row.created_at),
    )
