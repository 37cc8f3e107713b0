"""Accounts: users and their passwords, bearer tokens, and the audit log of changes.

Passwords are hashed with argon2 (`HASHER`); a hash made with older parameters is replaced
the next time its password is verified. A token is 32 random bytes, URL-safe; the database
keeps only its SHA-256, so the token is shown once, at login. `principal_for_token` turns a
presented token into the `Principal` every API check works with, or None when the token is
unknown, revoked, expired, or its user is disabled.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import json
import re
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from pydantic import BaseModel
from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from hotline.store.account_tables import (
    ApiToken,
    AuditEntry,
    Language,
    Role,
    User,
    utc_now,
)
from hotline.store.config_tables import AgentRow, TenantRow

HASHER = PasswordHasher()
"""The argon2 hasher (argon2-cffi's recommended parameters). Tests swap in a cheap one."""

TOKEN_LIFETIME = timedelta(hours=12)
"""How long a login lasts: one long shift."""

USERNAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.@-]{0,63}")
MIN_PASSWORD = 8
MAX_PASSWORD = 256


class AccountError(ValueError):
    """A request about accounts that cannot be carried out; the message says what and why."""


class AccountConflict(AccountError):
    """The request clashes with what exists: a taken username, the tenant's last admin."""


@dataclass(frozen=True, slots=True)
class Principal:
    """Who is making a request: the user, their tenant, role and (for agents) agent id."""

    user_id: int
    tenant_id: int
    tenant: str
    username: str
    role: Role
    agent_id: str | None


def as_utc(moment: datetime) -> datetime:
    """`moment` as an aware UTC time (SQLite hands stored times back without a zone)."""
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def check_username(username: str) -> str:
    if not USERNAME.fullmatch(username):
        raise AccountError(
            f"username {username!r} is not allowed: use 1 to 64 letters, digits or . _ @ -, "
            "starting with a letter or digit"
        )
    return username


def check_password(password: str) -> str:
    if not MIN_PASSWORD <= len(password) <= MAX_PASSWORD:
        raise AccountError(
            f"password must have {MIN_PASSWORD} to {MAX_PASSWORD} characters, "
            f"not {len(password)}"
        )
    return password


def check_agent(session: Session, tenant_id: int, agent_id: str | None) -> str | None:
    """`agent_id` if it names an agent of the tenant (or is None)."""
    if agent_id is not None and session.scalar(
        select(AgentRow.id).where(AgentRow.tenant_id == tenant_id, AgentRow.agent_id == agent_id)
    ) is None:
        raise AccountError(f"agent_id {agent_id!r}: there is no such agent in this tenant")
    return agent_id


def hash_password(password: str) -> str:
    return HASHER.hash(check_password(password))


def tenant_named(session: Session, name: str) -> TenantRow | None:
    return session.scalars(select(TenantRow).where(TenantRow.name == name)).first()


def user_by_name(session: Session, tenant_id: int, username: str) -> User | None:
    return session.scalars(
        select(User).where(User.tenant_id == tenant_id, User.username == username)
    ).first()


def user_view(user: User) -> dict[str, Any]:
    """The user as the API and the audit log show it: never the password hash."""
    return {
        "id": user.id,
        "username": user.username,
        "display_name": user.display_name,
        "role": user.role,
        "agent_id": user.agent_id,
        "language": user.language,
        "disabled": user.disabled,
        "created_at": as_utc(user.created_at).isoformat() if user.created_at else None,
    }


def create_user(
    session: Session,
    *,
    tenant_id: int,
    username: str,
    password: str,
    role: Role | str,
    display_name: str = "",
    agent_id: str | None = None,
    language: Language | str = Language.EN,
) -> User:
    """Add a user to a tenant (flushed, not committed). A taken username is a conflict."""
    check_username(username)
    check_agent(session, tenant_id, agent_id)
    if user_by_name(session, tenant_id, username) is not None:
        raise AccountConflict(f"user {username!r} already exists in this tenant")
    user = User(
        tenant_id=tenant_id,
        username=username,
        display_name=display_name,
        password_hash=hash_password(password),
        role=Role(role).value,
        agent_id=agent_id,
        language=Language(language).value,
        disabled=False,
        created_at=utc_now(),
    )
    session.add(user)
    session.flush()
    return user


def set_password(session: Session, user: User, password: str) -> None:
    """Give the user a new password and end every login they have."""
    user.password_hash = hash_password(password)
    revoke_all(session, user.id)


def verify_password(user: User, password: str) -> bool:
    """True when `password` is the user's; rehashes it if the hash parameters have changed."""
    try:
        HASHER.verify(user.password_hash, password)
    except (VerificationError, InvalidHashError):
        return False
    if HASHER.check_needs_rehash(user.password_hash):
        user.password_hash = HASHER.hash(password)
    return True


@functools.cache
def _dummy_hash() -> str:
    return HASHER.hash(secrets.token_urlsafe(16))


def _spend_a_verification(password: str) -> None:
    """Verify against a throw-away hash, so that an unknown user takes as long as a known one
    (the response time must not reveal which usernames exist)."""
    with contextlib.suppress(VerificationError, InvalidHashError):
        HASHER.verify(_dummy_hash(), password)


