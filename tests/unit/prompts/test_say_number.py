"""Say-number: English from the names of Asterisk's core sounds, Chinese as one spoken text."""

from __future__ import annotations

from pathlib import Path

import pytest

from hotline.prompts import english_numbers
from hotline.prompts.say_number import say_number
from hotline.prompts.segments import Segment, Sound, Speech
from hotline.prompts.sounds import DEFAULT_SOUNDS_DIR


def said(segments: list[Segment]) -> str:
    """The segments as words: a sound by its file name, speech in quotes."""
    return " ".join(s.name.removeprefix("digits/") if isinstance(s, Sound) else f"'{s.text}'"
                    for s in segments)


@pytest.mark.parametrize(("value", "words"), [
    ("0", "0"), ("7", "7"), ("13", "13"), ("20", "20"), ("42", "40 2"), ("100", "1 hundred"),
    ("1203", "1 thousand 2 hundred 3"), ("1000000", "1 million"),
    ("2000000019", "2 billion 19"), ("-15", "minus 15"),
    ("999999999999", "9 hundred 90 9 billion 9 hundred 90 9 million 9 hundred 90 9 thousand "
                     "9 hundred 90 9"),
    ("12.05", "12 'point' 0 5"),
])
def test_english_numbers(value: str, words: str) -> None:
    assert said(say_number(value, "number", "en")) == words


def test_english_digits_one_by_one() -> None:
    assert said(say_number("10 9*#", "digits", "en")) == "1 0 9 star pound"


@pytest.mark.parametrize(("value", "currency", "words"), [
    ("12.50", "yuan", "12 'yuan' vm-and 50 'cents'"),
    ("1", "dollar", "1 letters/dollar"),
    ("2.01", "dollar", "2 dollars vm-and 1 'cent'"),
    ("0.99", "dollar", "90 9 'cents'"),
    ("0", "yuan", "0 'yuan'"),
])
def test_english_amounts(value: str, currency: str, words: str) -> None:
    assert said(english_numbers.amount(value, currency)) == words


def test_english_amounts_default_to_yuan() -> None:
    assert said(say_number("3", "amount", "en")) == "3 'yuan'"


@pytest.mark.parametrize(("value", "words"), [
    ("20240305", "mon-2 h-5 2 thousand 20 4"),
    ("2024-12-31", "mon-11 30 h-1 2 thousand 20 4"),
    ("19990120", "mon-0 h-20 19 90 9"),
    ("19050430", "mon-3 h-30 19 oh 5"),
    ("19000101", "mon-0 h-1 19 hundred"),
])
def test_english_dates_are_month_ordinal_day_and_year(value: str, words: str) -> None:
    assert said(say_number(value, "date", "en")) == words


@pytest.mark.parametrize(("value", "words"), [
    ("140500", "2 oh 5 p-m"), ("000000", "12 oclock a-m"), ("0930", "9 30 a-m"),
    ("12:15:59", "12 15 p-m"),
])
def test_english_times_on_the_12_hour_clock(value: str, words: str) -> None:
    assert said(say_number(value, "time", "en")) == words


def test_chinese_is_one_text_in_chinese_words() -> None:
    assert say_number("1203.5", "number", "zh") == [Speech("一千二百零三点五", "zh")]
    assert say_number("88.6", "amount", "zh") == [Speech("八十八元六角", "zh")]


@pytest.mark.parametrize(("value", "number_format", "language", "message"), [
    ("1", "roman", "en", "unknown number format 'roman'"),
    ("1", "number", "fr", "not 'fr'"),
    ("1000000000000", "number", "en", "too large"),
    ("x", "number", "en", "not a number"),
])
def test_what_cannot_be_said_is_refused(value: str, number_format: str, language: str,
                                        message: str) -> None:
    with pytest.raises(ValueError, match=message):
        say_number(value, number_format, language)


def test_every_sound_english_say_number_uses_is_installed() -> None:
    values = [("987654321012", "number"), ("1234567890", "number"), ("1.5", "amount"),
              ("*#0123456789", "digits"), ("17", "number"), ("11", "number"), ("12", "number"),
              ("14", "number"), ("15", "number"), ("16", "number"), ("18", "number")]
    values += [(f"2024{month:02d}{day:02d}", "date") for month in range(1, 13)
               for day in (1, 2, 3, 13, 19, 20, 21, 28)]
    values += [(f"{hour:02d}{minute:02d}00", "time") for hour in range(24) for minute in (0, 7)]
    names = {segment.name for value, fmt in values for segment in say_number(value, fmt, "en")
             if isinstance(segment, Sound)}
    names |= {segment.name for segment in say_number("1", "amount", "en", currency="dollar")}
    names |= {s.name for s in say_number("2", "amount", "en", currency="dollar")
              if isinstance(s, Sound)}
    missing = sorted(name for name in names if not (DEFAULT_SOUNDS_DIR / f"{name}.wav").exists())
    assert missing == []
    assert Path(DEFAULT_SOUNDS_DIR, "digits", "h-30.wav").exists()
