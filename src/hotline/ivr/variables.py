"""Variables a flow reads and writes (V3): user variables without a fixed limit, and macros.

User variables hold text: the flow's declared inputs with their defaults (overridden by the
session's inputs), and whatever nodes set. Macros are read-only and computed from what the
session was given: ANI and DNIS, the language, and DATE (YYYYMMDD), TIME (hhmmss) and
DATETIME (YYYYMMDDhhmmss) in the tenant's time zone at the time of the event being handled —
the session never reads a clock.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from types import MappingProxyType
from zoneinfo import ZoneInfo

from hotline.ivr.flow import MACROS


class Variables:
    """The variables of one session."""

    def __init__(
        self, ani: str, dnis: str, timezone: str, language: str, values: Mapping[str, str]
    ) -> None:
        self.ani = ani
        self.dnis = dnis
        self.zone = ZoneInfo(timezone)
        self.language = language
        self.now = 0.0
        self._values = dict(values)

    def get(self, name: str) -> str:
        """The value of user variable or macro `name`; the empty string when unset."""
        if name in MACROS:
            return self._macro(name)
        return self._values.get(name, "")

    def set(self, name: str, value: str) -> None:
        """Set user variable `name`; macros cannot be set."""
        if name in MACROS:
            raise ValueError(f"{name} is a macro and cannot be set")
        self._values[name] = value

    def user(self) -> Mapping[str, str]:
        """A copy of the user variables."""
        return MappingProxyType(dict(self._values))

    def _macro(self, name: str) -> str:
        if name == "ANI":
            return self.ani
        if name == "DNIS":
            return self.dnis
        if name == "LANGUAGE":
            return self.language
        local = datetime.fromtimestamp(self.now, self.zone)
        if name == "DATE":
            return local.strftime("%Y%m%d")
        if name == "TIME":
            return local.strftime("%H%M%S")
        return local.strftime("%Y%m%d%H%M%S")


__all__ = ["Variables"]
