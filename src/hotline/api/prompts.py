"""`/api/prompts`: the tenant's prompt catalogue — recorded and spoken prompts per language.

`PUT /api/prompts/{language}/{name}` creates or replaces a prompt. With the body sent as
`audio/wav` (a PCM WAV file of at most 10 MiB, mono or stereo, any common rate) the recording
is checked and stored converted to 8 kHz mono 16-bit; with a JSON body `{"text": ...}` the
text is spoken by espeak-ng in that language (and rendered at once, so a text that cannot be
spoken is refused now rather than in front of a caller). `GET .../audio` answers the prompt's
audio as a telephony WAV file. A file or text that is refused changes nothing.

Supervisors and admins read; admins change, and every change is in the audit log with the
prompt before and after (without its audio).

After each committed change, every callable in `app.state.prompt_listeners` is called on the
event loop with the tenant's name: the SIP switch registers one that drops the tenant's
prompt renderers, so that the next call plays the new catalogue. A listener that fails is
logged; the change stays committed.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from typing import Annotated, Any

from anyio import from_thread
from fastapi import APIRouter, HTTPException, Path, Query, Request, Response, status
from pydantic import BaseModel, ConfigDict, Field, ValidationError
from starlette.concurrency import run_in_threadpool

from hotline.api.auth import Admin, Staff
from hotline.api.resources import read_body
from hotline.api.session import DbSession
from hotline.prompts.audio import MAX_UPLOAD_BYTES, decode_wav, duration, encode_wav
from hotline.prompts.speech import MAX_TEXT_CHARS, SpeechError, TextToSpeech
from hotline.store import prompt_repo
from hotline.store.account_schemas import UtcTime
from hotline.store.accounts import Principal, record_audit
from hotline.store.prompt_tables import PromptRow

router = APIRouter(prefix="/api/prompts", tags=["prompts"])

log = logging.getLogger("hotline.api")

PromptListener = Callable[[str], None]
"""Called with the tenant's name after each committed change to its prompts (see the
module's docstring)."""

WAV_TYPES = frozenset({"audio/wav", "audio/x-wav", "audio/wave", "audio/vnd.wave"})
"""The content types of an uploaded recording."""

Language = Annotated[str, Path(pattern=prompt_repo.LANGUAGE_PATTERN, max_length=16,
                               description="A language code: zh, en, zh-HK...")]
PromptName = Annotated[str, Path(pattern=prompt_repo.NAME_PATTERN, max_length=64,
                                 description="The prompt's name in the catalogue.")]


class SpeechText(BaseModel):
    """A text-to-speech prompt: the text, spoken in the prompt's language."""

    model_config = ConfigDict(extra="forbid")

    text: str = Field(min_length=1, max_length=MAX_TEXT_CHARS)


class PromptRead(BaseModel):
    """A prompt of the catalogue (its audio is at `.../audio`)."""

    model_config = ConfigDict(from_attributes=True)

    name: str
    language: str
    kind: str = Field(description="upload (a recording) or tts (text-to-speech)")
    text: str | None = Field(description="The text spoken, for a tts prompt.")
    duration: float = Field(description="Seconds.")
    updated_at: UtcTime


PUT_BODY: dict[str, Any] = {
    "requestBody": {
        "required": True,
        "content": {
            "audio/wav": {"schema": {"type": "string", "format": "binary"}},
            "application/json": {"schema": SpeechText.model_json_schema()},
        },
    }
}


def speech_engine(request: Request) -> TextToSpeech:
    """The app's text-to-speech (`app.state.prompt_tts`; a default one on first use)."""
    engine: TextToSpeech | None = getattr(request.app.state, "prompt_tts", None)
    if engine is None:
        engine = request.app.state.prompt_tts = TextToSpeech()
    return engine


def _prompt(session: DbSession, principal: Principal, language: str, name: str) -> PromptRow:
    row = prompt_repo.get_prompt(session, principal.tenant_id, name, language)
    if row is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND,
                            f"no prompt {name} in language {language} in this tenant")
    return row


def _unavailable(error: SpeechError) -> HTTPException:
    return HTTPException(status.HTTP_503_SERVICE_UNAVAILABLE, f"text-to-speech: {error}")


@router.get("")
def list_prompts(
    principal: Staff,
    session: DbSession,
    language: Annotated[str | None, Query(pattern=prompt_repo.LANGUAGE_PATTERN,
                                          max_length=16)] = None,
) -> list[PromptRead]:
    """The tenant's prompts (in one language, when given), by name then language."""
    rows = prompt_repo.list_prompts(session, principal.tenant_id, language)
    return [PromptRead.model_validate(row) for row in rows]


@router.get("/{language}/{name}")
def get_prompt(language: Language, name: PromptName, principal: Staff,
               session: DbSession) -> PromptRead:
    """One prompt."""
    return PromptRead.model_validate(_prompt(session, principal, language, name))


