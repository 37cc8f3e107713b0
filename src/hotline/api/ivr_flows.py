"""`/api/ivr/flows`: the tenant's IVR flows — drafts, validation, publishing, versions (V1).

An administrator saves a flow's draft with `PUT /api/ivr/flows/{name}`, the body being the
flow document as JSON or, sent as `application/yaml`, the text of a flow file; checks it with
`POST .../validate`; and makes it what new calls run with `POST .../publish`, which refuses a
flow with problems and changes nothing. A document that does not load is a 422 whose
`detail.errors` give the path of each bad key (`nodes.main_menu.timeout`); a refused publish
is a 422 whose `detail.problems` list each problem with its node. After a publish (or a
deletion) the tenant's running server is told, so new calls take the new flows at once;
calls already in a flow finish in the version they started.

Supervisors and admins read; admins change, and every change is in the audit log.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Annotated, Any, Literal

from anyio import from_thread
from fastapi import APIRouter, Depends, HTTPException, Path, Query, Request, Response, status
from pydantic import BaseModel, Field

from hotline.api.auth import Admin, Staff
from hotline.api.resources import read_body
from hotline.api.session import DbSession
from hotline.ivr import validate
from hotline.store import ivr_flows
from hotline.store.accounts import Principal, record_audit
from hotline.store.config_check import ConfigNotFound
from hotline.store.ivr_documents import NAME_PATTERN
from hotline.store.ivr_flows import (
    FlowLoadErrorRead,
    FlowProblemRead,
    FlowRefused,
    FlowSummary,
    FlowVersionInfo,
    FlowVersionRead,
)
from hotline.store.ivr_tables import FlowStatus
from hotline.switch.sim.scenario_yaml import YamlProblem, read_yaml

log = logging.getLogger("hotline.api")

router = APIRouter(prefix="/api/ivr/flows", tags=["ivr"])

MAX_BODY_BYTES = 1_000_000
"""Largest flow document accepted (the shipped gas utility flow is about 10 kB)."""
JSON_TYPES = frozenset({"", "application/json"})
YAML_TYPES = frozenset({"application/yaml", "application/x-yaml", "text/yaml", "text/x-yaml"})

FlowName = Annotated[str, Path(pattern=f"^{NAME_PATTERN.pattern}$", max_length=64,
                               description="The flow's name in the tenant.")]
Version = Annotated[int | None, Query(ge=1, le=2**31 - 1, description="A version number.")]

_BODY_CONTENT: dict[str, Any] = {
    "application/json": {"schema": {
        "type": "object", "description": "A flow document (see docs/ivr.md).",
        "example": {"name": "hello", "start": "greet", "nodes": {
            "greet": {"type": "play_only", "prompts": [{"tts": "Hello"}], "next": "done"},
            "done": {"type": "stop_flow"}}}}},
    "application/yaml": {"schema": {"type": "string", "description": "A flow file's text."}},
}


class FlowValidation(BaseModel):
    """What stops a flow from being published; `problems` empty: it may be."""

    name: str
    version: int | None = Field(description="The stored version checked; null: the document "
                                            "sent was checked.")
    problems: list[FlowProblemRead]


class FlowRefusal(BaseModel):
    """Why a flow document or a publish was refused (the `detail` of the 422)."""

    message: str
    errors: list[FlowLoadErrorRead] = Field(description="Keys that do not load, by path.")
    problems: list[FlowProblemRead] = Field(description="What `validate` found, by node.")


def _unreadable(message: str) -> HTTPException:
    return HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, FlowRefusal(
        message=message, errors=[FlowLoadErrorRead(path="", message=message)],
        problems=[]).model_dump())


async def _document_in_body(request: Request) -> object | None:
    """The document the body holds (JSON, or YAML by its content type); None when empty."""
    media_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if media_type not in JSON_TYPES | YAML_TYPES:
        raise HTTPException(status.HTTP_415_UNSUPPORTED_MEDIA_TYPE,
                            "send the flow as application/json or application/yaml, not "
                            f"{media_type}")
    raw = await read_body(request, MAX_BODY_BYTES, "a flow document")
    if not raw.strip():
        return None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise _unreadable("the body is not UTF-8 text") from None
    document: object
    try:
        if media_type in YAML_TYPES:
            document, _ = read_yaml(text)
        else:
            document = json.loads(text)
    except YamlProblem as error:
        raise _unreadable(f"the body is not valid YAML: {error}") from None
    except ValueError as error:
        raise _unreadable(f"the body is not valid JSON: {error}") from None
    except RecursionError:
        raise _unreadable("the body is nested too deeply") from None
    return document


async def _required_document(request: Request) -> object:
    document = await _document_in_body(request)
    if document is None:
        raise _unreadable("send the flow document as the body")
    return document


Document = Annotated[object, Depends(_required_document)]
OptionalDocument = Annotated[object | None, Depends(_document_in_body)]


@contextmanager
def _refusals() -> Iterator[None]:
    """A refused flow as a 422 whose detail lists each bad key and each problem."""
    try:
        yield
    except FlowRefused as error:
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, FlowRefusal(
            message=str(error.problems[0].where), errors=error.load_errors,
            problems=error.flow_problems).model_dump()) from None


def _flows_changed(request: Request, principal: Principal) -> None:
    """Tell the tenant's running server (if any) that its published flows changed: it calls
    `flows_changed()` on the event loop, which owns the server. Its failure does not undo
    the change, which is committed: the server reads the flows again when it restarts."""
    runtime = getattr(request.app.state, "runtime", None)
    running = runtime.get(principal.tenant) if runtime is not None else None
    hook = getattr(running, "flows_changed", None)
    if hook is None:
        return
    try:
        from_thread.run_sync(hook)
    except Exception:
        log.exception("tenant %s: the running server did not take the new IVR flows",
                      principal.tenant)


def _draft_of(session: DbSession, principal: Principal, name: str) -> FlowVersionRead | None:
    try:
        return ivr_flows.read_version(session, principal.tenant_id, name,
                                      status=FlowStatus.DRAFT)
    except ConfigNotFound:
        return None


@router.get("")
def list_ivr_flows(principal: Staff, session: DbSession) -> list[FlowSummary]:
    """The tenant's flows, by name: the version each runs and whether a draft is edited."""
    return ivr_flows.read_flows(session, principal.tenant_id)


