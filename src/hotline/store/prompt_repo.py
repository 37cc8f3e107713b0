"""Reading and changing a tenant's prompt catalogue (`prompt_tables.PromptRow`).

Names and languages are checked here, so that the API, the CLI and imports all refuse the
same things: a language is a short code (`zh`, `en`, `zh-HK`), a name is a word of letters,
digits, `_`, `-` and `.` that does not start with punctuation (`welcome`, `menu.main`). The
audio given to `put_upload` must already be telephony WAV (`hotline.prompts.audio` makes it).
"""

from __future__ import annotations

import re

from sqlalchemy import select
from sqlalchemy.orm import Session, undefer

from hotline.store.account_tables import utc_now
from hotline.store.prompt_tables import PROMPT_NAME, PromptRow

LANGUAGE_PATTERN = r"^[a-z]{2,3}(-[A-Za-z0-9]{2,8})?$"
"""A language code: two or three lower-case letters, optionally a region or script."""

NAME_PATTERN = rf"^[A-Za-z0-9][A-Za-z0-9_.-]{{0,{PROMPT_NAME - 1}}}$"
"""A prompt name: up to 64 letters, digits, `_`, `-` and `.`, starting with a letter or
digit."""

MAX_TEXT = 1000
"""The longest text of a text-to-speech prompt (the speech engine's own limit)."""


def check_language(language: str) -> str:
    """`language` if it is a language code, else a `ValueError` saying what is allowed."""
    if not re.match(LANGUAGE_PATTERN, language):
        raise ValueError(f"{language!r} is not a language code (such as zh, en or zh-HK)")
    return language


def check_name(name: str) -> str:
    """`name` if it can name a prompt, else a `ValueError` saying what is allowed."""
    if not re.match(NAME_PATTERN, name):
        raise ValueError(f"{name!r} is not a prompt name (up to {PROMPT_NAME} letters, digits, "
                         "'_', '-' or '.', starting with a letter or digit)")
    return name


def list_prompts(session: Session, tenant_id: int, language: str | None = None
                 ) -> list[PromptRow]:
    """The tenant's prompts (in `language` only, when given), by name then language; their
    audio is not loaded."""
    query = select(PromptRow).where(PromptRow.tenant_id == tenant_id)
    if language is not None:
        query = query.where(PromptRow.language == language)
    return list(session.scalars(query.order_by(PromptRow.name, PromptRow.language)))


def all_with_audio(session: Session, tenant_id: int) -> list[PromptRow]:
    """Every prompt of the tenant with its audio, for a catalogue held in memory."""
    query = (select(PromptRow).where(PromptRow.tenant_id == tenant_id)
             .options(undefer(PromptRow.audio)))
    return list(session.scalars(query))


def get_prompt(session: Session, tenant_id: int, name: str, language: str) -> PromptRow | None:
    """The prompt `name` in `language`, or None."""
    return session.scalars(select(PromptRow).where(
        PromptRow.tenant_id == tenant_id, PromptRow.name == name,
        PromptRow.language == language)).one_or_none()


def put_upload(session: Session, tenant_id: int, name: str, language: str, audio: bytes,
               duration: float) -> tuple[PromptRow, bool]:
    """Create or replace the prompt `name` in `language` with recorded `audio` (telephony
    WAV). Answers the row and whether it is new."""
    return _put(session, tenant_id, name, language, kind="upload", text=None, audio=audio,
                duration=duration)


def put_speech(session: Session, tenant_id: int, name: str, language: str, text: str,
               duration: float) -> tuple[PromptRow, bool]:
    """Create or replace the prompt `name` in `language` with `text` to speak. Answers the
    row and whether it is new."""
    text = text.strip()
    if not text or len(text) > MAX_TEXT:
        raise ValueError(f"the text of a prompt has 1 to {MAX_TEXT} characters, "
                         f"not {len(text)}")
    return _put(session, tenant_id, name, language, kind="tts", text=text, audio=None,
                duration=duration)


def _put(session: Session, tenant_id: int, name: str, language: str, *, kind: str,
         text: str | None, audio: bytes | None, duration: float) -> tuple[PromptRow, bool]:
    row = get_prompt(session, tenant_id, check_name(name), check_language(language))
    created = row is None
    if row is None:
        row = PromptRow(tenant_id=tenant_id, name=name, language=language)
        session.add(row)
    row.kind, row.text, row.audio, row.duration = kind, text, audio, duration
    row.updated_at = utc_now()
    session.flush()
    return row, created


def delete_prompt(session: Session, row: PromptRow) -> None:
    """Remove a prompt from the catalogue."""
    session.delete(row)
    session.flush()
