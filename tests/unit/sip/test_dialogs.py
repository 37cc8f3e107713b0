"""Dialogs (RFC 3261 §12) and whole calls between two in-memory user agents."""

from __future__ import annotations

from collections.abc import Sequence

import pytest

from hotline.switch.sip import (
    Headers,
    Message,
    NameAddress,
    Request,
    Response,
    SipUri,
    Via,
    make_response,
    parse_uri,
)
from hotline.switch.sip.client_transaction import make_cancel
from hotline.switch.sip.dialog import Dialog, DialogError, DialogId, DialogState, dialog_id_of
from hotline.switch.sip.timers import RELIABLE, UNRELIABLE

from .agents import Network

ALICE = "<sip:alice@atlanta.example>;tag=a1"
BOB = "<sip:bob@biloxi.example>"


def invite(*, record_route: tuple[str, ...] = ()) -> Request:
    headers = Headers()
    headers.add("Via", "SIP/2.0/UDP pc33.atlanta.example;branch=z9hG4bKinv")
    for value in record_route:
        headers.add("Record-Route", value)
    headers.add("Max-Forwards", "70")
    headers.add("From", ALICE)
    headers.add("To", BOB)
    headers.add("Call-ID", "c1@atlanta")
    headers.add("CSeq", "314 INVITE")
    headers.add("Contact", "<sip:alice@pc33.atlanta.example>")
    return Request("INVITE", parse_uri("sip:bob@biloxi.example"), headers)


def answer(request: Request, status: int = 200, *, record_route: tuple[str, ...] = ()) -> Response:
    extra = [("Contact", "<sip:bob@192.0.2.4>")] + [("Record-Route", r) for r in record_route]
    return make_response(request, status, to_tag="b1", headers=extra)


def via() -> Via:
    return Via("UDP", "pc33.atlanta.example", None, (("branch", "z9hG4bKnew"),))


PROXIES = ("<sip:p1.example;lr>", "<sip:p2.example;lr>")


# Creation ----------------------------------------------------------------------------------


def test_uac_dialog_from_2xx_takes_tags_target_and_reversed_route_set() -> None:
    request = invite(record_route=PROXIES)
    dialog = Dialog.as_uac(request, answer(request, record_route=PROXIES))
    assert dialog.id == DialogId("c1@atlanta", "a1", "b1")
    assert dialog.state is DialogState.CONFIRMED
    assert str(dialog.remote_target) == "sip:bob@192.0.2.4"
    assert [str(r.uri) for r in dialog.route_set] == ["sip:p2.example;lr", "sip:p1.example;lr"]
    assert dialog.local_seq == 314 and dialog.remote_seq is None
    assert dialog.local_uri.tag is None and dialog.remote_uri.tag is None


def test_uas_dialog_keeps_record_route_in_order_and_the_remote_cseq() -> None:
    request = invite(record_route=PROXIES)
    dialog = Dialog.as_uas(request, answer(request))
    assert dialog.id == DialogId("c1@atlanta", "b1", "a1")
    assert [str(r.uri) for r in dialog.route_set] == ["sip:p1.example;lr", "sip:p2.example;lr"]
    assert str(dialog.remote_target) == "sip:alice@pc33.atlanta.example"
    assert dialog.remote_seq == 314 and dialog.local_seq is None


def test_tagged_1xx_makes_an_early_dialog_that_the_2xx_confirms() -> None:
    request = invite()
    dialog = Dialog.as_uac(request, answer(request, 180))
    assert dialog.state is DialogState.EARLY
    final = answer(request, record_route=PROXIES)
    final.headers.set("Contact", "<sip:bob@192.0.2.99>")
    dialog.receive_response(request, final)
    assert dialog.state is DialogState.CONFIRMED
    assert str(dialog.remote_target) == "sip:bob@192.0.2.99"
    assert [str(r.uri) for r in dialog.route_set] == ["sip:p2.example;lr", "sip:p1.example;lr"]


@pytest.mark.parametrize("status", [100, 404])
def test_responses_without_a_dialog_do_not_make_one(status: int) -> None:
    request = invite()
    with pytest.raises(DialogError):
        Dialog.as_uac(request, make_response(request, status))


def test_a_dialog_forming_response_needs_a_contact() -> None:
    request = invite()
    with pytest.raises(DialogError, match="Contact"):
        Dialog.as_uac(request, make_response(request, 200, to_tag="b1"))


def test_dialog_ids_match_from_both_sides() -> None:
    request = invite()
    response = answer(request)
    uac, uas = Dialog.as_uac(request, response), Dialog.as_uas(request, response)
    bye = uac.create_request("BYE", via())
    assert dialog_id_of(bye) == uas.id
    assert dialog_id_of(response) == uac.id
    assert dialog_id_of(request) is None


# Sending -----------------------------------------------------------------------------------


