"""Say-number: a PLAY NUMBER value as the segments that speak it, in the caller's language.

English is put together from Asterisk's core sound files (`english_numbers`); Chinese is
written out in Chinese words (`chinese_numerals`) and spoken by text-to-speech as one piece,
which keeps the tones and the flow of the phrase that word-by-word files would break. The
formats are those of `hotline.ivr.flow.NUMBER_FORMATS`: number, digits, amount, date, time.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from types import MappingProxyType

from hotline.prompts import chinese_numerals, english_numbers
from hotline.prompts.segments import Segment, Speech

FORMATS = frozenset({"number", "digits", "amount", "date", "time"})
"""The formats a value can be said in (the same as the IVR's `NUMBER_FORMATS`)."""

LANGUAGES = frozenset({"en", "zh"})
"""The languages say-number speaks."""

_CHINESE: Mapping[str, Callable[[str], str]] = MappingProxyType({
    "number": chinese_numerals.number,
    "digits": chinese_numerals.digits,
    "amount": chinese_numerals.amount,
    "date": chinese_numerals.date,
    "time": chinese_numerals.time,
})
_ENGLISH: Mapping[str, Callable[[str], list[Segment]]] = MappingProxyType({
    "number": english_numbers.number,
    "digits": english_numbers.digits,
    "date": english_numbers.date,
    "time": english_numbers.time,
})


def say_number(value: str, number_format: str, language: str, *, currency: str = "yuan"
               ) -> list[Segment]:
    """The segments that say `value` as `number_format` in `language`; English amounts are in
    `currency` (see `english_numbers.CURRENCIES`; Chinese amounts are always 元/角/分).
    A value not of the format, or a format or language not spoken, is a `ValueError`."""
    if number_format not in FORMATS:
        raise ValueError(f"unknown number format {number_format!r}; "
                         f"known: {', '.join(sorted(FORMATS))}")
    if language == "zh":
        return [Speech(_CHINESE[number_format](value), "zh")]
    if language == "en":
        if number_format == "amount":
            return english_numbers.amount(value, currency)
        return _ENGLISH[number_format](value)
    raise ValueError(f"say-number speaks {', '.join(sorted(LANGUAGES))}, not {language!r}")
