"""Call recordings through the API: supervisors list and download the tenant's, an agent only
their own (another's is a 404, like one that does not exist), a recording whose file is gone
has no audio, downloads are audited; and `hotline recordings purge` enforces retention."""

from __future__ import annotations

import io
import wave
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from hotline.cli import app as cli
from hotline.store import accounts, config_repo
from hotline.store.recordings import RecordingArchive
from tests.integration.api.conftest import PASSWORD, Clients

RECORDINGS = "/api/recordings"
NOW = datetime.now(UTC)


def stereo_wav(seconds: float = 0.25, rate: int = 8000) -> bytes:
    """A real stereo 16-bit WAV: a ramp on the left (caller), silence on the right (agent)."""
    frames = bytearray()
    for i in range(int(seconds * rate)):
        frames += (i % 2000 - 1000).to_bytes(2, "little", signed=True) + b"\x00\x00"
    out = io.BytesIO()
    with wave.open(out, "wb") as audio:
        audio.setnchannels(2)
        audio.setsampwidth(2)
        audio.setframerate(rate)
        audio.writeframes(bytes(frames))
    return out.getvalue()


@pytest.fixture
def archive(app: FastAPI, tmp_path: Path) -> RecordingArchive:
    app.state.recordings_root = tmp_path / "recordings"
    return RecordingArchive(app.state.engine, app.state.recordings_root)


@pytest.fixture
def other_agent(app: FastAPI, clients: Clients) -> TestClient:
    """Agent 1002 of acme, logged in as user agent2."""
    with app.state.sessions() as session:
        tenant = accounts.tenant_named(session, "acme")
        assert tenant is not None
        config_repo.agents.create(session, tenant.id, {"id": "1002", "name": "Li Wei"})
        accounts.create_user(session, tenant_id=tenant.id, username="agent2", password=PASSWORD,
                             role="agent", display_name="agent2", agent_id="1002")
        session.commit()
    return clients.log_in("acme", "agent2")


def record(archive: RecordingArchive, interaction_id: str, agent_id: str | None = "1001", *,
           tenant: str = "acme", started_at: datetime = NOW) -> tuple[int, Path]:
    path = archive.path_for(tenant, interaction_id)
    path.write_bytes(stereo_wav())
    return archive.finished(tenant, interaction_id, agent_id, path, 0.25, started_at), path


def listed(client: TestClient, **params: str) -> list[str]:
    response = client.get(RECORDINGS, params=params)
    assert response.status_code == 200, response.text
    return [item["interaction_id"] for item in response.json()["items"]]


def test_a_supervisor_lists_and_downloads_the_tenants_recordings(
    archive: RecordingArchive, supervisor: TestClient, admin: TestClient
) -> None:
    mine, _ = record(archive, "sip-1a2b", "1001", started_at=NOW - timedelta(minutes=5))
    record(archive, "sip-3c4d", "1002")
    record(archive, "sip-5e6f", None, started_at=NOW - timedelta(minutes=10))
    record(archive, "sip-globex", "1001", tenant="globex")

    assert listed(supervisor) == ["sip-3c4d", "sip-1a2b", "sip-5e6f"]
    assert listed(supervisor, agent_id="1001") == ["sip-1a2b"]
    assert listed(supervisor, interaction_id="sip-5e6f") == ["sip-5e6f"]
    since = (NOW - timedelta(minutes=7)).isoformat()
    until = (NOW - timedelta(minutes=1)).isoformat()
    assert listed(supervisor, since=since, until=until) == ["sip-1a2b"]
    page = supervisor.get(RECORDINGS, params={"limit": 1, "offset": 1}).json()
    assert (page["total"], page["limit"], page["offset"]) == (3, 1, 1)
    assert supervisor.get(RECORDINGS, params={"since": until, "until": since}).status_code == 422

    one = supervisor.get(f"{RECORDINGS}/{mine}")
    assert one.status_code == 200, one.text
    body = one.json()
    assert (body["interaction_id"], body["agent_id"], body["seconds"]) == ("sip-1a2b", "1001",
                                                                         0.25)
    assert body["bytes"] == len(stereo_wav()) and body["audio_url"] == f"{RECORDINGS}/{mine}/audio"
    audio = supervisor.get(body["audio_url"])
    assert audio.status_code == 200
    assert audio.headers["content-type"] == "audio/wav"
    assert "sip-1a2b" in audio.headers["content-disposition"]
    assert audio.content == stereo_wav()
    with wave.open(io.BytesIO(audio.content)) as played:
        assert (played.getnchannels(), played.getframerate()) == (2, 8000)
    assert admin.get(body["audio_url"]).status_code == 200
    downloads = [entry for entry in admin.get("/api/audit").json()
                 if entry["entity"] == "recording"]
    assert {(entry["username"], entry["action"], entry["entity_key"]) for entry in downloads} \
        == {("supervisor", "download", str(mine)), ("admin", "download", str(mine))}


