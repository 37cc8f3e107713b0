"""Events: what a gateway tells the interaction server happened.

Each is a small immutable record handed to `InteractionServer.handle(event, now)`. Gateways
create them from SIP messages, CTI requests, the simulator's synthetic callers or tests.

Records are plain slotted dataclasses, not frozen ones: nothing changes them once made, and a
frozen dataclass costs five times as much to create — the simulator makes millions of them.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

from hotline.core.model import Channel

_NO_ATTRIBUTES: Mapping[str, str] = MappingProxyType({})
_NO_SKILLS: Mapping[str, int] = MappingProxyType({})


@dataclass(slots=True)
class InteractionArrived:
    """A customer contact reached the center (a call on a trunk, a chat, an e-mail...).

    `queue` names a target chosen upstream (an IVR flow, a callback request) and bypasses DNIS
    routing and the tenant's IVR; `flow` names the IVR flow to run first (default: the
    tenant's, by DNIS); `attributes` carries data collected on the way (IVR digits, customer
    tier) and travels with the interaction to routing and to the agent's screen; `skills` are
    skills an agent must have beyond the queue's to take it (skill level by name).
    """

    interaction_id: str
    ani: str = ""
    dnis: str = ""
    channel: Channel = Channel.VOICE
    priority: int = 0
    queue: str | None = None
    attributes: Mapping[str, str] = field(default_factory=lambda: _NO_ATTRIBUTES)
    flow: str | None = None
    skills: Mapping[str, int] = field(default_factory=lambda: _NO_SKILLS)


@dataclass(slots=True)
class IvrFinished:
    """The IVR flow the interaction was in has ended. `outcome` is `queue` (route it to
    `queue`, with `priority` added to its own), `agent` (ring `agent` if ready, else queue the
    caller where that agent works), `number` (pass the caller to outside `number`)
    `self_service` (the flow served the caller, who is gone) or `error` (the flow failed and
    hung up). `attributes` are what the flow collected; they join the interaction's; `skills`
    an agent must have beyond the queue's to take the caller."""

    interaction_id: str
    outcome: str
    queue: str | None = None
    priority: int = 0
    number: str | None = None
    attributes: Mapping[str, str] = field(default_factory=lambda: _NO_ATTRIBUTES)
    skills: Mapping[str, int] = field(default_factory=lambda: _NO_SKILLS)
    agent: str | None = None


@dataclass(slots=True)
class CustomerHungUp:
    """The customer left: hung up the call, closed the chat."""

    interaction_id: str


@dataclass(slots=True)
class AgentLoggedIn:
    """An agent logged in, to the named queues or (None) to every queue their skills fit."""

    agent_id: str
    queues: tuple[str, ...] | None = None


@dataclass(slots=True)
class AgentLoggedOut:
    """An agent logged out."""

    agent_id: str


@dataclass(slots=True)
class AgentReady:
    """An agent made themself available for interactions."""

    agent_id: str


@dataclass(slots=True)
class AgentNotReady:
    """An agent asked to be not ready with a reason code; deferred until a call in hand ends."""

    agent_id: str
    reason: str


@dataclass(slots=True)
class AgentAnswered:
    """The agent accepted the interaction offered to them (picked up the ringing phone)."""

    interaction_id: str
    agent_id: str


@dataclass(slots=True)
class AgentDeclined:
    """The agent refused the interaction offered to them."""

    interaction_id: str
    agent_id: str


@dataclass(slots=True)
class AgentHungUp:
    """The agent ended the interaction in service."""

    interaction_id: str
    agent_id: str


@dataclass(slots=True)
class AgentHeld:
    """The agent put the customer on hold (the customer hears music)."""

    interaction_id: str
    agent_id: str


@dataclass(slots=True)
class AgentRetrieved:
    """The agent took the customer back from hold."""

    interaction_id: str
    agent_id: str


@dataclass(slots=True)
class AgentTransferredOut:
    """The agent passed the customer on to an outside number (blind transfer); the agent's
    part is over."""

    interaction_id: str
    agent_id: str
    number: str


