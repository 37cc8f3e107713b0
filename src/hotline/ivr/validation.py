"""Validation: what must hold before a flow may be published (V1).

`validate(flow)` returns every problem it finds, each naming the node and saying what is
wrong and what is allowed; an empty list means the flow may be published. It checks:

- `unknown_node_type`: a node whose type this version does not know;
- `missing_exit`, `unknown_exit`, `dangling_exit`: an exit the type requires is not wired, an
  exit the type does not have, an exit that leads to no node;
- `unreachable_node`: no path leads to it from the start (or the USER STOP FLOW node);
- `unknown_variable`: a node reads a variable that no node on any path before it can have set,
  that is not a macro and that the flow does not declare as an input;
- `loop_without_input`: a cycle of nodes none of which waits for the caller (PLAY DIGIT,
  PLAY OPTION, SELECT LANGUAGE, RECORD): it would spin without end;
- `talks_after_hangup`: the USER STOP FLOW branch plays to, collects from or transfers a
  caller who has gone;
- `bad_parameter`: values out of range (`max_digits` < 1, a timeout <= 0, a bad regular
  expression, SQL bind parameters that do not match `params`, an unknown language...).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from hotline.crm.ticket_workflow import Priority, TicketType
from hotline.ivr.expressions import NAME_PATTERN, Expression, Literal, variables_of
from hotline.ivr.flow import (
    COMPARISONS,
    EXITS,
    MACROS,
    MENU_KEYS,
    NODE_TYPES,
    NUMBER_FORMATS,
    TALKS_TO_CALLER,
    WAITS_FOR_CALLER,
    AccessDb,
    CreateTicket,
    Flow,
    HttpRequest,
    Node,
    PlayDigit,
    PlayNumber,
    PlayOnly,
    PlayOption,
    Prompt,
    PromptNumber,
    PromptSpeech,
    RecordMessage,
    SelectLanguage,
    SetVariable,
    StopFlow,
    Transfer,
    UnknownNode,
    UserStopFlow,
    VarCompare,
    type_name,
)


@dataclass(frozen=True, slots=True)
class Problem:
    """One reason a flow may not be published: `kind` (see the module docstring), the `node`
    it concerns (None for the flow as a whole) and a `message` for people."""

    kind: str
    node: str | None
    message: str

    def __str__(self) -> str:
        return self.message


_HTTP_METHODS = frozenset({"GET", "POST", "PUT", "PATCH", "DELETE"})
_TICKET_TYPES = frozenset(kind.value for kind in TicketType)
_PRIORITIES = frozenset(priority.value for priority in Priority)
_FIELD_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]{0,63}")
_BIND_PARAMETER = re.compile(r"(?<![:\w]):([A-Za-z_][A-Za-z0-9_]*)")


def validate(flow: Flow) -> list[Problem]:
    """Every problem that stops `flow` from being published; empty when it may be."""
    problems: list[Problem] = []
    if flow.start not in flow.nodes:
        problems.append(
            Problem("dangling_exit", None, f"start node {flow.start!r} is not a node of the flow")
        )
    for name in flow.variables:
        if not NAME_PATTERN.fullmatch(name) or name in MACROS:
            problems.append(
                Problem("bad_parameter", None, f"declared variable {name!r} is not a usable name")
            )
    handlers = [n.id for n in flow.nodes.values() if isinstance(n, UserStopFlow)]
    for extra in handlers[1:]:
        problems.append(
            _problem(
                "bad_parameter",
                flow.nodes[extra],
                f"a flow has one user_stop_flow node; {handlers[0]!r} is the first",
            )
        )
    for node in flow.nodes.values():
        problems.extend(_check_exits(flow, node))
        problems.extend(_check_parameters(flow, node))
    problems.extend(_check_reachable(flow))
    problems.extend(_check_loops(flow))
    problems.extend(_check_variables(flow))
    problems.extend(_check_hangup_branch(flow))
    return problems


def _problem(kind: str, node: Node, message: str) -> Problem:
    return Problem(kind, node.id, f"node {node.id!r} ({type_name(node)}): {message}")


def _check_exits(flow: Flow, node: Node) -> Iterator[Problem]:
    if isinstance(node, UnknownNode):
        known = ", ".join(sorted(NODE_TYPES))
        yield _problem("unknown_node_type", node, f"unknown node type; known types: {known}")
    else:
        rule = EXITS[type(node)]
        for name in sorted(rule.required - set(node.exits)):
            yield _problem("missing_exit", node, f"exit {name!r} is missing")
        allowed = rule.required | rule.optional
        for name in sorted(set(node.exits) - allowed):
            yield _problem(
                "unknown_exit",
                node,
                f"has no exit {name!r}; its exits are: {', '.join(sorted(allowed)) or 'none'}",
            )
    for name, target in sorted(node.exits.items()):
        if target not in flow.nodes:
            yield _problem("dangling_exit", node, f"exit {name!r} leads to {target!r}, no node")


def _check_parameters(flow: Flow, node: Node) -> Iterator[Problem]:
    def bad(message: str) -> Problem:
        return _problem("bad_parameter", node, message)

    for prompts in _prompt_lists(node):
        for prompt in prompts:
            if isinstance(prompt, PromptNumber) and prompt.format not in NUMBER_FORMATS:
                yield bad(
                    f"number format {prompt.format!r} is not one of "
                    f"{', '.join(sorted(NUMBER_FORMATS))}"
                )
            if isinstance(prompt, PromptSpeech):
                for language in prompt.texts:
                    if language and language not in flow.languages:
                        yield bad(
                            f"text for language {language!r}, which the flow does not "
                            f"list in 'languages'"
                        )
    if isinstance(node, PlayDigit | PlayOption | SelectLanguage):
        if node.timeout <= 0:
            yield bad(f"timeout must be more than 0 seconds, got {node.timeout}")
        if node.retries < 0:
            yield bad(f"retries must be 0 or more, got {node.retries}")
    match node:
        case PlayDigit():
            if node.max_digits < 1:
                yield bad(f"max_digits must be at least 1, got {node.max_digits}")
            elif not 0 <= node.min_digits <= node.max_digits:
                yield bad(f"min_digits must be 0..max_digits, got {node.min_digits}")
            if node.inter_digit_timeout is not None and node.inter_digit_timeout <= 0:
                yield bad(
                    f"inter_digit_timeout must be more than 0, got {node.inter_digit_timeout}"
                )
            yield from _check_terminator(node, node.terminator)
            yield from _check_target_variable(node, node.variable)
            if node.pattern is not None:
                try:
                    re.compile(node.pattern)
                except re.error as error:
                    yield bad(f"pattern {node.pattern!r} is not a regular expression: {error}")
        case PlayOption():
            if not set(node.exits) & MENU_KEYS:
                yield bad("a menu needs at least one key exit (0-9, * or #)")
        case SelectLanguage():
            if not node.options:
                yield bad("options are empty: map keys to languages")
            for key, language in sorted(node.options.items()):
                if key not in MENU_KEYS:
                    yield bad(f"option key {key!r} is not one of 0-9 * #")
                if language not in flow.languages:
                    yield bad(
                        f"option {key!r} selects {language!r}, which the flow does not "
                        f"list in 'languages' {list(flow.languages)}"
                    )
        case PlayNumber():
            if node.format not in NUMBER_FORMATS:
                yield bad(
                    f"format {node.format!r} is not one of {', '.join(sorted(NUMBER_FORMATS))}"
                )
        case VarCompare():
            if node.op not in COMPARISONS:
                yield bad(f"op {node.op!r} is not one of {', '.join(sorted(COMPARISONS))}")
            if node.op == "matches" and isinstance(node.right, Literal):
                try:
                    re.compile(node.right.value)
                except re.error as error:
                    yield bad(f"{node.right.value!r} is not a regular expression: {error}")
        case SetVariable():
            if not node.assign:
                yield bad("assign is empty")
            for name in node.assign:
                yield from _check_target_variable(node, name)
        case AccessDb():
            if not node.sql.strip():
                yield bad("sql is empty")
            in_sql = set(_BIND_PARAMETER.findall(node.sql))
            for name in sorted(in_sql - set(node.params)):
                yield bad(f"sql uses :{name} but params gives no value for it")
            for name in sorted(set(node.params) - in_sql):
                yield bad(f"params gives {name!r} but the sql has no :{name}")
            for name in node.into:
                yield from _check_target_variable(node, name)
        case HttpRequest():
            if node.method.upper() not in _HTTP_METHODS:
                methods = ", ".join(sorted(_HTTP_METHODS))
                yield bad(f"method {node.method!r} is not one of {methods}")
            if not node.url.parts[0].startswith(("http://", "https://")):
                yield bad("url must start with http:// or https://")
            if node.timeout <= 0:
                yield bad(f"timeout must be more than 0 seconds, got {node.timeout}")
            for name in node.into:
                yield from _check_target_variable(node, name)
        case CreateTicket():
            if node.ticket_type not in _TICKET_TYPES:
                yield bad(f"ticket_type {node.ticket_type!r} is not one of "
                          f"{', '.join(sorted(_TICKET_TYPES))}")
            if node.priority not in _PRIORITIES:
                yield bad(f"priority {node.priority!r} is not one of "
                          f"{', '.join(sorted(_PRIORITIES))}")
            if node.title.parts == ("",):
                yield bad("title is empty")
            for name in node.fields:
                if not _FIELD_NAME.fullmatch(name):
                    yield bad(f"field name {name!r} is not a name (letters, digits, _)")
            if node.into is not None:
                yield from _check_target_variable(node, node.into)
        case Transfer():
            targets = [t for t in (node.queue, node.agent, node.number, node.flow) if t is not None]
            if len(targets) != 1:
                yield bad("give exactly one of queue, agent, number or flow")
            elif targets[0].parts == ("",):
                yield bad("the transfer target is empty")
            for skill, level in node.skills.items():
                if level < 0:
                    yield bad(f"skill {skill!r} level must be 0 or more, got {level}")
        case RecordMessage():
            if node.max_seconds <= 0:
                yield bad(f"max_seconds must be more than 0, got {node.max_seconds}")
            yield from _check_terminator(node, node.terminator)
            yield from _check_target_variable(node, node.variable)
        case StopFlow():
            if not node.result:
                yield bad("result is empty")


def _check_terminator(node: Node, terminator: str | None) -> Iterator[Problem]:
    if terminator is not None and terminator not in MENU_KEYS:
        yield _problem("bad_parameter", node, f"terminator {terminator!r} is not one of 0-9 * #")


def _check_target_variable(node: Node, name: str) -> Iterator[Problem]:
    if name in MACROS:
        yield _problem("bad_parameter", node, f"{name} is a macro and cannot be set")
    elif not NAME_PATTERN.fullmatch(name):
        yield _problem(
            "bad_parameter",
            node,
            f"{name!r} is not a variable name (letters, digits and _, not starting with a digit)",
        )


def _prompt_lists(node: Node) -> Iterator[tuple[Prompt, ...]]:
    if isinstance(node, PlayOnly | RecordMessage):
        yield node.prompts
    if isinstance(node, PlayDigit | PlayOption | SelectLanguage):
        yield node.prompts
        yield node.invalid_prompts
        yield node.timeout_prompts


def _successors(flow: Flow, node_id: str) -> list[str]:
    node = flow.nodes.get(node_id)
    if node is None:
        return []
    return [t for t in node.exits.values() if t in flow.nodes]


def _reachable(flow: Flow, roots: Iterable[str]) -> set[str]:
    seen: set[str] = set()
    stack = [r for r in roots if r in flow.nodes]
    while stack:
        node_id = stack.pop()
        if node_id in seen:
            continue
        seen.add(node_id)
        stack.extend(_successors(flow, node_id))
    return seen


def _roots(flow: Flow) -> list[str]:
    handler = flow.hangup_handler
    return [flow.start] + ([handler] if handler is not None else [])


def _check_reachable(flow: Flow) -> Iterator[Problem]:
    reached = _reachable(flow, _roots(flow))
    for node_id, node in flow.nodes.items():
        if node_id not in reached:
            yield _problem("unreachable_node", node, "no path leads here from the start node")


def _check_loops(flow: Flow) -> Iterator[Problem]:
    """Cycles among nodes that do not wait for the caller: strongly connected components
    (Tarjan's algorithm, iterative) of the graph without the waiting nodes."""
    passing = {i for i, n in flow.nodes.items() if not isinstance(n, WAITS_FOR_CALLER)}
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    on_stack: set[str] = set()
    stack: list[str] = []
    components: list[list[str]] = []
    counter = 0
    for root in sorted(passing):
        if root in index:
            continue
        work: list[tuple[str, Iterator[str]]] = []
        index[root] = low[root] = counter
        counter += 1
        stack.append(root)
        on_stack.add(root)
        work.append((root, iter([s for s in _successors(flow, root) if s in passing])))
        while work:
            node_id, successors = work[-1]
            advanced = False
            for succ in successors:
                if succ not in index:
                    index[succ] = low[succ] = counter
                    counter += 1
                    stack.append(succ)
                    on_stack.add(succ)
                    work.append((succ, iter([s for s in _successors(flow, succ) if s in passing])))
                    advanced = True
                    break
                if succ in on_stack:
                    low[node_id] = min(low[node_id], index[succ])
            if advanced:
                continue
            work.pop()
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[node_id])
            if low[node_id] == index[node_id]:
                component: list[str] = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node_id:
                        break
                components.append(component)
    for component in components:
        is_cycle = len(component) > 1 or component[0] in _successors(flow, component[0])
        if is_cycle:
            members = sorted(component)
            first = flow.nodes[members[0]]
            yield _problem(
                "loop_without_input",
                first,
                f"loop {' -> '.join(members)} never waits for the caller (no play_digit, "
                "play_option, select_language or record_message in it): it would never end",
            )


