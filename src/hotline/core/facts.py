"""Facts: the durable record of everything that happened, time-stamped.

Every change of an interaction's or an agent's state produces one fact. CDRs, interval reports,
the wall board and an agent's history are all projections of this stream; the journal stores it.

Records are plain slotted dataclasses, not frozen ones: nothing changes them once made, and a
frozen dataclass costs five times as much to create — the simulator makes millions of them.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from hotline.core.agent_fsm import AgentState
from hotline.core.interaction_fsm import InteractionState
from hotline.core.model import Channel


@dataclass(slots=True)
class InteractionDelivered:
    """An interaction came into being (state `delivered`) with what is known of the customer.

    `direction` is `inbound` (the customer called) or `outbound` (an agent dialled; `dnis` is
    the number dialled); `parent` is the interaction this one continues after a transfer."""

    at: float
    interaction_id: str
    channel: Channel
    ani: str
    dnis: str
    attributes: Mapping[str, str]
    direction: str = "inbound"
    parent: str | None = None


@dataclass(slots=True)
class InteractionStateChanged:
    """An interaction moved from `old` to `new` state; `reason` says why (see `Why`).

    `queue` is the queue it is in (or was in, when it leaves one); `agent` the agent concerned;
    `priority` its effective priority while queued.
    """

    at: float
    interaction_id: str
    old: InteractionState
    new: InteractionState
    reason: str
    queue: str | None = None
    agent: str | None = None
    priority: int = 0


@dataclass(slots=True)
class AgentStateChanged:
    """An agent moved from `old` to `new` state; `reason` is the not-ready reason code or why the
    change happened; `interaction_id` the interaction concerned, if any."""

    at: float
    agent_id: str
    old: AgentState
    new: AgentState
    reason: str = ""
    interaction_id: str | None = None


@dataclass(slots=True)
class AttributesCollected:
    """Data about the customer gathered after delivery (by the IVR) joined the interaction's
    attributes."""

    at: float
    interaction_id: str
    attributes: Mapping[str, str]


@dataclass(slots=True)
class MonitoringChanged:
    """A supervisor started monitoring an interaction in `mode` (listen, whisper, barge),
    changed mode, or stopped (`mode` None; also when the interaction ends)."""

    at: float
    interaction_id: str
    supervisor: str
    mode: str | None


Fact = (
    InteractionDelivered | InteractionStateChanged | AgentStateChanged | AttributesCollected
    | MonitoringChanged
)
