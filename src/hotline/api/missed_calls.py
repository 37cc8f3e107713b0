"""`/api/missed_calls`: offers agents did not take — rang out (`no_answer`) or declined (D5).

An agent sees their own; supervisors and admins the tenant's, optionally for one `agent`.
Each entry has when, which agent, why, and the call's number, queue and how the call ended
(a missed offer usually went on to another agent). Newest first, paginated.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, HTTPException, Query, status
from pydantic import BaseModel, Field

from hotline.api.auth import AnyUser
from hotline.api.session import DbSession
from hotline.store.account_schemas import UtcTime
from hotline.store.journal_queries import MAX_PAGE, missed_offers

router = APIRouter(prefix="/api/missed_calls", tags=["interactions"])


class MissedCallOut(BaseModel):
    at: UtcTime = Field(description="When the offer was withdrawn from the agent.")
    agent: str
    reason: str = Field(description="no_answer (it rang out) or declined.")
    interaction_id: str | None
    ani: str | None = Field(description="The caller's number.")
    queue: str | None
    result: str | None = Field(description="How the call ended (null: still in progress).")


class MissedCallPage(BaseModel):
    total: int
    limit: int
    offset: int
    items: list[MissedCallOut]


@router.get("")
def missed_calls(
    principal: AnyUser,
    session: DbSession,
    agent: Annotated[str | None, Query(max_length=32)] = None,
    start: Annotated[datetime | None, Query(alias="from")] = None,
    end: Annotated[datetime | None, Query(alias="to")] = None,
    limit: Annotated[int, Query(ge=1, le=MAX_PAGE)] = 50,
    offset: Annotated[int, Query(ge=0, le=2**31 - 1)] = 0,
) -> MissedCallPage:
    """A page of missed offers, newest first."""
    if principal.role == "agent":
        if principal.agent_id is None:
            raise HTTPException(status.HTTP_403_FORBIDDEN, "this user is not linked to an agent")
        if agent is not None and agent != principal.agent_id:
            raise HTTPException(status.HTTP_403_FORBIDDEN,
                                "agents see only their own missed calls")
        agent = principal.agent_id
    rows, total = missed_offers(session, principal.tenant, agent=agent, start=start, end=end,
                                limit=limit, offset=offset)
    return MissedCallPage(total=total, limit=limit, offset=offset, items=[
        MissedCallOut(at=row.at, agent=row.agent, reason=row.reason,
                      interaction_id=row.interaction_id, ani=row.ani, queue=row.queue,
                      result=row.result) for row in rows])
