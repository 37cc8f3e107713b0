"""Skills an interaction needs beyond its queue's (collected by the IVR: the caller's language,
say): only agents who have them take it; the others go on serving the rest of the line."""

from __future__ import annotations

import pytest

from hotline.core.agent_fsm import AgentState
from hotline.core.errors import CoreError
from hotline.core.events import InteractionArrived, IvrFinished
from hotline.core.model import Queue, Strategy
from tests.unit.core.core_harness import Switch, agent, tenant

A = AgentState
ENGLISH = {"en": 1}


@pytest.fixture(params=list(Strategy), ids=[s.value for s in Strategy])
def switch(request: pytest.FixtureRequest) -> Switch:
    """Queue `q` served by two agents who speak only Chinese and one who also speaks English."""
    return Switch(tenant([Queue("q", strategy=request.param)],
                         [agent("zh1", {"zh": 1}), agent("zh2", {"zh": 1}),
                          agent("bilingual", {"zh": 1, "en": 2})]))


def test_a_caller_who_needs_english_goes_to_the_agent_who_speaks_it(switch: Switch) -> None:
    switch.login("zh1", "zh2", "bilingual", at=0)
    for n in range(3):  # whatever the strategy would have picked
        switch.send(InteractionArrived(f"c{n}", skills=ENGLISH), at=1 + n)
        assert switch.offered_to("bilingual") == f"c{n}"
        switch.serve("bilingual", answer_at=1 + n, hang_up_at=1 + n)


def test_an_english_caller_waits_for_the_english_speaker_while_others_stay_ready(
    switch: Switch,
) -> None:
    switch.login("zh1", "zh2", at=0)
    switch.login("bilingual", at=0, ready=False)
    switch.send(InteractionArrived("english", skills=ENGLISH), at=1)
    assert switch.server.waiting("q") == ["english"]
    assert switch.state("zh1") is A.READY and switch.state("zh2") is A.READY
    # A caller behind them in line who needs nothing special is served at once.
    switch.arrive("plain", at=2)
    assert {switch.offered_to("zh1"), switch.offered_to("zh2")} >= {"plain"}
    switch.ready("bilingual", at=3)
    assert switch.offered_to("bilingual") == "english"


def test_a_ready_agent_looks_past_a_head_of_line_they_cannot_take(switch: Switch) -> None:
    switch.login("zh1", "zh2", "bilingual", at=0, ready=False)
    switch.send(InteractionArrived("english", skills=ENGLISH, priority=5), at=1)
    switch.arrive("plain", at=2)
    switch.ready("zh1", at=3)
    assert switch.offered_to("zh1") == "plain"
    assert switch.server.waiting("q") == ["english"]


def test_the_ivr_can_add_skills_when_it_routes(switch: Switch) -> None:
    switch.server.reconfigure(tenant([Queue("q")], [
        agent("zh1", {"zh": 1}), agent("zh2", {"zh": 1}),
        agent("bilingual", {"zh": 1, "en": 2})], default_flow="menu"))
    switch.login("zh1", "zh2", "bilingual", at=0)
    switch.arrive("c1", at=1)
    switch.send(IvrFinished("c1", "queue", queue="q", skills={"en": 2}), at=5)
    assert switch.offered_to("bilingual") == "c1"


@pytest.mark.parametrize("level", [0, 11, "2", 1.5, True])
def test_a_skill_level_must_be_a_whole_number_from_1_to_10(switch: Switch, level: object) -> None:
    with pytest.raises(CoreError, match="a whole number from 1 to 10"):
        switch.send(InteractionArrived("c1", skills={"en": level}), at=1)  # type: ignore[dict-item]
    assert switch.server.active_interactions() == []
