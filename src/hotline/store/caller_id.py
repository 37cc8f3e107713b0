"""Who is calling: the caller's number looked up among the tenant's customers.

A gateway asks before it hands an arrival to the interaction server, so that the call
carries the customer with it from the start: `customer_id` links its record to the customer,
`customer_name` goes to the agent's screen, and `tier` raises its routing priority (the core
adds the tenant's `vip_priority` for `tier=vip`). The lookup is one indexed query on the
normalized number, run on a pooled connection without an ORM session (130 µs on SQLite
against 650 µs through a session: it runs for every call, in a worker thread that holds the
interpreter meanwhile), never on the event loop. A number that is
withheld, malformed or unknown identifies nobody, and a database that fails to answer only
costs the call its identification, never the call itself.
"""

from __future__ import annotations

import logging

from sqlalchemy import Engine, bindparam, select
from sqlalchemy.exc import SQLAlchemyError

from hotline.store.config_tables import TenantRow
from hotline.store.customer_tables import CustomerContactRow, CustomerRow
from hotline.store.customers import normalize_phone

log = logging.getLogger(__name__)


_BY_PHONE = (
    select(CustomerRow.id, CustomerRow.name, CustomerRow.tier)
    .join(CustomerContactRow, CustomerContactRow.customer_id == CustomerRow.id)
    .where(CustomerContactRow.tenant_id == bindparam("tenant"),
           CustomerContactRow.kind == "phone", CustomerContactRow.value == bindparam("number"))
)


class CallerDirectory:
    """Identifies the callers of one tenant by their number."""

    def __init__(self, engine: Engine, tenant: str) -> None:
        self._engine = engine
        self._tenant = tenant
        self._tenant_id: int | None = None

    def identify(self, ani: str) -> dict[str, str]:
        """The attributes that say who calls from `ani` (`customer_id`, `customer_name`,
        `tier`), or none."""
        try:
            number = normalize_phone(ani)
        except ValueError:
            return {}
        try:
            with self._engine.connect() as connection:
                if self._tenant_id is None:
                    self._tenant_id = connection.scalar(
                        select(TenantRow.id).where(TenantRow.name == self._tenant))
                found = connection.execute(_BY_PHONE, {"tenant": self._tenant_id,
                                                       "number": number}).first()
        except SQLAlchemyError as error:
            log.warning("tenant %s: caller %s not identified: %s", self._tenant, ani, error)
            return {}
        if found is None:
            return {}
        customer_id, name, tier = found
        return {"customer_id": str(customer_id), "customer_name": name, "tier": tier}
