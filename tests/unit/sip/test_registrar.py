"""The registrar (RFC 3261 §10.3): bindings added, refreshed, removed, expired in virtual time."""

from __future__ import annotations

from itertools import count

import pytest

from hotline.switch.sip import NameAddress, Request, Response, parse
from hotline.switch.sip.registrar import Binding, Bindings, Registrar

AOR = "sip:1001@hotline.example"
_branches = count()


def register(
    *contacts: str,
    expires: int | None = None,
    call_id: str = "reg-1@phone",
    cseq: int = 1,
    to: str = "<sip:1001@hotline.example>",
) -> Request:
    lines = [
        "REGISTER sip:hotline.example SIP/2.0",
        f"Via: SIP/2.0/UDP 192.0.2.10:5060;branch=z9hG4bK{next(_branches)}",
        "Max-Forwards: 70",
        f"To: {to}",
        "From: <sip:1001@hotline.example>;tag=ab12",
        f"Call-ID: {call_id}",
        f"CSeq: {cseq} REGISTER",
        *(f"Contact: {c}" for c in contacts),
    ]
    if expires is not None:
        lines.append(f"Expires: {expires}")
    message = parse(("\r\n".join(lines) + "\r\n\r\n").encode())
    assert isinstance(message, Request)
    return message


def listed(response: Response) -> list[tuple[str, str | None, str | None]]:
    contacts = response.headers.contacts()
    assert contacts != "*"
    return [(str(c.uri), c.param("expires"), c.param("q")) for c in contacts]


@pytest.fixture
def store() -> Bindings:
    return Bindings()


@pytest.fixture
def registrar(store: Bindings) -> Registrar:
    return Registrar(store, min_expires=60, max_expires=3600, default_expires=3600)


def test_register_adds_a_binding_and_lists_it(registrar: Registrar, store: Bindings) -> None:
    response = registrar.register(
        register("<sip:1001@192.0.2.10:5060>", expires=600), 0.0,
        source=("192.0.2.10", 5060), to_tag="t1",
    )
    assert response.status == 200
    assert listed(response) == [("sip:1001@192.0.2.10:5060", "600", None)]
    to = response.headers.to_address()
    assert to is not None and to.tag == "t1"
    [binding] = store.lookup(AOR, 1.0)
    assert binding.source == ("192.0.2.10", 5060) and binding.call_id == "reg-1@phone"


def test_a_binding_records_the_transport_its_register_came_over(
    registrar: Registrar, store: Bindings
) -> None:
    registrar.register(register("<sip:1001@192.0.2.10:5060;transport=tcp>", expires=600), 0.0,
                       source=("192.0.2.10", 49152), transport="tcp")
    [binding] = store.lookup(AOR, 1.0)
    assert binding.source == ("192.0.2.10", 49152) and binding.transport == "TCP"
    # A refresh of the same contact over UDP replaces it: the newest REGISTER's path counts.
    registrar.register(register("<sip:1001@192.0.2.10:5060;transport=tcp>", expires=600,
                                cseq=2), 10.0, source=("192.0.2.10", 5060), transport="UDP")
    [binding] = store.lookup(AOR, 11.0)
    assert binding.source == ("192.0.2.10", 5060) and binding.transport == "UDP"
    assert binding.expires_at == 610.0 and binding.cseq == 2
    # Not said: not known (a binding made without a transport, as before).
    registrar.register(register("<sip:b@192.0.2.11>", expires=600), 20.0)
    assert {b.transport for b in store.lookup(AOR, 21.0)} == {"UDP", None}


def test_contact_expires_parameter_wins_over_the_header(registrar: Registrar) -> None:
    response = registrar.register(register("<sip:1001@192.0.2.10>;expires=120", expires=600), 0.0)
    assert listed(response) == [("sip:1001@192.0.2.10", "120", None)]


def test_default_lifetime_applies_without_any_expires(registrar: Registrar) -> None:
    response = registrar.register(register("<sip:1001@192.0.2.10>"), 0.0)
    assert listed(response)[0][1] == "3600"