def authenticate(session: Session, tenant: str, username: str, password: str) -> User | None:
    """The enabled user `username` of `tenant` if `password` is theirs, else None."""
    found = tenant_named(session, tenant)
    user = user_by_name(session, found.id, username) if found is not None else None
    if user is None or user.disabled:
        _spend_a_verification(password)
        return None
    return user if verify_password(user, password) else None


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()


def issue_token(
    session: Session,
    user: User,
    *,
    lifetime: timedelta = TOKEN_LIFETIME,
    now: datetime | None = None,
) -> str:
    """A new bearer token for `user` (flushed, not committed); only its digest is stored."""
    token = secrets.token_urlsafe(32)
    issued = now or utc_now()
    session.add(
        ApiToken(
            token_sha256=_digest(token),
            user_id=user.id,
            created_at=issued,
            expires_at=issued + lifetime,
            revoked=False,
        )
    )
    session.flush()
    return token


def principal_for_token(
    session: Session, token: str, *, now: datetime | None = None
) -> Principal | None:
    """Who holds `token`, or None if it is unknown, revoked, expired or its user disabled."""
    row = session.execute(
        select(User, TenantRow.name)
        .join(ApiToken, ApiToken.user_id == User.id)
        .join(TenantRow, TenantRow.id == User.tenant_id)
        .where(
            ApiToken.token_sha256 == _digest(token),
            ApiToken.revoked.is_(False),
            ApiToken.expires_at > (now or utc_now()),
            User.disabled.is_(False),
        )
    ).first()
    if row is None:
        return None
    user, tenant = row
    return Principal(
        user_id=user.id,
        tenant_id=user.tenant_id,
        tenant=tenant,
        username=user.username,
        role=Role(user.role),
        agent_id=user.agent_id,
    )


def revoke(session: Session, token: str) -> bool:
    """End the login that `token` belongs to; False if there was none."""
    result = session.execute(
        update(ApiToken).where(ApiToken.token_sha256 == _digest(token)).values(revoked=True)
    )
    return bool(getattr(result, "rowcount", 0))


def revoke_all(session: Session, user_id: int) -> None:
    """End every login of the user (after a password change, a role change, disabling)."""
    session.execute(update(ApiToken).where(ApiToken.user_id == user_id).values(revoked=True))


def enabled_admins(session: Session, tenant_id: int) -> int:
    return session.scalar(
        select(func.count()).select_from(User).where(
            User.tenant_id == tenant_id, User.role == Role.ADMIN.value, User.disabled.is_(False)
        )
    ) or 0


def update_user(session: Session, user: User, changes: Mapping[str, Any]) -> User:
    """Apply `changes` (field -> new value; see `UserUpdate`) to `user`. A new password, a new
    role or disabling ends the user's logins; the tenant always keeps one enabled admin."""
    role = Role(changes.get("role") or user.role)
    disabled = bool(changes.get("disabled", user.disabled))
    was_admin = user.role == Role.ADMIN.value and not user.disabled
    if was_admin and (role != Role.ADMIN or disabled):
        _keep_an_admin(session, user)
    if changes.get("password") is not None:
        set_password(session, user, changes["password"])
    if role.value != user.role or (disabled and not user.disabled):
        revoke_all(session, user.id)
    user.role = role.value
    user.disabled = disabled
    if changes.get("display_name") is not None:
        user.display_name = changes["display_name"]
    if changes.get("language") is not None:
        user.language = Language(changes["language"]).value
    if "agent_id" in changes:
        user.agent_id = check_agent(session, user.tenant_id, changes["agent_id"])
    session.flush()
    return user


def delete_user(session: Session, user: User) -> None:
    """Remove `user` (their tokens go with them); the tenant always keeps one enabled admin."""
    if user.role == Role.ADMIN.value and not user.disabled:
        _keep_an_admin(session, user)
    session.delete(user)
    session.flush()


def _keep_an_admin(session: Session, user: User) -> None:
    if enabled_admins(session, user.tenant_id) <= 1:
        raise AccountConflict(
            f"{user.username!r} is the tenant's last enabled admin: "
            "make another user admin first"
        )


def _as_json(value: BaseModel | Mapping[str, Any] | None) -> Any:
    if value is None:
        return None
    if isinstance(value, BaseModel):
        return value.model_dump(mode="json")
    return json.loads(json.dumps(dict(value), default=str))


def record_audit(
    session: Session,
    principal: Principal,
    action: str,
    entity: str,
    key: object,
    before: BaseModel | Mapping[str, Any] | None,
    after: BaseModel | Mapping[str, Any] | None,
) -> AuditEntry:
    """Note in the audit log that `principal` did `action` (create, update, delete, import,
    login...) to the `entity` record `key`, with the record before and after (None when it
    did not exist). Added to the session: it commits with the change it describes."""
    entry = AuditEntry(
        tenant_id=principal.tenant_id,
        at=utc_now(),
        username=principal.username,
        action=action,
        entity=entity,
        entity_key=str(key)[:255],
        before=_as_json(before),
        after=_as_json(after),
    )
    session.add(entry)
    return entry
