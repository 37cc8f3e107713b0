"""`/api/interactions`: interaction records (CDRs) from the journal (W1).

Supervisors and admins see the whole tenant's; an agent sees their own. Filters: `from`/`to`
(arrival time, ISO 8601 or epoch seconds), `queue`, `agent`, `result`, `direction` (inbound or
outbound) and `number` (the customer's: the caller's, or the number dialled); paginated with
`limit` (1–1000) and `offset`, newest first. A call transferred inside the center has one
record per leg, linked by `parent_id`.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, HTTPException, Query, status
from pydantic import BaseModel, ConfigDict, Field

from hotline.api.auth import AnyUser
from hotline.api.session import DbSession
from hotline.store.journal_queries import MAX_PAGE, list_interactions

router = APIRouter(prefix="/api/interactions", tags=["interactions"])


class InteractionOut(BaseModel):
    """One interaction's record: who, when, where it waited, who served it, how it ended."""

    model_config = ConfigDict(from_attributes=True)

    interaction_id: str
    channel: str
    direction: str = Field(description="inbound, outbound (an agent dialled `dnis`) or "
                                       "internal (an agent consulted agent `dnis`)")
    parent_id: str | None = Field(description="the leg this one continues after a transfer")
    ani: str
    dnis: str
    state: str
    queue: str | None
    first_queue: str | None
    agent: str | None
    arrived_at: datetime
    queued_at: datetime | None
    answered_at: datetime | None
    ended_at: datetime | None
    wait_seconds: float | None
    talk_seconds: float | None
    hold_seconds: float | None
    wrap_up_seconds: float | None
    offers: int
    overflows: int
    customer_id: int | None = Field(description="the customer the caller was identified as")
    result: str | None = Field(description="answered, abandoned, timed_out, transferred, "
                                           "rejected:<reason>, system_restart, or for an "
                                           "outbound call that never connected busy, "
                                           "no_answer, unreachable or cancelled; null while "
                                           "in progress")
    attributes: dict[str, Any]


class InteractionPage(BaseModel):
    total: int = Field(description="How many records match the filters in all.")
    limit: int
    offset: int
    items: list[InteractionOut]


@router.get("")
def interactions(
    principal: AnyUser,
    session: DbSession,
    start: Annotated[datetime | None, Query(alias="from", description="arrived at or after")]
    = None,
    end: Annotated[datetime | None, Query(alias="to", description="arrived before")] = None,
    queue: str | None = None,
    agent: str | None = None,
    result: str | None = None,
    direction: Literal["inbound", "outbound", "internal"] | None = None,
    number: Annotated[str | None, Query(max_length=64)] = None,
    customer_id: Annotated[int | None, Query(ge=1, le=2**31 - 1)] = None,
    limit: Annotated[int, Query(ge=1, le=MAX_PAGE)] = 50,
    offset: Annotated[int, Query(ge=0, le=2**31 - 1)] = 0,
) -> InteractionPage:
    """A page of interaction records matching the filters, newest first."""
    if principal.role == "agent":
        if principal.agent_id is None:
            raise HTTPException(status.HTTP_403_FORBIDDEN,
                                "this user is not linked to an agent")
        if agent is not None and agent != principal.agent_id:
            raise HTTPException(status.HTTP_403_FORBIDDEN,
                                "agents see only their own interactions")
        agent = principal.agent_id
    if start is not None and end is not None and end < start:
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_ENTITY,
                            "'to' must not be before 'from'")
    rows, total = list_interactions(session, principal.tenant, start=start, end=end,
                                    queue=queue, agent=agent, result=result,
                                    direction=direction, number=number, customer_id=customer_id,
                                    limit=limit, offset=offset)
    return InteractionPage(total=total, limit=limit, offset=offset,
                           items=[InteractionOut.model_validate(row) for row in rows])
