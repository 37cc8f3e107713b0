"""The prompt catalogue's table: each tenant's recorded and spoken prompts, per language.

A prompt is known by its name and language within a tenant (`welcome` in `zh` and in `en`).
An uploaded prompt keeps its audio here, already converted to telephony format (8 kHz mono
16-bit PCM WAV), so every node serving the tenant plays the same sound with nothing on
disk to copy. A text-to-speech prompt keeps only its text; its audio is rendered and cached
by the node that plays it. `duration` is the length in seconds, for listings and for the
simulator's timing.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    CheckConstraint,
    DateTime,
    Float,
    ForeignKey,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from hotline.store.account_tables import utc_now
from hotline.store.database import Base

PROMPT_NAME = 64
LANGUAGE_CODE = 16


class PromptRow(Base):
    """One prompt of a tenant's catalogue in one language: an upload or a text to speak."""

    __tablename__ = "prompts"
    __table_args__ = (
        UniqueConstraint("tenant_id", "name", "language", name="uq_prompts_tenant_name_language"),
        CheckConstraint("kind IN ('upload', 'tts')", name="ck_prompts_kind"),
        CheckConstraint(
            "(kind = 'upload' AND audio IS NOT NULL AND text IS NULL) OR "
            "(kind = 'tts' AND text IS NOT NULL AND audio IS NULL)",
            name="ck_prompts_kind_content",
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    tenant_id: Mapped[int] = mapped_column(ForeignKey("tenants.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(PROMPT_NAME))
    language: Mapped[str] = mapped_column(String(LANGUAGE_CODE))
    kind: Mapped[str] = mapped_column(String(8))
    text: Mapped[str | None] = mapped_column(Text, default=None)
    audio: Mapped[bytes | None] = mapped_column(LargeBinary, default=None, deferred=True)
    duration: Mapped[float] = mapped_column(Float)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utc_now)
