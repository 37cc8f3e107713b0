"""The telephony repository: a tenant's extensions, trunks and DIDs, checked and written.

Every change is checked before anything is written; a refused change raises `TelephonyError`
naming the field (`TelephonyConflict` when it clashes with existing data: a number or
username taken, an address another trunk trusts, a trunk still used by DIDs) and leaves the
session as it was. Changes are flushed, not committed: the caller commits the change with its
audit entry. The database's unique constraints back the checks against concurrent writers.

Digest realm: the process has one, `SIP_REALM`. SIP usernames are unique across tenants, so a
REGISTER identifies its tenant by username alone and one realm serves them all. Each
extension stores the realm its digests were computed with, so a later per-tenant realm would
only need new passwords for the extensions it moves.
"""

from __future__ import annotations

import hmac
import ipaddress
import secrets
from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from hotline.core.dial_permissions import DialClass
from hotline.store.config_tables import AgentRow, TenantRow
from hotline.store.telephony_schemas import (
    DidCreate,
    DidRead,
    DidReplace,
    ExtensionCreate,
    ExtensionRead,
    ExtensionReplace,
    TrunkCreate,
    TrunkRead,
    TrunkReplace,
)
from hotline.store.telephony_tables import USERNAME, DidRow, ExtensionRow, TrunkRow
from hotline.switch.sip.digest import ha1

SIP_REALM = "hotline"
"""The digest realm of every extension (see the module's docstring)."""


class TelephonyError(ValueError):
    """A change that cannot be made; `field` is the field at fault."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field


class TelephonyConflict(TelephonyError):
    """A change that clashes with existing data."""


def new_password() -> str:
    """A generated SIP password: 16 characters phones can take (letters, digits, '-', '_')."""
    return secrets.token_urlsafe(12)


def set_password(row: ExtensionRow, password: str) -> None:
    """Store the digests of `password` for the extension's username, for MD5 and SHA-256
    (RFC 8760), in `SIP_REALM` (never the password itself)."""
    row.realm = SIP_REALM
    row.ha1_md5 = ha1(row.username, SIP_REALM, password, "MD5")
    row.ha1_sha256 = ha1(row.username, SIP_REALM, password, "SHA-256")


def password_matches(row: ExtensionRow, password: str) -> bool:
    """Whether the extension's stored digests are those of `password`."""
    expected = ha1(row.username, row.realm, password, "SHA-256")
    return hmac.compare_digest(row.ha1_sha256, expected)


# Extensions


def extension_read(row: ExtensionRow) -> ExtensionRead:
    return ExtensionRead(number=row.number, username=row.username,
                         display_name=row.display_name, agent_id=row.agent_id,
                         enabled=row.enabled, max_contacts=row.max_contacts,
                         dial_class=DialClass(row.dial_class), realm=row.realm)


def extensions(session: Session, tenant_id: int) -> Sequence[ExtensionRow]:
    """The tenant's extensions by number."""
    return session.scalars(select(ExtensionRow).where(ExtensionRow.tenant_id == tenant_id)
                           .order_by(ExtensionRow.number)).all()


def extension(session: Session, tenant_id: int, number: str) -> ExtensionRow | None:
    return session.scalar(select(ExtensionRow).where(ExtensionRow.tenant_id == tenant_id,
                                                     ExtensionRow.number == number))


def extension_of_agent(session: Session, tenant_id: int, agent_id: str) -> ExtensionRow | None:
    return session.scalar(select(ExtensionRow).where(ExtensionRow.tenant_id == tenant_id,
                                                     ExtensionRow.agent_id == agent_id))


def create_extension(session: Session, tenant_id: int,
                     data: ExtensionCreate) -> tuple[ExtensionRow, str | None]:
    """A new extension, and its password when it was generated (None when `data` set one)."""
    _refuse_taken_number(session, tenant_id, data.number)
    username = data.username or _default_username(session, tenant_id, data.number)
    _refuse_taken_username(session, username)
    _check_agent(session, tenant_id, data.agent_id, None)
    password = data.password if data.password is not None else new_password()
    row = ExtensionRow(tenant_id=tenant_id, number=data.number, username=username,
                       display_name=data.display_name, agent_id=data.agent_id,
                       enabled=data.enabled, max_contacts=data.max_contacts,
                       dial_class=data.dial_class.value)
    set_password(row, password)
    session.add(row)
    session.flush()
    return row, (None if data.password is not None else password)


