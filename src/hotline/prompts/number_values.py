"""The values PLAY NUMBER says, read from text: numbers, dates and times.

An IVR variable holds text; these functions read it strictly and raise `ValueError` naming
the value and the form expected, so a flow that feeds "abc" to a date prompt fails clearly.
"""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal, InvalidOperation

MAX_DECIMALS = 12
"""The most decimal places said."""

_DATE = re.compile(r"^(\d{4})-?(\d{2})-?(\d{2})$")
_TIME = re.compile(r"^(\d{2}):?(\d{2})(?::?(\d{2}))?$")


def parse_decimal(value: str) -> Decimal:
    """`value` as a finite decimal number, or a `ValueError` naming it."""
    try:
        number = Decimal(value.strip().replace(",", ""))
    except InvalidOperation:
        raise ValueError(f"{value!r} is not a number") from None
    if not number.is_finite():
        raise ValueError(f"{value!r} is not a finite number")
    exponent = number.as_tuple().exponent
    if number.adjusted() > 15 or (isinstance(exponent, int) and exponent < -MAX_DECIMALS):
        raise ValueError(f"{value!r} has too many digits to say (at most 16 before the "
                         f"point and {MAX_DECIMALS} after it)")
    return number


def split_number(value: str) -> tuple[bool, int, str]:
    """(negative, whole part, decimal digits as written) of a number: "-12.50" →
    (True, 12, "50")."""
    parsed = parse_decimal(value)
    whole, _, fraction = format(abs(parsed), "f").partition(".")
    return parsed < 0, int(whole), fraction


def split_amount(value: str) -> tuple[bool, int, int]:
    """(negative, whole units, hundredths) of an amount of money, rounded half-even to the
    hundredth: "12.345" → (False, 12, 34), "-0.5" → (True, 0, 50)."""
    parsed = parse_decimal(value)
    hundredths = int((abs(parsed) * 100).quantize(Decimal(1)))
    whole, rest = divmod(hundredths, 100)
    return parsed < 0 and hundredths > 0, whole, rest


def split_date(value: str) -> tuple[int, int, int]:
    """(year, month, day) of a YYYYMMDD or YYYY-MM-DD date, or a `ValueError`."""
    found = _DATE.match(value.strip())
    if found is None:
        raise ValueError(f"{value!r} is not a date (YYYYMMDD or YYYY-MM-DD)")
    year, month, day = (int(part) for part in found.groups())
    try:
        date(year, month, day)
    except ValueError as error:
        raise ValueError(f"{value!r} is not a date: {error}") from None
    return year, month, day


def split_time(value: str) -> tuple[int, int]:
    """(hour, minute) of an hhmmss, hhmm or hh:mm[:ss] time, or a `ValueError`."""
    found = _TIME.match(value.strip())
    if found is None:
        raise ValueError(f"{value!r} is not a time (hhmmss or hh:mm:ss)")
    hour, minute = int(found[1]), int(found[2])
    if not (hour <= 23 and minute <= 59 and int(found[3] or 0) <= 59):
        raise ValueError(f"{value!r} is not a time of day")
    return hour, minute
