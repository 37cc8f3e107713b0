"""What the embedded SIP switch knows of the telephony configuration: an immutable snapshot.

The switch answers every REGISTER and INVITE from memory. `load_telephony(engine)` reads all
tenants' extensions, trunks and DIDs in one go into a `TelephonySnapshot`; its lookups are
plain, synchronous dictionary reads with no database behind them. After every change the API
calls the application's `telephony_listeners`, and the switch loads a new snapshot and swaps
it in whole: a lookup never sees half a change.

- `extension(username)` is the switch's `ExtensionLookup` (digest `realm` and `ha1` values,
  `max_contacts`, `enabled`); `ha1(username, hash name)` is a ready `Ha1Lookup` for enabled
  extensions.
- `did(number)` tells whose a dialled number is (an exact match); the tenant's DNIS routes
  then decide where the call goes.
- `trunk_for_source(address)` is the enabled trunk trusting the address a request came from
  (the most specific network wins); `outbound_trunk(tenant)` the trunk for outgoing calls.
- `may_dial(caller, number)` applies the caller's dial class (`dial_permissions`, T10).

An extension bound to an agent that no longer exists (agents are replaced whole by a
configuration import) is loaded as bound to no agent.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from types import MappingProxyType

from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from hotline.core import dial_permissions
from hotline.store.config_tables import AgentRow, TenantRow
from hotline.store.telephony_tables import DidRow, ExtensionRow, TrunkRow

_Network = ipaddress.IPv4Network | ipaddress.IPv6Network


@dataclass(frozen=True, slots=True)
class ExtensionEntry:
    """An extension (a SIP phone) as the switch sees it."""

    tenant: str
    number: str
    username: str
    agent_id: str | None
    realm: str
    ha1: Mapping[str, str]
    """The stored digests by hash name: {"MD5": ..., "SHA-256": ...}."""
    max_contacts: int
    dial_class: str
    enabled: bool
    display_name: str


@dataclass(frozen=True, slots=True)
class TrunkEntry:
    """A tenant's trunk to a carrier."""

    tenant: str
    name: str
    host: str
    port: int
    transport: str
    username: str | None
    password: str | None
    from_user: str | None
    sources: tuple[str, ...]
    strip_prefix: str
    add_prefix: str
    max_calls: int | None
    """Concurrent calls allowed; None: no limit."""
    enabled: bool

    def outbound_number(self, number: str) -> str:
        """`number` as sent to the carrier: `strip_prefix` removed from its front (when it
        starts with it), then `add_prefix` put there."""
        if self.strip_prefix and number.startswith(self.strip_prefix):
            number = number[len(self.strip_prefix):]
        return self.add_prefix + number


@dataclass(frozen=True, slots=True)
class DidEntry:
    """A number carriers deliver, and the tenant that owns it."""

    number: str
    tenant: str
    trunk: str | None


