"""A tenant's prompt catalogue held in memory: what `("prompt", name)` plays, per language.

The catalogue is stored in the database (`hotline.store.prompt_tables`); a process that
plays prompts loads it once with `load_catalogue` and loads it again when it changes. Each
entry is either recorded audio (telephony WAV) or a text to speak.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy.orm import Session

from hotline.store import prompt_repo


@dataclass(frozen=True, slots=True)
class CatalogueEntry:
    """A prompt in one language: `audio` (a telephony WAV file) for an upload, `text` for
    text-to-speech; `duration` in seconds."""

    name: str
    language: str
    kind: str
    duration: float
    text: str | None = None
    audio: bytes | None = None


class Catalogue:
    """The prompts of one tenant, found by (name, language)."""

    def __init__(self, entries: Iterable[CatalogueEntry] = ()) -> None:
        self._entries = {(entry.name, entry.language): entry for entry in entries}

    def get(self, name: str, language: str) -> CatalogueEntry | None:
        """The prompt `name` in exactly `language`, or None."""
        return self._entries.get((name, language))

    def __len__(self) -> int:
        return len(self._entries)

    def durations(self) -> dict[tuple[str, str], float]:
        """Each prompt's duration by (name, language): all the duration estimate needs."""
        return {key: entry.duration for key, entry in self._entries.items()}


def load_catalogue(session: Session, tenant_id: int) -> Catalogue:
    """The tenant's whole catalogue from the database, audio included."""
    return Catalogue(
        CatalogueEntry(name=row.name, language=row.language, kind=row.kind,
                       duration=row.duration, text=row.text, audio=row.audio)
        for row in prompt_repo.all_with_audio(session, tenant_id)
    )
