"""Consultations and what they end in. An agent's consultation of a colleague is a call of
its own, with no customer leg: the colleague's phone is bridged to the first agent's. It ends
in a conference (the colleague's phone joins the customer's call as a guest; the customer and
every agent hear each other) or a completed transfer (the colleague's phone takes the first
agent's place on the customer's call)."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from hotline.core.commands import CompleteTransfer, Consult
from hotline.switch.b2bua.hearing import mix
from hotline.switch.b2bua.leg_media import LegMedia
from hotline.switch.b2bua.recording import CallRecorder
from hotline.switch.b2bua.sip_call import SipCall
from hotline.switch.media.backend import MediaBackend
from hotline.switch.sip.legs import Leg, LegEvents


class Consultations:
    """Keeps consultations and moves the colleague's phone onto the customer's call. The
    gateway lends it its calls (filed by interaction), and as callbacks: `follow` (route a
    leg's in-dialog requests to it), `forget` (stop filing a call and routing its legs'
    requests, hanging none up), `agent_events` (what an agent's leg on a call reports),
    `release_agent` and `now`."""

    def __init__(self, media: MediaBackend, legs: LegMedia, recorder: CallRecorder,
                 calls: dict[str, SipCall], *,
                 follow: Callable[[Leg], None],
                 forget: Callable[[SipCall], None],
                 agent_events: Callable[[SipCall, str], LegEvents],
                 release_agent: Callable[[SipCall], None],
                 now: Callable[[], float]) -> None:
        self._media = media
        self._legs = legs
        self._recorder = recorder
        self._calls = calls
        self._follow = follow
        self._forget = forget
        self._agent_events = agent_events
        self._release_agent = release_agent
        self._now = now

    def begin(self, tenant: str, command: Consult) -> None:
        """File the consultation (the colleague is offered it as any call)."""
        consult = self._calls.setdefault(command.interaction_id, SipCall(
            command.interaction_id, tenant, None))
        consult.consult_of = command.customer_interaction
        consult.first_agent = command.agent_id

    def leg_of_agent(self, agent_id: str) -> Leg | None:
        """The live leg of `agent_id`'s phone on any call (their own or a consultation)."""
        for call in self._calls.values():
            if call.agent_id == agent_id and call.agent is not None and not call.agent.ended:
                return call.agent
        return None

    def conference(self, call: SipCall, agents: Sequence[str]) -> None:
        """The customer and `agents` (the serving agent first, then the guests) all hear each
        other. A colleague joining from a consultation brings its phone's leg into this call
        (the consultation is over); an agent no longer named has left; when the serving agent
        left, the first guest serves."""
        assert call.customer is not None
        for agent_id in agents:
            if agent_id == call.agent_id or agent_id in call.guests:
                continue
            consult = next((other for other in self._calls.values()
                            if other.consult_of == call.interaction_id
                            and other.agent_id == agent_id), None)
            if consult is None or consult.agent is None or consult.agent.ended:
                continue
            leg = consult.agent
            consult.agent = None
            self._forget(consult)
            self._follow(leg)
            leg.events = self._agent_events(call, agent_id)
            call.guests[agent_id] = leg
        for agent_id in [a for a in call.guests if a not in agents]:
            leg = call.guests.pop(agent_id)
            if not leg.ended:
                leg.hang_up(self._now())
            self._legs.close(leg)
        if call.agent_id not in agents and agents and agents[0] in call.guests:
            call.agent_id = agents[0]
            call.agent = call.guests.pop(agents[0])
        self._media.stop_play(call.customer.id)
        mix(self._media, call)

    def complete_transfer(self, call: SipCall, command: CompleteTransfer) -> None:
        """The colleague consulted takes the call: the first agent is released, the call is
        filed under the new interaction, and the colleague's phone bridged to the customer."""
        consult = self._calls.pop(command.consult_interaction, None)
        moved = consult.agent if consult is not None else None
        self._release_agent(call)
        del self._calls[call.interaction_id]
        call.interaction_id = command.new_interaction_id
        self._calls[call.interaction_id] = call
        call.agent_id = command.to_agent
        if moved is None or moved.ended or call.customer is None:
            return
        call.agent = moved
        moved.events = self._agent_events(call, command.to_agent)
        self._media.stop_play(call.customer.id)
        self._media.bridge(call.customer.id, moved.id)
        self._recorder.start(call)
