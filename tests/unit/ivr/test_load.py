"""Loading flows: YAML and JSON in, immutable model out, and errors that give the path."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from hotline.ivr.expressions import Binary, Literal, Variable
from hotline.ivr.flow import PlayDigit, PromptFile, PromptNumber, PromptSpeech, UnknownNode
from hotline.ivr.load import FlowLoadError, flow_from_dict, flow_from_text, load_flow

FLOW = {
    "name": "t",
    "start": "ask",
    "nodes": {
        "ask": {
            "type": "play_digit",
            "prompts": ["enter", {"tts": "Hi"}, {"number": "n + 1", "format": "digits"}],
            "variable": "account",
            "max_digits": 4,
            "exits": {"ok": "end", "timeout": "end", "invalid": "end"},
        },
        "end": {"type": "stop_flow"},
    },
}


def errors_of(text: str) -> list[tuple[str, str]]:
    with pytest.raises(FlowLoadError) as caught:
        flow_from_text(text)
    return caught.value.errors


def test_a_flow_loads_into_typed_nodes() -> None:
    flow = flow_from_dict(FLOW)
    ask = flow.nodes["ask"]
    assert isinstance(ask, PlayDigit)
    assert ask.max_digits == 4 and ask.terminator is None and ask.retries == 2
    assert ask.prompts[0] == PromptFile("enter")
    assert isinstance(ask.prompts[1], PromptSpeech)
    assert ask.prompts[2] == PromptNumber(Binary("+", Variable("n"), Literal("1")), "digits")
    assert flow.languages == ("zh",)


def test_the_model_is_immutable() -> None:
    flow = flow_from_dict(FLOW)
    with pytest.raises(AttributeError):
        flow.nodes["ask"].max_digits = 9  # type: ignore[misc]
    with pytest.raises(TypeError):
        flow.nodes["ask"].exits["ok"] = "ask"  # type: ignore[index]


def test_json_and_yaml_files_load_the_same(tmp_path: Path) -> None:
    (tmp_path / "f.json").write_text(json.dumps(FLOW))
    (tmp_path / "f.yaml").write_text(json.dumps(FLOW))  # JSON is YAML
    assert load_flow(tmp_path / "f.json") == load_flow(tmp_path / "f.yaml")


def test_yaml_keys_that_look_like_numbers_or_booleans_are_exit_names() -> None:
    flow = flow_from_text("""
name: t
start: c
nodes:
  c: {type: var_compare, left: 1, right: 1, exits: {true: m, false: m}}
  m: {type: play_option, exits: {1: c, timeout: c, invalid: c}}
""")
    assert dict(flow.nodes["c"].exits) == {"true": "m", "false": "m"}
    assert "1" in flow.nodes["m"].exits


def test_an_unknown_node_type_loads_for_validation_to_name() -> None:
    flow = flow_from_text("name: t\nstart: x\nnodes:\n  x: {type: teleport, next: x}\n")
    assert flow.nodes["x"] == UnknownNode(id="x", exits={"next": "x"}, type="teleport")


def test_a_wrong_type_names_the_path() -> None:
    errors = errors_of("""
name: t
start: ask
nodes:
  ask: {type: play_digit, variable: a, max_digits: "four", exits: {ok: ask}}
""")
    assert errors == [("nodes.ask.max_digits", "expected a whole number, got 'four'")]


def test_an_unknown_key_names_the_path_and_what_is_allowed() -> None:
    [(path, message)] = errors_of("""
name: t
start: ask
nodes:
  ask: {type: play_only, prompt: [hello], next: ask}
""")
    assert path == "nodes.ask.prompt"
    assert "unknown key for play_only; allowed: prompts" in message


def test_a_missing_required_key_names_the_path() -> None:
    assert errors_of("name: t\nstart: q\nnodes:\n  q: {type: access_db, exits: {}}\n") == [
        ("nodes.q.sql", "required by access_db")
    ]


def test_a_bad_expression_names_the_path() -> None:
    [(path, message)] = errors_of("""
name: t
start: s
nodes:
  s: {type: set_variable, assign: {n: "n + * 2"}, next: s}
""")
    assert path == "nodes.s.assign.n"
    assert "unexpected '*'" in message


def test_a_bad_prompt_names_its_index() -> None:
    [(path, _)] = errors_of("""
name: t
start: p
nodes:
  p: {type: play_only, prompts: [ok, {tts: hi, prompt: x}], next: p}
""")
    assert path == "nodes.p.prompts[1]"


def test_all_errors_are_reported_together() -> None:
    errors = errors_of("""
name: t
start: 5
colour: blue
nodes:
  a: {type: play_digit, variable: 7, exits: {ok: a}}
  b: [not, a, mapping]
""")
    assert [path for path, _ in errors] == ["colour", "start", "nodes.a.variable", "nodes.b"]
    with pytest.raises(FlowLoadError, match="colour: unknown key"):
        flow_from_text("name: t\nstart: a\ncolour: blue\nnodes: {a: {type: stop_flow}}\n")


def test_text_that_is_not_yaml() -> None:
    [(path, message)] = errors_of("name: [unclosed\n")
    assert path == "" and "not valid YAML" in message


def test_voicemail_needs_a_mailbox() -> None:
    assert errors_of("name: t\nstart: v\nnodes:\n  v: {type: voicemail, next: v}\n") == [
        ("nodes.v.mailbox", "required by voicemail")
    ]
