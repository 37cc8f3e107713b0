"""Logging in and out, and who is asking: the `current_principal` and `require_role` checks.

`POST /api/auth/login` takes a tenant, username and password and returns a bearer token; the
same token is set as an HttpOnly, SameSite=Lax session cookie for the web pages. Every other
endpoint finds the caller from the `Authorization: Bearer` header or that cookie
(`current_principal`) and checks their role (`require_role`). Failed logins are slowed down and
then locked out per source address by the application's `LoginThrottle`.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from datetime import datetime
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, FastAPI, HTTPException, Request, Response, status
from fastapi.concurrency import run_in_threadpool
from fastapi.security import APIKeyCookie, HTTPAuthorizationCredentials, HTTPBearer
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy.orm import Session, sessionmaker

from hotline.api.login_throttle import LoginThrottle
from hotline.api.session import DbSession
from hotline.store import accounts
from hotline.store.account_schemas import Me, Password
from hotline.store.account_tables import Language, Role, User, utc_now
from hotline.store.accounts import Principal

SESSION_COOKIE = "hotline_session"

_bearer = HTTPBearer(auto_error=False, description="The token from `POST /api/auth/login`.")
_cookie = APIKeyCookie(
    name=SESSION_COOKIE, auto_error=False, description="The session cookie set at login."
)

router = APIRouter(prefix="/api/auth", tags=["auth"])


def presented_token(
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
    cookie: Annotated[str | None, Depends(_cookie)],
) -> str:
    """The token the request carries (the bearer header wins over the cookie)."""
    token = credentials.credentials if credentials is not None else cookie
    if not token:
        raise _unauthorized("log in first: send the token as 'Authorization: Bearer <token>'")
    return token


def _unauthorized(message: str) -> HTTPException:
    return HTTPException(
        status.HTTP_401_UNAUTHORIZED, message, headers={"WWW-Authenticate": "Bearer"}
    )


def current_principal(
    token: Annotated[str, Depends(presented_token)], session: DbSession
) -> Principal:
    """The caller, from their token; 401 when it is unknown, expired or revoked."""
    principal = accounts.principal_for_token(session, token)
    if principal is None:
        raise _unauthorized("the token is unknown, expired or revoked: log in again")
    return principal


def require_role(*roles: Role) -> Callable[[Principal], Principal]:
    """A dependency that lets through only callers with one of `roles` (403 otherwise)."""
    allowed = frozenset(roles)
    names = " or ".join(role.value for role in roles)

    def check(principal: Annotated[Principal, Depends(current_principal)]) -> Principal:
        if principal.role not in allowed:
            raise HTTPException(
                status.HTTP_403_FORBIDDEN,
                f"this needs the role {names}; you are {principal.role.value}",
            )
        return principal

    return check


AnyUser = Annotated[Principal, Depends(current_principal)]
Staff = Annotated[Principal, Depends(require_role(Role.SUPERVISOR, Role.ADMIN))]
Admin = Annotated[Principal, Depends(require_role(Role.ADMIN))]


def principal_from_token(app: FastAPI, token: str) -> Principal | None:
    """Who holds `token` in `app`'s database, or None (for the CTI WebSocket's handshake)."""
    with app.state.sessions() as session:
        return accounts.principal_for_token(session, token)


class LoginRequest(BaseModel):
    """Credentials: the tenant's name, the username and the password."""

    model_config = ConfigDict(extra="forbid")

    tenant: str = Field(min_length=1, max_length=64)
    username: str = Field(min_length=1, max_length=64)
    password: str = Field(min_length=1, max_length=256)


class LoginResponse(BaseModel):
    """A bearer token (also set as the session cookie) and who it belongs to."""

    token: str
    token_type: Literal["bearer"] = "bearer"
    expires_at: datetime
    user: Me


class PasswordChange(BaseModel):
    """The caller's current password and the new one."""

    model_config = ConfigDict(extra="forbid")

    current_password: str = Field(min_length=1, max_length=256)
    new_password: Password


def _me(user: User, tenant: str) -> Me:
    return Me.model_validate({**accounts.user_view(user), "tenant": tenant})


def _principal(user: User, tenant: str) -> Principal:
    return Principal(
        user_id=user.id,
        tenant_id=user.tenant_id,
        tenant=tenant,
        username=user.username,
        role=Role(user.role),
        agent_id=user.agent_id,
    )


def _log_in(sessions: sessionmaker[Session], body: LoginRequest) -> LoginResponse | None:
    with sessions() as session:
        user = accounts.authenticate(session, body.tenant, body.username, body.password)
        if user is None:
            return None
        issued = utc_now()
        token = accounts.issue_token(session, user, now=issued)
        accounts.record_audit(
            session, _principal(user, body.tenant), "login", "session", user.username,
            None, None,
        )
        session.commit()
        return LoginResponse(
            token=token, expires_at=issued + accounts.TOKEN_LIFETIME, user=_me(user, body.tenant)
        )


