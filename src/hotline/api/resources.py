"""What the resource routers share: record keys in paths, the 404, and audited commits."""

from __future__ import annotations

from typing import Annotated

from fastapi import HTTPException, Path, Request, status
from pydantic import BaseModel
from sqlalchemy.orm import Session

from hotline.store.accounts import Principal, record_audit

RecordId = Annotated[int, Path(ge=1, le=2**31 - 1, description="The record's id.")]
"""A record id in a path: a positive 32-bit integer (what every id column can hold)."""

NameKey = Annotated[str, Path(min_length=1, max_length=64, description="The record's name.")]
"""A name that identifies a record in its tenant (a queue, skill, team, reason code...)."""

NumberKey = Annotated[str, Path(min_length=1, max_length=32, description="The phone number.")]
"""A phone number that identifies a record in its tenant (a DNIS, a caller's number)."""


def not_found(entity: str, key: object) -> HTTPException:
    """The 404 for a record that does not exist in the caller's tenant."""
    return HTTPException(status.HTTP_404_NOT_FOUND, f"no {entity} {key} in this tenant")


def commit_audited(
    session: Session,
    principal: Principal,
    action: str,
    entity: str,
    key: object,
    before: BaseModel | None,
    after: BaseModel | None,
) -> None:
    """Note the change in the audit log and commit both together."""
    record_audit(session, principal, action, entity, key, before, after)
    session.commit()



async def read_body(request: Request, limit: int, what: str = "the body") -> bytes:
    """The request body, refused with a 413 as soon as it passes `limit` bytes (whatever its
    declared length says); `what` names it in the message."""
    too_large = HTTPException(status.HTTP_413_CONTENT_TOO_LARGE,
                              f"{what} may have at most {limit} bytes")
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        raise too_large
    chunks = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise too_large
        chunks.append(chunk)
    return b"".join(chunks)
