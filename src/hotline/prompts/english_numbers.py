"""English say-number from Asterisk's core sounds (`asterisk-core-sounds-en-wav`), the way
Asterisk's own `SayNumber` and `SayUnixTime` put them together.

- numbers up to 999 billion: 1203 → one thousand two hundred three (no "and", as Asterisk
  says it), 1,000,000 → one million, -5 → minus five;
- decimals: the whole part, "point", then each decimal digit (12.05 → twelve point zero five);
- digits one by one (0–9, star, pound);
- money: "<n> dollars and <m> cents" or "<n> yuan and <m> cents";
- dates as month, ordinal day and year (March fifth two thousand twenty four; years before
  2000 in pairs: nineteen ninety nine, nineteen oh five);
- times on the 12-hour clock: two oh five p m, nine o'clock a m.

The core set has no recording of "point", "cent(s)" or "yuan"; those words are `Speech`
segments, spoken by espeak-ng's English voice. Everything else is a `Sound`.
"""

from __future__ import annotations

from hotline.prompts.number_values import split_amount, split_date, split_number, split_time
from hotline.prompts.segments import Segment, Sound, Speech

MAX_NUMBER = 10**12 - 1
"""The largest whole number said (the sound set's biggest unit is the billion)."""

_SCALES = ((10**9, "digits/billion"), (10**6, "digits/million"), (1000, "digits/thousand"))
_CURRENCY_UNITS: dict[str, tuple[Segment, Segment]] = {
    "dollar": (Sound("letters/dollar"), Sound("digits/dollars")),
    "yuan": (Speech("yuan", "en"), Speech("yuan", "en")),
}
CURRENCIES = frozenset(_CURRENCY_UNITS)
"""The currencies English amounts are said in."""


def whole_number(number: int) -> list[Segment]:
    """A whole number: 1203 → digits/1 thousand 2 hundred 3."""
    if number < 0:
        return [Sound("digits/minus"), *whole_number(-number)]
    if number > MAX_NUMBER:
        raise ValueError(f"{number} is too large to say in English (at most {MAX_NUMBER})")
    if number == 0:
        return [Sound("digits/0")]
    said: list[Segment] = []
    rest = number
    for scale, unit in _SCALES:
        if rest >= scale:
            said += [*_below_thousand(rest // scale), Sound(unit)]
            rest %= scale
    return said + _below_thousand(rest)


def _below_thousand(number: int) -> list[Segment]:
    said: list[Segment] = []
    if number >= 100:
        said += [Sound(f"digits/{number // 100}"), Sound("digits/hundred")]
        number %= 100
    if number >= 20:
        said.append(Sound(f"digits/{number - number % 10}"))
        number %= 10
    if number:
        said.append(Sound(f"digits/{number}"))
    return said


def number(value: str) -> list[Segment]:
    """A number, whole or decimal: "12.05" → twelve point zero five."""
    negative, whole, fraction = split_number(value)
    said: list[Segment] = [Sound("digits/minus")] if negative else []
    said += whole_number(whole)
    if fraction:
        said += [Speech("point", "en"), *digits(fraction)]
    return said


def digits(value: str) -> list[Segment]:
    """Each digit in turn; * and # are "star" and "pound"; spaces and dashes are skipped."""
    said: list[Segment] = []
    for char in value:
        if char.isdigit() and char.isascii():
            said.append(Sound(f"digits/{char}"))
        elif char in "*#":
            said.append(Sound("digits/star" if char == "*" else "digits/pound"))
        elif char not in " -":
            raise ValueError(f"{value!r} is not a string of digits")
    if not said:
        raise ValueError(f"{value!r} has no digits to say")
    return said


def amount(value: str, currency: str = "yuan") -> list[Segment]:
    """Money rounded to the cent: "12.50" → twelve yuan and fifty cents."""
    if currency not in _CURRENCY_UNITS:
        raise ValueError(f"no English words for the currency {currency!r}; "
                         f"known: {', '.join(sorted(CURRENCIES))}")
    negative, whole, cents = split_amount(value)
    said: list[Segment] = [Sound("digits/minus")] if negative else []
    one, many = _CURRENCY_UNITS[currency]
    if whole or not cents:
        said += [*whole_number(whole), one if whole == 1 else many]
    if cents:
        if whole:
            said.append(Sound("vm-and"))
        said += [*whole_number(cents), Speech("cent" if cents == 1 else "cents", "en")]
    return said


def date(value: str) -> list[Segment]:
    """A date (YYYYMMDD or YYYY-MM-DD): month, ordinal day, year."""
    year, month, day = split_date(value)
    return [Sound(f"digits/mon-{month - 1}"), *ordinal(day), *year_said(year)]


def ordinal(number: int) -> list[Segment]:
    """An ordinal from 1 to 99 (first, twenty first), as the core sounds have them."""
    if not 1 <= number <= 99:
        raise ValueError(f"no ordinal sounds for {number}")
    if number <= 20 or number % 10 == 0:
        return [Sound(f"digits/h-{number}")]
    return [Sound(f"digits/{number - number % 10}"), Sound(f"digits/h-{number % 10}")]


def year_said(year: int) -> list[Segment]:
    """A year: from 2000 as a number, before it in pairs (nineteen oh five)."""
    if year >= 2000 or year < 1100:
        return whole_number(year)
    century, rest = divmod(year, 100)
    said = whole_number(century)
    if rest == 0:
        return [*said, Sound("digits/hundred")]
    if rest < 10:
        return [*said, Sound("digits/oh"), Sound(f"digits/{rest}")]
    return said + whole_number(rest)


def time(value: str) -> list[Segment]:
    """A time of day (hhmmss, hhmm or hh:mm[:ss]) on the 12-hour clock, hours and minutes."""
    hour, minute = split_time(value)
    said: list[Segment] = [Sound(f"digits/{hour % 12 or 12}")]
    if minute == 0:
        said.append(Sound("digits/oclock"))
    elif minute < 10:
        said += [Sound("digits/oh"), Sound(f"digits/{minute}")]
    else:
        said += whole_number(minute)
    return [*said, Sound("digits/p-m" if hour >= 12 else "digits/a-m")]