@dataclass(slots=True)
class AgentTransferred:
    """The agent passed the customer on inside the center (blind transfer): to `queue`, to
    agent `to_agent` (who must be ready), or to IVR flow `flow` (a survey, say; the flow gets
    `agent_id` and `interaction_id` of the agent's leg as inputs). The agent's leg ends; the
    customer goes on in a new interaction whose id the server chooses and announces with a
    `Transfer` command."""

    interaction_id: str
    agent_id: str
    queue: str | None = None
    to_agent: str | None = None
    flow: str | None = None


@dataclass(slots=True)
class AgentConsulted:
    """The agent serving `interaction_id` puts the customer on hold and calls agent
    `to_agent` (who must be ready) to consult them: a new consultation interaction rings."""

    interaction_id: str
    agent_id: str
    to_agent: str


@dataclass(slots=True)
class ConsultCancelled:
    """The agent ends their consultation (ringing or in progress) and takes the customer back."""

    interaction_id: str
    agent_id: str


@dataclass(slots=True)
class ConsultTransferred:
    """The agent hands the customer to the colleague they are consulting (a consultative
    transfer): the colleague now serves the customer, in a new leg; the agent's part ends."""

    interaction_id: str
    agent_id: str


@dataclass(slots=True)
class ConsultConferenced:
    """The agent brings the customer into their consultation: all three talk. Either agent may
    leave; the customer's call goes on with the other."""

    interaction_id: str
    agent_id: str


@dataclass(slots=True)
class AgentDialed:
    """The agent placed an outbound call to `number`; `interaction_id` is new (the shell
    chooses it, as for arrivals)."""

    interaction_id: str
    agent_id: str
    number: str
    attributes: Mapping[str, str] = field(default_factory=lambda: _NO_ATTRIBUTES)


@dataclass(slots=True)
class CallConnected:
    """The far end answered an outbound call."""

    interaction_id: str


@dataclass(slots=True)
class DialFailed:
    """An outbound call did not connect: `reason` is `busy`, `no_answer` or `unreachable`."""

    interaction_id: str
    reason: str


@dataclass(slots=True)
class AgentSentDigits:
    """The agent keyed `digits` (0-9, *, #, A-D) into the call: to an IVR or an extension on
    the far side of a transfer, say."""

    interaction_id: str
    agent_id: str
    digits: str


@dataclass(slots=True)
class SupervisorCalled:
    """A supervisor calls agent `agent_id` (who must be ready): their phone rings with an
    internal call `interaction_id` (the shell chooses it, as for dialling)."""

    interaction_id: str
    agent_id: str
    supervisor: str


@dataclass(slots=True)
class ForceReleased:
    """A supervisor ended the interaction an agent is serving (强拆): as if the agent hung up."""

    interaction_id: str
    supervisor: str


@dataclass(slots=True)
class MonitorStarted:
    """A supervisor joins an interaction in service to `listen` (unheard), `whisper` (heard by
    the agent only) or `barge` (heard by both); a new mode replaces the old."""

    interaction_id: str
    supervisor: str
    mode: str


@dataclass(slots=True)
class MonitorEnded:
    """A supervisor leaves the interaction they were monitoring."""

    interaction_id: str
    supervisor: str


@dataclass(slots=True)
class WrapUpEnded:
    """The agent finished after-call work before (or without) its timer."""

    agent_id: str


@dataclass(slots=True)
class TimerFired:
    """The time returned by `next_timer()` has come; the server acts on every due timer."""


Event = (
    InteractionArrived
    | IvrFinished
    | CustomerHungUp
    | AgentLoggedIn
    | AgentLoggedOut
    | AgentReady
    | AgentNotReady
    | AgentAnswered
    | AgentDeclined
    | AgentHungUp
    | AgentHeld
    | AgentRetrieved
    | AgentTransferredOut
    | AgentTransferred
    | AgentConsulted
    | ConsultCancelled
    | ConsultTransferred
    | ConsultConferenced
    | AgentDialed
    | CallConnected
    | DialFailed
    | AgentSentDigits
    | SupervisorCalled
    | ForceReleased
    | MonitorStarted
    | MonitorEnded
    | WrapUpEnded
    | TimerFired
)
