"""Placing the gateway's outbound legs: where an extension's registered phone is reached (each
of its contacts, by the transport its REGISTER came over), and an INVITE with media of its own
sent to such a target or to a number through a trunk (`addressing`)."""

from __future__ import annotations

import secrets
from collections.abc import Mapping

from hotline.switch.b2bua.addressing import binding_target
from hotline.switch.b2bua.sip_call import SipCall
from hotline.switch.media.backend import MediaBackend
from hotline.switch.media.sdp import LocalMedia, make_offer
from hotline.switch.sip.address import NameAddress
from hotline.switch.sip.endpoint import Endpoint, Peer
from hotline.switch.sip.legs import Credentials, LegEvents, OutboundLeg
from hotline.switch.sip.registrar import Bindings
from hotline.switch.sip.registration import ExtensionRecord
from hotline.switch.sip.transport import SipTransport
from hotline.switch.sip.uri import SipUri, Uri


class CallPlacer:
    """Finds registered phones and starts the legs that ring them (or a trunk)."""

    def __init__(self, endpoint: Endpoint, transport: SipTransport, media: MediaBackend,
                 bindings: Bindings, aor_of: Mapping[str, str], host: str) -> None:
        self._endpoint = endpoint
        self._transport = transport
        self._media = media
        self._bindings = bindings
        self._aor_of = aor_of
        """Each extension's address of record by username, as the gateway keeps it."""
        self._host = host

    def registered_target(self, extension: ExtensionRecord | None
                          ) -> tuple[Uri, Peer] | None:
        """Where to INVITE an extension's phone when one contact will do (a supervisor's
        phone, the agent's phone for click-to-dial): its first binding."""
        targets = self.registered_targets(extension)
        return targets[0] if targets else None

    def registered_targets(self, extension: ExtensionRecord | None
                           ) -> list[tuple[Uri, Peer]]:
        """Where to INVITE each registered contact of an extension. A phone that registered
        over TCP is reached on its connection (whatever its Contact says); once that is
        gone, at its Contact. One that registered over UDP is reached at the address its
        REGISTER came from (behind NAT), unless its Contact asks for TCP: then at its
        Contact."""
        if extension is None:
            return []
        aor = self._aor_of.get(extension.username)
        bindings = self._bindings.lookup(aor, self._transport.now()) if aor is not None else []
        targets = []
        for binding in bindings:
            source = binding.source
            target = binding_target(binding.contact, source)
            if target is None:
                continue
            if (binding.transport == "TCP" and source is not None
                    and source in self._transport.connections):
                target = (target[0], Peer(*source, "TCP"))
            elif binding.transport == "TCP" or target[1].transport == "TCP":
                target = binding_target(binding.contact, None) or target
            targets.append(target)
        return targets

    async def place(self, target: tuple[Uri, Peer], caller: str, events: LegEvents, *,
                    credentials: Credentials | None = None,
                    ringing: tuple[SipCall, str] | None = None) -> None:
        """An outbound leg with its own media, started; `ringing` files it in a call's
        ringing legs under a key (an agent's id, `far_end`) before it starts — unless that
        key is gone by then (the offer was cancelled or every other contact refused)."""
        leg_id = f"out-{secrets.token_hex(6)}"
        host, port = await self._media.open_leg(leg_id)
        if ringing is not None and (ringing[0].ended or ringing[1] not in ringing[0].ringing):
            self._media.close_leg(leg_id)
            return
        uri, peer = target
        shown = caller or "hotline"
        leg = OutboundLeg(
            self._endpoint, uri, peer,
            caller=NameAddress(SipUri(self._host, user=shown, port=self._endpoint.local.port),
                               shown),
            callee=NameAddress(uri), offer=make_offer(LocalMedia(host, port)), events=events,
            credentials=credentials)
        leg.id = leg_id
        if ringing is not None:
            ringing[0].ringing[ringing[1]].append(leg)
        leg.start(self._transport.now())
        self._transport.poke()
