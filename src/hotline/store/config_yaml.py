"""A tenant's configuration as a YAML document: what `hotline config export` writes and
`hotline config import` reads, for versioning and for `hotline serve --config`.

The document is a `TenantConfig`: the tenant's settings at the top, then its lists (skills,
teams, queues, agents, dnis_routes, not_ready_reasons, caller_lists), each ordered by key so
that exports diff cleanly, and last, when the tenant has any, `flows`: the published version
of each IVR flow, as its flow file has it; importing publishes them. Export, import into an
empty database and export again gives the same document. A bad file is refused whole with a
`ConfigError` naming each place in it, `queues[2].overflow.to (line 40): 'expert' is not a
queue (queues: repair, delivery)`, and the database is left as it was. Users are not part of
the document: they are accounts.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import yaml
from pydantic import ValidationError
from sqlalchemy.orm import Session

from hotline.store.config_check import (
    ConfigError,
    Loc,
    Problem,
    document_path,
    validation_problems,
)
from hotline.store.config_repo import TenantRef, read_config, write_config
from hotline.store.config_schemas import TenantConfig, TenantRead
from hotline.switch.sim.scenario_yaml import YamlProblem, read_yaml

Lines = Mapping[tuple[str | int, ...], int]
"""The line in the file of each key and list item, by its path (see `read_config_yaml`)."""


def export_config(session: Session, tenant: TenantRef) -> dict[str, Any]:
    """The tenant's whole configuration as a plain mapping, ready for YAML or JSON."""
    config = read_config(session, tenant).model_dump(mode="json")
    flows = config.pop("flows")
    document: dict[str, Any] = _whole_numbers(config)
    if flows:
        # As stored: in a flow, 3.0 and 3 are different text to say.
        document["flows"] = flows
    return document


def import_config(
    session: Session, mapping: Any, *, replace: bool, lines: Lines | None = None,
    user: str = "config import",
) -> TenantRead:
    """Store the configuration in `mapping` (a document as `export_config` makes them) as a
    new tenant or, with `replace`, as the whole configuration of the tenant of that name;
    its flows are published as made by `user`. `lines` (from `read_config_yaml`) adds the
    line of each problem to its place."""
    where = _placer(lines or {})
    if not isinstance(mapping, Mapping):
        fields = ", ".join(TenantConfig.model_fields)
        raise ConfigError([Problem(where(()), f"must be a mapping with the keys {fields} "
                                              f"(got {type(mapping).__name__})")])
    try:
        config = TenantConfig.model_validate(mapping)
    except ValidationError as error:
        raise ConfigError(validation_problems(error, TenantConfig, where)) from None
    return write_config(session, config, replace=replace, where=where, user=user)


def read_config_yaml(text: str) -> tuple[Any, Lines]:
    """The document in `text` and the line of each key in it. YAML's traps are closed:
    `08:00` and `0571` stay text, and a key given twice is a `ConfigError`."""
    try:
        return read_yaml(text)
    except YamlProblem as error:
        raise ConfigError([Problem("", problem) for problem in error.problems]) from None


def config_yaml(document: Mapping[str, Any]) -> str:
    """`document` as YAML: keys in the schema's order, short lists and maps on one line."""
    return yaml.safe_dump(dict(document), sort_keys=False, allow_unicode=True,
                          default_flow_style=None, width=100)


def _placer(lines: Lines) -> Callable[[Loc], str]:
    """`queues[2].overflow.to (line 40)`: the path, and the line of the nearest key or list
    item on it that the file has."""

    def where(loc: Loc) -> str:
        path = document_path(loc) or "(top level)"
        line = next((lines[loc[:end]] for end in range(len(loc), 0, -1) if loc[:end] in lines),
                    None)
        return path if line is None else f"{path} (line {line})"

    return where


def _whole_numbers(value: Any) -> Any:
    """Durations such as 20.0 written as 20, as a person would."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, dict):
        return {key: _whole_numbers(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_whole_numbers(item) for item in value]
    return value
