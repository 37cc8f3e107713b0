"""`/api/stats/live`: the wall board as JSON for scripts and TV screens (S1).

The same figures the CTI WebSocket pushes to subscribed supervisors: per queue waiting, longest
wait, today's offered/answered/abandoned and service level; per team counts by state; every
agent's state and time in state.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, HTTPException, Request, status

from hotline.api.auth import Staff

router = APIRouter(prefix="/api/stats", tags=["stats"])


@router.get("/live")
async def live(principal: Staff, request: Request) -> dict[str, Any]:
    """The tenant's wall board now."""
    # `async` on purpose: the board reads the interaction server, which the event loop
    # changes; a plain function would run in a worker thread, in a race with it.
    runtime = getattr(request.app.state, "runtime", None)
    tenant = runtime.get(principal.tenant) if runtime is not None else None
    if tenant is None:
        raise HTTPException(status.HTTP_503_SERVICE_UNAVAILABLE,
                            f"tenant {principal.tenant!r} has no interaction server running")
    board: dict[str, Any] = tenant.live_board()[0]
    return board