def test_bye_goes_to_the_remote_target_with_the_next_cseq_and_the_route_set() -> None:
    request = invite(record_route=PROXIES)
    dialog = Dialog.as_uac(request, answer(request, record_route=PROXIES))
    bye = dialog.create_request("BYE", via())
    assert str(bye.uri) == "sip:bob@192.0.2.4"
    assert bye.headers.get_all("Route") == ["<sip:p2.example;lr>", "<sip:p1.example;lr>"]
    assert str(bye.headers.cseq()) == "315 BYE"
    assert bye.headers.get("From") == ALICE
    assert bye.headers.get("To") == "<sip:bob@biloxi.example>;tag=b1"
    assert bye.headers.call_id() == "c1@atlanta"
    assert "Contact" not in bye.headers
    assert str(dialog.create_request("INFO", via()).headers.cseq()) == "316 INFO"


def test_strict_router_becomes_the_request_uri_and_the_target_the_last_route() -> None:
    request = invite()
    strict = ("<sip:strict.example>", "<sip:p2.example;lr>")
    dialog = Dialog.as_uas(request, answer(request))
    dialog.route_set = Dialog.as_uas(invite(record_route=strict), answer(request)).route_set
    bye = dialog.create_request("BYE", via())
    assert str(bye.uri) == "sip:strict.example"
    assert bye.headers.get_all("Route") == [
        "<sip:p2.example;lr>", "<sip:alice@pc33.atlanta.example>"
    ]


def test_uas_first_request_starts_its_own_cseq_space() -> None:
    request = invite()
    dialog = Dialog.as_uas(request, answer(request))
    assert str(dialog.create_request("BYE", via()).headers.cseq()) == "1 BYE"


def test_ack_for_2xx_repeats_the_invite_cseq_number() -> None:
    request = invite()
    dialog = Dialog.as_uac(request, answer(request))
    ack = dialog.create_ack(via())
    assert ack.method == "ACK" and str(ack.headers.cseq()) == "314 ACK"
    assert dialog.local_seq == 314


def test_re_invite_and_refer_carry_contact_and_the_ack_follows_the_re_invite() -> None:
    request = invite()
    dialog = Dialog.as_uac(request, answer(request))
    reinvite = dialog.create_request("INVITE", via(), body=b"v=0\r\n")
    assert reinvite.headers.get("Contact") == "<sip:alice@pc33.atlanta.example>"
    assert str(dialog.create_ack(via()).headers.cseq()) == "315 ACK"
    refer = dialog.create_request("REFER", via(), headers=[("Refer-To", "<sip:carol@x>")])
    assert refer.headers.get("Refer-To") == "<sip:carol@x>" and "Contact" in refer.headers


@pytest.mark.parametrize("method", ["ACK", "CANCEL"])
def test_ack_and_cancel_are_not_built_as_ordinary_requests(method: str) -> None:
    request = invite()
    with pytest.raises(DialogError):
        Dialog.as_uac(request, answer(request)).create_request(method, via())


# Receiving ---------------------------------------------------------------------------------


def test_request_with_lower_cseq_gets_500_and_changes_nothing() -> None:
    request = invite()
    response = answer(request)
    uac, uas = Dialog.as_uac(request, response), Dialog.as_uas(request, response)
    info = uac.create_request("INFO", via())
    assert uas.receive_request(info) is None and uas.remote_seq == 315
    stale = Request("INFO", info.uri, info.headers.copy())
    stale.headers.set("CSeq", "300 INFO")
    refused = uas.receive_request(stale)
    assert refused is not None and refused.status == 500
    assert uas.remote_seq == 315


def test_re_invite_refreshes_the_remote_target() -> None:
    request = invite()
    response = answer(request)
    uac, uas = Dialog.as_uac(request, response), Dialog.as_uas(request, response)
    uac.local_contact = NameAddress(SipUri("10.0.0.7", user="alice"))
    assert uas.receive_request(uac.create_request("INVITE", via())) is None
    assert str(uas.remote_target) == "sip:alice@10.0.0.7"


def test_bye_received_terminates_and_no_request_can_follow() -> None:
    request = invite()
    response = answer(request)
    uac, uas = Dialog.as_uac(request, response), Dialog.as_uas(request, response)
    assert uas.receive_request(uac.create_request("BYE", via())) is None
    assert uas.state is DialogState.TERMINATED
    with pytest.raises(DialogError, match="terminated"):
        uas.create_request("INFO", via())


@pytest.mark.parametrize("status", [408, 481])
def test_481_or_408_to_an_in_dialog_request_ends_the_dialog(status: int) -> None:
    request = invite()
    dialog = Dialog.as_uac(request, answer(request))
    info = dialog.create_request("INFO", via())
    dialog.receive_response(info, make_response(info, status))
    assert dialog.state is DialogState.TERMINATED


