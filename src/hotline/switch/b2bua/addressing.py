"""Where the gateway sends the calls it places: to a phone's registered contact, or to a
number through a trunk."""

from __future__ import annotations

from hotline.switch.b2bua.directory import OutboundTrunk
from hotline.switch.sip.address import NameAddress
from hotline.switch.sip.endpoint import Peer
from hotline.switch.sip.legs import Credentials
from hotline.switch.sip.uri import SipUri, Uri


def binding_target(contact: NameAddress, source: tuple[str, int] | None
                   ) -> tuple[Uri, Peer] | None:
    """Where to send a request for a registered contact: its URI as the request URI, to the
    address its REGISTER came from (phones behind NAT) or else the URI's host and port, over
    the transport the URI names."""
    target = contact.uri
    transport = "TCP" if isinstance(target, SipUri) and any(
        name.lower() == "transport" and (value or "").lower() == "tcp"
        for name, value in target.params) else "UDP"
    if source is not None:
        return target, Peer(source[0], source[1], transport)
    if isinstance(target, SipUri):
        return target, Peer(target.host, target.port or 5060, transport)
    return None


def trunk_target(trunk: OutboundTrunk, number: str) -> tuple[Uri, Peer]:
    """The request URI and next hop for `number` dialled out through `trunk`."""
    uri = SipUri(trunk.host, user=trunk.outbound_number(number), port=trunk.port)
    return uri, Peer(trunk.host, trunk.port, trunk.transport.upper())


def trunk_credentials(trunk: OutboundTrunk) -> Credentials | None:
    """The trunk's account for digest challenges, if it has one."""
    if trunk.username and trunk.password:
        return Credentials(trunk.username, trunk.password)
    return None