@router.get("/{language}/{name}/audio", response_class=Response,
            responses={200: {"content": {"audio/wav": {}}, "description": "8 kHz mono WAV"}})
def get_prompt_audio(language: Language, name: PromptName, principal: Staff,
                     session: DbSession, request: Request) -> Response:
    """The prompt's audio: a WAV file, 8 kHz mono 16-bit PCM (speech is rendered, or taken
    from the cache)."""
    row = _prompt(session, principal, language, name)
    if row.audio is not None:
        audio = row.audio
    else:
        assert row.text is not None
        try:
            audio = speech_engine(request).render_wav(row.text, row.language)
        except SpeechError as error:
            raise _unavailable(error) from None
    return Response(audio, media_type="audio/wav")


@router.put("/{language}/{name}", openapi_extra=PUT_BODY,
            responses={201: {"model": PromptRead}, 413: {}, 415: {}, 503: {}})
async def put_prompt(language: Language, name: PromptName, principal: Admin,
                     session: DbSession, request: Request, response: Response) -> PromptRead:
    """Create (201) or replace (200) a prompt: a recording sent as `audio/wav`, or a JSON
    `{"text": ...}` to speak. A recording that is not a PCM WAV file, or a text that cannot
    be spoken, is a 422 saying why; a file over 10 MiB a 413; nothing changes."""
    media_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if media_type in WAV_TYPES:
        data = await read_body(request, MAX_UPLOAD_BYTES)
        row, created, before = await run_in_threadpool(
            _put_upload, session, principal, language, name, data)
    elif media_type == "application/json":
        text = _speech_text(await read_body(request, MAX_TEXT_CHARS * 8))
        row, created, before = await run_in_threadpool(
            _put_speech, session, principal, language, name, text, speech_engine(request))
    else:
        raise HTTPException(status.HTTP_415_UNSUPPORTED_MEDIA_TYPE,
                            "send a recording as audio/wav or a text as application/json "
                            f"{{\"text\": ...}}, not {media_type or 'no content type'}")
    after = PromptRead.model_validate(row)
    record_audit(session, principal, "create" if created else "update", "prompt",
                 f"{language}/{name}", before, after)
    session.commit()
    _changed(request, principal.tenant)
    response.status_code = status.HTTP_201_CREATED if created else status.HTTP_200_OK
    return after


@router.delete("/{language}/{name}", status_code=status.HTTP_204_NO_CONTENT)
def delete_prompt(language: Language, name: PromptName, principal: Admin,
                  session: DbSession, request: Request) -> Response:
    """Remove a prompt from the catalogue (in this language only)."""
    row = _prompt(session, principal, language, name)
    before = PromptRead.model_validate(row)
    prompt_repo.delete_prompt(session, row)
    record_audit(session, principal, "delete", "prompt", f"{language}/{name}", before, None)
    session.commit()
    from_thread.run_sync(_changed, request, principal.tenant)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


def _changed(request: Request, tenant: str) -> None:
    """Tell the prompt listeners that `tenant`'s committed prompts changed (on the event
    loop)."""
    listeners: list[PromptListener] = request.app.state.prompt_listeners
    for listener in list(listeners):
        try:
            listener(tenant)
        except Exception:
            log.exception("a prompt listener failed after a change to tenant %s's prompts; "
                          "the switch may play the previous ones", tenant)


def _speech_text(body: bytes) -> str:
    try:
        return SpeechText.model_validate(json.loads(body)).text
    except (ValueError, ValidationError) as error:
        message = (error.errors()[0]["msg"] if isinstance(error, ValidationError)
                   else "the body is not JSON")
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT,
                            f'expected {{"text": "..."}}: {message}') from None


def _before(row: PromptRow | None) -> PromptRead | None:
    return None if row is None else PromptRead.model_validate(row)


def _put_upload(session: DbSession, principal: Principal, language: str, name: str,
                data: bytes) -> tuple[PromptRow, bool, PromptRead | None]:
    samples = decode_wav(data)
    before = _before(prompt_repo.get_prompt(session, principal.tenant_id, name, language))
    row, created = prompt_repo.put_upload(session, principal.tenant_id, name, language,
                                          encode_wav(samples), duration(samples))
    return row, created, before


def _put_speech(session: DbSession, principal: Principal, language: str, name: str, text: str,
                tts: TextToSpeech) -> tuple[PromptRow, bool, PromptRead | None]:
    try:
        wav = tts.render_wav(text, language)
    except SpeechError as error:
        raise _unavailable(error) from None
    spoken = duration(decode_wav(wav))
    before = _before(prompt_repo.get_prompt(session, principal.tenant_id, name, language))
    row, created = prompt_repo.put_speech(session, principal.tenant_id, name, language, text,
                                          spoken)
    return row, created, before

