"""The endpoint's side of the transport: the Via names the transport a request goes out on,
and a datagram the transport could not deliver fails the transaction that sent it (a 503 for
the user at once, RFC 3261 §8.1.3.1, §17.1.4). Sans-I/O: no sockets, time passed in."""

from __future__ import annotations

from hotline.switch.sip import Headers, Request, Response, SipUri
from hotline.switch.sip.client_transaction import ClientTransaction
from hotline.switch.sip.dialog import DialogId
from hotline.switch.sip.endpoint import Endpoint, Peer
from hotline.switch.sip.message import make_response, parse
from hotline.switch.sip.server_transaction import InviteServerTransaction, ServerTransaction
from hotline.switch.sip.transaction import State

from .wire import framed

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


class _Callee(_User):
    """Keeps the INVITE's transaction to answer it, and every dialog whose 2xx timed out."""

    def __init__(self) -> None:
        self.invite: InviteServerTransaction | None = None
        self.timed_out: list[tuple[DialogId, float]] = []
        self.acked: list[Request] = []

    def request_received(self, request: Request, transaction: ServerTransaction, source: Peer,
                         now: float) -> None:
        if isinstance(transaction, InviteServerTransaction):
            self.invite = transaction

    def ack_received(self, ack: Request, source: Peer, now: float) -> None:
        self.acked.append(ack)

    def answer_timed_out(self, dialog: object, now: float) -> None:
        assert isinstance(dialog, DialogId)
        self.timed_out.append((dialog, now))


def _incoming(method: str, transport: str, cseq: int = 1) -> bytes:
    return framed(f"""
        {method} sip:1001@127.0.0.1:5060 SIP/2.0
        Via: SIP/2.0/{transport} 127.0.0.1:40000;branch=z9hG4bK-{method.lower()}-{cseq}
        Max-Forwards: 70
        From: <sip:caller@127.0.0.1>;tag=caller
        To: <sip:1001@127.0.0.1>{";tag=callee" if method != "INVITE" else ""}
        Call-ID: answered-1@caller
        CSeq: {cseq} {method}
        Contact: <sip:caller@127.0.0.1:40000;transport={transport.lower()}>
    """)


def _answered(peer: Peer) -> tuple[Endpoint, _Callee]:
    """An endpoint that has just answered an INVITE from `peer` with 200 at t=100."""
    user = _Callee()
    endpoint = Endpoint(LOCAL, user)
    endpoint.receive(_incoming("INVITE", peer.transport), peer, 100.0)
    endpoint.take_output()  # the 100 Trying
    assert user.invite is not None
    ok = make_response(user.invite.request, 200, to_tag="callee",
                       headers=[("Contact", "<sip:1001@127.0.0.1:5060>")])
    endpoint.answer(user.invite, ok, 100.0)
    sent = [parse(d.data) for d in endpoint.take_output()]
    assert [m.status for m in sent if isinstance(m, Response)] == [200]
    return endpoint, user


def _fire_until(endpoint: Endpoint, until: float) -> list[bytes]:
    """Fire every timer up to `until`; the data sent on the way."""
    sent: list[bytes] = []
    while (due := endpoint.next_timer()) is not None and due <= until:
        endpoint.fire(due)
        sent += [d.data for d in endpoint.take_output()]
    return sent


def test_an_unacked_2xx_over_tcp_is_not_resent_but_times_out_after_64_t1() -> None:
    endpoint, user = _answered(PHONE_TCP)
    assert _fire_until(endpoint, 100.0 + 64 * 0.5 - 0.01) == []
    assert user.timed_out == []
    assert _fire_until(endpoint, 100.0 + 64 * 0.5 + 1) == []  # no retransmission, ever
    ((dialog, when),) = user.timed_out
    assert dialog == DialogId("answered-1@caller", "callee", "caller")  # the UAS's dialog id
    assert when == 100.0 + 64 * 0.5
    assert _fire_until(endpoint, 1000.0) == [] and len(user.timed_out) == 1


def test_an_unacked_2xx_over_udp_is_resent_then_times_out_after_64_t1() -> None:
    endpoint, user = _answered(PHONE_UDP)
    resent = _fire_until(endpoint, 100.0 + 64 * 0.5 + 1)
    assert len(resent) == 10  # T1, 2T1, 4T1, then every T2 until 64*T1
    assert all(parse(data).status == 200 for data in resent)  # type: ignore[union-attr]
    assert [when for _, when in user.timed_out] == [100.0 + 64 * 0.5]


def test_the_ack_stops_the_timeout_and_the_retransmissions() -> None:
    # The ACK names the dialog from the UAS's side (local tag = To tag): the answer must be
    # kept under that id, or the ACK stops nothing and the 2xx "times out" anyway.
    for peer in (PHONE_TCP, PHONE_UDP):
        endpoint, user = _answered(peer)
        endpoint.receive(_incoming("ACK", peer.transport), peer, 100.1)
        assert len(user.acked) == 1
        assert _fire_until(endpoint, 1000.0) == []
        assert user.timed_out == []
