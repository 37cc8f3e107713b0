"""Call recordings (T6): one row per recorded call, the audio itself a WAV file on disk.

The SIP gateway records a bridged call to a stereo WAV file (the caller on the left channel,
the agent on the right) under the recordings root, then reports it (`RecordingArchive.finished`).
`path` is the file's path relative to that root, always with forward slashes. `agent_id` is the
agent who took the call, if any; like `users.agent_id` it is not a foreign key, because
importing a tenant's configuration replaces its agents whole (and a recording outlives its
agent). `interaction_id` is the journal's id of the call (not a foreign key either: recordings
are kept and purged on their own schedule).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, DateTime, Float, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from hotline.store.account_tables import utc_now
from hotline.store.config_tables import AGENT_ID
from hotline.store.database import Base

INTERACTION_ID = 64
PATH = 512


class RecordingRow(Base):
    """One recorded call of a tenant: whose call, where the file is, how long and how big."""

    __tablename__ = "recordings"
    __table_args__ = (
        Index("ix_recordings_interaction_id", "interaction_id"),
        Index("ix_recordings_tenant_started", "tenant_id", "started_at"),
        Index("ix_recordings_started_at", "started_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    tenant_id: Mapped[int] = mapped_column(ForeignKey("tenants.id", ondelete="CASCADE"))
    interaction_id: Mapped[str] = mapped_column(String(INTERACTION_ID))
    agent_id: Mapped[str | None] = mapped_column(String(AGENT_ID))
    path: Mapped[str] = mapped_column(String(PATH))
    started_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    seconds: Mapped[float] = mapped_column(Float)
    bytes: Mapped[int] = mapped_column(BigInteger)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utc_now)