def test_an_agent_sees_only_their_own_recordings(
    archive: RecordingArchive, agent: TestClient, other_agent: TestClient
) -> None:
    mine, _ = record(archive, "sip-mine", "1001")
    theirs, _ = record(archive, "sip-theirs", "1002")
    nobodys, _ = record(archive, "sip-nobody", None)

    assert listed(agent) == ["sip-mine"]
    assert listed(other_agent) == ["sip-theirs"]
    assert agent.get(RECORDINGS, params={"agent_id": "1002"}).status_code == 403
    assert agent.get(f"{RECORDINGS}/{mine}").status_code == 200
    assert agent.get(f"{RECORDINGS}/{mine}/audio").content == stereo_wav()
    for recording_id in (theirs, nobodys):
        assert agent.get(f"{RECORDINGS}/{recording_id}").status_code == 404
        assert agent.get(f"{RECORDINGS}/{recording_id}/audio").status_code == 404
    assert other_agent.get(f"{RECORDINGS}/{mine}").status_code == 404
    assert other_agent.get(f"{RECORDINGS}/{mine}/audio").status_code == 404
    # Refused exactly as a recording that does not exist is.
    assert other_agent.get(f"{RECORDINGS}/{mine}").json() == {"detail": f"no recording {mine}"}
    assert agent.get(f"{RECORDINGS}/999999").json() == {"detail": "no recording 999999"}


def test_unknown_other_tenants_and_gone_files_are_404(
    archive: RecordingArchive, supervisor: TestClient, other_admin: TestClient
) -> None:
    recording_id, path = record(archive, "sip-1")
    assert supervisor.get(f"{RECORDINGS}/999999").status_code == 404
    assert supervisor.get(f"{RECORDINGS}/999999/audio").status_code == 404
    assert other_admin.get(f"{RECORDINGS}/{recording_id}").status_code == 404
    assert other_admin.get(f"{RECORDINGS}/{recording_id}/audio").status_code == 404
    assert other_admin.get(RECORDINGS).json()["items"] == []
    path.unlink()
    assert supervisor.get(f"{RECORDINGS}/{recording_id}").status_code == 200
    gone = supervisor.get(f"{RECORDINGS}/{recording_id}/audio")
    assert gone.status_code == 404
    assert gone.json() == {"detail": f"the audio of recording {recording_id} is gone"}


@pytest.fixture
def run(app: FastAPI, monkeypatch: pytest.MonkeyPatch) -> CliRunner:
    url = app.state.engine.url.render_as_string(hide_password=False)
    monkeypatch.setenv("HOTLINE_DATABASE_URL", url)
    return CliRunner()


def test_purge_from_the_command_line_removes_old_recordings(
    run: CliRunner, archive: RecordingArchive, supervisor: TestClient
) -> None:
    old_id, old_path = record(archive, "sip-old", started_at=NOW - timedelta(days=91))
    new_id, new_path = record(archive, "sip-new", started_at=NOW - timedelta(days=89))
    result = run.invoke(cli, ["recordings", "purge", "--older-than", "90",
                              "--root", str(archive.root)])
    assert result.exit_code == 0, result.output
    assert "removed 1 recording(s)" in result.output
    assert not old_path.exists() and new_path.exists()
    assert listed(supervisor) == ["sip-new"]
    assert supervisor.get(f"{RECORDINGS}/{old_id}").status_code == 404
    assert supervisor.get(f"{RECORDINGS}/{new_id}/audio").status_code == 200


@pytest.mark.parametrize("days", ["0", "-3"])
def test_purge_needs_at_least_one_day(
    run: CliRunner, archive: RecordingArchive, days: str
) -> None:
    _, path = record(archive, "sip-1", started_at=NOW - timedelta(days=400))
    result = run.invoke(cli, ["recordings", "purge", "--older-than", days,
                              "--root", str(archive.root)])
    assert result.exit_code == 2
    assert "--older-than must be at least 1 day" in result.output
    assert path.exists()
