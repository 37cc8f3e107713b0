"""The switch's view of the telephony configuration: `load_telephony` reads every tenant's
extensions, trunks and DIDs into a snapshot whose lookups the switch answers from memory."""

from __future__ import annotations

from types import MappingProxyType

import pytest
from sqlalchemy import Engine

from hotline.store import config_repo, telephony
from hotline.store.database import session_factory
from hotline.store.telephony_directory import (
    DidEntry,
    ExtensionEntry,
    TelephonySnapshot,
    TrunkEntry,
    load_telephony,
)
from hotline.store.telephony_schemas import DidCreate, ExtensionCreate, TrunkCreate
from hotline.switch.sip.digest import ha1


@pytest.fixture
def configured(engine: Engine) -> Engine:
    """Tenants acme (extensions 1001 of agent 1001 and a disabled 1002, trunks a and b, DID
    4000 on trunk b) and globex (extension 1001, DID 5000)."""
    with session_factory(engine).begin() as session:
        for name in ("acme", "globex"):
            tenant = config_repo.create_tenant(session, {"name": name,
                                                         "timezone": "Asia/Shanghai"})
            config_repo.agents.create(session, tenant.id, {"id": "1001", "name": "Chen"})
            telephony.create_extension(session, tenant.id, ExtensionCreate(
                number="1001", agent_id="1001", password=f"{name}-secret",
                display_name=f"Chen of {name}"))
            if name == "acme":
                telephony.create_extension(session, tenant.id, ExtensionCreate(
                    number="1002", password="acme-secret", enabled=False,
                    dial_class="international"))
                telephony.create_trunk(session, tenant.id, TrunkCreate(
                    name="b", host="sip.carrier.example", sources=["203.0.113.0/24",
                                                                  "2001:db8::/32"],
                    username="acme", password="trunk-secret", strip_prefix="9",
                    add_prefix="+86", max_calls=30))
                telephony.create_trunk(session, tenant.id, TrunkCreate(
                    name="a", host="10.0.0.1", sources=["198.51.100.7"], enabled=False))
                telephony.create_did(session, tenant.id, DidCreate(number="4000", trunk="b"))
            else:
                telephony.create_did(session, tenant.id, DidCreate(number="5000"))
    return engine


def test_extensions_are_found_by_username_number_and_agent_with_their_digests(
    configured: Engine,
) -> None:
    snapshot = load_telephony(configured)
    mine = snapshot.extension("1001")
    assert mine == ExtensionEntry(
        tenant="acme", number="1001", username="1001", agent_id="1001", realm="hotline",
        ha1={"MD5": ha1("1001", "hotline", "acme-secret", "MD5"),
             "SHA-256": ha1("1001", "hotline", "acme-secret", "SHA-256")},
        max_contacts=3, dial_class="national", enabled=True, display_name="Chen of acme")
    theirs = snapshot.extension("globex-1001")
    assert theirs is not None and theirs.tenant == "globex"
    assert snapshot.extension_by_number("globex", "1001") is theirs
    assert snapshot.extension_of_agent("acme", "1001") is mine
    assert snapshot.extension_of_agent("acme", "1002") is None
    assert snapshot.extension("nobody") is None
    assert snapshot.extension_numbers("acme") == {"1001", "1002"}
    # The digest lookup answers for enabled extensions only.
    assert snapshot.ha1("1001", "SHA-256") == ha1("1001", "hotline", "acme-secret", "SHA-256")
    assert snapshot.extension("1002") is not None and snapshot.ha1("1002", "MD5") is None


def test_dids_trunks_and_dialling_come_from_the_snapshot(configured: Engine) -> None:
    snapshot = load_telephony(configured)
    assert snapshot.did("4000") == DidEntry(number="4000", tenant="acme", trunk="b")
    assert snapshot.did("5000") == DidEntry(number="5000", tenant="globex", trunk=None)
    assert snapshot.did("4001") is None
    trunk = snapshot.trunk_for_source("203.0.113.77")
    assert trunk is not None and (trunk.tenant, trunk.name, trunk.password) == (
        "acme", "b", "trunk-secret")
    assert snapshot.trunk_for_source("2001:db8::1") is trunk
    assert snapshot.trunk_for_source("198.51.100.7") is None  # trunk a is disabled
    assert snapshot.trunk_for_source("sip.carrier.example") is None
    assert snapshot.outbound_trunk("acme") is trunk  # a comes first, but is disabled
    assert snapshot.outbound_trunk("globex") is None
    assert [t.name for t in snapshot.trunks("acme")] == ["a", "b"]
    assert trunk.outbound_number("902083330000") == "+8602083330000"
    assert trunk.max_calls == 30 and trunk.sources == ("203.0.113.0/24", "2001:db8::/32")
    caller = snapshot.extension("1001")
    assert caller is not None
    assert snapshot.may_dial(caller, "1002") is None
    assert snapshot.may_dial(caller, "02083330000") is None
    assert snapshot.may_dial(caller, "+33142685300") == (
        "international calls are not allowed for extension 1001 (its class is national)")
    disabled = snapshot.extension("1002")
    assert disabled is not None
    assert snapshot.may_dial(disabled, "1001") == "extension 1002 is disabled"


def test_an_extension_whose_agent_is_gone_is_loaded_unbound(configured: Engine) -> None:
    with session_factory(configured).begin() as session:
        config_repo.agents.delete(session, "acme", "1001")
    snapshot = load_telephony(configured)
    entry = snapshot.extension("1001")
    assert entry is not None and entry.agent_id is None
    assert snapshot.extension_of_agent("acme", "1001") is None
    assert snapshot.extension_of_agent("globex", "1001") is not None


def test_the_most_specific_network_wins_and_a_snapshot_cannot_be_changed() -> None:
    def trunk(name: str, source: str) -> TrunkEntry:
        return TrunkEntry(tenant="t", name=name, host="h", port=5060, transport="udp",
                          username=None, password=None, from_user=None, sources=(source,),
                          strip_prefix="", add_prefix="", max_calls=None, enabled=True)

    wide, narrow = trunk("wide", "10.0.0.0/8"), trunk("narrow", "10.1.0.0/16")
    snapshot = TelephonySnapshot(trunks=[wide, narrow])
    assert snapshot.trunk_for_source("10.1.2.3") is narrow
    assert snapshot.trunk_for_source("10.2.0.1") is wide
    assert snapshot.trunk_for_source("::ffff:10.1.2.3") is None
    with pytest.raises(AttributeError):
        snapshot.extra = 1  # type: ignore[attr-defined]
    entry = ExtensionEntry(tenant="t", number="10", username="u", agent_id=None, realm="r",
                           ha1=MappingProxyType({}), max_contacts=1, dial_class="internal",
                           enabled=True, display_name="")
    assert TelephonySnapshot([entry]).extension("u") is entry


def test_a_deleted_tenant_takes_its_extensions_trunks_and_dids_with_it(
    configured: Engine,
) -> None:
    with session_factory(configured).begin() as session:
        config_repo.delete_tenant(session, "acme")
    snapshot = load_telephony(configured)
    assert snapshot.extension("1001") is None and snapshot.did("4000") is None
    assert snapshot.trunks("acme") == () and snapshot.trunk_for_source("203.0.113.1") is None
    assert snapshot.extension("globex-1001") is not None and snapshot.did("5000") is not None
