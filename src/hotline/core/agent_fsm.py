"""The agent state machine (R2).

Theory of operation
-------------------
An agent is in exactly one state. Triggers come from the agent (log in, ready, not ready, end
wrap-up, log out), from the ACD (offer), from the phone (answer, decline, hang up) and from the
server's timers (ring-no-answer, wrap-up timer). The whole machine is the table
`TRANSITIONS[state][trigger] -> new state`; a trigger the table does not allow in the current
state raises `IllegalAgentTransition` naming both, and changes nothing.

    logged_out --login--> not_ready --ready--> ready --offer--> reserved --answer--> busy
    busy --hangup--> wrap_up --wrap_up_end--> ready          (busy --hangup_no_wrap_up--> ready)
    reserved --no_answer--> not_ready (RONA)      reserved --withdrawn--> ready (customer left)

An agent who is ready, not ready or in wrap-up may dial out (`dial` → busy); when that call
ends they go back to ready, or to not ready with the reason they had.

An agent busy on a consultation call who takes the customer over (a consultative transfer, a
conference) stays busy, on the customer's call now (`take_over`).

A not-ready request while reserved, busy or in wrap-up is remembered and applied when the
interaction in hand is finished (`*_to_not_ready` triggers).
"""

from __future__ import annotations

from enum import StrEnum

from hotline.core.errors import CoreError


class AgentState(StrEnum):
    LOGGED_OUT = "logged_out"
    READY = "ready"
    RESERVED = "reserved"
    BUSY = "busy"
    WRAP_UP = "wrap_up"
    NOT_READY = "not_ready"


class AgentTrigger(StrEnum):
    LOGIN = "login"
    LOGOUT = "logout"
    READY = "ready"
    NOT_READY = "not_ready"
    OFFER = "offer"
    ANSWER = "answer"
    DECLINE = "decline"
    NO_ANSWER = "no_answer"
    WITHDRAWN = "withdrawn"
    WITHDRAWN_TO_NOT_READY = "withdrawn_to_not_ready"
    HANGUP = "hangup"
    HANGUP_NO_WRAP_UP = "hangup_no_wrap_up"
    HANGUP_TO_NOT_READY = "hangup_to_not_ready"
    WRAP_UP_END = "wrap_up_end"
    DIAL = "dial"
    TAKE_OVER = "take_over"


S = AgentState
T = AgentTrigger

TRANSITIONS: dict[AgentState, dict[AgentTrigger, AgentState]] = {
    S.LOGGED_OUT: {T.LOGIN: S.NOT_READY},
    S.NOT_READY: {
        T.READY: S.READY,
        T.NOT_READY: S.NOT_READY,
        T.LOGOUT: S.LOGGED_OUT,
        T.DIAL: S.BUSY,
    },
    S.READY: {
        T.OFFER: S.RESERVED,
        T.NOT_READY: S.NOT_READY,
        T.LOGOUT: S.LOGGED_OUT,
        T.DIAL: S.BUSY,
    },
    S.RESERVED: {
        T.ANSWER: S.BUSY,
        T.DECLINE: S.NOT_READY,
        T.NO_ANSWER: S.NOT_READY,
        T.WITHDRAWN: S.READY,
        T.WITHDRAWN_TO_NOT_READY: S.NOT_READY,
        T.LOGOUT: S.LOGGED_OUT,
    },
    S.BUSY: {
        T.TAKE_OVER: S.BUSY,
        T.HANGUP: S.WRAP_UP,
        T.HANGUP_NO_WRAP_UP: S.READY,
        T.HANGUP_TO_NOT_READY: S.NOT_READY,
    },
    S.WRAP_UP: {
        T.WRAP_UP_END: S.READY,
        T.NOT_READY: S.NOT_READY,
        T.LOGOUT: S.LOGGED_OUT,
        T.DIAL: S.BUSY,
    },
}
"""Every legal move of an agent; anything else is an `IllegalAgentTransition`."""


class IllegalAgentTransition(CoreError):
    """A trigger that the agent's current state does not allow."""

    def __init__(self, agent_id: str, state: AgentState, trigger: AgentTrigger) -> None:
        allowed = ", ".join(sorted(TRANSITIONS[state])) or "nothing"
        super().__init__(
            f"agent {agent_id!r} cannot {trigger.value!r} while {state.value!r} "
            f"(allowed: {allowed})"
        )
        self.agent_id = agent_id
        self.state = state
        self.trigger = trigger


def next_agent_state(agent_id: str, state: AgentState, trigger: AgentTrigger) -> AgentState:
    """The state `trigger` leads to from `state`, or `IllegalAgentTransition`."""
    new = TRANSITIONS[state].get(trigger)
    if new is None:
        raise IllegalAgentTransition(agent_id, state, trigger)
    return new
