"""The public request page (C4): `/public/{tenant}/request`, where customers file a repair,
complaint, suggestion, appointment or business request without an account.

The page is rendered on the server in the customer's language — `?lang=zh` or `?lang=en`,
else the best of the two in the browser's Accept-Language, else Chinese — and
`static/js/public_request.js` does the rest: it shows the custom fields of the chosen type
(from `GET /api/public/{tenant}/ticket_types`), checks what the server checks before sending,
shows the server's errors beside their fields, and on success the reference and due time
(`hotline.api.public_tickets`). It keeps to the pages' Content-Security-Policy (no inline
script or style). An unknown tenant gets the page's "no such service" version, as a 404.
"""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Header, Path, Request, Response, status

from hotline.api.session import DbSession
from hotline.crm.ticket_workflow import TicketType
from hotline.store.accounts import tenant_named
from hotline.web.pages import CONTENT_SECURITY_POLICY, templates

router = APIRouter(include_in_schema=False)

Language = Literal["zh", "en"]
DEFAULT_LANGUAGE: Language = "zh"

WORDS: dict[Language, dict[str, str]] = {
    "zh": {
        "title": "在线报事", "intro": "请填写您的诉求，我们会尽快处理并与您联系。",
        "other_language": "English", "other_lang": "en",
        "type": "类别", "name": "您的称呼", "phone": "联系电话", "email": "电子邮箱",
        "contact_hint": "电话和邮箱至少填写一项。", "subject": "标题", "description": "详细描述",
        "details": "补充信息", "trap": "请勿填写此项", "submit": "提交",
        "received": "已受理", "reference": "受理编号", "due": "预计处理时限",
        "keep": "请记下受理编号，来电查询时提供。", "another": "再提交一件",
        "no_tenant": "没有找到这个服务，请检查网址。", "required": "必填",
        "repair": "报修", "complaint": "投诉", "suggestion": "建议",
        "appointment": "预约", "business": "业务办理",
    },
    "en": {
        "title": "Contact us", "intro": "Tell us what you need; we will deal with it and get "
        "back to you.",
        "other_language": "中文", "other_lang": "zh",
        "type": "Kind of request", "name": "Your name", "phone": "Phone", "email": "E-mail",
        "contact_hint": "Give a phone number or an e-mail address, or both.",
        "subject": "Subject", "description": "Details", "details": "More about it",
        "trap": "Leave this empty", "submit": "Send",
        "received": "Request received", "reference": "Reference", "due": "We aim to deal "
        "with it by", "keep": "Keep the reference: quote it when you call us.",
        "another": "Send another", "no_tenant": "There is no such service here: check the "
        "address.", "required": "required",
        "repair": "Repair", "complaint": "Complaint", "suggestion": "Suggestion",
        "appointment": "Appointment", "business": "Business",
    },
}
"""The page's words; public_request.js has those it shows itself (errors, states)."""


def choose_language(asked: str | None, accept_language: str | None) -> Language:
    """`asked` when it is zh or en, else the one of them the browser prefers most, else
    Chinese."""
    if asked in ("zh", "en"):
        return "zh" if asked == "zh" else "en"
    best: Language = DEFAULT_LANGUAGE
    best_quality = 0.0
    for part in (accept_language or "").split(","):
        tag, *parameters = part.split(";")
        language = tag.strip().lower().split("-")[0]
        quality = 1.0
        for parameter in parameters:
            key, _, value = parameter.strip().partition("=")
            if key == "q":
                try:
                    quality = float(value)
                except ValueError:
                    quality = 0.0
        # Strictly better only: of equal ones the first listed wins, as browsers list them
        # in order of preference.
        if language in ("zh", "en") and quality > best_quality:
            best, best_quality = ("zh" if language == "zh" else "en"), quality
    return best


@router.get("/public/{tenant}/request")
def public_request(
    request: Request,
    session: DbSession,
    tenant: Annotated[str, Path(min_length=1, max_length=64)],
    lang: str | None = None,
    accept_language: Annotated[str | None, Header(max_length=500)] = None,
) -> Response:
    """The request form of `tenant`, in Chinese or English."""
    language = choose_language(lang, accept_language)
    found = tenant_named(session, tenant) is not None
    response = templates.TemplateResponse(request, "public_request.html", {
        "tenant": tenant, "lang": language, "w": WORDS[language], "missing": not found,
        "types": [(kind.value, WORDS[language][kind.value]) for kind in TicketType],
    }, status_code=status.HTTP_200_OK if found else status.HTTP_404_NOT_FOUND)
    response.headers["Content-Security-Policy"] = CONTENT_SECURITY_POLICY
    response.headers["Cache-Control"] = "no-store"
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response
