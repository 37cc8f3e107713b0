"""`Bindings` beyond one process: the change hook, and bindings exported with wall-clock
times and restored on another clock."""

from __future__ import annotations

from hotline.switch.sip.address import parse_name_address
from hotline.switch.sip.registrar import Binding, Bindings, Registrar
from tests.unit.sip.test_registrar import AOR, register

WALL = 1_800_000_000.0
"""The wall clock (seconds since the epoch) when the first process's clock reads 0."""


def binding(contact: str, expires_at: float, *, aor: str = AOR, q: float = 1.0,
            registered_at: float = 0.0) -> Binding:
    return Binding(aor, parse_name_address(contact), expires_at, "reg-1@phone", 7, q,
                   registered_at, ("192.0.2.10", 5062), "UDP")


def test_changed_is_called_for_each_aor_that_changes() -> None:
    store = Bindings()
    changes: list[str] = []
    store.changed = changes.append
    registrar = Registrar(store)
    registrar.register(register("<sip:1001@192.0.2.10:5060>", expires=600), 0.0)
    assert changes == [AOR]
    registrar.register(register("<sip:1001@192.0.2.10:5060>", expires=600, cseq=2), 10.0)
    assert changes == [AOR, AOR]
    assert store.lookup(AOR, 300.0) != [] and changes == [AOR, AOR]  # nothing changed
    assert store.lookup(AOR, 700.0) == [] and changes == [AOR, AOR, AOR]  # expired: dropped
    registrar.register(register("*", expires=0, cseq=3), 800.0)  # nothing to remove
    assert changes[-1] == AOR


def test_export_gives_unexpired_bindings_on_the_wall_clock_and_changes_nothing() -> None:
    store = Bindings()
    changes: list[str] = []
    store.changed = changes.append
    store.replace(AOR, [binding("<sip:1001@192.0.2.10>", 100.0, registered_at=10.0),
                        binding("<sip:1001@192.0.2.11>", 600.0, q=0.5, registered_at=20.0)])
    changes.clear()
    exported = store.export(AOR, 200.0, WALL + 200.0)
    assert [str(b.contact.uri) for b in exported] == ["sip:1001@192.0.2.11"]
    assert exported[0].expires_at == WALL + 600.0
    assert exported[0].registered_at == WALL + 20.0
    assert (exported[0].call_id, exported[0].cseq, exported[0].q) == ("reg-1@phone", 7, 0.5)
    assert exported[0].source == ("192.0.2.10", 5062) and exported[0].transport == "UDP"
    assert changes == []  # the expired one is left for lookup
    assert len(store) == 2
    assert store.export("sip:nobody@hotline.example", 200.0, WALL) == []


def test_restore_converts_to_the_new_clock_and_skips_what_expired() -> None:
    old = Bindings()
    old.replace(AOR, [binding("<sip:1001@192.0.2.10;transport=tcp>", 3600.0),
                      binding("<sip:1001@192.0.2.11>", 100.0)])
    other = "sip:1002@hotline.example"
    old.replace(other, [binding("<sip:1002@192.0.2.12>", 1800.0, aor=other)])
    exported = old.export(AOR, 50.0, WALL + 50.0) + old.export(other, 50.0, WALL + 50.0)

    # A new process 200 s later (wall clock), whose own clock reads 5 there.
    new = Bindings()
    changes: list[str] = []
    new.changed = changes.append
    assert new.restore(exported, 5.0, WALL + 200.0) == 2
    assert changes == []
    found = new.lookup(AOR, 5.0)
    assert [str(b.contact) for b in found] == ["<sip:1001@192.0.2.10;transport=tcp>"]
    assert found[0].remaining(5.0) == 3400
    assert found[0].registered_at == -195.0
    assert found[0].source == ("192.0.2.10", 5062)
    assert [b.remaining(5.0) for b in new.lookup(other, 5.0)] == [1600]
    assert new.restore(exported, 0.0, WALL + 5000.0) == 0  # all expired by then


def test_a_restored_binding_is_refreshed_and_removed_by_the_registrar() -> None:
    store = Bindings()
    store.restore([Binding(AOR, parse_name_address("<sip:1001@192.0.2.10:5060>"),
                           WALL + 600.0, "reg-1@phone", 4)], 0.0, WALL)
    registrar = Registrar(store)
    stale = registrar.register(register("<sip:1001@192.0.2.10:5060>", cseq=4), 1.0)
    assert stale.status == 500  # the restored binding's CSeq still counts
    assert registrar.register(register("<sip:1001@192.0.2.10:5060>", cseq=5), 1.0).status == 200
    assert store.lookup(AOR, 1.0)[0].remaining(1.0) == 3600
    assert registrar.register(register("*", expires=0, cseq=6), 2.0).status == 200
    assert len(store) == 0
