"""The gateway's record of one interaction on SIP: its legs, who is ringing, the IVR walking
it, supervisors listening in, its recording."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from hotline.switch.ivr_call import IvrCall
from hotline.switch.sip.legs import Leg, OutboundLeg


@dataclass(eq=False)
class SipCall:
    """One interaction's legs."""

    interaction_id: str
    tenant: str
    customer: Leg | None
    """The caller's leg; None for a caller not on SIP (the demo's) ringing a real phone."""
    agent: Leg | None = None
    agent_id: str | None = None
    ringing: dict[str, list[OutboundLeg]] = field(default_factory=dict)
    """Legs ringing, by agent (each registered contact of their phone) or `far_end`."""
    ivr: IvrCall | None = None
    ended: bool = False
    consult_of: str | None = None
    """For a consultation: the customer's interaction, whose agent talks to this one's."""
    first_agent: str | None = None
    guests: dict[str, Leg] = field(default_factory=dict)
    """Conference guests: the legs of the other agents' phones, by agent."""
    monitors: dict[str, tuple[Leg, str]] = field(default_factory=dict)
    """Supervisors' legs and modes (listen, whisper, barge)."""
    recording: tuple[str, Path, datetime, str | None] | None = None
    """The recording of the bridged call: id, file, start (UTC), agent."""
    dialled: str | None = None
    """For a call an agent places: the number the far end is dialled at once the agent's
    phone answers."""