# Whole calls -------------------------------------------------------------------------------


def statuses(messages: Sequence[Message]) -> list[str]:
    """`INVITE`, `180 INVITE`, ...: what a list of messages was, in order."""
    names = []
    for message in messages:
        if isinstance(message, Request):
            names.append(message.method)
        else:
            cseq = message.headers.cseq()
            names.append(f"{message.status} {cseq.method if cseq else '?'}")
    return names


def test_full_call_invite_ringing_answer_ack_bye() -> None:
    network = Network()
    alice, bob = network.phone("alice", UNRELIABLE), network.phone("bob", UNRELIABLE)
    alice.call(bob, 0.0)
    network.run(until=1.0)
    bob.answer(200, network.now)
    network.run(until=2.0)
    assert statuses(bob.sent) == ["100 INVITE", "180 INVITE", "200 INVITE"]
    assert statuses(alice.sent) == ["INVITE", "ACK"]
    assert "ACK" in statuses(bob.delivered) and not bob.answers
    (uac,) = alice.dialogs.values()
    (uas,) = bob.dialogs.values()
    assert uac.state is uas.state is DialogState.CONFIRMED
    assert uac.id == DialogId(uas.call_id, uas.remote_tag, uas.local_tag)
    alice.hang_up(network.now)
    network.run(until=100.0)
    assert statuses(alice.delivered)[-1] == "200 BYE"
    assert uac.state is uas.state is DialogState.TERMINATED
    assert len(alice.table) == len(bob.table) == 0
    assert not alice.timeouts and not bob.timeouts


def test_lost_200_is_retransmitted_by_the_uas_core_until_acked() -> None:
    lost = {"done": False}

    def lose_first_200(message: object, now: float) -> int:
        if isinstance(message, Response) and message.status == 200 and not lost["done"]:
            lost["done"] = True
            return 0
        return 1

    network = Network(policy=lose_first_200)
    alice, bob = network.phone("alice", UNRELIABLE), network.phone("bob", UNRELIABLE)
    alice.call(bob, 0.0)
    network.run(until=1.0)
    bob.answer(200, 1.0)
    network.run(until=1.4)
    assert alice.outgoing is not None and not alice.outgoing.terminated
    network.run(until=40.0)
    assert statuses(bob.sent).count("200 INVITE") == 2
    assert statuses(alice.sent).count("ACK") == 1
    assert not bob.answers and not bob.timeouts
    (uac,) = alice.dialogs.values()
    assert uac.state is DialogState.CONFIRMED


def test_uac_acks_every_retransmitted_2xx_even_after_its_transaction_ended() -> None:
    def lose_acks(message: object, now: float) -> int:
        return 0 if isinstance(message, Request) and message.method == "ACK" else 1

    network = Network(policy=lose_acks)
    alice, bob = network.phone("alice", UNRELIABLE), network.phone("bob", UNRELIABLE)
    alice.call(bob, 0.0)
    network.run(until=1.0)
    bob.answer(200, 1.0)
    network.run(until=100.0)
    # 2xx at 1 s, then T1, 2*T1, 4*T1, T2, T2, ... until 64*T1 after the first.
    sent_2xx = statuses(bob.sent).count("200 INVITE")
    assert sent_2xx == 11
    assert statuses(alice.sent).count("ACK") == sent_2xx
    (retransmission,) = bob.answers.values()
    assert retransmission.terminated and retransmission.next_timer() is None


def test_cancel_of_a_ringing_invite_gives_487_then_200_to_cancel() -> None:
    network = Network()
    alice, bob = network.phone("alice", UNRELIABLE), network.phone("bob", UNRELIABLE)
    invite_tx = alice.call(bob, 0.0)
    network.run(until=1.0)
    cancel_tx = alice.cancel(1.0)
    network.run(until=100.0)
    assert statuses(bob.sent) == ["100 INVITE", "180 INVITE", "200 CANCEL", "487 INVITE"]
    assert statuses(alice.sent) == ["INVITE", "CANCEL", "ACK"]
    assert invite_tx.terminated and cancel_tx.terminated
    assert len(alice.table) == len(bob.table) == 0
    ack = alice.sent[-1]
    assert isinstance(ack, Request)
    assert ack.headers.get("Via") == make_cancel(invite_tx.request).headers.get("Via")


def test_reliable_transport_call_sends_no_retransmissions() -> None:
    network = Network()
    alice, bob = network.phone("alice", RELIABLE), network.phone("bob", RELIABLE)
    alice.call(bob, 0.0)
    network.run(until=10.0)
    bob.answer(486, network.now)
    network.run(until=11.0)
    assert statuses(alice.sent) == ["INVITE", "ACK"]
    assert statuses(bob.sent) == ["100 INVITE", "180 INVITE", "486 INVITE"]
    assert len(alice.table) == len(bob.table) == 0
