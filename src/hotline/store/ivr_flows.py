"""IVR flows in the database: drafts, publishing, versions (V1).

Each flow of a tenant is a series of versions (`ivr_tables`). Administrators edit one draft
per flow (`save_draft` creates it or replaces its document); `publish` checks the draft with
the IVR's `validate` and, when nothing is wrong, makes it the published version, retiring the
one before. Refused, it changes nothing and lists every problem. New calls run the published
versions (`published_flows`, what the running server reads); a call already in a flow keeps
the `Flow` it started with, so publishing never disturbs it.

A flow named by the tenant's routing (`default_flow`, a DNIS route's `flow`) cannot be
deleted. `published_documents` and `import_published` carry flows through a tenant's YAML
configuration (`config_repo`).

Like `config_repo`, changes are flushed, never committed: the caller owns the transaction.
Errors are `ConfigError`s (the API's 422) — `FlowRefused` for a document that does not load
or a draft that does not validate — and `ConfigNotFound` (404) for a flow or version that
does not exist.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from typing import Any

from pydantic import BaseModel, Field
from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from hotline.ivr import Flow, FlowLoadError, flow_from_dict, validate
from hotline.ivr.validation import Problem as FlowProblem
from hotline.store.account_tables import utc_now
from hotline.store.config_check import ConfigError, ConfigNotFound, Problem, choices
from hotline.store.config_tables import DnisRouteRow, TenantRow
from hotline.store.ivr_documents import check_name, load_document
from hotline.store.ivr_tables import FlowStatus, FlowVersionRow

log = logging.getLogger("hotline.store")


class FlowProblemRead(BaseModel):
    """A reason a flow may not be published: its `kind`, the `node` it concerns (null for the
    flow as a whole) and a message for people."""

    kind: str = Field(examples=["unreachable_node"])
    node: str | None = Field(examples=["prices"])
    message: str


class FlowLoadErrorRead(BaseModel):
    """A key of a flow document that is not what a flow may hold, by its dotted `path`."""

    path: str = Field(examples=["nodes.main_menu.timeout"])
    message: str


class FlowVersionInfo(BaseModel):
    """One version of a flow, without its document."""

    name: str
    version: int = Field(description="1, 2, ... per flow; the draft is always the newest.")
    status: FlowStatus
    created_at: datetime = Field(description="When it was created (a draft: last saved).")
    created_by: str
    published_at: datetime | None = None
    published_by: str | None = None


class FlowVersionRead(FlowVersionInfo):
    """One version of a flow with its document, and what stops it from being published."""

    document: dict[str, Any] = Field(description="The flow, as a flow file holds it.")
    problems: list[FlowProblemRead] = Field(
        description="What `validate` finds; empty when it may be published.")


class FlowSummary(BaseModel):
    """A flow of the tenant: its published version and whether a draft is being edited."""

    name: str
    description: str = ""
    published_version: int | None = Field(description="Null: never published.")
    draft_version: int | None = Field(description="Null: no draft.")
    has_draft: bool


class FlowRefused(ConfigError):
    """A flow document that does not load (`load_errors`, by path) or a draft that does not
    validate (`flow_problems`); nothing was changed."""

    def __init__(self, summary: str, *, load_errors: Sequence[tuple[str, str]] = (),
                 flow_problems: Sequence[FlowProblem] = ()) -> None:
        self.load_errors = [FlowLoadErrorRead(path=path, message=message)
                            for path, message in load_errors]
        self.flow_problems = [problem_read(problem) for problem in flow_problems]
        super().__init__(
            [Problem(summary, "")]
            + [Problem(path or "(flow)", message) for path, message in load_errors]
            + [Problem(f"node {p.node!r}" if p.node else "(flow)", p.message)
               for p in flow_problems])


def problem_read(problem: FlowProblem) -> FlowProblemRead:
    return FlowProblemRead(kind=problem.kind, node=problem.node, message=problem.message)


def checked_document(data: object, *, name: str | None = None) -> tuple[dict[str, Any], Flow]:
    """The plain document in `data` and its `Flow`, or `FlowRefused` with every bad key.
    With `name`, a document without a name takes it, and one with another name is refused."""
    if name is not None and isinstance(data, Mapping) and "name" not in data:
        data = {"name": name, **data}
    try:
        document, flow = load_document(data)
    except FlowLoadError as error:
        raise FlowRefused("the flow document does not load", load_errors=error.errors) from None
    if name is not None and flow.name != name:
        raise FlowRefused("the flow document names another flow", load_errors=[
            ("name", f"{flow.name!r} differs from the flow being saved, {name!r}")])
    return document, flow


def document_problems(document: Mapping[str, Any]) -> list[FlowProblem]:
    """What stops a stored document from being published (one that no longer loads, after
    an upgrade of the IVR, is one problem naming the first bad key)."""
    try:
        flow = flow_from_dict(document)
    except FlowLoadError as error:
        return [FlowProblem("does_not_load", None, str(error))]
    return validate(flow)


# Reading


def read_flows(session: Session, tenant_id: int) -> list[FlowSummary]:
    """Every flow of the tenant, by name."""
    rows = session.scalars(
        select(FlowVersionRow)
        .where(FlowVersionRow.tenant_id == tenant_id,
               FlowVersionRow.status != FlowStatus.RETIRED.value)
        .order_by(FlowVersionRow.name, FlowVersionRow.version))
    flows: dict[str, dict[str, Any]] = {}
    for row in rows:
        summary = flows.setdefault(row.name, {"name": row.name, "published_version": None,
                                              "draft_version": None})
        summary[f"{row.status}_version"] = row.version
        description = row.document.get("description")
        if isinstance(description, str) and (row.status == FlowStatus.PUBLISHED
                                             or "description" not in summary):
            summary["description"] = description
    return [FlowSummary(**summary, has_draft=summary["draft_version"] is not None)
            for _, summary in sorted(flows.items())]


def read_version(
    session: Session, tenant_id: int, name: str, version: int | None = None,
    status: FlowStatus | None = None,
) -> FlowVersionRead:
    """Version `version` of the flow, or its version in `status` (draft or published), or by
    default its newest: the draft if there is one, else the published version."""
    query = select(FlowVersionRow).where(FlowVersionRow.tenant_id == tenant_id,
                                         FlowVersionRow.name == name)
    if version is not None:
        query = query.where(FlowVersionRow.version == version)
    if status is not None:
        query = query.where(FlowVersionRow.status == status.value)
    if version is None and status is None:
        query = query.where(FlowVersionRow.status != FlowStatus.RETIRED.value)
    row = session.scalars(query.order_by(FlowVersionRow.version.desc()).limit(1)).first()
    if row is None:
        _known_flow(session, tenant_id, name)
        wanted = "current version" if version is None else f"version {version}"
        if status is not None:
            wanted = f"{status.value} version" if version is None else f"{wanted} {status.value}"
        raise ConfigNotFound([Problem(f"flow {name!r}", f"has no {wanted}")])
    return _read(row)


def read_versions(session: Session, tenant_id: int, name: str) -> list[FlowVersionInfo]:
    """Every version of the flow, newest first."""
    rows = list(session.scalars(_versions(tenant_id, name).order_by(
        FlowVersionRow.version.desc())))
    if not rows:
        _known_flow(session, tenant_id, name)
    return [_info(row) for row in rows]


def published_flows(session: Session, tenant_id: int) -> dict[str, Flow]:
    """The published flows of the tenant, by name, ready for `IvrSession`: what new calls
    run. A stored flow this version of the IVR can no longer load is left out (and logged)."""
    flows: dict[str, Flow] = {}
    for row in _published(session, tenant_id):
        try:
            flows[row.name] = flow_from_dict(row.document)
        except FlowLoadError as error:
            log.error("tenant %s: published flow %r version %d does not load: %s",
                      tenant_id, row.name, row.version, error)
    return flows


def published_documents(session: Session, tenant_id: int) -> list[dict[str, Any]]:
    """The published flows' documents, by name (for the tenant's YAML configuration)."""
    return [dict(row.document) for row in _published(session, tenant_id)]


# Changing


def save_draft(session: Session, tenant_id: int, document: object, user: str,
               *, name: str | None = None) -> FlowVersionRead:
    """Store `document` as the draft of its flow: the draft's document is replaced, or a new
    draft is made (numbered after the newest version). The document must load (else
    `FlowRefused` with the path of each bad key); it may still have problems, which the
    answer lists and `publish` refuses. With `name`, the document must be of that flow."""
    plain, flow = checked_document(document, name=name)
    row = _draft(session, tenant_id, flow.name)
    now = utc_now()
    if row is None:
        row = FlowVersionRow(tenant_id=tenant_id, name=flow.name,
                             version=_newest(session, tenant_id, flow.name) + 1,
                             status=FlowStatus.DRAFT.value, document=plain, created_at=now,
                             created_by=user)
        session.add(row)
    else:
        row.document = plain
        row.created_at = now
        row.created_by = user
    session.flush()
    return _read(row)


def publish(session: Session, tenant_id: int, name: str, user: str) -> FlowVersionRead:
    """Make the flow's draft its published version (the one before is retired), if
    `validate` finds nothing wrong with it; else `FlowRefused` listing every problem."""
    draft = _draft(session, tenant_id, name)
    if draft is None:
        _known_flow(session, tenant_id, name)
        raise ConfigError([Problem(f"flow {name!r}", "has no draft to publish: save one first "
                                                     f"(PUT /api/ivr/flows/{name})")])
    problems = document_problems(draft.document)
    if problems:
        raise FlowRefused(f"flow {name!r} version {draft.version} cannot be published",
                          flow_problems=problems)
    previous = session.scalars(_versions(tenant_id, name).where(
        FlowVersionRow.status == FlowStatus.PUBLISHED.value)).first()
    if previous is not None:
        previous.status = FlowStatus.RETIRED.value
        session.flush()  # retire first: at most one published version, even mid-change
    draft.status = FlowStatus.PUBLISHED.value
    draft.published_at = utc_now()
    draft.published_by = user
    session.flush()
    return _read(draft)


def discard_draft(session: Session, tenant_id: int, name: str) -> None:
    """Throw the flow's draft away (a flow that was never published goes with it: routing
    can only name published flows)."""
    draft = _draft(session, tenant_id, name)
    if draft is None:
        _known_flow(session, tenant_id, name)
        raise ConfigNotFound([Problem(f"flow {name!r}", "has no draft")])
    session.delete(draft)
    session.flush()


def delete_flow(session: Session, tenant_id: int, name: str) -> None:
    """Remove the flow and all its versions, unless the tenant's routing names it."""
    _known_flow(session, tenant_id, name)
    _refuse_if_routed(session, tenant_id, name)
    session.execute(delete(FlowVersionRow).where(FlowVersionRow.tenant_id == tenant_id,
                                                 FlowVersionRow.name == name))
    session.expire_all()


