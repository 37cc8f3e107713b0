"""`/api/prompts` on both databases: uploads come back as telephony WAV, speech is rendered,
bad files change nothing, roles are checked, changes are audited, and the catalogue the
renderer loads is what the API stored."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import Engine, func, select

from hotline.prompts.audio import decode_wav
from hotline.prompts.catalogue import load_catalogue
from hotline.prompts.renderer import PromptRenderer
from hotline.prompts.speech import TextToSpeech
from hotline.store import accounts
from hotline.store.database import session_factory
from hotline.store.prompt_tables import PromptRow
from tests.integration.api.conftest import Clients
from tests.unit.prompts.wavs import tone_wav, wav_format

WAV = {"Content-Type": "audio/wav"}


@pytest.fixture
def tts(app: FastAPI, tmp_path: Path) -> TextToSpeech:
    app.state.prompt_tts = TextToSpeech(tmp_path / "prompt-cache")
    return app.state.prompt_tts  # type: ignore[no-any-return]


def prompt_count(engine: Engine) -> int:
    with session_factory(engine)() as session:
        return int(session.scalar(select(func.count()).select_from(PromptRow)) or 0)


def test_an_upload_comes_back_as_8_khz_mono_wav(admin: TestClient) -> None:
    response = admin.put("/api/prompts/zh/welcome", content=tone_wav(seconds=2.0),
                         headers=WAV)
    assert response.status_code == 201
    body = response.json()
    assert (body["name"], body["language"], body["kind"], body["text"]) == \
        ("welcome", "zh", "upload", None)
    assert body["duration"] == pytest.approx(2.0, abs=0.01)

    audio = admin.get("/api/prompts/zh/welcome/audio")
    assert audio.status_code == 200
    assert audio.headers["content-type"] == "audio/wav"
    assert wav_format(audio.content) == pytest.approx((1, 2, 8000, 2.0), abs=0.01)

    again = admin.put("/api/prompts/zh/welcome", content=tone_wav(seconds=1.0, channels=1),
                      headers={"Content-Type": "audio/x-wav"})
    assert again.status_code == 200
    assert again.json()["duration"] == pytest.approx(1.0, abs=0.01)


def test_a_text_prompt_is_spoken_and_served(admin: TestClient, tts: TextToSpeech) -> None:
    response = admin.put("/api/prompts/en/goodbye", json={"text": "Thank you for calling."})
    assert response.status_code == 201
    assert response.json()["kind"] == "tts"
    assert 1.0 < response.json()["duration"] < 3.0
    assert tts.renders == 1
    audio = admin.get("/api/prompts/en/goodbye/audio")
    assert wav_format(audio.content)[:3] == (1, 2, 8000)
    assert tts.renders == 1  # from the cache


@pytest.mark.parametrize(("body", "status", "message"), [
    (b"this is not audio", 422, "not a WAV file"),
    (tone_wav()[:5000], 422, "truncated"),
    (tone_wav(channels=3), 422, "3 channels"),
    (b"RIFF" + b"\x00" * (10 * 1024 * 1024), 413, "at most"),
])
def test_a_bad_upload_is_refused_and_nothing_changes(
        admin: TestClient, engine: Engine, body: bytes, status: int, message: str) -> None:
    admin.put("/api/prompts/zh/welcome", content=tone_wav(seconds=1.0), headers=WAV)
    response = admin.put("/api/prompts/zh/welcome", content=body, headers=WAV)
    assert response.status_code == status
    assert message in response.json()["detail"]
    assert admin.get("/api/prompts/zh/welcome").json()["duration"] == pytest.approx(1.0, abs=0.01)
    failed = admin.put("/api/prompts/en/welcome", content=body, headers=WAV)
    assert failed.status_code == status
    assert prompt_count(engine) == 1


@pytest.mark.parametrize(("content", "headers", "status"), [
    (b'{"text": ""}', {"Content-Type": "application/json"}, 422),
    (b'{"txt": "hello"}', {"Content-Type": "application/json"}, 422),
    (b"not json", {"Content-Type": "application/json"}, 422),
    (b"hello", {"Content-Type": "text/plain"}, 415),
])
def test_a_bad_text_body_is_refused(admin: TestClient, engine: Engine, content: bytes,
                                    headers: dict[str, str], status: int) -> None:
    assert admin.put("/api/prompts/en/hello", content=content, headers=headers).status_code \
        == status
    assert prompt_count(engine) == 0


@pytest.mark.parametrize("url", ["/api/prompts/chinese/welcome", "/api/prompts/zh/.hidden",
                                 "/api/prompts/zh/-rf", "/api/prompts/ZH/welcome"])
def test_languages_and_names_are_checked(admin: TestClient, url: str) -> None:
    response = admin.put(url, json={"text": "hello"})
    assert response.status_code in (404, 422)
    assert admin.get("/api/prompts").json() == []


def test_a_language_espeak_ng_cannot_speak_is_refused(
        admin: TestClient, tts: TextToSpeech) -> None:
    response = admin.put("/api/prompts/qq/hello", json={"text": "hello"})
    assert response.status_code == 422
    assert "no voice 'qq'" in response.json()["detail"]


def test_list_by_language_and_delete(admin: TestClient, tts: TextToSpeech) -> None:
    for language, name in [("zh", "welcome"), ("en", "welcome"), ("zh", "goodbye")]:
        admin.put(f"/api/prompts/{language}/{name}", content=tone_wav(seconds=0.5),
                  headers=WAV)
    listed = admin.get("/api/prompts").json()
    assert [(p["name"], p["language"]) for p in listed] == \
        [("goodbye", "zh"), ("welcome", "en"), ("welcome", "zh")]
    assert [p["name"] for p in admin.get("/api/prompts?language=zh").json()] == \
        ["goodbye", "welcome"]
    assert admin.delete("/api/prompts/zh/welcome").status_code == 204
    assert admin.get("/api/prompts/zh/welcome").status_code == 404
    assert admin.get("/api/prompts/zh/welcome/audio").status_code == 404
    assert admin.delete("/api/prompts/zh/welcome").status_code == 404
    assert admin.get("/api/prompts/en/welcome").status_code == 200


def test_supervisors_read_and_only_admins_change(clients: Clients, admin: TestClient) -> None:
    admin.put("/api/prompts/zh/welcome", content=tone_wav(seconds=0.5), headers=WAV)
    supervisor = clients.log_in("acme", "supervisor")
    agent = clients.log_in("acme", "agent")
    anonymous = clients.anonymous()
    assert supervisor.get("/api/prompts").status_code == 200
    assert supervisor.get("/api/prompts/zh/welcome/audio").status_code == 200
    for client, status in [(supervisor, 403), (agent, 403), (anonymous, 401)]:
        assert client.put("/api/prompts/zh/welcome", content=tone_wav(),
                          headers=WAV).status_code == status
        assert client.put("/api/prompts/zh/x", json={"text": "hi"}).status_code == status
        assert client.delete("/api/prompts/zh/welcome").status_code == status
    for client, status in [(agent, 403), (anonymous, 401)]:
        assert client.get("/api/prompts").status_code == status
        assert client.get("/api/prompts/zh/welcome").status_code == status
        assert client.get("/api/prompts/zh/welcome/audio").status_code == status
    assert admin.get("/api/prompts/zh/welcome").json()["duration"] == pytest.approx(0.5)


def test_a_tenant_sees_only_its_own_prompts(admin: TestClient, other_admin: TestClient) -> None:
    admin.put("/api/prompts/zh/welcome", content=tone_wav(seconds=0.5), headers=WAV)
    assert other_admin.get("/api/prompts").json() == []
    assert other_admin.get("/api/prompts/zh/welcome/audio").status_code == 404
    assert other_admin.delete("/api/prompts/zh/welcome").status_code == 404


def test_changes_are_in_the_audit_log(admin: TestClient, tts: TextToSpeech) -> None:
    admin.put("/api/prompts/zh/welcome", content=tone_wav(seconds=0.5), headers=WAV)
    admin.put("/api/prompts/zh/welcome", json={"text": "欢迎。"})
    admin.delete("/api/prompts/zh/welcome")
    entries = admin.get("/api/audit?entity=prompt").json()
    assert [(e["action"], e["entity_key"]) for e in entries] == \
        [("delete", "zh/welcome"), ("update", "zh/welcome"), ("create", "zh/welcome")]
    update = entries[1]
    assert (update["before"]["kind"], update["after"]["kind"]) == ("upload", "tts")
    assert update["after"]["text"] == "欢迎。"


def test_the_renderer_plays_what_the_api_stored(
        admin: TestClient, engine: Engine, tts: TextToSpeech) -> None:
    admin.put("/api/prompts/zh/welcome", content=tone_wav(seconds=1.0, frequency=600.0),
              headers=WAV)
    admin.put("/api/prompts/zh/menu", json={"text": "查询请按1。"})
    with session_factory(engine)() as session:
        tenant = accounts.tenant_named(session, "acme")
        assert tenant is not None
        catalogue = load_catalogue(session, tenant.id)
    assert len(catalogue) == 2
    renderer = PromptRenderer(catalogue, default_language="zh", tts=tts)
    rendered = renderer.render((("prompt", "welcome"), ("prompt", "menu")), "en")
    assert np.array_equal(rendered.segments[0],
                          decode_wav(admin.get("/api/prompts/zh/welcome/audio").content))
    assert rendered.duration == pytest.approx(
        sum(p["duration"] for p in admin.get("/api/prompts").json()), abs=0.01)
