"""The pages and their static files: who may see which page, and what it starts with.

A page finds its visitor from the session cookie that `POST /api/auth/login` sets; without a
valid one it sends the browser to the login page, which comes back afterwards (`?next=`).
Agents (users linked to an agent) get the desktop; supervisors and admins the wall board and
the administration pages (`/admin/<section>`, one per kind of configuration record), which
admins change and supervisors only read (but the knowledge base, which both write).
Each page is rendered with the visitor's name, role, agent and language; its script module
does the rest over the CTI WebSocket and the REST API.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Cookie, HTTPException, Request, Response, status
from fastapi.responses import RedirectResponse
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from sqlalchemy import select

from hotline.api.auth import SESSION_COOKIE
from hotline.api.session import DbSession
from hotline.store.account_tables import Role, User
from hotline.store.accounts import Principal, principal_for_token
from hotline.store.config_tables import AgentRow

HERE = Path(__file__).parent
ASSET_VERSION = "1"
"""Appended to asset links so that browsers fetch changed files after an upgrade."""

CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)

templates = Jinja2Templates(directory=HERE / "templates")
templates.env.globals["asset_version"] = ASSET_VERSION
_static = StaticFiles(directory=HERE / "static")

router = APIRouter(include_in_schema=False)

SessionCookie = Annotated[str | None, Cookie(alias=SESSION_COOKIE)]
STAFF = frozenset({Role.SUPERVISOR, Role.ADMIN})


@dataclass(frozen=True)
class Visitor:
    """The logged-in user a page is rendered for."""

    principal: Principal
    display_name: str
    language: str
    agent_name: str
    team: str | None
    wrap_up: float | None

    @property
    def home(self) -> str:
        return "/agent" if self.principal.agent_id is not None else "/board"

    def page_data(self) -> dict[str, Any]:
        """What the page's script reads from `<body data-...>`."""
        principal = self.principal
        return {
            "tenant": principal.tenant,
            "username": principal.username,
            "role": principal.role.value,
            "agent": principal.agent_id or "",
            "lang": self.language,
            "wrap-up": "" if self.wrap_up is None else f"{self.wrap_up:g}",
        }


def _visitor(session: DbSession, token: str | None) -> Visitor | None:
    if not token:
        return None
    principal = principal_for_token(session, token)
    if principal is None:
        return None
    user = session.get(User, principal.user_id)
    if user is None:
        return None
    agent = None
    if principal.agent_id is not None:
        agent = session.scalars(select(AgentRow).where(
            AgentRow.tenant_id == principal.tenant_id,
            AgentRow.agent_id == principal.agent_id)).first()
    return Visitor(
        principal=principal,
        display_name=user.display_name or user.username,
        language=user.language,
        agent_name=agent.name if agent is not None else "",
        team=agent.team if agent is not None else None,
        wrap_up=agent.wrap_up if agent is not None else None,
    )


def _to_login(request: Request) -> RedirectResponse:
    return RedirectResponse(f"/login?next={quote(request.url.path)}", status_code=303)


def _page(request: Request, template: str, context: dict[str, Any]) -> Response:
    response = templates.TemplateResponse(request, template, context)
    response.headers["Content-Security-Policy"] = CONTENT_SECURITY_POLICY
    response.headers["Cache-Control"] = "no-store"
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


@router.get("/")
def home(session: DbSession, token: SessionCookie = None) -> RedirectResponse:
    """The visitor's own page, or the login page."""
    visitor = _visitor(session, token)
    return RedirectResponse(visitor.home if visitor else "/login", status_code=303)


@router.get("/login")
def login(request: Request) -> Response:
    """Company, account and password."""
    return _page(request, "login.html", {"page": "login"})


@router.get("/agent")
def agent_desktop(request: Request, session: DbSession, token: SessionCookie = None) -> Response:
    """The agent desktop: state, softphone, screen pop and call records."""
    visitor = _visitor(session, token)
    if visitor is None:
        return _to_login(request)
    if visitor.principal.agent_id is None:
        return RedirectResponse(visitor.home, status_code=303)
    return _page(request, "agent.html", {
        "page": "agent", "visitor": visitor,
        "demo_plays": _demo_plays(request, visitor.principal),
    })


def _demo_plays(request: Request, principal: Principal) -> bool:
    """Whether `hotline serve --demo` plays this agent while logged in, until the person logs
    in over the CTI (which takes the agent over)."""
    demo = (getattr(request.app.state, "demo", None) or {}).get(principal.tenant)
    humans = getattr(demo, "humans", None)
    return humans is not None and principal.agent_id not in humans


@router.get("/board")
def wall_board(request: Request, session: DbSession, token: SessionCookie = None) -> Response:
    """The supervisor's wall board with threshold alerts."""
    return _board(request, session, token, "board.html")


@router.get("/board/tv")
def wall_board_tv(request: Request, session: DbSession, token: SessionCookie = None) -> Response:
    """The wall board for a TV across the room: large type, no controls."""
    return _board(request, session, token, "board_tv.html")


def _board(request: Request, session: DbSession, token: str | None, template: str) -> Response:
    visitor = _visitor(session, token)
    if visitor is None:
        return _to_login(request)
    if visitor.principal.role not in STAFF:
        return RedirectResponse(visitor.home, status_code=303)
    return _page(request, template, {"page": "board", "visitor": visitor})


ADMIN_SECTIONS = {
    "users": "Users and roles",
    "agents": "Agents",
    "teams": "Teams",
    "skills": "Skills",
    "queues": "Queues",
    "dnis-routes": "DNIS routes",
    "settings": "Tenant settings",
    "not-ready-reasons": "Not-ready reasons",
    "caller-lists": "Blacklist and VIPs",
    "announcements": "Announcements",
    "kb": "Knowledge base",
    "ticket_types": "Ticket types",
}
"""The administration pages, in the side menu's order: `/admin/<key>` and its English title
(admin.js has the words in each language, and what each page lists and edits; the knowledge
base and the ticket types have modules of their own, admin_kb.js and admin_ticket_types.js)."""

SUPERVISORS_WRITE = frozenset({"kb"})
"""The administration pages that supervisors change too, as their API lets them."""


@router.get("/admin")
def admin_home(session: DbSession, token: SessionCookie = None) -> RedirectResponse:
    """The first administration page."""
    visitor = _visitor(session, token)
    if visitor is None:
        return RedirectResponse("/login?next=/admin", status_code=303)
    return RedirectResponse("/admin/users" if visitor.principal.role in STAFF else visitor.home,
                            status_code=303)


@router.get("/admin/{section}")
def admin_page(
    section: str, request: Request, session: DbSession, token: SessionCookie = None
) -> Response:
    """One kind of configuration record: its list, and forms to add, change and remove them
    through the REST API (read-only for supervisors, whom the API refuses changes anyway, but
    on the pages of `SUPERVISORS_WRITE`)."""
    if section not in ADMIN_SECTIONS:
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"no administration page {section!r}")
    visitor = _visitor(session, token)
    if visitor is None:
        return _to_login(request)
    if visitor.principal.role not in STAFF:
        return RedirectResponse(visitor.home, status_code=303)
    return _page(request, "admin.html", {
        "page": "admin", "visitor": visitor, "section": section, "sections": ADMIN_SECTIONS,
        "read_only": visitor.principal.role is not Role.ADMIN and section not in SUPERVISORS_WRITE,
    })


@router.get("/static/{path:path}")
async def static(path: str, request: Request) -> Response:
    """The pages' scripts, styles and images."""
    return await _static.get_response(path, request.scope)
