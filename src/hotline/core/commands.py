"""Commands: what the interaction server asks a gateway to do.

Plain records; a gateway carries them out (rings a phone, bridges media, plays a busy tone) and
reports the outcome back as events. The simulator carries them out in virtual time.

Records are plain slotted dataclasses, not frozen ones: nothing changes them once made, and a
frozen dataclass costs five times as much to create — the simulator makes millions of them.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(slots=True)
class Reject:
    """Refuse the interaction: `reason` is `blacklisted` (caller hears busy), `closed`,
    `no_route` or `max_wait` (the caller waited as long as the queue allows)."""

    interaction_id: str
    reason: str


@dataclass(slots=True)
class RunFlow:
    """Serve the caller with IVR flow `flow`; report `IvrFinished` (or `CustomerHungUp`)."""

    interaction_id: str
    flow: str


@dataclass(slots=True)
class PlayQueueMusic:
    """The interaction waits in `queue`: play its music on hold and announcements."""

    interaction_id: str
    queue: str


@dataclass(slots=True)
class Offer:
    """Ring agent `agent_id` with the interaction; the server withdraws it after
    `ring_timeout` seconds without an answer (RONA)."""

    interaction_id: str
    agent_id: str
    queue: str
    ring_timeout: float


@dataclass(slots=True)
class CancelOffer:
    """Stop ringing the agent: the offer was not answered in time or the customer left."""

    interaction_id: str
    agent_id: str


@dataclass(slots=True)
class Connect:
    """Join the customer and the agent who answered (bridge the media)."""

    interaction_id: str
    agent_id: str


@dataclass(slots=True)
class Hold:
    """Put the customer on hold: play the queue's music to them, mute the agent's leg."""

    interaction_id: str


@dataclass(slots=True)
class Retrieve:
    """Take the customer off hold: join them with the agent again."""

    interaction_id: str


@dataclass(slots=True)
class TransferOut:
    """Connect the customer to `number` outside the center and release the agent's leg."""

    interaction_id: str
    number: str


@dataclass(slots=True)
class Transfer:
    """Release the agent's leg of `interaction_id`; the customer's leg goes on as
    `new_interaction_id` (commands for it follow: music while queued, an offer)."""

    interaction_id: str
    new_interaction_id: str


@dataclass(slots=True)
class Consult:
    """Agent `agent_id` consults agent `to_agent` about `customer_interaction`: ring
    `to_agent` (an `Offer` of `interaction_id` follows) and, on answer, join the two agents."""

    interaction_id: str
    customer_interaction: str
    agent_id: str
    to_agent: str


@dataclass(slots=True)
class CompleteTransfer:
    """Join the customer of `interaction_id` with `to_agent`, who is on consultation
    `consult_interaction`, as `new_interaction_id`; release the first agent and the
    consultation."""

    interaction_id: str
    consult_interaction: str
    new_interaction_id: str
    to_agent: str


@dataclass(slots=True)
class Conference:
    """Join the customer of `interaction_id` and `agents` in one conversation (a mixer)."""

    interaction_id: str
    agents: tuple[str, ...]


@dataclass(slots=True)
class Dial:
    """Call `number` for agent `agent_id` (their phone first, then the far end); report
    `CallConnected` or `DialFailed`."""

    interaction_id: str
    agent_id: str
    number: str


@dataclass(slots=True)
class CallAgent:
    """Connect `supervisor`'s phone to agent `agent_id`'s for internal call `interaction_id`
    (an `Offer` rings the agent)."""

    interaction_id: str
    supervisor: str
    agent_id: str


@dataclass(slots=True)
class SendDigits:
    """Play `digits` into the call as telephone events (RFC 4733), from the agent's side."""

    interaction_id: str
    digits: str


@dataclass(slots=True)
class Monitor:
    """Connect `supervisor` to the interaction's media in `mode` (listen, whisper, barge), or
    disconnect them when `mode` is None."""

    interaction_id: str
    supervisor: str
    mode: str | None


@dataclass(slots=True)
class Hangup:
    """Release every remaining leg of the interaction."""

    interaction_id: str


Command = (
    Reject | RunFlow | PlayQueueMusic | Offer | CancelOffer | Connect | Hold | Retrieve
    | TransferOut | Transfer | Consult | CompleteTransfer | Conference | Dial | SendDigits
    | CallAgent
    | Monitor | Hangup
)