def _uses(node: Node) -> Iterator[tuple[str, str]]:
    """(variable, where) pairs for the variables `node` reads."""

    def of(expression: Expression, where: str) -> Iterator[tuple[str, str]]:
        for name in sorted(variables_of(expression)):
            yield name, where

    for prompts in _prompt_lists(node):
        for prompt in prompts:
            if isinstance(prompt, PromptNumber):
                yield from of(prompt.value, "a prompt")
            if isinstance(prompt, PromptSpeech):
                for template in prompt.texts.values():
                    for name in sorted(template.variables):
                        yield name, "a prompt"
    match node:
        case PlayNumber():
            yield from of(node.value, "value")
        case VarCompare():
            yield from of(node.left, "left")
            yield from of(node.right, "right")
        case AccessDb():
            for key, expression in node.params.items():
                yield from of(expression, f"params.{key}")
        case HttpRequest():
            templates = [("url", node.url), *(("headers", t) for t in node.headers.values())]
            templates += [("body", t) for t in (node.body or {}).values()]
            for where, template in templates:
                for name in sorted(template.variables):
                    yield name, where
        case CreateTicket():
            templates = [("title", node.title), *(("fields", t) for t in node.fields.values())]
            if node.description is not None:
                templates.append(("description", node.description))
            for where, template in templates:
                for name in sorted(template.variables):
                    yield name, where
        case Transfer():
            for where, target in (
                ("queue", node.queue),
                ("agent", node.agent),
                ("number", node.number),
                ("flow", node.flow),
            ):
                if target is not None:
                    for name in sorted(target.variables):
                        yield name, where