@router.get("/{name}")
def get_ivr_flow(
    name: FlowName, principal: Staff, session: DbSession, version: Version = None,
    status: Annotated[Literal["draft", "published"] | None,
                      Query(description="The draft or the published version.")] = None,
) -> FlowVersionRead:
    """One version of a flow with its document and its problems: `version` by number, or
    the draft or published one (`status`), by default the draft if there is one, else the
    published version."""
    return ivr_flows.read_version(session, principal.tenant_id, name, version,
                                  None if status is None else FlowStatus(status))


@router.get("/{name}/versions")
def list_ivr_flow_versions(name: FlowName, principal: Staff, session: DbSession
                           ) -> list[FlowVersionInfo]:
    """Every version of the flow, newest first, without documents."""
    return ivr_flows.read_versions(session, principal.tenant_id, name)


@router.put("/{name}", openapi_extra={"requestBody": {"required": True,
                                                      "content": _BODY_CONTENT}},
            responses={201: {"model": FlowVersionRead}, 413: {}, 415: {}})
def save_ivr_flow_draft(name: FlowName, principal: Admin, session: DbSession,
                        document: Document, response: Response) -> FlowVersionRead:
    """Create (201) or replace (200) the flow's draft. The body is the flow document as JSON,
    or the text of a flow file sent as `application/yaml`; without a `name` it takes the
    one in the path. A document that does not load is a 422 naming the path of each bad key
    and stores nothing; one that loads is stored even with problems, which the answer lists
    (publishing refuses them)."""
    before = _draft_of(session, principal, name)
    with _refusals():
        after = ivr_flows.save_draft(session, principal.tenant_id, document,
                                     principal.username, name=name)
    record_audit(session, principal, "save draft", "IVR flow", name, before, after)
    session.commit()
    response.status_code = status.HTTP_200_OK if before is not None else status.HTTP_201_CREATED
    return after


@router.post("/{name}/validate", openapi_extra={"requestBody": {"required": False,
                                                                "content": _BODY_CONTENT}},
             responses={413: {}, 415: {}})
def validate_ivr_flow(name: FlowName, principal: Staff, session: DbSession,
                      document: OptionalDocument) -> FlowValidation:
    """Check a flow without publishing it: the document sent as the body, or without a body
    the flow's stored draft (else its published version). Nothing is stored."""
    if document is None:
        stored = ivr_flows.read_version(session, principal.tenant_id, name)
        return FlowValidation(name=name, version=stored.version, problems=stored.problems)
    with _refusals():
        _, flow = ivr_flows.checked_document(document, name=name)
    return FlowValidation(name=name, version=None,
                          problems=[ivr_flows.problem_read(p) for p in validate(flow)])


@router.post("/{name}/publish")
def publish_ivr_flow(name: FlowName, principal: Admin, session: DbSession,
                     request: Request) -> FlowVersionRead:
    """Make the draft the version new calls run (the published one before is retired). A
    draft with problems is a 422 listing them all, and nothing changes."""
    before = _published_of(session, principal, name)
    with _refusals():
        after = ivr_flows.publish(session, principal.tenant_id, name, principal.username)
    record_audit(session, principal, "publish", "IVR flow", name, before,
                 FlowVersionInfo.model_validate(after.model_dump()))
    session.commit()
    _flows_changed(request, principal)
    return after


@router.delete("/{name}/draft", status_code=status.HTTP_204_NO_CONTENT)
def discard_ivr_flow_draft(name: FlowName, principal: Admin, session: DbSession) -> Response:
    """Throw the draft away; the published version stays (a flow never published goes)."""
    before = _draft_of(session, principal, name)
    ivr_flows.discard_draft(session, principal.tenant_id, name)
    record_audit(session, principal, "discard draft", "IVR flow", name, before, None)
    session.commit()
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.delete("/{name}", status_code=status.HTTP_204_NO_CONTENT)
def delete_ivr_flow(name: FlowName, principal: Admin, session: DbSession,
                    request: Request) -> Response:
    """Remove the flow and all its versions; refused (422) while the tenant's routing
    (`default_flow`, a DNIS route's `flow`) names it."""
    versions = ivr_flows.read_versions(session, principal.tenant_id, name)
    ivr_flows.delete_flow(session, principal.tenant_id, name)
    record_audit(session, principal, "delete", "IVR flow", name,
                 {"versions": [v.model_dump(mode="json") for v in versions]}, None)
    session.commit()
    _flows_changed(request, principal)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


def _published_of(session: DbSession, principal: Principal, name: str
                  ) -> FlowVersionInfo | None:
    try:
        found = ivr_flows.read_version(session, principal.tenant_id, name,
                                       status=FlowStatus.PUBLISHED)
    except ConfigNotFound:
        return None
    return FlowVersionInfo.model_validate(found.model_dump())