def test_too_long_lifetime_is_shortened(registrar: Registrar) -> None:
    response = registrar.register(register("<sip:1001@192.0.2.10>", expires=86400), 0.0)
    assert listed(response)[0][1] == "3600"


def test_too_brief_lifetime_gets_423_with_min_expires(
    registrar: Registrar, store: Bindings
) -> None:
    response = registrar.register(register("<sip:1001@192.0.2.10>", expires=30), 0.0)
    assert response.status == 423 and response.reason == "Interval Too Brief"
    assert response.headers.get("Min-Expires") == "60"
    assert store.lookup(AOR, 0.0) == []


def test_refresh_extends_the_binding(registrar: Registrar, store: Bindings) -> None:
    registrar.register(register("<sip:1001@192.0.2.10>", expires=600, cseq=1), 0.0)
    response = registrar.register(register("<sip:1001@192.0.2.10>", expires=600, cseq=2), 500.0)
    assert listed(response) == [("sip:1001@192.0.2.10", "600", None)]
    assert len(store.lookup(AOR, 1000.0)) == 1


def test_bindings_expire_over_time(registrar: Registrar, store: Bindings) -> None:
    registrar.register(register("<sip:1001@192.0.2.10>", expires=600), 0.0)
    assert listed(registrar.register(register(cseq=2), 450.5)) == [
        ("sip:1001@192.0.2.10", "150", None)
    ]
    assert store.lookup(AOR, 599.9) != []
    assert store.lookup(AOR, 600.0) == []
    assert len(store) == 0


def test_a_query_without_contacts_lists_without_changing(registrar: Registrar) -> None:
    registrar.register(register("<sip:1001@192.0.2.10>", expires=600), 0.0)
    response = registrar.register(register(call_id="other", cseq=1), 10.0)
    assert response.status == 200 and listed(response)[0][1] == "590"


def test_several_contacts_are_listed_by_q(registrar: Registrar, store: Bindings) -> None:
    registrar.register(register("<sip:desk@192.0.2.10>;q=0.5", expires=600), 0.0)
    response = registrar.register(
        register("<sip:soft@192.0.2.11>;q=0.9", "<sip:mobile@192.0.2.12>;q=0.1",
                 call_id="reg-2", expires=600), 1.0,
    )
    assert [c[0] for c in listed(response)] == [
        "sip:soft@192.0.2.11", "sip:desk@192.0.2.10", "sip:mobile@192.0.2.12"
    ]
    assert [b.q for b in store.lookup(AOR, 2.0)] == [0.9, 0.5, 0.1]


def test_equal_uris_refresh_one_binding(registrar: Registrar, store: Bindings) -> None:
    registrar.register(register("<sip:1001@EXAMPLE.net;transport=udp>", expires=600), 0.0)
    registrar.register(
        register("<sip:1001@example.net;transport=UDP>", expires=900, cseq=2), 1.0
    )
    [binding] = store.lookup(AOR, 2.0)
    assert binding.remaining(2.0) == 899


def test_expires_zero_removes_one_contact(registrar: Registrar, store: Bindings) -> None:
    registrar.register(register("<sip:a@192.0.2.10>", "<sip:b@192.0.2.11>", expires=600), 0.0)
    response = registrar.register(register("<sip:a@192.0.2.10>;expires=0", cseq=2), 1.0)
    assert [c[0] for c in listed(response)] == ["sip:b@192.0.2.11"]


def test_removing_an_unknown_contact_changes_nothing(registrar: Registrar) -> None:
    response = registrar.register(register("<sip:a@192.0.2.10>", expires=0), 0.0)
    assert response.status == 200 and listed(response) == []


def test_wildcard_removes_every_binding(registrar: Registrar, store: Bindings) -> None:
    registrar.register(register("<sip:a@192.0.2.10>", "<sip:b@192.0.2.11>", expires=600), 0.0)
    response = registrar.register(register("*", expires=0, call_id="bye", cseq=1), 1.0)
    assert response.status == 200 and listed(response) == []
    assert store.lookup(AOR, 1.0) == []


