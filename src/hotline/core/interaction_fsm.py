"""The interaction state machine (R3).

Theory of operation
-------------------
An interaction (a call, chat or e-mail) is delivered, routed to a queue, waits there, is offered
to an agent, served, and completed. `TRANSITIONS[state][trigger] -> new state` is the whole
machine; a trigger not in the table for the current state raises
`IllegalInteractionTransition` and changes nothing.

    delivered --route--> routing --enqueue--> queued --offer--> offered --answer--> in_service
    in_service --hold--> on_hold --retrieve--> in_service
    in_service / on_hold --hangup--> completed
    in_service / on_hold --transfer_out--> completed      (blind transfer to an outside number)
    in_service / on_hold --transfer--> completed          (to a queue or an agent: the customer
                                                           goes on in a new leg, see below)
    delivered --start_ivr--> in_ivr                       (a flow serves the caller first)
    in_ivr --ivr_route--> routing                         (the flow sends them to a queue)
    in_ivr --ivr_end--> completed                         (self-service, or passed to a number)
    in_ivr --abandon--> completed                         (hung up in the flow)
    delivered --dial--> dialing --connect--> in_service   (an agent's outbound call)
    delivered --consult--> offered                        (an agent consults a colleague while
                                                           the customer waits on hold, or a
                                                           supervisor calls an agent)
    dialing --dial_fail--> completed                      (busy, no answer, cancelled...)
    routing --reject--> completed          (blacklisted, closed, no route)
    queued --abandon / max_wait--> completed
    queued --overflow--> routing           (then enqueue in the overflow queue)
    offered --requeue--> queued            (ring-no-answer or declined: back to its old place)
    offered --abandon--> completed         (customer hung up while the agent's phone rang)

Completion is final: a completed interaction accepts nothing more. A transfer to a queue or
an agent completes the transferring agent's leg and delivers a new interaction (its `parent` is
the old one) that is routed like any other, so every leg has one agent, one record and one set
of figures.
"""

from __future__ import annotations

from enum import StrEnum

from hotline.core.errors import CoreError


class InteractionState(StrEnum):
    DELIVERED = "delivered"
    IN_IVR = "in_ivr"
    ROUTING = "routing"
    QUEUED = "queued"
    OFFERED = "offered"
    IN_SERVICE = "in_service"
    ON_HOLD = "on_hold"
    DIALING = "dialing"
    COMPLETED = "completed"


class InteractionTrigger(StrEnum):
    ROUTE = "route"
    REJECT = "reject"
    ENQUEUE = "enqueue"
    OFFER = "offer"
    ANSWER = "answer"
    REQUEUE = "requeue"
    ABANDON = "abandon"
    MAX_WAIT = "max_wait"
    OVERFLOW = "overflow"
    HANGUP = "hangup"
    HOLD = "hold"
    RETRIEVE = "retrieve"
    TRANSFER_OUT = "transfer_out"
    TRANSFER = "transfer"
    DIAL = "dial"
    CONNECT = "connect"
    DIAL_FAIL = "dial_fail"
    CONSULT = "consult"
    START_IVR = "start_ivr"
    IVR_ROUTE = "ivr_route"
    IVR_END = "ivr_end"


S = InteractionState
T = InteractionTrigger

TRANSITIONS: dict[InteractionState, dict[InteractionTrigger, InteractionState]] = {
    S.DELIVERED: {
        T.ROUTE: S.ROUTING,
        T.DIAL: S.DIALING,
        T.START_IVR: S.IN_IVR,
        T.CONSULT: S.OFFERED,
    },
    S.IN_IVR: {T.IVR_ROUTE: S.ROUTING, T.IVR_END: S.COMPLETED, T.ABANDON: S.COMPLETED},
    S.ROUTING: {T.ENQUEUE: S.QUEUED, T.REJECT: S.COMPLETED},
    S.QUEUED: {
        T.OFFER: S.OFFERED,
        T.ABANDON: S.COMPLETED,
        T.MAX_WAIT: S.COMPLETED,
        T.OVERFLOW: S.ROUTING,
    },
    S.OFFERED: {T.ANSWER: S.IN_SERVICE, T.REQUEUE: S.QUEUED, T.ABANDON: S.COMPLETED},
    S.IN_SERVICE: {
        T.HANGUP: S.COMPLETED,
        T.HOLD: S.ON_HOLD,
        T.TRANSFER_OUT: S.COMPLETED,
        T.TRANSFER: S.COMPLETED,
    },
    S.ON_HOLD: {
        T.RETRIEVE: S.IN_SERVICE,
        T.HANGUP: S.COMPLETED,
        T.TRANSFER_OUT: S.COMPLETED,
        T.TRANSFER: S.COMPLETED,
    },
    S.DIALING: {T.CONNECT: S.IN_SERVICE, T.DIAL_FAIL: S.COMPLETED},
    S.COMPLETED: {},
}
"""Every legal move of an interaction; anything else is an `IllegalInteractionTransition`."""


class Why(StrEnum):
    """Reasons recorded on interaction facts, beyond the trigger itself."""

    ROUTED = "routed"
    OVERFLOW = "overflow"
    BLACKLISTED = "blacklisted"
    CLOSED = "closed"
    NO_ROUTE = "no_route"
    MAX_WAIT = "max_wait"
    OFFERED = "offered"
    STICKY = "sticky"
    NO_ANSWER = "no_answer"
    DECLINED = "declined"
    AGENT_LOGGED_OUT = "agent_logged_out"
    ANSWERED = "answered"
    ABANDONED = "abandoned"
    AGENT_HUNG_UP = "agent_hung_up"
    CUSTOMER_HUNG_UP = "customer_hung_up"
    HELD = "held"
    RETRIEVED = "retrieved"
    TRANSFERRED_OUT = "transferred_out"
    TRANSFERRED = "transferred"
    DIALED = "dialed"
    CONNECTED = "connected"
    BUSY = "busy"
    UNREACHABLE = "unreachable"
    CANCELLED = "cancelled"
    IVR = "ivr"
    SELF_SERVICE = "self_service"
    ABANDONED_IN_IVR = "abandoned_in_ivr"
    IVR_ERROR = "ivr_error"
    FORCE_RELEASED = "force_released"
    CONSULT = "consult"
    SUPERVISOR_CALL = "supervisor_call"
    CONSULT_CANCELLED = "consult_cancelled"
    CONSULT_TRANSFERRED = "consult_transferred"
    CONFERENCED = "conferenced"
    LEFT_CONFERENCE = "left_conference"


class IllegalInteractionTransition(CoreError):
    """A trigger that the interaction's current state does not allow."""

    def __init__(
        self, interaction_id: str, state: InteractionState, trigger: InteractionTrigger
    ) -> None:
        allowed = ", ".join(sorted(TRANSITIONS[state])) or "nothing (it is completed)"
        super().__init__(
            f"interaction {interaction_id!r} cannot {trigger.value!r} while {state.value!r} "
            f"(allowed: {allowed})"
        )
        self.interaction_id = interaction_id
        self.state = state
        self.trigger = trigger


def next_interaction_state(
    interaction_id: str, state: InteractionState, trigger: InteractionTrigger
) -> InteractionState:
    """The state `trigger` leads to from `state`, or `IllegalInteractionTransition`."""
    new = TRANSITIONS[state].get(trigger)
    if new is None:
        raise IllegalInteractionTransition(interaction_id, state, trigger)
    return new
