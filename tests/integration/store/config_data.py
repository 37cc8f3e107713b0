"""Configurations the configuration tests start from: a small tenant that uses every kind of
reference, and the shipped demo file."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

from hotline.store.config_yaml import read_config_yaml

DEMO_FILE = Path(__file__).parents[3] / "examples" / "config" / "demo.yaml"

_ACME: dict[str, Any] = {
    "name": "acme",
    "timezone": "Europe/Paris",
    "business_hours": {"mon": ["08:00-12:00", "13:00-18:00"], "sat": ["09:00-12:00"]},
    "holidays": ["2025-12-25"],
    "default_queue": "sales",
    "after_hours_queue": "support",
    "skills": [{"name": "sales", "description": "Selling"}, {"name": "support"}],
    "teams": [{"name": "blue", "supervisor": "2000"}, {"name": "green"}],
    "queues": [
        {"name": "sales", "skills": {"sales": 1}, "priority": 2,
         "overflow": {"after": 30, "to": "support"}},
        {"name": "support", "skills": {"support": 2}, "strategy": "longest_idle",
         "service_level": {"threshold": 30, "target": 0.9}, "max_wait": 600},
    ],
    "agents": [
        {"id": "2000", "name": "Bea", "type": "supervisor", "team": "blue"},
        {"id": "2001", "name": "Ana", "team": "blue", "skills": {"sales": 3, "support": 2},
         "wrap_up": 10},
        {"id": "2002", "name": "Cy", "team": "green", "skills": {"support": 5}, "wrap_up": None},
    ],
    "dnis_routes": [{"dnis": "800", "queue": "sales"}, {"dnis": "801", "queue": "support"}],
    "not_ready_reasons": [{"code": "lunch", "label": "Lunch"}, {"code": "break", "label": "Break"}],
    "caller_lists": [{"list": "blacklist", "number": "555", "note": "spam"},
                     {"list": "vip", "number": "+3312345", "note": ""}],
}


def acme() -> dict[str, Any]:
    """A fresh copy of the small tenant 'acme' (Europe/Paris, queues sales and support)."""
    return copy.deepcopy(_ACME)


def demo() -> dict[str, Any]:
    """The shipped demo configuration, as read from its YAML file."""
    document, _ = read_config_yaml(DEMO_FILE.read_text(encoding="utf-8"))
    assert isinstance(document, dict)
    return document