def import_published(session: Session, tenant_id: int, documents: Iterable[Mapping[str, Any]],
                     user: str) -> None:
    """Make each document the published version of its flow (a configuration import): a new
    version unless it is the published one already; the previous one is retired, and a draft
    being edited stays the newest version. Documents must have been checked (`config_check`)."""
    for data in documents:
        document, flow = checked_document(data)
        previous = session.scalars(_versions(tenant_id, flow.name).where(
            FlowVersionRow.status == FlowStatus.PUBLISHED.value)).first()
        if previous is not None and previous.document == document:
            continue
        draft = _draft(session, tenant_id, flow.name)
        version = _newest(session, tenant_id, flow.name) + 1
        if previous is not None:
            previous.status = FlowStatus.RETIRED.value
        if draft is not None:
            # The new version takes the draft's number, the draft the next one.
            version, draft.version = draft.version, version
        session.flush()
        now = utc_now()
        session.add(FlowVersionRow(
            tenant_id=tenant_id, name=flow.name, version=version,
            status=FlowStatus.PUBLISHED.value, document=document, created_at=now,
            created_by=user, published_at=now, published_by=user))
        session.flush()


# Helpers


def _versions(tenant_id: int, name: str) -> Any:
    return select(FlowVersionRow).where(FlowVersionRow.tenant_id == tenant_id,
                                        FlowVersionRow.name == name)


