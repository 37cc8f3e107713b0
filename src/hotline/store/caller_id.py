"""Who is calling: the caller's number looked up among the tenant's customers.

A gateway asks before it hands an arrival to the interaction server, so that the call
carries the customer with it from the start: `customer_id` links its record to the customer,
`customer_name` goes to the agent's screen, and `tier` raises its routing priority (the core
adds the tenant's `vip_priority` for `tier=vip`). The lookup is one indexed query on the
normalized number; it runs in a worker thread, never on the event loop. A number that is
withheld, malformed or unknown identifies nobody, and a database that fails to answer only
costs the call its identification, never the call itself.
"""

from __future__ import annotations

import logging

from sqlalchemy import select
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from hotline.store.config_tables import TenantRow
from hotline.store.customer_tables import CustomerContactRow, CustomerRow
from hotline.store.customers import normalize_phone

log = logging.getLogger(__name__)


class CallerDirectory:
    """Identifies the callers of one tenant by their number."""

    def __init__(self, sessions: sessionmaker[Session], tenant: str) -> None:
        self._sessions = sessions
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
            with self._sessions() as session:
                if self._tenant_id is None:
                    self._tenant_id = session.scalar(
                        select(TenantRow.id).where(TenantRow.name == self._tenant))
                found = session.execute(
                    select(CustomerRow.id, CustomerRow.name, CustomerRow.tier)
                    .join(CustomerContactRow, CustomerContactRow.customer_id == CustomerRow.id)
                    .where(CustomerContactRow.tenant_id == self._tenant_id,
                           CustomerContactRow.kind == "phone",
                           CustomerContactRow.value == number)).first()
        except SQLAlchemyError as error:
            log.warning("tenant %s: caller %s not identified: %s", self._tenant, ani, error)
            return {}
        if found is None:
            return {}
        customer_id, name, tier = found
        return {"customer_id": str(customer_id), "customer_name": name, "tier": tier}
