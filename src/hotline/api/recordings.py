"""`/api/recordings`: call recordings (T6), to list, look at and play or download.

Supervisors and admins see the whole tenant's recordings; an agent sees only the recordings
of their own calls (`agent_id` their agent id): another's answers 404, like one that does not
exist, so that ids cannot be probed. Filters: `interaction_id`, `agent_id`, `since`/`until`
(when the recording started, ISO 8601); paginated with `limit` (1–1000) and `offset`, newest
first. `GET /api/recordings/{id}/audio` serves the stereo WAV file (caller left, agent right);
each fetch is noted in the audit log. The files live under `app.state.recordings_root`.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Query, Request, status
from fastapi.responses import FileResponse
from pydantic import BaseModel, ConfigDict, Field

from hotline.api.auth import AnyUser
from hotline.api.resources import RecordId
from hotline.api.session import DbSession
from hotline.store import accounts
from hotline.store.account_tables import Role
from hotline.store.accounts import Principal
from hotline.store.recordings import MAX_PAGE, Recording, RecordingArchive

router = APIRouter(prefix="/api/recordings", tags=["recordings"])

_NOT_FOUND: dict[int | str, dict[str, Any]] = {
    404: {"description": "No such recording (or not one of yours)"}}


class RecordingOut(BaseModel):
    """One recorded call."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    interaction_id: str = Field(description="the recorded call (see /api/interactions)")
    agent_id: str | None = Field(description="the agent who took the call")
    started_at: datetime
    seconds: float = Field(description="how long the recording lasts")
    bytes: int = Field(description="the size of the WAV file")
    created_at: datetime
    audio_url: str = Field(description="where to fetch the WAV file")


class RecordingPage(BaseModel):
    total: int = Field(description="How many recordings match the filters in all.")
    limit: int
    offset: int
    items: list[RecordingOut]


def _archive(request: Request) -> RecordingArchive:
    return RecordingArchive(request.app.state.engine, request.app.state.recordings_root)


def _out(recording: Recording) -> RecordingOut:
    return RecordingOut(
        id=recording.id, interaction_id=recording.interaction_id, agent_id=recording.agent_id,
        started_at=recording.started_at, seconds=recording.seconds, bytes=recording.bytes,
        created_at=recording.created_at, audio_url=f"/api/recordings/{recording.id}/audio",
    )


def _own_agent(principal: Principal) -> str | None:
    """The agent id an agent is restricted to (None for supervisors and admins)."""
    if principal.role != Role.AGENT:
        return None
    if principal.agent_id is None:
        raise HTTPException(status.HTTP_403_FORBIDDEN, "this user is not linked to an agent")
    return principal.agent_id


def _visible(request: Request, principal: Principal, recording_id: int) -> Recording:
    recording = _archive(request).get(principal.tenant, recording_id)
    own = _own_agent(principal)
    if recording is None or (own is not None and recording.agent_id != own):
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"no recording {recording_id}")
    return recording


@router.get("")
def recordings(
    request: Request,
    principal: AnyUser,
    interaction_id: Annotated[str | None, Query(max_length=64)] = None,
    agent_id: Annotated[str | None, Query(max_length=32)] = None,
    since: Annotated[datetime | None, Query(description="started at or after")] = None,
    until: Annotated[datetime | None, Query(description="started before")] = None,
    limit: Annotated[int, Query(ge=1, le=MAX_PAGE)] = 50,
    offset: Annotated[int, Query(ge=0, le=2**31 - 1)] = 0,
) -> RecordingPage:
    """A page of recordings matching the filters, newest first (an agent's: only their own)."""
    own = _own_agent(principal)
    if own is not None:
        if agent_id is not None and agent_id != own:
            raise HTTPException(status.HTTP_403_FORBIDDEN,
                                "agents see only the recordings of their own calls")
        agent_id = own
    if since is not None and until is not None and until < since:
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT,
                            "'until' must not be before 'since'")
    found, total = _archive(request).search(
        principal.tenant, interaction_id=interaction_id, agent_id=agent_id, since=since,
        until=until, limit=limit, offset=offset)
    return RecordingPage(total=total, limit=limit, offset=offset,
                         items=[_out(recording) for recording in found])


@router.get("/{recording_id}", responses=_NOT_FOUND)
def recording(
    request: Request,
    principal: AnyUser,
    recording_id: RecordId,
) -> RecordingOut:
    """One recording."""
    return _out(_visible(request, principal, recording_id))


@router.get(
    "/{recording_id}/audio",
    response_class=FileResponse,
    responses={200: {"content": {"audio/wav": {}}, "description": "The WAV file"},
               **_NOT_FOUND},
)
def recording_audio(
    request: Request,
    principal: AnyUser,
    session: DbSession,
    recording_id: RecordId,
) -> FileResponse:
    """The recording's stereo WAV file (caller left, agent right); 404 when it is gone."""
    found = _visible(request, principal, recording_id)
    path = _archive(request).file_of(found)
    if path is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND,
                            f"the audio of recording {recording_id} is gone")
    accounts.record_audit(session, principal, "download", "recording", recording_id, None, None)
    session.commit()
    return FileResponse(path, media_type="audio/wav",
                        filename=f"{found.interaction_id}-{recording_id}.wav")