def replace_extension(session: Session, row: ExtensionRow, data: ExtensionReplace) -> None:
    """Give the extension the settings of `data` (see `ExtensionReplace`)."""
    number = data.number or row.number
    username = data.username or row.username
    if number != row.number:
        _refuse_taken_number(session, row.tenant_id, number)
    if username != row.username:
        if data.password is None:
            raise TelephonyError("password", "a new username needs a new password (the stored "
                                 "digests are of the username and password together)")
        _refuse_taken_username(session, username)
    _check_agent(session, row.tenant_id, data.agent_id, row.id)
    row.number, row.username = number, username
    row.display_name, row.agent_id = data.display_name, data.agent_id
    row.enabled, row.max_contacts = data.enabled, data.max_contacts
    row.dial_class = data.dial_class.value
    if data.password is not None:
        set_password(row, data.password)
    session.flush()


def _default_username(session: Session, tenant_id: int, number: str) -> str:
    """The number when no tenant uses it as a username, else `<tenant>-<number>`."""
    if _username_owner(session, number) is None:
        return number
    tenant = session.get(TenantRow, tenant_id)
    name = tenant.name if tenant is not None else str(tenant_id)
    return f"{name[:USERNAME - len(number) - 1]}-{number}"


def _username_owner(session: Session, username: str) -> int | None:
    owner: int | None = session.scalar(select(ExtensionRow.id)
                                       .where(ExtensionRow.username == username))
    return owner


def _refuse_taken_username(session: Session, username: str) -> None:
    if _username_owner(session, username) is not None:
        raise TelephonyConflict("username", f"SIP username {username!r} is taken (usernames "
                                "are unique across all tenants); choose another")


def _refuse_taken_number(session: Session, tenant_id: int, number: str) -> None:
    if extension(session, tenant_id, number) is not None:
        raise TelephonyConflict("number", f"extension {number} already exists in this tenant")


def _check_agent(session: Session, tenant_id: int, agent_id: str | None,
                 extension_id: int | None) -> None:
    if agent_id is None:
        return
    if session.scalar(select(AgentRow.id).where(AgentRow.tenant_id == tenant_id,
                                                AgentRow.agent_id == agent_id)) is None:
        raise TelephonyError("agent_id", f"{agent_id!r}: there is no such agent in this tenant")
    other = extension_of_agent(session, tenant_id, agent_id)
    if other is not None and other.id != extension_id:
        raise TelephonyConflict("agent_id", f"agent {agent_id} already has extension "
                                f"{other.number}")


# Trunks


def trunk_read(row: TrunkRow) -> TrunkRead:
    return TrunkRead.model_validate({
        "name": row.name, "host": row.host, "port": row.port, "transport": row.transport,
        "username": row.username, "has_password": row.password is not None,
        "from_user": row.from_user, "sources": list(row.sources),
        "strip_prefix": row.strip_prefix, "add_prefix": row.add_prefix,
        "max_calls": row.max_calls, "enabled": row.enabled})


def trunks(session: Session, tenant_id: int) -> Sequence[TrunkRow]:
    """The tenant's trunks by name."""
    return session.scalars(select(TrunkRow).where(TrunkRow.tenant_id == tenant_id)
                           .order_by(TrunkRow.name)).all()


def trunk(session: Session, tenant_id: int, name: str) -> TrunkRow | None:
    return session.scalar(select(TrunkRow).where(TrunkRow.tenant_id == tenant_id,
                                                 TrunkRow.name == name))


def create_trunk(session: Session, tenant_id: int, data: TrunkCreate) -> TrunkRow:
    """A new trunk of the tenant."""
    _refuse_taken_trunk(session, tenant_id, data.name)
    row = TrunkRow(tenant_id=tenant_id)
    _write_trunk(session, row, data, data.name, data.password)
    session.add(row)
    session.flush()
    return row


def replace_trunk(session: Session, row: TrunkRow, data: TrunkReplace) -> None:
    """Give the trunk the settings of `data` (see `TrunkReplace`); DIDs follow a new name."""
    name = data.name or row.name
    if name != row.name:
        _refuse_taken_trunk(session, row.tenant_id, name)
    password = data.password if "password" in data.model_fields_set else row.password
    renamed = name != row.name
    _write_trunk(session, row, data, name, password)
    session.flush()
    if renamed:
        session.expire_all()  # the database renamed the trunk in its DIDs


