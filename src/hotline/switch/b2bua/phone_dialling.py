"""What a phone dials, decided without state: an INVITE from an authenticated phone names a
DID (the call comes in as a trunk's would), another extension of the tenant (an internal
call), or an outside number (the agent's outbound call through the tenant's trunk) — or it is
refused, with the SIP status and the reason the phone is told. Also how an outbound call that
did not connect, or that the core would not take, is answered to the phone that placed it.
"""

from __future__ import annotations

from dataclasses import dataclass

from hotline.core.agent_fsm import AgentState, IllegalAgentTransition
from hotline.core.dial_permissions import number_problem
from hotline.core.errors import CoreError
from hotline.switch.b2bua.directory import Directory
from hotline.switch.sip.registration import ExtensionRecord


@dataclass(frozen=True, slots=True)
class ToDid:
    """A DID: the call comes in as one from a trunk would (IVR, queue, agent)."""

    number: str


@dataclass(frozen=True, slots=True)
class ToExtension:
    """Another extension of the caller's tenant: its registered phones ring."""

    extension: ExtensionRecord


@dataclass(frozen=True, slots=True)
class ToOutside:
    """An outside number: the agent `agent_id` dials it through the tenant's trunk."""

    number: str
    agent_id: str


@dataclass(frozen=True, slots=True)
class Refused:
    """Nothing happens but the final response: `status` with `reason` as its phrase."""

    status: int
    reason: str


PhoneDestination = ToDid | ToExtension | ToOutside | Refused

def phone_destination(directory: Directory, caller: ExtensionRecord,
                      dialled: str) -> PhoneDestination:
    """What the phone of extension `caller` reaches by dialling `dialled` (the Request-URI's
    user part), in this order: a DID, one of its tenant's extensions, an outside number its
    dial class allows (the extension bound to an agent, the tenant with an outbound trunk)."""
    if directory.did(dialled) is not None:
        return ToDid(dialled)
    callee = directory.extension_by_number(caller.tenant, dialled)
    if callee is not None:
        if callee.username == caller.username:
            return Refused(486, "that is this phone's own extension")
        if not callee.enabled:
            return Refused(403, f"extension {callee.number} is disabled")
        refusal = directory.may_dial(caller, dialled)
        return ToExtension(callee) if refusal is None else Refused(403, refusal)
    problem = number_problem(dialled)
    if problem is not None:
        return Refused(404, problem)
    refusal = directory.may_dial(caller, dialled)
    if refusal is not None:
        return Refused(403, refusal)
    if caller.agent_id is None:
        return Refused(403, f"extension {caller.number} is not an agent's: only agents "
                            "dial out")
    if directory.outbound_trunk(caller.tenant) is None:
        return Refused(503, "the tenant has no outbound trunk")
    return ToOutside(dialled, caller.agent_id)


def dial_failure(leg_end: str) -> tuple[str, int]:
    """For a far end that ended before answering (`LegEvents.ended`'s reason): the core's
    `DialFailed` reason and the final status for a phone that dialled it."""
    if leg_end == "busy":
        return "busy", 486
    if leg_end in ("no_answer", "cancelled"):
        return "no_answer", 480
    if leg_end == "timeout":
        return "no_answer", 408
    return "unreachable", 503


def core_refusal(error: CoreError) -> Refused:
    """The phone's answer when the core will not let its agent dial (`AgentDialed` refused):
    486 for an agent already busy with a call, 403 otherwise; the core's words as reason."""
    busy = isinstance(error, IllegalAgentTransition) and error.state in (
        AgentState.BUSY, AgentState.RESERVED)
    return Refused(486 if busy else 403, str(error))
