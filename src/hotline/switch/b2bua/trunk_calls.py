"""Calls placed through a trunk: click-to-dial (T5: the agent's registered phone rings first,
hearing ring-back once it answers, then the far end is dialled through the tenant's outbound
trunk and bridged to it), the agent dialling out from their own phone (its INVITE is the
agent's leg: the core is told `AgentDialed` as the desktop's dial would, and the `Dial` that
follows only places the far end; the phone hears ring-back as early media meanwhile, gets our
200 when the far end answers, and the far end's failure as its final response), and the blind
transfer of a caller to an outside number (the agent released, the caller hearing ring-back
until the far end answers)."""

from __future__ import annotations

import logging
import secrets
from collections.abc import Callable, Coroutine
from typing import Any

from hotline.core.commands import Dial
from hotline.core.errors import CoreError
from hotline.core.events import (
    AgentDialed,
    AgentHungUp,
    CallConnected,
    CustomerHungUp,
    DialFailed,
    Event,
)
from hotline.runtime import TenantRuntime
from hotline.switch.b2bua.addressing import trunk_credentials, trunk_target
from hotline.switch.b2bua.directory import Directory
from hotline.switch.b2bua.leg_media import LegMedia
from hotline.switch.b2bua.music import ringback
from hotline.switch.b2bua.phone_dialling import core_refusal, dial_failure
from hotline.switch.b2bua.placing import CallPlacer
from hotline.switch.b2bua.sip_call import SipCall
from hotline.switch.media.backend import MediaBackend
from hotline.switch.media.sdp import LocalMedia, SdpError, answer
from hotline.switch.sip.legs import InboundLeg, Leg, LegEvents, LegState
from hotline.switch.sip.status import reason_because

log = logging.getLogger("hotline.sip")


