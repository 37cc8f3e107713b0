"""A SIP leg's media: the stream its offer and answer agreed on goes to the media engine's
leg of the same id (address, codec, telephone-event payload type, RTCP, direction); a re-INVITE
is answered on the port the leg already has; the engine's leg is closed when the call leg
ends."""

from __future__ import annotations

import contextlib

from hotline.switch.media.backend import MediaBackend
from hotline.switch.media.sdp import (
    LocalMedia,
    NegotiatedStream,
    SdpError,
    SessionDescription,
    accepted_stream,
    answer,
)
from hotline.switch.sip.legs import Leg


class LegMedia:
    """Keeps the media engine's legs in step with the SIP legs' session descriptions."""

    def __init__(self, media: MediaBackend, host: str) -> None:
        self._media = media
        self._host = host

    def connect(self, leg: Leg, stream: NegotiatedStream) -> None:
        """Send and receive the leg's media as `stream` says."""
        self._media.connect_leg(leg.id, (stream.remote_address, stream.remote_port),
                                codec=stream.codec, payload_type=stream.payload_type,
                                event_payload_type=stream.telephone_event_payload_type,
                                rtcp=stream.remote_rtcp)
        self._media.set_direction(leg.id, send=stream.direction.sends,
                                  receive=stream.direction.receives)

    def connect_answer(self, leg: Leg) -> None:
        """For a leg we placed, once answered: the stream our offer and its answer agree on,
        if any."""
        offer, reply = leg.local_sdp, leg.remote_sdp
        if offer is None or reply is None:
            return
        try:
            stream = accepted_stream(offer, reply)
        except SdpError:
            stream = None
        if stream is not None:
            self.connect(leg, stream)

    def reoffered(self, leg: Leg, offer: SessionDescription) -> SessionDescription | None:
        """Our answer to a re-INVITE's offer, on the leg's port (None refuses it), the media
        following it (`LegEvents.reoffered`)."""
        current = leg.local_sdp
        if current is None or not current.media:
            return None
        media = current.media[0]
        address = current.connection.address if current.connection is not None else self._host
        try:
            reply = answer(offer, LocalMedia(address, media.port))
        except SdpError:
            return None
        if reply.stream is None:
            return None
        self.connect(leg, reply.stream)
        return reply.sdp

    def close(self, leg: Leg) -> None:
        """Close the leg's media (already closed is fine)."""
        with contextlib.suppress(KeyError):
            self._media.close_leg(leg.id)
