"""The FastAPI application: routers, error handling and the health check.

`create_app(engine)` is all a process needs to serve the API: it keeps the engine, a session
factory and the runtime (the running contact center, when there is one) on `app.state`, and
`telephony_listeners`, the callables to call after each telephony change (the SIP switch
appends its reload; see `telephony_changes`), `prompt_listeners`, those to call with the
tenant's name after each change to its prompts (the switch drops its renderers; see `prompts`),
and `recordings_root`, the directory the call recordings are kept under (`var/recordings`
unless given). Bad input never becomes a 500: a `ValueError` from the store (such as
`ConfigError`) is a 422 with its message (a `ConfigNotFound` a 404), a clash with existing
data a 409, a value the database cannot hold a 422.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fastapi import FastAPI, Request, status
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from sqlalchemy import Engine, text
from sqlalchemy.exc import DataError, IntegrityError, SQLAlchemyError

from hotline import web
from hotline.api import (
    agents,
    announcements,
    audit,
    auth,
    caller_lists,
    cti,
    customers,
    dids,
    dnis_routes,
    extensions,
    interactions,
    ivr_flows,
    kb,
    live,
    missed_calls,
    not_ready_reasons,
    prompts,
    public_tickets,
    queues,
    recordings,
    skills,
    teams,
    tenants,
    ticket_types,
    tickets,
    trunks,
    users,
)
from hotline.api.login_throttle import LoginThrottle
from hotline.api.notices import NoticeHub
from hotline.store.accounts import AccountConflict
from hotline.store.config_check import ConfigNotFound
from hotline.store.database import session_factory
from hotline.web import public_form

API_DESCRIPTION = """\
Hotline's REST API. Log in with `POST /api/auth/login` and send the token as
`Authorization: Bearer <token>` (the web pages use the session cookie set at login instead).
Every resource belongs to the caller's tenant. Reads need the supervisor or admin role unless
noted; writes need admin, and each is recorded in the audit log (`GET /api/audit`).
"""


class Health(BaseModel):
    """Whether the process and its database answer."""

    status: str
    database: str


def create_app(
    engine: Engine,
    *,
    runtime: object | None = None,
    login_throttle: LoginThrottle | None = None,
    notices: NoticeHub | None = None,
    recordings_root: Path | None = None,
) -> FastAPI:
    """The API on `engine`'s database (schema already upgraded), serving `runtime`."""
    app = FastAPI(
        title="Hotline",
        description=API_DESCRIPTION,
        version="0.1.0",
        docs_url="/api/docs",
        redoc_url=None,
        openapi_url="/api/openapi.json",
    )
    app.state.engine = engine
    app.state.sessions = session_factory(engine)
    app.state.runtime = runtime
    app.state.login_throttle = login_throttle or LoginThrottle()
    app.state.notices = notices or NoticeHub()
    app.state.telephony_listeners = []  # the SIP switch adds its reload here
    app.state.prompt_listeners = []  # and here what drops a tenant's prompt renderers
    app.state.recordings_root = recordings_root or Path("var/recordings")
    _add_error_handlers(app)

    @app.get("/api/health", tags=["health"], response_model=Health,
             responses={503: {"model": Health}})
    def health() -> Any:
        """Liveness and database check; needs no login."""
        try:
            with engine.connect() as connection:
                connection.execute(text("SELECT 1"))
        except SQLAlchemyError:
            return JSONResponse(
                {"status": "degraded", "database": "unreachable"},
                status_code=status.HTTP_503_SERVICE_UNAVAILABLE,
            )
        return Health(status="ok", database="ok")

    for module in (auth, tenants, users, skills, teams, queues, agents, dnis_routes,
                   not_ready_reasons, caller_lists, audit, interactions, missed_calls, live, cti,
                   ivr_flows, prompts, announcements, customers, tickets, ticket_types, kb,
                   extensions, trunks, dids, public_tickets, recordings):
        app.include_router(module.router)
    app.include_router(web.router)
    app.include_router(public_form.router)
    return app


def _add_error_handlers(app: FastAPI) -> None:
    def detail(code: int, message: str) -> JSONResponse:
        return JSONResponse({"detail": message}, status_code=code)

    @app.exception_handler(ValueError)
    async def invalid(_request: Request, error: ValueError) -> JSONResponse:
        if isinstance(error, ConfigNotFound):
            return detail(404, str(error))
        return detail(409 if isinstance(error, AccountConflict) else 422, str(error))

    @app.exception_handler(IntegrityError)
    async def conflict(_request: Request, _error: IntegrityError) -> JSONResponse:
        return detail(409, "the change conflicts with existing data "
                           "(a name already taken, or a record still in use)")

    @app.exception_handler(DataError)
    async def unstorable(_request: Request, _error: DataError) -> JSONResponse:
        return detail(422, "a value is out of range or not valid text")
