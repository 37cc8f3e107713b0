"""Loading a flow from YAML, JSON or a dict, with errors that give the path to the bad key.

A flow file looks like this (the shipped ones are in `examples/ivr/`):

    name: gas_utility
    start: choose_language
    languages: [zh, en]              # the first is the default
    variables: {account: ""}         # declared inputs and their defaults
    nodes:
      choose_language:
        type: select_language
        prompts: [choose_language]   # catalogue prompt; or {tts: text}, {number: expr, format: ...}
        options: {"1": zh, "2": en}
        next: main_menu              # shorthand for exits: {next: main_menu}
      main_menu:
        type: play_option
        prompts: [{tts: {zh: "查询请按1", en: "For your usage press 1"}}]
        exits: {"1": usage, timeout: goodbye, invalid: goodbye}

Each node's keys are the fields of its dataclass in `flow.py`. Expressions (see
`expressions.py`) are YAML strings; a YAML number or boolean where an expression is expected
is a literal. This module checks shapes and types only; `validate` checks the graph and the
values, so a flow that loads may still be refused for publishing.
"""

from __future__ import annotations

import functools
import json
import operator
import types
import typing
from collections.abc import Callable, Mapping
from dataclasses import MISSING, fields
from pathlib import Path
from types import MappingProxyType
from typing import Any

import yaml

from hotline.ivr.expressions import (
    Expression,
    ExpressionSyntaxError,
    Template,
    literal,
    parse_expression,
    parse_template,
)
from hotline.ivr.flow import (
    NODE_TYPES,
    Flow,
    Node,
    Prompt,
    PromptFile,
    PromptNumber,
    PromptSpeech,
    UnknownNode,
)


class FlowLoadError(ValueError):
    """A flow file that cannot be read as a flow. `errors` holds (path, message) pairs, the
    path in dotted form (`nodes.main_menu.timeout`)."""

    def __init__(self, errors: list[tuple[str, str]]) -> None:
        self.errors = errors
        super().__init__("; ".join(f"{path or '(flow)'}: {message}" for path, message in errors))


class _Bad(Exception):
    """One bad value, raised by a converter and collected with its path."""


