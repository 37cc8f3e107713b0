"""Who hears whom on a call in service, for the media engine's mixer.

The customer and the agents (the serving agent and any conference guests) hear each other.
A supervisor hears everyone talking; one who listens is heard by nobody, one who whispers by
the agents only, one who barges in by everyone (the other supervisors never hear each other).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

MODES = ("listen", "whisper", "barge")


def hearing(customer: str, agents: Sequence[str],
            supervisors: Iterable[tuple[str, str]]) -> dict[str, list[str]]:
    """For each leg (by id), the legs it hears: `customer` and `agents` are leg ids, each
    supervisor a (leg id, mode) pair."""
    talking = [customer, *agents]
    hears = {leg: [other for other in talking if other != leg] for leg in talking}
    for leg, mode in supervisors:
        hears[leg] = list(talking)
        if mode in ("whisper", "barge"):
            for agent in agents:
                hears[agent].append(leg)
        if mode == "barge":
            hears[customer].append(leg)
    return hears
