"""Dialling permissions (T10): which numbers an extension may call.

Every extension has a *dial class*, one of four ordered from narrowest to widest:

    internal < local < national < international

A dialled number has a class too (`classify`), decided for the caller's tenant, in this order:

- internal: one of the tenant's extension numbers;
- international: starts with "+" or "00";
- national: starts with "0" (a trunk prefix, long distance);
- local: anything else.

An extension may dial a number whose class is not above its own (`may_dial`): a "national"
extension reaches extensions, local and national numbers, but not international ones. A
number is digits with an optional leading "+", 1 to 20 characters in all; anything else is
refused with the reason, never classified.

Pure functions on plain values: the switch asks them for every outbound call.
"""

from __future__ import annotations

import re
from collections.abc import Collection
from enum import StrEnum

MAX_NUMBER = 20
_NUMBER = re.compile(r"\+?[0-9]+")


class DialClass(StrEnum):
    """A class of dialled numbers, and the widest class an extension may dial."""

    INTERNAL = "internal"
    LOCAL = "local"
    NATIONAL = "national"
    INTERNATIONAL = "international"

    @property
    def rank(self) -> int:
        """0 for internal up to 3 for international."""
        return _ORDER.index(self)


_ORDER = list(DialClass)


def number_problem(number: str) -> str | None:
    """Why `number` is not a number to dial, or None when it is one."""
    if len(number) > MAX_NUMBER or _NUMBER.fullmatch(number) is None:
        return (f"{number[:40]!r} is not a number to dial: use digits with an optional "
                f"leading '+', 1 to {MAX_NUMBER} characters")
    return None


def classify(number: str, extension_numbers: Collection[str]) -> DialClass:
    """The class of dialling `number` in a tenant whose extensions are `extension_numbers`.
    Raises `ValueError` (with the reason) when `number` is not a number to dial."""
    problem = number_problem(number)
    if problem is not None:
        raise ValueError(problem)
    if number in extension_numbers:
        return DialClass.INTERNAL
    if number.startswith(("+", "00")):
        return DialClass.INTERNATIONAL
    if number.startswith("0"):
        return DialClass.NATIONAL
    return DialClass.LOCAL


def may_dial(
    dial_class: str,
    number: str,
    extension_numbers: Collection[str],
    *,
    extension: str | None = None,
) -> str | None:
    """None when an extension of class `dial_class` may dial `number`, else the reason it may
    not. `extension`, the caller's number, only makes the reason read better. Raises
    `ValueError` for an unknown `dial_class` (a configuration error, not a caller's)."""
    allowed = DialClass(dial_class)
    problem = number_problem(number)
    if problem is not None:
        return problem
    wanted = classify(number, extension_numbers)
    if wanted.rank <= allowed.rank:
        return None
    who = f"extension {extension}" if extension is not None else "this extension"
    return f"{wanted.value} calls are not allowed for {who} (its class is {allowed.value})"
