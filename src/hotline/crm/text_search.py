"""Words for full-text search in Chinese and English: the tokens the knowledge base indexes
and queries with, the same on SQLite and PostgreSQL.

Neither database splits Chinese into words: both cut text at spaces and punctuation, and
Chinese has neither between words. So Hotline cuts the text itself, and the databases only
index the space-separated tokens it hands them. The text is NFKC-normalised (full-width
`ＡＢＣ１２３` becomes `abc123`) and lower-cased; then
- a run of letters and digits of an alphabetic script (Latin, Cyrillic, Greek, Devanagari...)
  is one word, combining marks included: `Gas-Meter 95598` → `gas`, `meter`, `95598`;
- a run of CJK characters (Han, kana, hangul) becomes its overlapping bigrams: `燃气泄漏` →
  `燃气`, `气泄`, `泄漏`; a lone CJK character stays a unigram;
- anything else (spaces, punctuation, symbols) separates tokens.

Bigrams are the chosen method, not a dictionary segmenter: jieba, the usual one, is
unmaintained, and a dictionary misses the domain's words (meter numbers, product names) that
bigrams catch. A query is cut the same way and matches an article holding any of its tokens;
the databases' rankings (bm25, ts_rank_cd) then favour articles that hold more of them, and
rarer ones, which is what overlapping bigrams need: `燃气泄漏` matches everything about `燃气`
(gas) but ranks an article about `泄漏` (leaks) first. A query of one CJK character also
matches the bigrams that begin with it (a prefix match), since an indexed text rarely keeps
a character alone. Scripts written without spaces that are not CJK (Thai, Lao...) come out
as long words and are found only whole.

`index_text` is what is stored for the index; `fts5_query` and `tsquery` are the query in
each database's syntax; `snippet` cuts the part of an article to show around the first
matching word. Pure functions, standard library only.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable, Iterator
from itertools import pairwise

MAX_TOKEN = 100
"""Longer tokens are neither indexed nor searched: nobody types them, and PostgreSQL refuses
words over 2 KB."""

SNIPPET = 200
"""The most characters a snippet has, ellipses included."""

_CJK_RANGES = (
    (0x1100, 0x11FF),  # Hangul Jamo
    (0x3005, 0x3007),  # 々 〆 〇
    (0x3040, 0x30FF),  # Hiragana, Katakana
    (0x3130, 0x318F),  # Hangul compatibility jamo
    (0x31F0, 0x31FF),  # Katakana phonetic extensions
    (0x3400, 0x4DBF),  # CJK unified ideographs extension A
    (0x4E00, 0x9FFF),  # CJK unified ideographs
    (0xA960, 0xA97F),  # Hangul Jamo extended A
    (0xAC00, 0xD7FF),  # Hangul syllables, Jamo extended B
    (0xF900, 0xFAFF),  # CJK compatibility ideographs
    (0x20000, 0x3FFFF),  # CJK extensions B to H (planes 2 and 3)
)

_CJK = "cjk"
_WORD = "word"


def tokens(text: str) -> list[str]:
    """The search tokens of `text`, in order (repeats kept)."""
    normal = unicodedata.normalize("NFKC", text).lower()
    return [token for token, _ in _spans((character, at) for at, character in enumerate(normal))]


def index_text(text: str) -> str:
    """What the index stores for `text`: its tokens, space-separated (overlong ones left
    out)."""
    return " ".join(token for token in tokens(text) if len(token) <= MAX_TOKEN)


def query_tokens(query: str) -> list[str]:
    """The distinct tokens of a query, in order of first appearance (overlong ones left
    out)."""
    return list(dict.fromkeys(token for token in tokens(query) if len(token) <= MAX_TOKEN))


def fts5_query(query: str) -> str | None:
    """An SQLite FTS5 MATCH expression for any token of `query` (None when it has none):
    `"燃气" OR "气泄" OR "gas"`, a lone CJK character as a prefix (`"气"*`)."""
    terms = ['"' + token.replace('"', '""') + '"' + ("*" if _is_lone_cjk(token) else "")
             for token in query_tokens(query)]
    return " OR ".join(terms) or None


def tsquery(query: str) -> str | None:
    """A PostgreSQL `to_tsquery('simple', ...)` text for any token of `query` (None when it
    has none): `'燃气' | '气泄' | 'gas'`, a lone CJK character as a prefix (`'气':*`)."""
    terms = ["'" + token.replace("\\", "\\\\").replace("'", "''") + "'"
             + (":*" if _is_lone_cjk(token) else "")
             for token in query_tokens(query)]
    return " | ".join(terms) or None


def first_match(text: str, query: str) -> int | None:
    """Where in `text` the first token that `query` matches begins (an index into `text`),
    or None. Each character is normalised on its own, so that positions stay those of
    `text`."""
    wanted = query_tokens(query)
    exact = set(wanted)
    prefixes = tuple(token for token in wanted if _is_lone_cjk(token))
    characters = ((piece, at) for at, character in enumerate(text)
                  for piece in unicodedata.normalize("NFKC", character).lower())
    for token, at in _spans(characters):
        if token in exact or (prefixes and token.startswith(prefixes)):
            return at
    return None


def snippet(text: str, query: str | None = None, width: int = SNIPPET) -> str:
    """At most `width` characters of `text` to show in a list of results: from a little
    before the first word `query` matches, or from the start; whitespace runs become one
    space, and an ellipsis marks what is cut."""
    at = first_match(text, query) if query else None
    start = 0 if at is None else _word_start(text, max(0, at - width // 4), at)
    lead = "…" if start > 0 else ""
    piece = " ".join(text[start:].split())
    room = width - len(lead)
    if len(piece) > room:
        piece = piece[:room - 1] + "…"
    return lead + piece


def _word_start(text: str, earliest: int, at: int) -> int:
    """The first character after a space between `earliest` and `at`, so that a snippet does
    not begin mid-word (or `earliest` when it is the start or there is none, as in
    Chinese)."""
    if earliest == 0:
        return 0
    space = next((i for i in range(earliest, at) if text[i].isspace()), None)
    return earliest if space is None else space + 1


def _spans(characters: Iterable[tuple[str, int]]) -> Iterator[tuple[str, int]]:
    """Tokens and where each begins, from normalised characters each paired with its
    position."""
    run: list[tuple[str, int]] = []
    kind: str | None = None
    for character, at in characters:
        current = _kind(character)
        if current != kind:
            yield from _run_tokens(run, kind)
            run, kind = [], current
        if current is not None:
            run.append((character, at))
    yield from _run_tokens(run, kind)


def _run_tokens(run: list[tuple[str, int]], kind: str | None) -> Iterator[tuple[str, int]]:
    if not run or kind is None:
        return
    if kind == _WORD or len(run) == 1:
        yield "".join(character for character, _ in run), run[0][1]
        return
    for (first, at), (second, _) in pairwise(run):
        yield first + second, at


def _kind(character: str) -> str | None:
    if not (character.isalnum() or unicodedata.category(character).startswith("M")):
        return None
    return _CJK if _in_cjk_block(character) else _WORD


def _in_cjk_block(character: str) -> bool:
    point = ord(character)
    return any(low <= point <= high for low, high in _CJK_RANGES)


def _is_lone_cjk(token: str) -> bool:
    return len(token) == 1 and _in_cjk_block(token)
