"""Reading a scenario's YAML, keeping the line of every key for error messages.

Two traps of YAML 1.1, the dialect PyYAML speaks, are closed here: unquoted `16:00` would be
the sexagesimal number 960 and `0571` the octal number 377, so a shift's end or a called
number would silently change. Both stay text. A key given twice, which YAML resolves by
quietly keeping the last, is an error.
"""

from __future__ import annotations

import re
from typing import Any

import yaml

KeyPath = tuple[str | int, ...]
"""Where a value sits in the file: keys and list positions from the top."""


class YamlProblem(ValueError):
    """YAML that cannot be read; `problems` has one line each, naming the line in the file."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        super().__init__("\n".join(problems))


class _Loader(yaml.SafeLoader):
    """Safe YAML 1.1 without sexagesimal and octal numbers."""


_INT = "tag:yaml.org,2002:int"
_FLOAT = "tag:yaml.org,2002:float"
_Loader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag not in (_INT, _FLOAT)]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
_Loader.add_implicit_resolver(
    _INT,
    re.compile(r"^(?:[-+]?0b[0-1_]+|[-+]?0x[0-9a-fA-F_]+|[-+]?(?:0|[1-9][0-9_]*))$"),
    list("-+0123456789"),
)
_Loader.add_implicit_resolver(
    _FLOAT,
    re.compile(
        r"^(?:[-+]?[0-9][0-9_]*\.[0-9_]*(?:[eE][-+]?[0-9]+)?|[-+]?\.[0-9][0-9_]*(?:[eE][-+]?[0-9]+)?"
        r"|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$"
    ),
    list("-+0123456789."),
)


def read_yaml(text: str) -> tuple[Any, dict[KeyPath, int]]:
    """The document in `text` and the line (from 1) of each key and list item in it."""
    loader = _Loader(text)
    try:
        node = loader.get_single_node()
        lines: dict[KeyPath, int] = {}
        duplicates: list[str] = []
        if node is not None:
            _index_lines(node, (), lines, duplicates)
        if duplicates:
            raise YamlProblem(duplicates)
        data = loader.construct_document(node) if node is not None else None
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        where = f"line {mark.line + 1}, column {mark.column + 1}: " if mark else ""
        problem = error.problem or error.context or "invalid YAML"
        if error.problem and error.context and error.context_mark:
            problem += f" ({error.context} on line {error.context_mark.line + 1})"
        raise YamlProblem([f"{where}YAML syntax error — {problem}"]) from None
    except yaml.YAMLError as error:
        raise YamlProblem([f"YAML syntax error — {error}"]) from None
    finally:
        loader.dispose()
    return data, lines


def format_path(path: KeyPath) -> str:
    """`("queues", 0, "name")` as `queues[0].name`."""
    text = ""
    for part in path:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text or "(top level)"


def _index_lines(
    node: yaml.Node, path: KeyPath, lines: dict[KeyPath, int], duplicates: list[str]
) -> None:
    if isinstance(node, yaml.MappingNode):
        seen: set[str] = set()
        for key_node, value_node in node.value:
            if key_node.tag == "tag:yaml.org,2002:merge":
                continue
            key = str(key_node.value)
            line = key_node.start_mark.line + 1
            if key in seen:
                duplicates.append(
                    f"{format_path((*path, key))}: key given twice (again on line {line}) "
                    "— allowed: each key once"
                )
            seen.add(key)
            lines.setdefault((*path, key), line)
            _index_lines(value_node, (*path, key), lines, duplicates)
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            lines.setdefault((*path, index), item.start_mark.line + 1)
            _index_lines(item, (*path, index), lines, duplicates)