def delete_trunk(session: Session, row: TrunkRow) -> None:
    """Remove the trunk, unless DIDs still name it."""
    used = session.scalars(select(DidRow.number).where(DidRow.tenant_id == row.tenant_id,
                                                       DidRow.trunk == row.name)
                           .order_by(DidRow.number)).all()
    if used:
        raise TelephonyConflict("trunk", f"{row.name!r} is still used by DID "
                                f"{', '.join(used)}; change those first")
    session.delete(row)
    session.flush()


def _write_trunk(session: Session, row: TrunkRow, data: TrunkCreate | TrunkReplace,
                 name: str, password: str | None) -> None:
    """Check, then write, the trunk's settings."""
    if (data.username is None) != (password is None):
        raise TelephonyError("password" if data.username is not None else "username",
                             "digest authentication at the carrier needs both a username "
                             "and a password, or neither")
    _refuse_trusted_elsewhere(session, row, data.sources)
    row.name, row.password = name, password
    row.host, row.port, row.transport = data.host, data.port, data.transport
    row.username, row.from_user = data.username, data.from_user
    row.sources = list(data.sources)
    row.strip_prefix, row.add_prefix = data.strip_prefix, data.add_prefix
    row.max_calls, row.enabled = data.max_calls, data.enabled


def _refuse_taken_trunk(session: Session, tenant_id: int, name: str) -> None:
    if trunk(session, tenant_id, name) is not None:
        raise TelephonyConflict("name", f"trunk {name!r} already exists in this tenant")


def _refuse_trusted_elsewhere(session: Session, row: TrunkRow, sources: list[str]) -> None:
    """An inbound call must belong to one trunk: no address may be trusted by two. Another
    tenant's trunk is not named (tenants do not see each other)."""
    wanted = [ipaddress.ip_network(source) for source in sources]
    for other in session.scalars(select(TrunkRow).where(TrunkRow.id != row.id)
                                 if row.id is not None else select(TrunkRow)):
        for source in other.sources:
            taken = ipaddress.ip_network(source)
            clash = next((network for network in wanted
                          if network.version == taken.version and network.overlaps(taken)),
                         None)
            if clash is not None:
                whose = (f"trunk {other.name!r}" if other.tenant_id == row.tenant_id
                         else "a trunk of another tenant")
                raise TelephonyConflict("sources", f"{clash} overlaps {source}, which "
                                        f"{whose} already trusts")


# DIDs


def did_read(row: DidRow) -> DidRead:
    return DidRead(number=row.number, trunk=row.trunk, description=row.description)


def dids(session: Session, tenant_id: int) -> Sequence[DidRow]:
    """The tenant's DIDs by number."""
    return session.scalars(select(DidRow).where(DidRow.tenant_id == tenant_id)
                           .order_by(DidRow.number)).all()


def did(session: Session, tenant_id: int, number: str) -> DidRow | None:
    return session.scalar(select(DidRow).where(DidRow.tenant_id == tenant_id,
                                               DidRow.number == number))


def create_did(session: Session, tenant_id: int, data: DidCreate) -> DidRow:
    """A new DID of the tenant."""
    _refuse_taken_did(session, data.number)
    _check_trunk(session, tenant_id, data.trunk)
    row = DidRow(tenant_id=tenant_id, number=data.number, trunk=data.trunk,
                 description=data.description)
    session.add(row)
    session.flush()
    return row


def replace_did(session: Session, row: DidRow, data: DidReplace) -> None:
    """Give the DID the settings of `data` (see `DidReplace`)."""
    number = data.number or row.number
    if number != row.number:
        _refuse_taken_did(session, number)
    _check_trunk(session, row.tenant_id, data.trunk)
    row.number, row.trunk, row.description = number, data.trunk, data.description
    session.flush()


def _refuse_taken_did(session: Session, number: str) -> None:
    if session.scalar(select(DidRow.id).where(DidRow.number == number)) is not None:
        raise TelephonyConflict("number", f"DID {number} is taken (a DID belongs to one "
                                "tenant)")


def _check_trunk(session: Session, tenant_id: int, name: str | None) -> None:
    if name is not None and trunk(session, tenant_id, name) is None:
        names = [row.name for row in trunks(session, tenant_id)]
        allowed = ", ".join(names) if names else "none yet"
        raise TelephonyError("trunk", f"{name!r}: there is no such trunk in this tenant "
                             f"(trunks: {allowed})")