def _draft(session: Session, tenant_id: int, name: str) -> FlowVersionRow | None:
    row: FlowVersionRow | None = session.scalars(_versions(tenant_id, name).where(
        FlowVersionRow.status == FlowStatus.DRAFT.value)).first()
    return row


def _published(session: Session, tenant_id: int) -> list[FlowVersionRow]:
    return list(session.scalars(
        select(FlowVersionRow)
        .where(FlowVersionRow.tenant_id == tenant_id,
               FlowVersionRow.status == FlowStatus.PUBLISHED.value)
        .order_by(FlowVersionRow.name)))


def _newest(session: Session, tenant_id: int, name: str) -> int:
    newest = session.scalar(select(func.max(FlowVersionRow.version)).where(
        FlowVersionRow.tenant_id == tenant_id, FlowVersionRow.name == name))
    return int(newest or 0)


def _known_flow(session: Session, tenant_id: int, name: str) -> None:
    """`ConfigNotFound` listing the tenant's flows unless it has one called `name`."""
    names = list(session.scalars(select(FlowVersionRow.name).distinct().where(
        FlowVersionRow.tenant_id == tenant_id).order_by(FlowVersionRow.name)))
    if name not in names:
        raise ConfigNotFound([Problem(f"flow {name!r}",
                                      f"does not exist ({choices('flow', names)})")])


def _refuse_if_routed(session: Session, tenant_id: int, name: str) -> None:
    users = [f"tenant {tenant!r} default_flow" for tenant in session.scalars(
        select(TenantRow.name).where(TenantRow.id == tenant_id,
                                     TenantRow.default_flow == name))]
    users += [f"DNIS route {dnis!r} flow" for dnis in session.scalars(
        select(DnisRouteRow.dnis).where(DnisRouteRow.tenant_id == tenant_id,
                                        DnisRouteRow.flow == name)
        .order_by(DnisRouteRow.dnis))]
    if users:
        raise ConfigError([Problem(f"flow {name!r}", f"is still used by {', '.join(users)}; "
                                                     "change those first")])


def _info(row: FlowVersionRow) -> FlowVersionInfo:
    return FlowVersionInfo(
        name=row.name, version=row.version, status=FlowStatus(row.status),
        created_at=row.created_at, created_by=row.created_by, published_at=row.published_at,
        published_by=row.published_by)


def _read(row: FlowVersionRow) -> FlowVersionRead:
    return FlowVersionRead(
        **_info(row).model_dump(), document=row.document,
        problems=[problem_read(problem) for problem in document_problems(row.document)])


__all__ = [
    "FlowLoadErrorRead", "FlowProblemRead", "FlowRefused", "FlowSummary", "FlowVersionInfo",
    "FlowVersionRead", "check_name", "checked_document", "delete_flow", "discard_draft",
    "document_problems", "import_published", "publish", "published_documents",
    "published_flows", "read_flows", "read_version", "read_versions", "save_draft",
]
