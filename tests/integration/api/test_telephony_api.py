"""Telephony configuration through the API: extensions with passwords kept only as digests
(shown once when generated), trunks whose carrier password is never read back, DIDs unique
across tenants; roles (an agent reads only their own extension), refused input that changes
nothing, every change audited and handed to the switch's listeners; and the migration that
builds the tables as declared."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import Engine, select

from hotline.store.database import Base
from hotline.store.sip_bindings import StoredBinding, save_bindings
from hotline.store.telephony import SIP_REALM
from hotline.store.telephony_tables import DidRow, ExtensionRow, TrunkRow
from hotline.switch.sip.digest import ha1

EXTENSIONS = "/api/extensions"
TRUNKS = "/api/trunks"
DIDS = "/api/dids"
TABLES = {ExtensionRow.__tablename__, TrunkRow.__tablename__, DidRow.__tablename__}


def created(client: TestClient, url: str, **body: Any) -> dict[str, Any]:
    response = client.post(url, json=body)
    assert response.status_code == 201, response.text
    result: dict[str, Any] = response.json()
    return result


def digests(app: FastAPI, number: str, tenant_id: int | None = None) -> tuple[str, str, str]:
    """The stored username and HA1 values of extension `number` (of any tenant)."""
    with app.state.sessions() as session:
        query = select(ExtensionRow).where(ExtensionRow.number == number)
        if tenant_id is not None:
            query = query.where(ExtensionRow.tenant_id == tenant_id)
        row = session.scalars(query).one()
        return row.username, row.ha1_md5, row.ha1_sha256


def matches(app: FastAPI, number: str, password: str) -> bool:
    username, md5, sha256 = digests(app, number)
    return (md5, sha256) == (ha1(username, SIP_REALM, password, "MD5"),
                             ha1(username, SIP_REALM, password, "SHA-256"))


def audit(admin: TestClient, entity: str) -> list[dict[str, Any]]:
    entries: list[dict[str, Any]] = admin.get("/api/audit", params={"entity": entity}).json()
    return entries


@pytest.fixture
def reloads(app: FastAPI) -> list[str]:
    """Notes each call of a telephony listener, as the switch would reload."""
    calls: list[str] = []
    app.state.telephony_listeners.append(lambda: calls.append("reload"))
    return calls


def test_an_extension_created_without_a_password_gets_one_shown_only_once(
    app: FastAPI, admin: TestClient, reloads: list[str]
) -> None:
    extension = created(admin, EXTENSIONS, number="1001", agent_id="1001",
                        display_name="Chen Jing")
    password = extension.pop("password")
    assert isinstance(password, str) and len(password) >= 16
    assert extension == {"number": "1001", "username": "1001", "display_name": "Chen Jing",
                         "agent_id": "1001", "enabled": True, "max_contacts": 3,
                         "dial_class": "national", "realm": SIP_REALM}
    assert admin.get(f"{EXTENSIONS}/1001").json() == extension
    assert admin.get(EXTENSIONS).json() == [extension]
    assert matches(app, "1001", password)
    [entry] = audit(admin, "extension")
    assert entry["action"] == "create" and entry["after"] == extension
    assert password not in str(entry) and digests(app, "1001")[1] not in str(entry)
    assert reloads == ["reload"]


def test_a_password_the_admin_sets_is_not_returned_and_put_can_replace_it(
    app: FastAPI, admin: TestClient, reloads: list[str]
) -> None:
    extension = created(admin, EXTENSIONS, number="1002", password="first-secret")
    assert extension["password"] is None
    assert matches(app, "1002", "first-secret")
    changed = admin.put(f"{EXTENSIONS}/1002", json={"password": "second-secret",
                                                    "dial_class": "international"})
    assert changed.status_code == 200, changed.text
    assert "password" not in changed.json()
    assert changed.json()["dial_class"] == "international"
    assert matches(app, "1002", "second-secret")
    # A PUT without a password keeps it; the settings left out take their defaults.
    kept = admin.put(f"{EXTENSIONS}/1002", json={"display_name": "Front desk"}).json()
    assert (kept["display_name"], kept["dial_class"]) == ("Front desk", "national")
    assert matches(app, "1002", "second-secret")
    assert [e["action"] for e in audit(admin, "extension")] == [
        "update", "update_password", "create"]
    assert reloads == ["reload"] * 3


def test_a_new_username_needs_a_new_password_because_the_digests_include_it(
    app: FastAPI, admin: TestClient
) -> None:
    created(admin, EXTENSIONS, number="1003", password="a-secret-1")
    refused = admin.put(f"{EXTENSIONS}/1003", json={"username": "front-desk"})
    assert refused.status_code == 422
    assert refused.json()["detail"].startswith("password: a new username needs a new password")
    renamed = admin.put(f"{EXTENSIONS}/1003", json={"username": "front-desk", "number": "1300",
                                                    "password": "a-secret-2"})
    assert renamed.status_code == 200, renamed.text
    assert (renamed.json()["username"], renamed.json()["number"]) == ("front-desk", "1300")
    assert matches(app, "1300", "a-secret-2")
    assert admin.get(f"{EXTENSIONS}/1003").status_code == 404


def test_usernames_are_unique_across_tenants_and_default_to_the_number_when_free(
    app: FastAPI, admin: TestClient, other_admin: TestClient
) -> None:
    created(admin, EXTENSIONS, number="1001")
    theirs = created(other_admin, EXTENSIONS, number="1001")
    assert theirs["username"] == "globex-1001"
    taken = other_admin.post(EXTENSIONS, json={"number": "1002", "username": "1001"})
    assert taken.status_code == 409
    assert taken.json()["detail"].startswith("username: SIP username '1001' is taken")
    # Tenants do not see each other's extensions.
    theirs.pop("password")
    assert other_admin.get(EXTENSIONS).json() == [theirs]
    assert admin.get(f"{EXTENSIONS}/1001").json()["username"] == "1001"
    assert other_admin.delete(f"{EXTENSIONS}/1001").status_code == 204
    assert admin.get(f"{EXTENSIONS}/1001").status_code == 200


@pytest.mark.parametrize(("body", "field"), [
    ({"number": "1"}, "number"),
    ({"number": "10a1"}, "number"),
    ({"number": 1001}, "number"),
    ({"number": "123456789"}, "number"),
    ({"number": "1001", "username": "has space"}, "username"),
    ({"number": "1001", "password": "short"}, "password"),
    ({"number": "1001", "max_contacts": 0}, "max_contacts"),
    ({"number": "1001", "dial_class": "galactic"}, "dial_class"),
    ({"number": "1001", "enabled": "yes"}, "enabled"),
    ({"number": "1001", "display_name": "tab\there"}, "display_name"),
    ({"number": "1001", "colour": "red"}, "colour"),
])
def test_bad_extension_values_are_refused_naming_the_field(
    admin: TestClient, reloads: list[str], body: dict[str, Any], field: str
) -> None:
    response = admin.post(EXTENSIONS, json=body)
    assert response.status_code == 422
    assert [error["loc"][-1] for error in response.json()["detail"]] == [field]
    assert admin.get(EXTENSIONS).json() == []
    assert reloads == []


def test_an_unknown_agent_a_taken_number_or_agent_is_refused_and_changes_nothing(
    admin: TestClient, reloads: list[str]
) -> None:
    unknown = admin.post(EXTENSIONS, json={"number": "1001", "agent_id": "9999"})
    assert unknown.status_code == 422
    assert unknown.json()["detail"] == ("agent_id: '9999': there is no such agent in this "
                                        "tenant")
    first = created(admin, EXTENSIONS, number="1001", agent_id="1001")
    again = admin.post(EXTENSIONS, json={"number": "1001"})
    assert (again.status_code, again.json()["detail"]) == (
        409, "number: extension 1001 already exists in this tenant")
    second = admin.post(EXTENSIONS, json={"number": "1002", "agent_id": "1001"})
    assert (second.status_code, second.json()["detail"]) == (
        409, "agent_id: agent 1001 already has extension 1001")
    moved = admin.put(f"{EXTENSIONS}/1001", json={"agent_id": "9999"})
    assert moved.status_code == 422
    first.pop("password")
    assert admin.get(EXTENSIONS).json() == [first]
    assert [e["action"] for e in audit(admin, "extension")] == ["create"]
    assert reloads == ["reload"]


def test_an_agent_reads_only_their_own_extension_and_supervisors_read_all(
    admin: TestClient, supervisor: TestClient, agent: TestClient
) -> None:
    assert agent.get(f"{EXTENSIONS}/mine").status_code == 404
    mine = created(admin, EXTENSIONS, number="1001", agent_id="1001")
    created(admin, EXTENSIONS, number="1002")
    mine.pop("password")
    assert agent.get(f"{EXTENSIONS}/mine").json() == mine
    assert agent.get(f"{EXTENSIONS}/1002").status_code == 403
    assert agent.get(f"{EXTENSIONS}/1001").status_code == 403
    assert agent.get(EXTENSIONS).status_code == 403
    assert agent.put(f"{EXTENSIONS}/1001", json={"password": "mine-now!"}).status_code == 403
    assert [e["number"] for e in supervisor.get(EXTENSIONS).json()] == ["1001", "1002"]
    assert supervisor.put(f"{EXTENSIONS}/1002", json={}).status_code == 403
    assert supervisor.delete(f"{EXTENSIONS}/1002").status_code == 403
    assert supervisor.get(f"{EXTENSIONS}/mine").status_code == 404  # no agent of their own


def test_a_trunk_password_is_stored_but_never_read_back(
    app: FastAPI, admin: TestClient, supervisor: TestClient, reloads: list[str]
) -> None:
    trunk = created(admin, TRUNKS, name="carrier", host="SIP.Carrier.example",
                    username="acme", password="carrier-secret", from_user="+862083330000",
                    sources=["203.0.113.0/24", "198.51.100.7"], strip_prefix="9",
                    max_calls=30)
    assert trunk == {"name": "carrier", "host": "sip.carrier.example", "port": 5060,
                     "transport": "udp", "username": "acme", "has_password": True,
                     "from_user": "+862083330000",
                     "sources": ["203.0.113.0/24", "198.51.100.7/32"], "strip_prefix": "9",
                     "add_prefix": "", "max_calls": 30, "enabled": True}
    assert supervisor.get(f"{TRUNKS}/carrier").json() == trunk
    assert "carrier-secret" not in str(audit(admin, "trunk"))
    with app.state.sessions() as session:
        assert session.scalars(select(TrunkRow.password)).one() == "carrier-secret"
    kept = admin.put(f"{TRUNKS}/carrier", json={"host": "10.0.0.1", "username": "acme",
                                                "transport": "tcp"})
    assert kept.status_code == 200, kept.text
    assert (kept.json()["has_password"], kept.json()["sources"]) == (True, [])
    half = admin.put(f"{TRUNKS}/carrier", json={"host": "10.0.0.1", "password": None})
    assert half.status_code == 200, half.text  # no username: no password either
    assert half.json()["has_password"] is False
    lonely = admin.put(f"{TRUNKS}/carrier", json={"host": "10.0.0.1", "username": "acme"})
    assert lonely.status_code == 422
    assert lonely.json()["detail"].startswith("password: digest authentication")
    assert [e["action"] for e in audit(admin, "trunk")] == ["update", "update", "create"]
    assert reloads == ["reload"] * 3


@pytest.mark.parametrize(("body", "field"), [
    ({"host": "bad host"}, "host"),
    ({"host": "-carrier.example"}, "host"),
    ({"host": "carrier.example", "port": 70000}, "port"),
    ({"host": "carrier.example", "transport": "tls"}, "transport"),
    ({"host": "carrier.example", "sources": ["10.0.0.1/33"]}, 0),
    ({"host": "carrier.example", "sources": ["10.0.0.1/24"]}, 0),
    ({"host": "carrier.example", "from_user": "12a"}, "from_user"),
    ({"host": "carrier.example", "strip_prefix": "+9"}, "strip_prefix"),
    ({"host": "carrier.example", "max_calls": 0}, "max_calls"),
])
def test_bad_trunk_values_are_refused_naming_the_field(
    admin: TestClient, body: dict[str, Any], field: str | int
) -> None:
    response = admin.post(TRUNKS, json={"name": "carrier", **body})
    assert response.status_code == 422
    assert [error["loc"][-1] for error in response.json()["detail"]] == [field]
    assert admin.get(TRUNKS).json() == []


def test_an_address_is_trusted_by_one_trunk_only_without_naming_another_tenants(
    admin: TestClient, other_admin: TestClient
) -> None:
    created(admin, TRUNKS, name="carrier", host="carrier.example", sources=["203.0.113.0/24"])
    clash = other_admin.post(TRUNKS, json={"name": "theirs", "host": "carrier.example",
                                           "sources": ["203.0.113.9"]})
    assert clash.status_code == 409
    assert clash.json()["detail"] == ("sources: 203.0.113.9/32 overlaps 203.0.113.0/24, "
                                      "which a trunk of another tenant already trusts")
    mine = admin.post(TRUNKS, json={"name": "backup", "host": "carrier.example",
                                    "sources": ["203.0.0.0/16"]})
    assert mine.status_code == 409 and "trunk 'carrier'" in mine.json()["detail"]
    assert admin.post(TRUNKS, json={"name": "carrier", "host": "x.example"}).status_code == 409
    assert other_admin.get(TRUNKS).json() == []
    # A trunk may keep its own sources when it changes.
    again = admin.put(f"{TRUNKS}/carrier", json={"host": "carrier.example",
                                                 "sources": ["203.0.113.0/24"]})
    assert again.status_code == 200, again.text


def test_dids_belong_to_one_tenant_and_follow_their_trunk(
    admin: TestClient, other_admin: TestClient, supervisor: TestClient, reloads: list[str]
) -> None:
    created(admin, TRUNKS, name="carrier", host="carrier.example")
    did = created(admin, DIDS, number="4000", trunk="carrier", description="Main line")
    assert did == {"number": "4000", "trunk": "carrier", "description": "Main line"}
    assert supervisor.get(f"{DIDS}/4000").json() == did
    taken = other_admin.post(DIDS, json={"number": "4000"})
    assert (taken.status_code, taken.json()["detail"]) == (
        409, "number: DID 4000 is taken (a DID belongs to one tenant)")
    unknown = admin.post(DIDS, json={"number": "+862083330001", "trunk": "nope"})
    assert unknown.status_code == 422
    assert unknown.json()["detail"] == ("trunk: 'nope': there is no such trunk in this tenant "
                                        "(trunks: carrier)")
    assert admin.post(DIDS, json={"number": "40 00"}).status_code == 422
    in_use = admin.delete(f"{TRUNKS}/carrier")
    assert (in_use.status_code, in_use.json()["detail"]) == (
        409, "trunk: 'carrier' is still used by DID 4000; change those first")
    renamed = admin.put(f"{TRUNKS}/carrier", json={"name": "telecom", "host": "carrier.example"})
    assert renamed.status_code == 200, renamed.text
    assert admin.get(f"{DIDS}/4000").json()["trunk"] == "telecom"
    assert other_admin.get(f"{DIDS}/4000").status_code == 404
    moved = admin.put(f"{DIDS}/4000", json={"number": "+862083330001"})
    assert moved.json() == {"number": "+862083330001", "trunk": None, "description": ""}
    assert admin.get(f"{DIDS}/+862083330001").json() == moved.json()
    assert admin.delete(f"{DIDS}/+862083330001").status_code == 204
    assert admin.delete(f"{TRUNKS}/telecom").status_code == 204
    assert [e["action"] for e in audit(admin, "did")] == ["delete", "update", "create"]
    assert len(reloads) == 6


def test_a_failing_listener_leaves_the_change_committed(
    app: FastAPI, admin: TestClient
) -> None:
    def broken() -> None:
        raise RuntimeError("switch is down")

    app.state.telephony_listeners.append(broken)
    created(admin, DIDS, number="4001")
    assert admin.get(f"{DIDS}/4001").status_code == 200


def _telephony_only(obj: Any, _name: str | None, type_: str, _reflected: bool,
                    _other: Any) -> bool:
    table = obj if type_ == "table" else getattr(obj, "table", None)
    return table is not None and table.name in TABLES


def test_the_migration_builds_the_telephony_tables_as_declared(engine: Engine) -> None:
    with engine.connect() as connection:
        context = MigrationContext.configure(
            connection, opts={"include_object": _telephony_only, "compare_type": True})
        assert compare_metadata(context, Base.metadata) == []


def test_staff_see_which_phones_are_registered_as_an_extension(
    app: FastAPI, admin: TestClient, supervisor: TestClient, agent: TestClient
) -> None:
    created(admin, EXTENSIONS, number="1001", agent_id="1001")
    assert supervisor.get(f"{EXTENSIONS}/1001/registrations").json() == []
    now = datetime.now(UTC)
    aor = "sip:1001@127.0.0.1"

    def binding(contact: str, registered: float, expires: float) -> StoredBinding:
        return StoredBinding("1001", aor, contact, now + timedelta(seconds=expires),
                             now + timedelta(seconds=registered), "call-" + contact, 1,
                             source_host="192.0.2.7", source_port=5062, transport="UDP")

    save_bindings(app.state.engine, {aor: [
        binding("<sip:1001@192.0.2.7:5062>", -60, 3540),
        binding("<sip:1001@192.0.2.8:5060>", -30, 3570),
        binding("<sip:1001@192.0.2.9:5060>", -4000, -400),  # expired
    ]})
    found = supervisor.get(f"{EXTENSIONS}/1001/registrations").json()
    assert [r["contact"] for r in found] == ["<sip:1001@192.0.2.8:5060>",
                                             "<sip:1001@192.0.2.7:5062>"]
    assert found[0]["source"] == "192.0.2.7:5062" and found[0]["transport"] == "UDP"
    assert admin.get(f"{EXTENSIONS}/1001/registrations").status_code == 200
    assert agent.get(f"{EXTENSIONS}/1001/registrations").status_code == 403
    missing = supervisor.get(f"{EXTENSIONS}/9999/registrations")
    assert missing.status_code == 404 and "no extension 9999" in missing.json()["detail"]
