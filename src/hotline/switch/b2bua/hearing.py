"""Who hears whom on a call in service, for the media engine's mixer.

The customer and the agents (the serving agent and any conference guests) hear each other.
A supervisor hears everyone talking; one who listens is heard by nobody, one who whispers by
the agents only, one who barges in by everyone (the other supervisors never hear each other).
`mix` tells the media engine so for a call in service.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from hotline.switch.b2bua.sip_call import SipCall
from hotline.switch.media.backend import MediaBackend

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


def mix(media: MediaBackend, call: SipCall) -> None:
    """Tell the mixer who hears whom on a call in service (its customer and agent on SIP)."""
    if call.ended or call.customer is None or call.agent is None:
        return
    agents = [call.agent.id, *(leg.id for leg in call.guests.values())]
    supervisors = [(leg.id, mode) for leg, mode in call.monitors.values()]
    for leg_id, heard in hearing(call.customer.id, agents, supervisors).items():
        media.hear(leg_id, heard)