def _source(request: Request) -> str:
    return request.client.host if request.client else "unknown"


def _throttle(request: Request) -> LoginThrottle:
    throttle: LoginThrottle = request.app.state.login_throttle
    return throttle


async def _hold_back(request: Request) -> None:
    """Refuse a locked-out source (429), else make it wait its turn."""
    throttle, source = _throttle(request), _source(request)
    left = throttle.retry_after(source)
    if left is not None:
        raise _locked_out(left)
    await throttle.wait(source)


def _locked_out(seconds: float) -> HTTPException:
    wait = max(1, math.ceil(seconds))
    return HTTPException(
        status.HTTP_429_TOO_MANY_REQUESTS,
        f"too many failed logins from this address: try again in {wait} s",
        headers={"Retry-After": str(wait)},
    )


def _count_failure(request: Request, error: HTTPException) -> HTTPException:
    """Count a failed password check; `error` to answer with, or 429 if now locked out."""
    throttle, source = _throttle(request), _source(request)
    throttle.failed(source)
    left = throttle.retry_after(source)
    return _locked_out(left) if left is not None else error


@router.post(
    "/login",
    responses={401: {"description": "Wrong credentials"}, 429: {"description": "Locked out"}},
)
async def login(body: LoginRequest, request: Request, response: Response) -> LoginResponse:
    """Log in; returns a bearer token and sets the same token as the session cookie."""
    await _hold_back(request)
    result = await run_in_threadpool(_log_in, request.app.state.sessions, body)
    if result is None:
        raise _count_failure(request, _unauthorized("unknown tenant, username or password"))
    _throttle(request).succeeded(_source(request))
    response.set_cookie(
        SESSION_COOKIE,
        result.token,
        max_age=int(accounts.TOKEN_LIFETIME.total_seconds()),
        path="/",
        secure=request.url.scheme == "https",
        httponly=True,
        samesite="lax",
    )
    return result


@router.post("/logout", status_code=status.HTTP_204_NO_CONTENT)
def logout(
    principal: AnyUser, token: Annotated[str, Depends(presented_token)], session: DbSession
) -> Response:
    """End this login: the token stops working and the session cookie is cleared."""
    accounts.revoke(session, token)
    accounts.record_audit(session, principal, "logout", "session", principal.username, None, None)
    session.commit()
    response = Response(status_code=status.HTTP_204_NO_CONTENT)
    response.delete_cookie(SESSION_COOKIE, path="/", httponly=True, samesite="lax")
    return response


@router.get("/me")
def me(principal: AnyUser, session: DbSession) -> Me:
    """The logged-in user."""
    user = session.get(User, principal.user_id)
    if user is None:  # deleted between the token check and now
        raise _unauthorized("the user no longer exists")
    return _me(user, principal.tenant)


class MyPreferences(BaseModel):
    """What a user may change of their own account without an administrator."""

    model_config = ConfigDict(extra="forbid")

    language: Language = Field(description="The pages' language for this user.")


@router.patch("/me")
def update_me(body: MyPreferences, principal: AnyUser, session: DbSession) -> Me:
    """Change your own preferences (the pages remember your language this way)."""
    user = session.get(User, principal.user_id)
    if user is None:
        raise _unauthorized("the user no longer exists")
    user.language = body.language
    session.commit()
    return _me(user, principal.tenant)


def _change_password(
    sessions: sessionmaker[Session], principal: Principal, body: PasswordChange
) -> bool:
    with sessions() as session:
        user = session.get(User, principal.user_id)
        if user is None or not accounts.verify_password(user, body.current_password):
            return False
        accounts.set_password(session, user, body.new_password)
        accounts.record_audit(session, principal, "password", "user", user.username, None, None)
        session.commit()
        return True


@router.post(
    "/password",
    status_code=status.HTTP_204_NO_CONTENT,
    responses={403: {"description": "Wrong current password"}, 429: {"description": "Locked"}},
)
async def change_password(
    body: PasswordChange, principal: AnyUser, request: Request
) -> Response:
    """Change your own password. Every login of yours ends, this one too: log in again."""
    await _hold_back(request)
    changed = await run_in_threadpool(
        _change_password, request.app.state.sessions, principal, body
    )
    if not changed:
        raise _count_failure(
            request, HTTPException(status.HTTP_403_FORBIDDEN, "the current password is wrong")
        )
    response = Response(status_code=status.HTTP_204_NO_CONTENT)
    response.delete_cookie(SESSION_COOKIE, path="/", httponly=True, samesite="lax")
    return response