def _scalar_text(value: object, what: str) -> str:
    """Text from a YAML scalar: keys like 1 or true arrive as int or bool."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float | str):
        return str(value)
    raise _Bad(f"expected {what}, got {type(value).__name__}")


def _str(value: object) -> str:
    if not isinstance(value, str):
        raise _Bad(f"expected text, got {value!r}")
    return value


def _int(value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise _Bad(f"expected a whole number, got {value!r}")
    return value


def _float(value: object) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise _Bad(f"expected a number of seconds, got {value!r}")
    return float(value)


def _bool(value: object) -> bool:
    if not isinstance(value, bool):
        raise _Bad(f"expected true or false, got {value!r}")
    return value


def _expression(value: object) -> Expression:
    if isinstance(value, bool | int | float):
        return literal(_scalar_text(value, "a value"))
    if not isinstance(value, str):
        raise _Bad(f"expected an expression, got {value!r}")
    try:
        return parse_expression(value)
    except ExpressionSyntaxError as error:
        raise _Bad(str(error)) from None


def _template(value: object) -> Template:
    if not isinstance(value, str):
        raise _Bad(f"expected text, got {value!r}")
    try:
        return parse_template(value)
    except ExpressionSyntaxError as error:
        raise _Bad(str(error)) from None


def _mapping(value: object) -> Mapping[Any, Any]:
    if not isinstance(value, Mapping):
        raise _Bad(f"expected a mapping, got {value!r}")
    return value


class _Reader:
    """Converts raw data to model values, collecting every error with its path."""

    def __init__(self) -> None:
        self.errors: list[tuple[str, str]] = []

    def convert(self, path: str, value: object, convert: Callable[[object], Any]) -> Any:
        try:
            return convert(value)
        except _Bad as error:
            self.errors.append((path, str(error)))
            return None

    def mapping_of(
        self, path: str, value: object, convert: Callable[[object], Any]
    ) -> Mapping[str, Any]:
        try:
            raw = _mapping(value)
        except _Bad as error:
            self.errors.append((path, str(error)))
            return MappingProxyType({})
        out: dict[str, Any] = {}
        for key, item in raw.items():
            try:
                name = _scalar_text(key, "a key")
            except _Bad as error:
                self.errors.append((path, str(error)))
                continue
            out[name] = self.convert(f"{path}.{name}", item, convert)
        return MappingProxyType(out)

    def prompts(self, path: str, value: object) -> tuple[Prompt, ...]:
        if isinstance(value, str | Mapping):
            value = [value]
        if not isinstance(value, list):
            self.errors.append((path, f"expected a list of prompts, got {value!r}"))
            return ()
        out: list[Prompt] = []
        for index, item in enumerate(value):
            prompt = self.prompt(f"{path}[{index}]", item)
            if prompt is not None:
                out.append(prompt)
        return tuple(out)

    def prompt(self, path: str, value: object) -> Prompt | None:
        if isinstance(value, str):
            return PromptFile(value)
        if not isinstance(value, Mapping):
            self.errors.append((path, f"expected a prompt name or mapping, got {value!r}"))
            return None
        kinds = [key for key in ("prompt", "tts", "number") if key in value]
        extra = set(value) - {"prompt", "tts", "number", "format"}
        if len(kinds) != 1 or extra:
            self.errors.append(
                (
                    path,
                    "a prompt has exactly one of 'prompt', 'tts' or 'number' ('format' may "
                    f"go with 'number'), got keys {sorted(map(str, value))}",
                )
            )
            return None
        if kinds[0] == "prompt":
            name = self.convert(f"{path}.prompt", value["prompt"], _str)
            return None if name is None else PromptFile(name)
        if kinds[0] == "tts":
            texts = value["tts"]
            if isinstance(texts, str):
                texts = {"": texts}
            converted = self.mapping_of(f"{path}.tts", texts, _template)
            return PromptSpeech(converted)
        number = self.convert(f"{path}.number", value["number"], _expression)
        number_format = self.convert(f"{path}.format", value.get("format", "number"), _str)
        if number is None or number_format is None:
            return None
        return PromptNumber(number, number_format)

    def value(self, path: str, hint: object, raw: object) -> Any:
        """Convert `raw` to the type `hint` of a node field."""
        if isinstance(hint, types.UnionType) and type(None) in typing.get_args(hint):
            if raw is None:
                return None
            hint = functools.reduce(
                operator.or_, [arg for arg in typing.get_args(hint) if arg is not type(None)]
            )
        scalar: dict[object, Callable[[object], Any]] = {
            str: _str,
            int: _int,
            float: _float,
            bool: _bool,
            Template: _template,
        }
        if hint in scalar:
            return self.convert(path, raw, scalar[hint])
        if hint == Expression:
            return self.convert(path, raw, _expression)
        if typing.get_origin(hint) is tuple:
            return self.prompts(path, raw)
        if typing.get_origin(hint) is Mapping:
            item = typing.get_args(hint)[1]
            if item is str:
                return self.mapping_of(path, raw, lambda v: _scalar_text(v, "text"))
            if item is int:
                return self.mapping_of(path, raw, _int)
            if item == Expression:
                return self.mapping_of(path, raw, _expression)
            if item is Template:
                return self.mapping_of(path, raw, _template)
        raise AssertionError(f"no converter for {hint!r} at {path}")

    def node(self, node_id: str, raw: object) -> Node | None:
        path = f"nodes.{node_id}"
        if not isinstance(raw, Mapping):
            self.errors.append((path, f"expected a mapping with a 'type', got {raw!r}"))
            return None
        exits = self.exits(path, raw)
        type_name = raw.get("type")
        if not isinstance(type_name, str):
            self.errors.append((f"{path}.type", f"expected a node type, got {type_name!r}"))
            return None
        cls = NODE_TYPES.get(type_name)
        if cls is None:
            return UnknownNode(id=node_id, exits=exits, type=type_name)
        errors_before = len(self.errors)
        hints = typing.get_type_hints(cls)
        known = {f.name for f in fields(cls)} - {"id", "exits"}
        values: dict[str, Any] = {"id": node_id, "exits": exits}
        for key in raw:
            if key in ("type", "exits", "next"):
                continue
            if key not in known:
                self.errors.append(
                    (
                        f"{path}.{key}",
                        f"unknown key for {type_name}; allowed: "
                        f"{', '.join(sorted(known)) or 'none'}",
                    )
                )
                continue
            values[key] = self.value(f"{path}.{key}", hints[key], raw[key])
        for f in fields(cls):
            if f.name not in values and f.default is MISSING and f.default_factory is MISSING:
                self.errors.append((f"{path}.{f.name}", f"required by {type_name}"))
        if type_name == "voicemail" and raw.get("mailbox") is None:
            self.errors.append((f"{path}.mailbox", "required by voicemail"))
        if len(self.errors) > errors_before:
            return None
        node = cls(**values)
        assert isinstance(node, Node)
        return node

    def exits(self, path: str, raw: Mapping[str, Any]) -> Mapping[str, str]:
        exits: dict[str, str] = {}
        if "exits" in raw:
            exits.update(self.mapping_of(f"{path}.exits", raw["exits"], _str))
        if "next" in raw:
            target = self.convert(f"{path}.next", raw["next"], _str)
            if "next" in exits:
                self.errors.append((f"{path}.next", "given both as 'next' and in 'exits'"))
            elif target is not None:
                exits["next"] = target
        return MappingProxyType({k: v for k, v in exits.items() if v is not None})


_FLOW_KEYS = frozenset({"name", "description", "start", "languages", "variables", "nodes"})


def flow_from_dict(data: object) -> Flow:
    """Build a `Flow` from parsed YAML/JSON; raises `FlowLoadError` listing every bad key."""
    reader = _Reader()
    if not isinstance(data, Mapping):
        raise FlowLoadError([("", f"a flow is a mapping, got {type(data).__name__}")])
    for key in data:
        if key not in _FLOW_KEYS:
            allowed = ", ".join(sorted(_FLOW_KEYS))
            reader.errors.append((str(key), f"unknown key; allowed: {allowed}"))
    name = reader.convert("name", data.get("name"), _str)
    start = reader.convert("start", data.get("start"), _str)
    description = reader.convert("description", data.get("description", ""), _str)
    languages_raw = data.get("languages", ["zh"])
    languages: tuple[str, ...] = ()
    if not isinstance(languages_raw, list) or not languages_raw:
        reader.errors.append(("languages", f"expected a non-empty list, got {languages_raw!r}"))
    else:
        languages = tuple(
            reader.convert(f"languages[{i}]", item, _str) for i, item in enumerate(languages_raw)
        )
    variables = reader.mapping_of(
        "variables", data.get("variables", {}), lambda v: _scalar_text(v, "a default value")
    )
    nodes: dict[str, Node] = {}
    raw_nodes = data.get("nodes")
    if not isinstance(raw_nodes, Mapping) or not raw_nodes:
        reader.errors.append(("nodes", f"expected a mapping of node id to node, got {raw_nodes!r}"))
    else:
        for raw_id, raw_node in raw_nodes.items():
            node = reader.node(str(raw_id), raw_node)
            if node is not None:
                nodes[node.id] = node
    if reader.errors:
        raise FlowLoadError(reader.errors)
    return Flow(
        name=name,
        start=start,
        nodes=MappingProxyType(nodes),
        languages=languages,
        variables=variables,
        description=description,
    )


def flow_from_text(text: str, source: str = "flow") -> Flow:
    """Parse YAML (JSON is YAML too) and build a `Flow`."""
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as error:
        raise FlowLoadError([("", f"{source} is not valid YAML/JSON: {error}")]) from None
    return flow_from_dict(data)


def load_flow(path: str | Path) -> Flow:
    """Read a flow file (`.yaml`, `.yml` or `.json`)."""
    file = Path(path)
    text = file.read_text(encoding="utf-8")
    if file.suffix == ".json":
        try:
            return flow_from_dict(json.loads(text))
        except json.JSONDecodeError as error:
            raise FlowLoadError([("", f"{file} is not valid JSON: {error}")]) from None
    return flow_from_text(text, str(file))


__all__ = ["FlowLoadError", "flow_from_dict", "flow_from_text", "load_flow"]