def _defines(node: Node, exit_name: str) -> set[str]:
    """Variables `node` has set when it leaves by `exit_name`."""
    match node:
        case PlayDigit() if exit_name == "ok":
            return {node.variable}
        case SetVariable():
            return set(node.assign)
        case AccessDb() if exit_name == "found":
            return set(node.into)
        case HttpRequest() if exit_name == "ok":
            return set(node.into)
        case CreateTicket() if exit_name == "ok" and node.into is not None:
            return {node.into}
        case RecordMessage():
            return {node.variable}
    return set()


def _check_variables(flow: Flow) -> Iterator[Problem]:
    """May-be-set analysis: a variable is known at a node if some path from a root sets it."""
    base = set(flow.variables) | MACROS
    everything = set(base)
    for node in flow.nodes.values():
        for exit_name in node.exits:
            everything |= _defines(node, exit_name)
    known: dict[str, set[str]] = {}
    work: list[str] = []
    for root, start_set in ((flow.start, base), (flow.hangup_handler, everything)):
        if root is not None and root in flow.nodes:
            known.setdefault(root, set()).update(start_set)
            work.append(root)
    while work:
        node_id = work.pop()
        node = flow.nodes[node_id]
        for exit_name, target in node.exits.items():
            if target not in flow.nodes:
                continue
            out = known[node_id] | _defines(node, exit_name)
            if not out <= known.setdefault(target, set()):
                known[target] |= out
                work.append(target)
    for node_id, available in sorted(known.items()):
        node = flow.nodes[node_id]
        if isinstance(node, SetVariable):
            available = set(available)
            for name, expression in node.assign.items():
                for used in sorted(variables_of(expression) - available):
                    yield _unknown(node, used, f"assign.{name}")
                available.add(name)
            continue
        reported: set[str] = set()
        for name, where in _uses(node):
            if name not in available and name not in reported:
                reported.add(name)
                yield _unknown(node, name, where)


def _unknown(node: Node, name: str, where: str) -> Problem:
    return _problem(
        "unknown_variable",
        node,
        f"{where} reads variable {name!r}, which no node before it sets; declare it under "
        "'variables' if the call brings it",
    )


def _check_hangup_branch(flow: Flow) -> Iterator[Problem]:
    handler = flow.hangup_handler
    if handler is None:
        return
    for node_id in sorted(_reachable(flow, [handler])):
        node = flow.nodes[node_id]
        if isinstance(node, TALKS_TO_CALLER):
            yield _problem(
                "talks_after_hangup",
                node,
                f"follows user_stop_flow {handler!r} but needs the caller, who has hung up",
            )


__all__ = ["Problem", "validate"]