@pytest.mark.parametrize("expires", [None, 60])
def test_wildcard_needs_expires_zero(registrar: Registrar, expires: int | None) -> None:
    response = registrar.register(register("*", expires=expires), 0.0)
    assert response.status == 400


def test_same_call_id_with_older_cseq_is_refused(registrar: Registrar, store: Bindings) -> None:
    registrar.register(register("<sip:a@192.0.2.10>", expires=600, cseq=5), 0.0)
    for cseq in (5, 4):
        response = registrar.register(register("<sip:a@192.0.2.10>", expires=0, cseq=cseq), 1.0)
        assert response.status == 500
    assert len(store.lookup(AOR, 1.0)) == 1


def test_wildcard_with_an_old_cseq_is_refused(registrar: Registrar, store: Bindings) -> None:
    registrar.register(register("<sip:a@192.0.2.10>", expires=600, cseq=5), 0.0)
    response = registrar.register(register("*", expires=0, cseq=3), 1.0)
    assert response.status == 500 and len(store.lookup(AOR, 1.0)) == 1


def test_another_call_id_may_update_with_any_cseq(registrar: Registrar, store: Bindings) -> None:
    registrar.register(register("<sip:a@192.0.2.10>", expires=600, cseq=5), 0.0)
    response = registrar.register(
        register("<sip:a@192.0.2.10>", expires=0, call_id="rebooted", cseq=1), 1.0
    )
    assert response.status == 200 and store.lookup(AOR, 1.0) == []


def test_a_failing_request_changes_nothing_at_all(registrar: Registrar, store: Bindings) -> None:
    registrar.register(register("<sip:a@192.0.2.10>", expires=600, cseq=5), 0.0)
    response = registrar.register(
        register("<sip:new@192.0.2.20>", "<sip:a@192.0.2.10>", expires=600, cseq=4), 1.0
    )
    assert response.status == 500
    assert [str(b.contact.uri) for b in store.lookup(AOR, 1.0)] == ["sip:a@192.0.2.10"]


@pytest.mark.parametrize(
    "contact", ["<sip:a@192.0.2.10>;q=2", "<sip:a@192.0.2.10>;q=x",
                "<sip:a@192.0.2.10>;expires=soon"],
)
def test_bad_contact_parameters_get_400(registrar: Registrar, contact: str) -> None:
    assert registrar.register(register(contact), 0.0).status == 400


def test_to_must_be_a_sip_uri(registrar: Registrar) -> None:
    response = registrar.register(register("<sip:a@192.0.2.10>", to="<tel:+15551234>"), 0.0)
    assert response.status == 404


def test_contact_limit_per_aor(store: Bindings) -> None:
    registrar = Registrar(store, max_contacts=2)
    contacts = [f"<sip:{n}@192.0.2.10>" for n in "abc"]
    assert registrar.register(register(*contacts), 0.0).status == 403
    assert store.lookup(AOR, 0.0) == []


def test_aor_is_canonical(registrar: Registrar, store: Bindings) -> None:
    registrar.register(
        register("<sip:a@192.0.2.10>", to='"Desk" <sip:1001@HOTLINE.example;transport=udp>'), 0.0
    )
    assert len(store.lookup(AOR, 0.0)) == 1


def test_purge_drops_expired_bindings_everywhere(registrar: Registrar, store: Bindings) -> None:
    registrar.register(register("<sip:a@192.0.2.10>", expires=100), 0.0)
    registrar.register(register("<sip:b@192.0.2.10>", expires=1000, to="<sip:1002@h>"), 0.0)
    assert store.purge(500.0) == 1 and len(store) == 1


def test_binding_remaining_rounds_up() -> None:
    binding = Binding(AOR, parse_contact(), expires_at=100.0, call_id="c", cseq=1)
    assert binding.remaining(99.2) == 1 and binding.remaining(100.0) == 0


def parse_contact() -> NameAddress:
    request = register("<sip:a@192.0.2.10>")
    contacts = request.headers.contacts()
    assert contacts != "*"
    return contacts[0]
