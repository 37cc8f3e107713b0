"""Tables of the telephony configuration the embedded SIP switch reads (T1, T2, T10).

- `extensions`: a tenant's SIP phones. Known in the tenant by `number` (2–8 digits) and to
  the switch by `username`, unique across all tenants (a REGISTER names no tenant). The
  password is never stored, only its digest HA1 for MD5 and for SHA-256 (RFC 8760), computed
  with the realm stored beside them (`realm`; see `telephony.SIP_REALM`). `agent_id` binds
  the phone to an agent of the tenant; like `users.agent_id` it is checked when written and
  is not a foreign key, because importing a tenant's configuration replaces its agents whole.
- `trunks`: a tenant's connections to carriers. The outbound digest password must be sent
  again and again, so it is stored as given (and never returned by the API). `sources` is a
  JSON list of the addresses and networks whose calls are trusted as this trunk's.
- `dids`: the numbers carriers deliver, each owned by one tenant; globally unique. The
  tenant's DNIS routes then decide where a call to it goes. `trunk` optionally names the
  tenant's trunk the number comes in on (ON UPDATE CASCADE: renaming a trunk follows).
"""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    ForeignKey,
    ForeignKeyConstraint,
    String,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from hotline.store.config_tables import AGENT_ID, NAME
from hotline.store.database import Base

EXTENSION_NUMBER = 8
USERNAME = 64
DISPLAY_NAME = 128
REALM = 64
NUMBER = 20
"""Longest dialled number, DID or caller id (digits, optionally after '+')."""
HOST = 253
PASSWORD = 128
PREFIX = 8
DESCRIPTION = 256


def _tenant_id() -> Mapped[int]:
    return mapped_column(ForeignKey("tenants.id", ondelete="CASCADE"))


class ExtensionRow(Base):
    """A SIP phone of a tenant, and what it may dial (`dial_class`)."""

    __tablename__ = "extensions"
    __table_args__ = (
        UniqueConstraint("tenant_id", "number", name="uq_extensions_tenant_number"),
        UniqueConstraint("username", name="uq_extensions_username"),
        UniqueConstraint("tenant_id", "agent_id", name="uq_extensions_tenant_agent"),
        CheckConstraint("dial_class IN ('internal', 'local', 'national', 'international')",
                        name="ck_extensions_dial_class"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    tenant_id: Mapped[int] = _tenant_id()
    number: Mapped[str] = mapped_column(String(EXTENSION_NUMBER))
    username: Mapped[str] = mapped_column(String(USERNAME))
    display_name: Mapped[str] = mapped_column(String(DISPLAY_NAME))
    agent_id: Mapped[str | None] = mapped_column(String(AGENT_ID))
    realm: Mapped[str] = mapped_column(String(REALM))
    ha1_md5: Mapped[str] = mapped_column(String(32))
    ha1_sha256: Mapped[str] = mapped_column(String(64))
    enabled: Mapped[bool] = mapped_column(Boolean)
    max_contacts: Mapped[int]
    dial_class: Mapped[str] = mapped_column(String(16))


class TrunkRow(Base):
    """A tenant's SIP trunk to a carrier: where to send outbound calls, how to authenticate
    there, and which source addresses its inbound calls come from."""

    __tablename__ = "trunks"
    __table_args__ = (
        UniqueConstraint("tenant_id", "name", name="uq_trunks_tenant_name"),
        CheckConstraint("transport IN ('udp', 'tcp')", name="ck_trunks_transport"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    tenant_id: Mapped[int] = _tenant_id()
    name: Mapped[str] = mapped_column(String(NAME))
    host: Mapped[str] = mapped_column(String(HOST))
    port: Mapped[int]
    transport: Mapped[str] = mapped_column(String(3))
    username: Mapped[str | None] = mapped_column(String(USERNAME))
    password: Mapped[str | None] = mapped_column(String(PASSWORD))
    from_user: Mapped[str | None] = mapped_column(String(NUMBER))
    sources: Mapped[list[str]] = mapped_column(JSON)
    strip_prefix: Mapped[str] = mapped_column(String(PREFIX))
    add_prefix: Mapped[str] = mapped_column(String(PREFIX))
    max_calls: Mapped[int | None]
    enabled: Mapped[bool] = mapped_column(Boolean)


class DidRow(Base):
    """A number carriers deliver (DID), owned by one tenant."""

    __tablename__ = "dids"
    __table_args__ = (
        UniqueConstraint("number", name="uq_dids_number"),
        ForeignKeyConstraint(["tenant_id", "trunk"], ["trunks.tenant_id", "trunks.name"],
                             name="fk_dids_trunk", onupdate="CASCADE"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    tenant_id: Mapped[int] = _tenant_id()
    number: Mapped[str] = mapped_column(String(NUMBER))
    trunk: Mapped[str | None] = mapped_column(String(NAME))
    description: Mapped[str] = mapped_column(String(DESCRIPTION))

