"""A scenario's IVR: the flow its callers walk first, and how they walk it.

    ivr:
      flow: ../ivr/gas_utility.yaml        # relative to the scenario file
      callers:
        hang_up: 0.02                      # chance, at each prompt, of hanging up during it
        think_seconds: 2                   # mean time before keying
        keys:                              # per node that collects: answer -> probability
          choose_language: {"1": 0.9, "2": 0.1}
          main_menu: {"1": 0.25, "3": 0.3, "0": 0.2}   # the rest: silence (the timeout)
      databases:                           # for access_db nodes (else they fail)
        customers: sqlite:///customers.db

The flow must load and validate, and send callers only to the scenario's queues; every node
named under `keys` must be a node of the flow that collects input, and its probabilities may
add up to at most 1. Problems are reported
with their path in the file, like every scenario problem.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType

from hotline.ivr import Flow, FlowLoadError, load_flow, validate
from hotline.ivr.flow import PlayDigit, PlayOption, SelectLanguage, Transfer
from hotline.switch.ivr_call import CallerBehaviour
from hotline.switch.sim.scenario_schema import IvrSpec

KeyPath = tuple[str | int, ...]
_COLLECTS = (PlayDigit, PlayOption, SelectLanguage)


@dataclass(frozen=True, slots=True)
class ScenarioIvr:
    """The flow, the callers' behaviour in it, and the databases its queries read."""

    flow: Flow
    callers: CallerBehaviour
    databases: Mapping[str, str]


def build_ivr(
    spec: IvrSpec, base: Path, queues: Collection[str], problem: Callable[[KeyPath, str], None]
) -> ScenarioIvr | None:
    """The scenario's IVR from its checked section; `base` is the scenario file's folder,
    `queues` the scenario's queue names (a flow's transfers must name one of them). Problems
    go to `problem(path, text)`; None when there were any."""
    path = Path(spec.flow)
    if not path.is_absolute():
        path = base / path
    try:
        flow = load_flow(path)
    except FlowLoadError as error:
        for where, message in error.errors:
            problem(("ivr", "flow"), f"{path}: {where}: {message}")
        return None
    except OSError as error:
        problem(("ivr", "flow"), f"cannot read {path}: {error.strerror or error}")
        return None
    found = validate(flow)
    for item in found:
        problem(("ivr", "flow"), f"{path}: node {item.node!r}: {item.message}")
    before = len(found)
    errors = 0
    for each in flow.nodes.values():
        if isinstance(each, Transfer) and each.queue is not None and len(each.queue.parts) == 1:
            target = each.queue.parts[0]
            if target not in queues:
                problem(("ivr", "flow"), f"{path}: node {each.id!r} transfers to queue "
                        f"{target!r}, which the scenario does not have (queues: "
                        f"{', '.join(sorted(queues))})")
                errors += 1
    for node, answers in spec.callers.keys.items():
        kind = flow.nodes.get(node)
        if kind is None:
            problem(("ivr", "callers", "keys", node),
                    f"flow {flow.name!r} has no node {node!r}")
            errors += 1
        elif not isinstance(kind, _COLLECTS):
            problem(("ivr", "callers", "keys", node),
                    f"node {node!r} does not collect keys (it is {type(kind).__name__})")
            errors += 1
        total = sum(answers.values())
        if total > 1 + 1e-9:
            problem(("ivr", "callers", "keys", node),
                    f"the probabilities add up to {total:g} — allowed: at most 1")
            errors += 1
    if before or errors:
        return None
    callers = CallerBehaviour(
        keys=MappingProxyType({node: MappingProxyType(dict(answers))
                               for node, answers in spec.callers.keys.items()}),
        hang_up=spec.callers.hang_up, think_seconds=spec.callers.think_seconds)
    return ScenarioIvr(flow, callers, MappingProxyType(dict(spec.databases)))
