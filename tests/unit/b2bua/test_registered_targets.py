"""Where the gateway rings a registered phone: each binding knows the transport its REGISTER
came over, so a phone registered over TCP is reached on its connection while that lasts and
at its Contact once it is gone, and a phone registered over UDP is never taken for one on a
TCP connection that happens to share its address."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import pytest

from hotline.switch.b2bua.gateway import SipGateway
from hotline.switch.sip import Request, parse
from hotline.switch.sip.endpoint import Peer

AOR = "sip:1001@hotline.example"
PHONE = "192.0.2.10"


def _register(contact: str, call_id: str) -> Request:
    message = parse((
        "REGISTER sip:hotline.example SIP/2.0\r\n"
        f"Via: SIP/2.0/UDP {PHONE}:5060;branch=z9hG4bK-{call_id}\r\n"
        "Max-Forwards: 70\r\n"
        "To: <sip:1001@hotline.example>\r\n"
        "From: <sip:1001@hotline.example>;tag=ab12\r\n"
        f"Call-ID: {call_id}\r\n"
        "CSeq: 1 REGISTER\r\n"
        f"Contact: {contact}\r\n"
        "Expires: 600\r\n\r\n").encode())
    assert isinstance(message, Request)
    return message


@pytest.fixture
def gateway(monkeypatch: pytest.MonkeyPatch) -> SipGateway:
    gateway = SipGateway(Any, Any, lambda: Any)  # type: ignore[arg-type]
    monkeypatch.setattr(gateway.transport, "now", lambda: 10.0)
    gateway._aor_of["1001"] = AOR
    return gateway


def _bind(gateway: SipGateway, contact: str, source: tuple[str, int], transport: str) -> None:
    response = gateway.doorman.registrar.register(
        _register(contact, f"reg-{source[1]}"), 0.0, source=source, transport=transport)
    assert response.status == 200


def _targets(gateway: SipGateway) -> list[tuple[str, Peer]]:
    extension: Any = SimpleNamespace(username="1001")
    return [(str(uri), peer) for uri, peer in gateway._placer.registered_targets(extension)]


def test_a_phone_registered_over_tcp_is_rung_on_its_connection_then_at_its_contact(
    gateway: SipGateway
) -> None:
    _bind(gateway, f"<sip:1001@{PHONE}:5062>", (PHONE, 49152), "TCP")  # bare Contact
    gateway.transport.connections[(PHONE, 49152)] = Any  # type: ignore[assignment]
    assert _targets(gateway) == [(f"sip:1001@{PHONE}:5062", Peer(PHONE, 49152, "TCP"))]
    del gateway.transport.connections[(PHONE, 49152)]
    # The connection's port was the phone's ephemeral one: now only its Contact is left.
    assert _targets(gateway) == [(f"sip:1001@{PHONE}:5062", Peer(PHONE, 5062, "UDP"))]


def test_a_tcp_contact_is_reached_over_tcp_once_its_connection_is_gone(
    gateway: SipGateway
) -> None:
    _bind(gateway, f"<sip:1001@{PHONE}:5062;transport=tcp>", (PHONE, 49152), "TCP")
    assert _targets(gateway) == [(f"sip:1001@{PHONE}:5062;transport=tcp",
                                  Peer(PHONE, 5062, "TCP"))]


def test_a_phone_registered_over_udp_is_rung_over_udp_whatever_connections_are_open(
    gateway: SipGateway
) -> None:
    _bind(gateway, f"<sip:1001@{PHONE}:5060>", (PHONE, 5060), "UDP")
    # Some TCP connection from the same address and port (another client, or the phone's
    # own for something else) does not make the UDP registration a TCP one.
    gateway.transport.connections[(PHONE, 5060)] = Any  # type: ignore[assignment]
    assert _targets(gateway) == [(f"sip:1001@{PHONE}:5060", Peer(PHONE, 5060, "UDP"))]


def test_a_phone_registered_over_udp_with_a_tcp_contact_is_reached_at_its_contact(
    gateway: SipGateway
) -> None:
    _bind(gateway, f"<sip:1001@{PHONE}:5062;transport=tcp>", (PHONE, 5060), "UDP")
    assert _targets(gateway) == [(f"sip:1001@{PHONE}:5062;transport=tcp",
                                  Peer(PHONE, 5062, "TCP"))]
