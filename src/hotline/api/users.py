"""`/api/users`: the people who log in to the caller's tenant, and their roles.

Supervisors and admins read; admins write. Passwords are accepted, never shown; changing a
user's password, role or disabling them ends their logins. The tenant always keeps one enabled
admin.
"""

from __future__ import annotations

from fastapi import APIRouter, Response, status
from sqlalchemy import select
from sqlalchemy.orm import Session

from hotline.api.auth import Admin, Staff
from hotline.api.resources import RecordId, not_found
from hotline.api.session import DbSession
from hotline.store import accounts
from hotline.store.account_schemas import UserCreate, UserRead, UserUpdate
from hotline.store.account_tables import User
from hotline.store.accounts import Principal

router = APIRouter(prefix="/api/users", tags=["users"])


def _user(session: Session, principal: Principal, user_id: int) -> User:
    user = session.get(User, user_id)
    if user is None or user.tenant_id != principal.tenant_id:
        raise not_found("user", user_id)
    return user


@router.get("")
def list_users(principal: Staff, session: DbSession) -> list[UserRead]:
    """Every user of the tenant, by username."""
    found = session.scalars(
        select(User).where(User.tenant_id == principal.tenant_id).order_by(User.username)
    )
    return [UserRead.model_validate(user) for user in found]


@router.get("/{user_id}")
def get_user(user_id: RecordId, principal: Staff, session: DbSession) -> UserRead:
    """One user."""
    return UserRead.model_validate(_user(session, principal, user_id))


@router.post("", status_code=status.HTTP_201_CREATED)
def create_user(body: UserCreate, principal: Admin, session: DbSession) -> UserRead:
    """Add a user; a username already taken in the tenant is a 409."""
    user = accounts.create_user(session, tenant_id=principal.tenant_id, **body.model_dump())
    after = UserRead.model_validate(user)
    accounts.record_audit(session, principal, "create", "user", user.username, None, after)
    session.commit()
    return after


@router.patch("/{user_id}")
def update_user(
    user_id: RecordId, body: UserUpdate, principal: Admin, session: DbSession
) -> UserRead:
    """Change a user: only the fields given change (`agent_id: null` unlinks the agent)."""
    user = _user(session, principal, user_id)
    before = UserRead.model_validate(user)
    accounts.update_user(session, user, body.model_dump(exclude_unset=True))
    after = UserRead.model_validate(user)
    accounts.record_audit(session, principal, "update", "user", user.username, before, after)
    session.commit()
    return after


@router.delete("/{user_id}", status_code=status.HTTP_204_NO_CONTENT)
def delete_user(user_id: RecordId, principal: Admin, session: DbSession) -> Response:
    """Remove a user; their logins end."""
    user = _user(session, principal, user_id)
    before = UserRead.model_validate(user)
    accounts.delete_user(session, user)
    accounts.record_audit(session, principal, "delete", "user", before.username, before, None)
    session.commit()
    return Response(status_code=status.HTTP_204_NO_CONTENT)
