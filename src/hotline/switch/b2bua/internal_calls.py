"""Internal calls: a phone dialling another extension of its tenant. Every registered contact
of the called extension rings; the first to answer is bridged to the caller and the others
are cancelled.

The core has no notion of a call between two extensions (its interactions are customers'
calls), so these calls stay outside it: a plain bridged B2BUA call, not journalled, with no
agent state changed — an agent on an internal call can still be offered a customer's call
(their phone then gets a second INVITE, as call waiting)."""

from __future__ import annotations

import logging
from collections.abc import Callable, Coroutine
from dataclasses import dataclass, field
from typing import Any

from hotline.switch.b2bua.leg_media import LegMedia
from hotline.switch.b2bua.placing import CallPlacer
from hotline.switch.b2bua.sip_call import SipCall
from hotline.switch.media.backend import MediaBackend
from hotline.switch.media.sdp import LocalMedia, SdpError, answer
from hotline.switch.sip.legs import InboundLeg, Leg, LegEvents, LegState, OutboundLeg
from hotline.switch.sip.registration import ExtensionRecord

log = logging.getLogger("hotline.sip")

_CALLEE = "callee"
"""The key the called phone's ringing legs are filed under (`SipCall.ringing`)."""


@dataclass(eq=False)
class InternalCall:
    """The caller's leg and the called phone's legs: ringing forks, then the one that
    answered."""

    caller: InboundLeg
    ring: SipCall
    """Holds the ringing forks (`CallPlacer.place` files them in a `SipCall`)."""
    callee: Leg | None = None
    ended: bool = False
    refusals: list[str] = field(default_factory=list)


class InternalCalls:
    """Calls between two extensions. The gateway lends it, as callbacks: `follow` (route a
    leg's in-dialog requests to it), `unfollow` (stop doing so), `soon`, `spawn` and
    `now`."""

    def __init__(self, media: MediaBackend, placer: CallPlacer, legs: LegMedia, *,
                 follow: Callable[[Leg], None], unfollow: Callable[[Leg], None],
                 soon: Callable[[Callable[[], None]], None],
                 spawn: Callable[[Coroutine[Any, Any, object]], None],
                 now: Callable[[], float]) -> None:
        self._media = media
        self._placer = placer
        self._legs = legs
        self._follow = follow
        self._unfollow = unfollow
        self._soon = soon
        self._spawn = spawn
        self._now = now
        self.calls: set[InternalCall] = set()

    def call(self, caller: InboundLeg, callee: ExtensionRecord, tenant: str) -> None:
        """Ring `callee`'s registered phones for `caller` (a phone's INVITE, not answered
        yet): 480 when none is registered."""
        now = self._now()
        targets = self._placer.registered_targets(callee)
        if not targets:
            caller.reject(480, now, f"Temporarily Unavailable (extension {callee.number} "
                                    "has no registered phone)")
            return
        if caller.remote_sdp is None:
            caller.reject(488, now, "Not Acceptable Here (an SDP offer is required)")
            return
        call = InternalCall(caller, SipCall(f"internal-{caller.id}", tenant, None))
        call.ring.ringing[_CALLEE] = []
        self.calls.add(call)
        caller.events = LegEvents(ended=lambda leg, reason: self._caller_ended(call, reason),
                                  reoffered=self._legs.reoffered)
        shown = caller.caller or "anonymous"
        for target in targets:
            self._spawn(self._placer.place(target, shown, self._callee_events(call),
                                           ringing=(call.ring, _CALLEE)))

    def close(self) -> None:
        """End every internal call (the gateway is closing)."""
        for call in list(self.calls):
            self._end(call)

    def _callee_events(self, call: InternalCall) -> LegEvents:
        def ringing(leg: Leg) -> None:
            call.caller.ring(self._now())

        def answered(leg: Leg) -> None:
            forks = call.ring.ringing.get(_CALLEE, [])
            if call.ended or call.callee is not None or leg not in forks:
                leg.hang_up(self._now())
                return
            call.callee = leg
            for other in forks:
                if other is not leg:
                    other.cancel(self._now())
            call.ring.ringing.pop(_CALLEE, None)
            self._follow(leg)
            self._legs.connect_answer(leg)
            self._spawn(self._answer_caller(call))

        def ended(leg: Leg, reason: str) -> None:
            self._legs.close(leg)
            if call.ended:
                return
            if leg is call.callee:
                self._soon(lambda: self._end(call))
                return
            forks = call.ring.ringing.get(_CALLEE)
            if forks is None or leg not in forks:
                return
            forks.remove(leg)
            call.refusals.append(reason)
            if not forks and call.callee is None:
                status = 486 if "busy" in call.refusals else 480
                call.caller.reject(status, self._now())
                self._soon(lambda: self._end(call))

        return LegEvents(ringing=ringing, answered=answered, ended=ended,
                         reoffered=self._legs.reoffered)

    async def _answer_caller(self, call: InternalCall) -> None:
        caller = call.caller
        host, port = await self._media.open_leg(caller.id)
        if call.ended or caller.ended:
            self._legs.close(caller)
            self._end(call)
            return
        assert caller.remote_sdp is not None and call.callee is not None
        try:
            reply = answer(caller.remote_sdp, LocalMedia(host, port))
        except SdpError as error:
            log.info("internal call refused: %s", error)
            reply = None
        if reply is None or reply.stream is None:
            caller.reject(488, self._now(), "Not Acceptable Here (no common codec)")
            self._end(call)
            return
        caller.answer(reply.sdp, self._now())
        self._legs.connect(caller, reply.stream)
        self._follow(caller)
        self._media.bridge(caller.id, call.callee.id)

    def _caller_ended(self, call: InternalCall, reason: str) -> None:
        self._legs.close(call.caller)
        if not call.ended:
            self._soon(lambda: self._end(call))

    def _end(self, call: InternalCall) -> None:
        if call.ended:
            return
        call.ended = True
        self.calls.discard(call)
        now = self._now()
        forks: list[OutboundLeg] = call.ring.ringing.pop(_CALLEE, [])
        for leg in (call.caller, call.callee, *forks):
            if leg is None:
                continue
            if not leg.ended:
                if isinstance(leg, InboundLeg) and leg.state is not LegState.ANSWERED:
                    leg.reject(480, now, "Temporarily Unavailable")
                else:
                    leg.hang_up(now)
            self._legs.close(leg)
            self._unfollow(leg)
        call.ring.ended = True
