"""Cutting Chinese and English into search tokens: words, CJK bigrams, normalisation; the
queries built for each database; and the snippet around the first word found."""

from __future__ import annotations

import unicodedata

import pytest
from hypothesis import given
from hypothesis import strategies as st

from hotline.crm.text_search import (
    MAX_TOKEN,
    fts5_query,
    index_text,
    query_tokens,
    snippet,
    tokens,
    tsquery,
)


@pytest.mark.parametrize(("text", "expected"), [
    ("燃气泄漏", ["燃气", "气泄", "泄漏"]),
    ("漏", ["漏"]),
    ("Gas leak", ["gas", "leak"]),
    ("燃气gas泄漏", ["燃气", "gas", "泄漏"]),
    ("拨打96777报修", ["拨打", "96777", "报修"]),
    ("Meter GZ-20391, floor 3.", ["meter", "gz", "20391", "floor", "3"]),
    ("ＧＡＳ　ＬＥＡＫ１２３", ["gas", "leak123"]),
    ("燃气，泄漏！请拨打：96777。", ["燃气", "泄漏", "请拨", "拨打", "96777"]),
    ("“账单”", ["账单"]),
    ("don't_stop", ["don", "t", "stop"]),
    ("Café CRÈME", ["café", "crème"]),
    ("cafe\u0301", ["café"]),
    ("ガスメーター", ["ガス", "スメ", "メー", "ータ", "ター"]),
    ("가스 누출", ["가스", "누출"]),
    ("Газ утечка", ["газ", "утечка"]),
    ("①②", ["12"]),  # NFKC makes circled digits plain ones
    ("", []),
    ("  ，。！？…  ", []),
    ("a 燃 b", ["a", "燃", "b"]),
])
def test_text_is_cut_into_words_and_cjk_bigrams(text: str, expected: list[str]) -> None:
    assert tokens(text) == expected


def test_the_index_text_is_the_tokens_joined_by_spaces_without_overlong_ones() -> None:
    assert index_text("燃气泄漏 Gas") == "燃气 气泄 泄漏 gas"
    assert index_text("short " + "x" * (MAX_TOKEN + 1) + " end") == "short end"
    assert index_text("x" * MAX_TOKEN) == "x" * MAX_TOKEN


def test_a_query_keeps_each_token_once_in_order() -> None:
    assert query_tokens("gas 燃气 GAS 燃气") == ["gas", "燃气"]


def test_the_fts5_query_ors_quoted_tokens_and_prefixes_a_lone_cjk_character() -> None:
    assert fts5_query("燃气泄漏 gas") == '"燃气" OR "气泄" OR "泄漏" OR "gas"'
    assert fts5_query("气") == '"气"*'
    assert fts5_query("？！") is None
    assert fts5_query("") is None


def test_the_tsquery_ors_quoted_tokens_and_prefixes_a_lone_cjk_character() -> None:
    assert tsquery("燃气 gas") == "'燃气' | 'gas'"
    assert tsquery("气") == "'气':*"
    assert tsquery("O'Neil AND OR") == "'o' | 'neil' | 'and' | 'or'"
    assert tsquery("...") is None


def test_the_snippet_starts_a_little_before_the_first_word_found() -> None:
    text = "Intro sentence here. " * 10 + "Then a gas leak is described. " + "Tail. " * 50
    cut = snippet(text, "leak gas")
    assert cut.startswith("…") and cut.endswith("…") and len(cut) <= 200
    assert "gas leak" in cut
    collapsed = " ".join(text.split())
    at = collapsed.index(cut[1:-1])
    assert 0 < at < collapsed.index("gas leak") and collapsed[at - 1] == " "


def test_the_snippet_finds_whole_words_and_full_width_text() -> None:
    text = "gasoline " * 30 + "ＧＡＳ here"
    cut = snippet(text, "gas")
    assert "ＧＡＳ here" in cut


def test_without_a_match_or_a_query_the_snippet_is_the_start_with_spaces_collapsed() -> None:
    text = "第一行。\n\n第二行   内容。"
    assert snippet(text) == "第一行。 第二行 内容。"
    assert snippet(text, "没有") == "第一行。 第二行 内容。"
    assert snippet("x" * 500) == "x" * 199 + "…"


def test_a_lone_cjk_character_in_a_query_finds_the_bigram_it_begins() -> None:
    text = "说明。" * 50 + "燃气泄漏时请立即离开。"
    assert "燃气泄漏" in snippet(text, "泄")


@given(st.text())
def test_tokens_never_fail_and_hold_no_whitespace(text: str) -> None:
    result = tokens(text)
    assert all(token and not any(c.isspace() for c in token) for token in result)
    # What a database finds splitting the index text at spaces is exactly the tokens.
    assert index_text(text).split() == [token for token in result if len(token) <= MAX_TOKEN]


@given(st.text())
def test_tokens_are_those_of_the_normalised_text(text: str) -> None:
    assert tokens(text) == tokens(unicodedata.normalize("NFKC", text))


@given(st.text(), st.text(max_size=20))
def test_snippets_never_fail_and_stay_within_the_width(text: str, query: str) -> None:
    assert len(snippet(text, query)) <= 200
