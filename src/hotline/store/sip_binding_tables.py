"""SIP registrations that outlive the process: one row per binding of a phone's address of
record (AOR) to a contact, as the switch's registrar keeps it in memory
(`hotline.switch.sip.registrar.Binding`).

The switch writes an AOR's rows whenever its bindings change and reads the unexpired ones back
when it starts, so that phones stay reachable across a restart without registering again.
`expires_at` and `registered_at` are wall-clock UTC times (the registrar's own clock is the
event loop's, which means nothing to another process). `username` is the extension's SIP
username (the user part of the AOR); like `recordings.agent_id` it is not a foreign key:
a binding of an extension that is gone is harmless (nothing is offered through it) and
expires. `source_host`/`source_port` are where the REGISTER came from (a phone behind NAT is
reached there), `transport` what it came over ("UDP", "TCP"; NULL when unknown).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, DateTime, Float, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from hotline.store.database import Base
from hotline.store.telephony_tables import USERNAME

AOR = 512
HOST = 255
TRANSPORT = 16


class SipBindingRow(Base):
    """One contact registered for an address of record, until `expires_at`."""

    __tablename__ = "sip_bindings"
    __table_args__ = (
        Index("ix_sip_bindings_aor", "aor"),
        Index("ix_sip_bindings_expires_at", "expires_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    username: Mapped[str] = mapped_column(String(USERNAME))
    aor: Mapped[str] = mapped_column(String(AOR))
    contact: Mapped[str] = mapped_column(Text)
    """The Contact as registered (a name-address, without its `expires` parameter)."""
    source_host: Mapped[str | None] = mapped_column(String(HOST))
    source_port: Mapped[int | None] = mapped_column(Integer)
    transport: Mapped[str | None] = mapped_column(String(TRANSPORT))
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    registered_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    call_id: Mapped[str] = mapped_column(Text)
    cseq: Mapped[int] = mapped_column(BigInteger)
    q: Mapped[float] = mapped_column(Float)
