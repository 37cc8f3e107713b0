"""The endpoint's side of the transport: the Via names the transport a request goes out on,
and a datagram the transport could not deliver fails the transaction that sent it (a 503 for
the user at once, RFC 3261 §8.1.3.1, §17.1.4). Sans-I/O: no sockets, time passed in."""

from __future__ import annotations

from hotline.switch.sip import Headers, Request, Response, SipUri
from hotline.switch.sip.client_transaction import ClientTransaction
from hotline.switch.sip.endpoint import Endpoint, Peer
from hotline.switch.sip.message import parse
from hotline.switch.sip.server_transaction import InviteServerTransaction, ServerTransaction
from hotline.switch.sip.transaction import State

LOCAL = Peer("127.0.0.1", 5060)
PHONE_TCP = Peer("127.0.0.1", 40000, "TCP")
PHONE_UDP = Peer("127.0.0.1", 40000, "UDP")


class _User:
    def request_received(self, request: Request, transaction: ServerTransaction, source: Peer,
                         now: float) -> None:
        pass

    def ack_received(self, ack: Request, source: Peer, now: float) -> None:
        pass

    def invite_cancelled(self, transaction: InviteServerTransaction, now: float) -> None:
        pass

    def answer_timed_out(self, dialog: object, now: float) -> None:
        pass


def _request(method: str) -> Request:
    headers = Headers()
    headers.add("Max-Forwards", "70")
    headers.add("From", "<sip:hotline@127.0.0.1>;tag=abc")
    headers.add("To", "<sip:1001@127.0.0.1>")
    headers.add("Call-ID", f"{method.lower()}-1@hotline")
    headers.add("CSeq", f"1 {method}")
    headers.add("Contact", "<sip:hotline@127.0.0.1:5060;transport=tcp>")
    return Request(method, SipUri("127.0.0.1", user="1001", port=40000), headers)


def _send(method: str, peer: Peer) -> tuple[Endpoint, list[Response], ClientTransaction]:
    endpoint = Endpoint(LOCAL, _User())
    responses: list[Response] = []
    transaction = endpoint.send_request(_request(method), peer, 100.0,
                                        lambda response, now: responses.append(response))
    return endpoint, responses, transaction


def test_the_via_names_the_transport_the_request_goes_out_on() -> None:
    for peer, expected in ((PHONE_TCP, "TCP"), (PHONE_UDP, "UDP")):
        endpoint, _, _ = _send("OPTIONS", peer)
        (datagram,) = endpoint.take_output()
        message = parse(datagram.data)
        via = message.headers.via()
        assert via is not None and via.transport == expected
        assert datagram.peer == peer
    assert Endpoint(LOCAL, _User()).via("tcp").transport == "TCP"


def test_an_invite_the_transport_could_not_deliver_ends_with_503_at_once() -> None:
    endpoint, responses, transaction = _send("INVITE", PHONE_TCP)
    (datagram,) = endpoint.take_output()
    assert datagram.origin is transaction
    endpoint.send_failed(datagram, 100.01)
    assert [r.status for r in responses] == [503]
    assert transaction.state is State.TERMINATED
    assert endpoint.stats.transactions == 0
    endpoint.fire(100.0 + 64 * 0.5 + 1)  # Timer B would have come here: no second report
    assert [r.status for r in responses] == [503]
    assert endpoint.take_output() == []


def test_a_non_invite_the_transport_could_not_deliver_ends_with_503() -> None:
    endpoint, responses, _ = _send("OPTIONS", PHONE_TCP)
    (datagram,) = endpoint.take_output()
    endpoint.send_failed(datagram, 100.0)
    assert [r.status for r in responses] == [503]
    endpoint.send_failed(datagram, 100.0)  # reported twice (two messages queued): once only
    assert [r.status for r in responses] == [503]


def test_a_failure_after_the_final_response_changes_nothing() -> None:
    endpoint, responses, _ = _send("OPTIONS", PHONE_UDP)
    (datagram,) = endpoint.take_output()
    request = parse(datagram.data)
    assert isinstance(request, Request)
    reply = (f"SIP/2.0 200 OK\r\nVia: {request.headers.get('Via')}\r\n"
             f"From: {request.headers.get('From')}\r\nTo: {request.headers.get('To')};tag=x\r\n"
             f"Call-ID: {request.headers.get('Call-ID')}\r\nCSeq: 1 OPTIONS\r\n"
             "Content-Length: 0\r\n\r\n").encode()
    endpoint.receive(reply, PHONE_UDP, 100.1)
    endpoint.send_failed(datagram, 100.2)
    assert [r.status for r in responses] == [200]


def test_a_datagram_no_transaction_sent_is_ignored() -> None:
    endpoint = Endpoint(LOCAL, _User())
    ack = _request("ACK")
    endpoint.send_ack(ack, PHONE_TCP, 1.0)
    (datagram,) = endpoint.take_output()
    assert datagram.origin is None
    endpoint.send_failed(datagram, 1.0)  # nothing to tell, nothing raised
    assert endpoint.take_output() == []
