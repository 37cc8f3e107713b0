"""A report as data for other programs: the JSON document and CSV rows `hotline simulate`
writes, with the same keys in both."""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

from hotline.analytics.kpi import Figures, Report, interval_label

KEYS = (
    "offered",
    "answered",
    "abandoned",
    "service_level",
    "abandon_rate",
    "asa_seconds",
    "aht_seconds",
    "occupancy",
    "timed_out",
    "overflowed",
)


def report_document(report: Report, day_start: float) -> dict[str, Any]:
    """`{"totals": {...}, "queues": {name: {...}}, "intervals": [{"start", ...}]}`, where
    `day_start` is the report's start in seconds after local midnight (for interval labels)."""
    return {
        "totals": report.totals.as_dict(),
        "queues": {name: figures.as_dict() for name, figures in report.queues.items()},
        "intervals": [
            {"start": interval_label(day_start, i * report.interval), **figures.as_dict()}
            for i, figures in enumerate(report.intervals)
        ],
        "queue_intervals": {
            name: [
                {"start": interval_label(day_start, i * report.interval), **figures.as_dict()}
                for i, figures in enumerate(intervals)
            ]
            for name, intervals in report.queue_intervals.items()
        },
    }


def write_csv(report: Report, day_start: float, path: Path) -> None:
    """One row per interval for all queues together (`scope` = `all`) and for each queue."""
    with path.open("w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out)
        writer.writerow(("scope", "start", *KEYS))
        scopes: list[tuple[str, list[Figures]]] = [("all", report.intervals)]
        scopes += list(report.queue_intervals.items())
        for scope, intervals in scopes:
            for i, figures in enumerate(intervals):
                values = figures.as_dict()
                writer.writerow(
                    (
                        scope,
                        interval_label(day_start, i * report.interval),
                        *(_cell(values[key]) for key in KEYS),
                    )
                )


def _cell(value: float | int | None) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return f"{value:.6g}"
    return str(value)
