"""A flow document as the store keeps it: plain JSON data that the IVR's loader accepts.

A flow arrives as parsed YAML or JSON (an API body, a configuration file). Before it is
stored it must be plain JSON — YAML can hold dates, non-text keys, `.nan` — of a sensible
size, with a name that can stand in a URL and in the tenant's routing, and it must load as a
`Flow` (`hotline.ivr.flow_from_dict`: shapes and types, with the path to each bad key).
Whether it may be *published* is `hotline.ivr.validate`'s business, not this module's: a
draft may still have problems.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from typing import Any

from hotline.ivr import Flow, FlowLoadError, flow_from_dict

MAX_DEPTH = 32
"""Deepest nesting of mappings and lists in a flow document (a flow needs about six)."""
MAX_ITEMS = 20_000
"""Most keys, list items and values in one flow document."""
NAME_PATTERN = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,63}")
"""A flow's name: as any other name in a tenant (see `config_schemas.Name`)."""


def check_name(name: object) -> str:
    """`name` if it may name a flow, else `FlowLoadError` at `name`."""
    if not isinstance(name, str) or not NAME_PATTERN.fullmatch(name):
        raise FlowLoadError([("name", f"{name!r} is not a valid flow name: use 1 to 64 letters, "
                                      "digits, '_', '.' or '-', starting with a letter or digit")])
    return name


def plain_document(data: object) -> dict[str, Any]:
    """`data` as plain JSON data (text keys; text, numbers, booleans, null, lists and
    mappings), or `FlowLoadError` naming each value that is not."""
    if not isinstance(data, Mapping):
        raise FlowLoadError([("", f"a flow is a mapping, got {type(data).__name__}")])
    errors: list[tuple[str, str]] = []
    count = [0]
    plain = _plain(data, "", 0, errors, count)
    if count[0] > MAX_ITEMS:
        raise FlowLoadError([("", f"the document has more than {MAX_ITEMS} values")])
    if errors:
        raise FlowLoadError(errors)
    assert isinstance(plain, dict)
    return plain


def load_document(data: object) -> tuple[dict[str, Any], Flow]:
    """The plain document in `data` and the `Flow` it describes; `FlowLoadError` lists every
    bad key with its path."""
    document = plain_document(data)
    flow = flow_from_dict(document)
    check_name(flow.name)
    return document, flow


def _plain(value: object, path: str, depth: int, errors: list[tuple[str, str]],
           count: list[int]) -> object:
    count[0] += 1
    if count[0] > MAX_ITEMS or len(errors) > 50:
        return None
    if depth > MAX_DEPTH:
        errors.append((path, f"nested more than {MAX_DEPTH} levels deep"))
        return None
    if value is None or isinstance(value, bool | int):
        return value
    if isinstance(value, float):
        if not math.isfinite(value):
            errors.append((path, f"{value!r} is not a number a flow can hold"))
        return value
    if isinstance(value, str):
        if "\x00" in value:
            errors.append((path, "text may not contain the NUL character"))
        return value
    if isinstance(value, Mapping):
        out: dict[str, object] = {}
        for key, item in value.items():
            if isinstance(key, bool):
                name = "true" if key else "false"
            elif isinstance(key, int | float | str):
                name = str(key)
            else:
                errors.append((path, f"a key must be text, got {key!r}"))
                continue
            inner = f"{path}.{name}" if path else name
            if name in out:
                errors.append((inner, "given twice"))
            out[name] = _plain(item, inner, depth + 1, errors, count)
        return out
    if isinstance(value, list | tuple):
        return [_plain(item, f"{path}[{i}]", depth + 1, errors, count)
                for i, item in enumerate(value)]
    errors.append((path, f"expected text, a number, true/false, a list or a mapping, got "
                         f"{type(value).__name__} {str(value)[:40]!r}"))
    return None


__all__ = ["MAX_DEPTH", "MAX_ITEMS", "NAME_PATTERN", "check_name", "load_document",
           "plain_document"]
