"""Key entry: how the caller's keys become an answer at PLAY DIGIT, PLAY OPTION and SELECT
LANGUAGE.

A `KeyEntry` holds one node's entry in progress and judges it; the session around it owns
the prompts, the timers and where the flow goes next. A PLAY DIGIT entry is complete at its
terminator or at `max_digits` keys (or, with at least one key, when the caller stops
typing) and valid with `min_digits`..`max_digits` keys matching `pattern`. A menu's entry is
one key, valid when the menu has an exit (or a language) for it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from hotline.ivr.flow import MENU_KEYS, PlayDigit, PlayOption, SelectLanguage

Asking = PlayDigit | PlayOption | SelectLanguage
"""Node types that collect keys."""


@dataclass(slots=True)
class KeyEntry:
    """The entry at `node`: the keys so far and the tries that failed."""

    node: Asking
    failures: int = 0
    digits: str = ""

    def press(self, digit: str) -> str | None:
        """Add one key; the whole entry once it is complete, else None."""
        node = self.node
        if not isinstance(node, PlayDigit):
            return digit
        if digit == node.terminator:
            return self.digits
        self.digits += digit
        return self.digits if len(self.digits) >= node.max_digits else None

    def whole(self, digits: str) -> str | None:
        """An entry a gateway collected by itself, without its terminator; None when the
        caller pressed nothing."""
        terminator = self.node.terminator if isinstance(self.node, PlayDigit) else None
        if terminator and digits.endswith(terminator):
            return digits[: -len(terminator)]
        return digits or None

    @property
    def key_timeout(self) -> float:
        """Seconds to wait for the next key after one was pressed."""
        node = self.node
        if isinstance(node, PlayDigit) and node.inter_digit_timeout is not None:
            return node.inter_digit_timeout
        return node.timeout

    def answer(self, digits: str) -> str | None:
        """The exit a valid entry leaves by (`ok`, the menu key, or `next`), None if invalid."""
        node = self.node
        if isinstance(node, PlayDigit):
            valid = node.min_digits <= len(digits) <= node.max_digits and (
                node.pattern is None or re.fullmatch(node.pattern, digits) is not None
            )
            return "ok" if valid else None
        if isinstance(node, PlayOption):
            return digits if digits in MENU_KEYS and digits in node.exits else None
        return "next" if digits in node.options else None

    def fail(self) -> bool:
        """Count a failed try; True when that was the last one allowed."""
        self.failures += 1
        self.digits = ""
        return self.failures > self.node.retries


__all__ = ["Asking", "KeyEntry"]