class TrunkCalls:
    """Places the calls that go out through a tenant's trunk. The gateway lends it its calls
    (filed by interaction), and as callbacks: `follow` (route a leg's in-dialog requests to
    it), `tell` (an event for a tenant's core, on the next turn), `soon` (work for the next
    turn), `spawn` (a task), `end_call`, `release_agent` and `now` (the transport's
    clock)."""

    def __init__(self, directory: Callable[[], Directory], media: MediaBackend,
                 placer: CallPlacer, legs: LegMedia, calls: dict[str, SipCall], *,
                 follow: Callable[[Leg], None],
                 tell: Callable[[str, Event], None],
                 soon: Callable[[Callable[[], None]], None],
                 spawn: Callable[[Coroutine[Any, Any, object]], None],
                 end_call: Callable[[SipCall], None],
                 release_agent: Callable[[SipCall], None],
                 now: Callable[[], float]) -> None:
        self._directory = directory
        self._media = media
        self._placer = placer
        self._legs = legs
        self._calls = calls
        self._follow = follow
        self._tell = tell
        self._soon = soon
        self._spawn = spawn
        self._end_call = end_call
        self._release_agent = release_agent
        self._now = now

    def dial(self, tenant: str, command: Dial) -> None:
        """Click-to-dial (T5): the agent's phone first, then the far end through the trunk.
        For a call the agent placed from their phone (`dial_from_phone`) the agent's leg is
        there already: only the far end is dialled."""
        placed = self._calls.get(command.interaction_id)
        if placed is not None and isinstance(placed.agent, InboundLeg):
            if not placed.ended:
                self._spawn(self._dial_far_end(placed, command.number))
            return
        directory = self._directory()
        extension = directory.extension_of_agent(tenant, command.agent_id)
        if extension is None or self._placer.registered_target(extension) is None:
            return  # no phone: the demo plays the far end, or nobody does
        refusal = directory.may_dial(extension, command.number)
        if refusal is None and directory.outbound_trunk(tenant) is None:
            refusal = "the tenant has no outbound trunk"
        if refusal is not None:
            log.info("dial %s for %s refused: %s", command.number, command.agent_id, refusal)
            self._tell(tenant, DialFailed(command.interaction_id, "unreachable"))
            return
        call = SipCall(command.interaction_id, tenant, None, dialled=command.number)
        self._calls[command.interaction_id] = call
        target = self._placer.registered_target(extension)
        assert target is not None
        agent_id = command.agent_id

        def agent_answered(leg: Leg) -> None:
            call.agent, call.agent_id = leg, agent_id
            self._follow(leg)
            self._legs.connect_answer(leg)
            self._media.play(leg.id, ringback(), loop=True)
            self._spawn(self._dial_far_end(call, command.number))

        def agent_ended(leg: Leg, reason: str) -> None:
            self._legs.close(leg)
            if call.agent is leg and reason != "hung_up":
                self._tell(tenant, AgentHungUp(call.interaction_id, agent_id))
            elif call.agent is None and not call.ended:
                self._tell(tenant, DialFailed(call.interaction_id, "no_answer"))
                self._soon(lambda: self._end_call(call))

        self._spawn(self._placer.place(target, command.number, LegEvents(
            answered=agent_answered, ended=agent_ended, reoffered=self._legs.reoffered)))

    async def _dial_far_end(self, call: SipCall, number: str) -> None:
        trunk = self._directory().outbound_trunk(call.tenant)
        if trunk is None or call.ended:
            return

        def answered(leg: Leg) -> None:
            self._follow(leg)
            self._legs.connect_answer(leg)
            call.customer = leg
            phone = call.agent
            if isinstance(phone, InboundLeg) and phone.state is not LegState.ANSWERED:
                assert phone.local_sdp is not None  # set by dial_from_phone
                phone.answer(phone.local_sdp, self._now())
                self._follow(phone)
            if call.agent is not None:
                self._media.stop_play(call.agent.id)
                self._media.bridge(leg.id, call.agent.id)
            self._tell(call.tenant, CallConnected(call.interaction_id))

        def ended(leg: Leg, reason: str) -> None:
            self._legs.close(leg)
            if call.ended:
                return
            if call.customer is leg:
                self._tell(call.tenant, CustomerHungUp(call.interaction_id))
            else:
                why, status = dial_failure(reason)
                self._tell(call.tenant, DialFailed(call.interaction_id, why))
                phone = call.agent
                if isinstance(phone, InboundLeg):
                    phone.reject(status, self._now(), reason_because(status, f"the far end: {why}"))
            self._soon(lambda: self._end_call(call))

        call.ringing["far_end"] = []
        await self._placer.place(trunk_target(trunk, number), trunk.from_user or "",
                                 LegEvents(answered=answered, ended=ended,
                                           reoffered=self._legs.reoffered),
                                 credentials=trunk_credentials(trunk),
                                 ringing=(call, "far_end"))

    async def dial_from_phone(self, leg: InboundLeg, runtime: TenantRuntime, agent_id: str,
                              number: str) -> None:
        """The agent's phone INVITEd an outside number (`phone_dialling.ToOutside`, the dial
        class already checked): its leg gets our media, the core is told `AgentDialed` as
        the desktop's dial would tell it (refused: the phone gets 486 or 403 with the
        core's reason), and the phone hears ring-back (183 with our SDP) while the `Dial`
        that follows places the far end (`dial`). The phone hanging up or cancelling is
        `AgentHungUp`, as the desktop's hang-up, ringing or not."""
        tenant = runtime.name
        call = SipCall(f"dial-{secrets.token_hex(8)}", tenant, None, agent=leg,
                       agent_id=agent_id, dialled=number)
        told = False

        def ended(ended_leg: Leg, reason: str) -> None:
            self._legs.close(ended_leg)
            if call.ended or reason == "hung_up" or reason.startswith("rejected"):
                return
            if told:
                self._tell(tenant, AgentHungUp(call.interaction_id, agent_id))
            else:
                self._soon(lambda: self._end_call(call))

        leg.events = LegEvents(ended=ended, reoffered=self._legs.reoffered)
        host, port = await self._media.open_leg(leg.id)
        if leg.ended:
            self._legs.close(leg)
            return
        assert leg.remote_sdp is not None
        try:
            reply = answer(leg.remote_sdp, LocalMedia(host, port))
        except SdpError as error:
            log.info("phone dial of %s refused: %s", number, error)
            reply = None
        if reply is None or reply.stream is None:
            leg.reject(488, self._now(), "Not Acceptable Here (no common codec)")
            self._end_call(call)
            return
        leg.local_sdp = reply.sdp
        self._legs.connect(leg, reply.stream)
        attributes = await runtime.customer_attributes(number)
        if leg.ended or call.ended:
            return
        self._calls[call.interaction_id] = call
        try:
            runtime.handle(AgentDialed(call.interaction_id, agent_id, number, attributes))
        except CoreError as error:
            log.info("phone dial of %s by %s refused by the core: %s", number, agent_id, error)
            refusal = core_refusal(error)
            leg.reject(refusal.status, self._now(), reason_because(refusal.status, refusal.reason))
            self._end_call(call)
            return
        told = True
        assert leg.local_sdp is not None
        leg.progress(leg.local_sdp, self._now())  # 183: the phone hears our ring-back
        self._media.play(leg.id, ringback(), loop=True)

    def transfer_out(self, call: SipCall, number: str) -> None:
        """Blind transfer to a number outside: the far end through the trunk, the agent
        released; the caller hears ring-back until it answers."""
        trunk = self._directory().outbound_trunk(call.tenant)
        self._release_agent(call)
        if trunk is None or call.customer is None:
            log.info("transfer of %s to %s: no outbound trunk; the call ends",
                     call.interaction_id, number)
            self._end_call(call)
            return
        customer = call.customer
        self._media.play(customer.id, ringback(), loop=True)

        def answered(leg: Leg) -> None:
            self._follow(leg)
            self._legs.connect_answer(leg)
            call.agent = leg
            self._media.stop_play(customer.id)
            self._media.bridge(customer.id, leg.id)

        def ended(leg: Leg, reason: str) -> None:
            self._legs.close(leg)
            self._soon(lambda: self._end_call(call))

        self._spawn(self._placer.place(
            trunk_target(trunk, number), customer.caller if isinstance(
                customer, InboundLeg) else "", LegEvents(answered=answered, ended=ended),
            credentials=trunk_credentials(trunk)))
