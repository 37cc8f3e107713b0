"""Business hours: weekly opening periods and holidays in the tenant's own time zone (R7).

`now` is seconds since the Unix epoch (UTC), as everywhere in the core; this module turns it
into the tenant's local day and time of day. Time-zone rules come from the standard library's
`zoneinfo`, so daylight-saving changes are honoured.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from types import MappingProxyType
from zoneinfo import ZoneInfo

Period = tuple[float, float]
"""Open from the first to the second number of seconds after local midnight."""


@dataclass(frozen=True, slots=True)
class BusinessHours:
    """Opening hours per weekday (0 = Monday) and closed dates, in time zone `timezone`.

    A weekday missing from `weekly` is closed all day.
    """

    timezone: str = "UTC"
    weekly: Mapping[int, tuple[Period, ...]] = field(default_factory=lambda: MappingProxyType({}))
    holidays: frozenset[date] = frozenset()

    def __post_init__(self) -> None:
        ZoneInfo(self.timezone)  # raises for an unknown zone, at configuration time
        for day, periods in self.weekly.items():
            if day not in range(7):
                raise ValueError(f"business hours: weekday {day} is not 0 (Monday) to 6 (Sunday)")
            for start, end in periods:
                if not 0 <= start < end <= 86400:
                    raise ValueError(
                        f"business hours: period {start}-{end} on weekday {day} must satisfy "
                        "0 <= start < end <= 86400 seconds after midnight"
                    )

    def is_open(self, now: float) -> bool:
        """True when `now` (epoch seconds) falls in an opening period on a non-holiday."""
        local = datetime.fromtimestamp(now, ZoneInfo(self.timezone))
        if local.date() in self.holidays:
            return False
        second = local.hour * 3600 + local.minute * 60 + local.second + local.microsecond / 1e6
        return any(start <= second < end for start, end in self.weekly.get(local.weekday(), ()))