class TelephonySnapshot:
    """All tenants' telephony configuration at one moment, indexed for the switch."""

    __slots__ = ("_by_agent", "_by_number", "_by_username", "_dids", "_numbers", "_sources",
                 "_trunks")

    def __init__(self, extensions: Iterable[ExtensionEntry] = (),
                 trunks: Iterable[TrunkEntry] = (), dids: Iterable[DidEntry] = ()) -> None:
        listed = list(extensions)
        self._by_username = MappingProxyType({entry.username: entry for entry in listed})
        self._by_number = MappingProxyType({(entry.tenant, entry.number): entry
                                            for entry in listed})
        self._by_agent = MappingProxyType({(entry.tenant, entry.agent_id): entry
                                           for entry in listed if entry.agent_id is not None})
        numbers: dict[str, set[str]] = {}
        for entry in listed:
            numbers.setdefault(entry.tenant, set()).add(entry.number)
        self._numbers = MappingProxyType({tenant: frozenset(found)
                                          for tenant, found in numbers.items()})
        by_tenant: dict[str, list[TrunkEntry]] = {}
        for trunk in sorted(trunks, key=lambda trunk: trunk.name):
            by_tenant.setdefault(trunk.tenant, []).append(trunk)
        self._trunks = MappingProxyType({tenant: tuple(found)
                                         for tenant, found in by_tenant.items()})
        sources = [(ipaddress.ip_network(source), trunk)
                   for found in by_tenant.values() for trunk in found if trunk.enabled
                   for source in trunk.sources]
        self._sources: tuple[tuple[_Network, TrunkEntry], ...] = tuple(
            sorted(sources, key=lambda pair: -pair[0].prefixlen))
        self._dids = MappingProxyType({entry.number: entry for entry in dids})

    def extension(self, username: str) -> ExtensionEntry | None:
        """The extension that authenticates as `username` (enabled or not)."""
        return self._by_username.get(username)

    def extension_by_number(self, tenant: str, number: str) -> ExtensionEntry | None:
        """The tenant's extension `number`."""
        return self._by_number.get((tenant, number))

    def extension_of_agent(self, tenant: str, agent_id: str) -> ExtensionEntry | None:
        """The extension bound to the tenant's agent `agent_id` (an agent has at most one)."""
        return self._by_agent.get((tenant, agent_id))

    def ha1(self, username: str, hash_name: str) -> str | None:
        """The stored HA1 of an enabled extension for "MD5" or "SHA-256" (a `Ha1Lookup`)."""
        entry = self._by_username.get(username)
        if entry is None or not entry.enabled:
            return None
        return entry.ha1.get(hash_name)

    def did(self, number: str) -> DidEntry | None:
        """Whose the dialled `number` is, when it is a DID."""
        return self._dids.get(number)

    def trunks(self, tenant: str) -> tuple[TrunkEntry, ...]:
        """The tenant's trunks by name, enabled or not."""
        return self._trunks.get(tenant, ())

    def trunk_for_source(self, host: str) -> TrunkEntry | None:
        """The enabled trunk whose `sources` hold the IP address `host`, the most specific
        network winning; None for anything else (a host name included)."""
        try:
            address = ipaddress.ip_address(host)
        except ValueError:
            return None
        return next((trunk for network, trunk in self._sources
                     if network.version == address.version and address in network), None)

    def outbound_trunk(self, tenant: str) -> TrunkEntry | None:
        """The trunk the tenant's outgoing calls take: its first enabled one by name."""
        return next((trunk for trunk in self.trunks(tenant) if trunk.enabled), None)

    def extension_numbers(self, tenant: str) -> frozenset[str]:
        """The numbers of the tenant's extensions."""
        return self._numbers.get(tenant, frozenset())

    def may_dial(self, caller: ExtensionEntry, number: str) -> str | None:
        """None when the extension `caller` may dial `number`, else why not (its dial
        class, a disabled extension, or a malformed number)."""
        if not caller.enabled:
            return f"extension {caller.number} is disabled"
        return dial_permissions.may_dial(caller.dial_class, number,
                                         self.extension_numbers(caller.tenant),
                                         extension=caller.number)


def load_telephony(engine: Engine) -> TelephonySnapshot:
    """Every tenant's extensions, trunks and DIDs, read together (on PostgreSQL in one
    repeatable-read transaction, so from one moment)."""
    if engine.dialect.name == "postgresql":
        engine = engine.execution_options(isolation_level="REPEATABLE READ")
    with Session(engine) as session, session.begin():
        tenants = {tenant_id: name for tenant_id, name
                   in session.execute(select(TenantRow.id, TenantRow.name))}
        agents = {(tenant_id, agent_id) for tenant_id, agent_id
                  in session.execute(select(AgentRow.tenant_id, AgentRow.agent_id))}
        extensions = [
            ExtensionEntry(
                tenant=tenants[row.tenant_id], number=row.number, username=row.username,
                agent_id=row.agent_id if (row.tenant_id, row.agent_id) in agents else None,
                realm=row.realm,
                ha1=MappingProxyType({"MD5": row.ha1_md5, "SHA-256": row.ha1_sha256}),
                max_contacts=row.max_contacts, dial_class=row.dial_class,
                enabled=row.enabled, display_name=row.display_name)
            for row in session.scalars(select(ExtensionRow))]
        trunks = [
            TrunkEntry(
                tenant=tenants[row.tenant_id], name=row.name, host=row.host, port=row.port,
                transport=row.transport, username=row.username, password=row.password,
                from_user=row.from_user, sources=tuple(row.sources),
                strip_prefix=row.strip_prefix, add_prefix=row.add_prefix,
                max_calls=row.max_calls, enabled=row.enabled)
            for row in session.scalars(select(TrunkRow))]
        dids = [DidEntry(number=row.number, tenant=tenants[row.tenant_id], trunk=row.trunk)
                for row in session.scalars(select(DidRow))]
    return TelephonySnapshot(extensions, trunks, dids)
