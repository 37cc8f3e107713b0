"""Tables for who may use Hotline: users, their bearer tokens, and the audit log.

A user belongs to one tenant and has one role (agent, supervisor or admin); an agent user
names the agent they log in as. Passwords are kept only as argon2 hashes and tokens only as
SHA-256 digests, so a copy of the database lets no one log in. The audit log records every
administrative change with the record before and after it; it keeps the username as text so
that entries outlive the user.
"""

from __future__ import annotations

from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from hotline.store.config_tables import AGENT_ID
from hotline.store.database import Base


class Role(StrEnum):
    """What a user may do: an agent works, a supervisor watches, an admin configures."""

    AGENT = "agent"
    SUPERVISOR = "supervisor"
    ADMIN = "admin"


class Language(StrEnum):
    """The languages the user interface speaks."""

    ZH = "zh"
    EN = "en"


def utc_now() -> datetime:
    """The current time in UTC (the store keeps every time in UTC)."""
    return datetime.now(UTC)


class User(Base):
    """A person who logs in to one tenant's contact center."""

    __tablename__ = "users"
    __table_args__ = (
        UniqueConstraint("tenant_id", "username", name="uq_users_tenant_username"),
        CheckConstraint("role IN ('agent', 'supervisor', 'admin')", name="ck_users_role"),
        CheckConstraint("language IN ('zh', 'en')", name="ck_users_language"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    tenant_id: Mapped[int] = mapped_column(
        ForeignKey("tenants.id", ondelete="CASCADE"), index=True
    )
    username: Mapped[str] = mapped_column(String(64))
    display_name: Mapped[str] = mapped_column(String(128), default="")
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[str] = mapped_column(String(16))
    agent_id: Mapped[str | None] = mapped_column(String(AGENT_ID), default=None)
    language: Mapped[str] = mapped_column(String(8), default=Language.EN.value)
    disabled: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utc_now)


class ApiToken(Base):
    """A bearer token issued at login. Only the SHA-256 of the token is stored."""

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    token_sha256: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utc_now)
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    revoked: Mapped[bool] = mapped_column(Boolean, default=False)


class AuditEntry(Base):
    """One administrative change: who did what to which record, and the record before/after."""

    __tablename__ = "audit_log"
    __table_args__ = (Index("ix_audit_log_tenant_at", "tenant_id", "at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    tenant_id: Mapped[int] = mapped_column(ForeignKey("tenants.id", ondelete="CASCADE"))
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utc_now)
    username: Mapped[str] = mapped_column(String(64))
    action: Mapped[str] = mapped_column(String(32))
    entity: Mapped[str] = mapped_column(String(64))
    entity_key: Mapped[str] = mapped_column(String(255), default="")
    before: Mapped[Any] = mapped_column(JSON, nullable=True, default=None)
    after: Mapped[Any] = mapped_column(JSON, nullable=True, default=None)
