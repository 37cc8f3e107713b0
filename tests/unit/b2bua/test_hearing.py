"""Who hears whom: caller and agents, and supervisors listening, whispering or barging."""

from __future__ import annotations

from hotline.switch.b2bua.hearing import hearing


def _sets(matrix: dict[str, list[str]]) -> dict[str, set[str]]:
    return {leg: set(heard) for leg, heard in matrix.items()}


def test_a_plain_call_and_a_conference() -> None:
    assert _sets(hearing("c", ["a"], [])) == {"c": {"a"}, "a": {"c"}}
    assert _sets(hearing("c", ["a", "g"], [])) == {
        "c": {"a", "g"}, "a": {"c", "g"}, "g": {"c", "a"}}


def test_listen_whisper_and_barge() -> None:
    assert _sets(hearing("c", ["a"], [("s", "listen")])) == {
        "c": {"a"}, "a": {"c"}, "s": {"c", "a"}}
    assert _sets(hearing("c", ["a"], [("s", "whisper")])) == {
        "c": {"a"}, "a": {"c", "s"}, "s": {"c", "a"}}
    assert _sets(hearing("c", ["a"], [("s", "barge")])) == {
        "c": {"a", "s"}, "a": {"c", "s"}, "s": {"c", "a"}}


def test_a_whisper_in_a_conference_reaches_every_agent_and_supervisors_never_each_other(
) -> None:
    matrix = _sets(hearing("c", ["a", "g"], [("s1", "whisper"), ("s2", "listen")]))
    assert matrix["a"] == {"c", "g", "s1"} and matrix["g"] == {"c", "a", "s1"}
    assert matrix["c"] == {"a", "g"}
    assert matrix["s1"] == matrix["s2"] == {"c", "a", "g"}
    assert all(leg not in heard for leg, heard in matrix.items())  # nobody hears themselves
