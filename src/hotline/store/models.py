"""Every table, imported in one place so that Alembic and `create_all` see them all.

Each area keeps its tables in its own module: `config_tables` (tenants, queues, agents...),
`journal_tables` (facts, interaction records, agent state log), `account_tables` (users,
tokens, audit log), `ivr_tables` (IVR flow versions), `prompt_tables` (the prompt catalogue),
`announcement_tables` (notices for agents), `customer_tables` (customers, their contact points
and tags), `ticket_tables` (tickets and their event log), `ticket_type_tables` (custom fields
and SLA per ticket type), `kb_tables` (knowledge-base articles), `telephony_tables`
(extensions, trunks and DIDs for the SIP switch),
`recording_tables` (call recordings), `sip_binding_tables` (phones' SIP registrations).
"""

from __future__ import annotations

from hotline.store import (
    account_tables,
    announcement_tables,
    config_tables,
    customer_tables,
    ivr_tables,
    journal_tables,
    kb_tables,
    prompt_tables,
    recording_tables,
    sip_binding_tables,
    telephony_tables,
    ticket_tables,
    ticket_type_tables,
)
from hotline.store.database import Base

__all__ = [
    "Base",
    "account_tables",
    "announcement_tables",
    "config_tables",
    "customer_tables",
    "ivr_tables",
    "journal_tables",
    "kb_tables",
    "prompt_tables",
    "recording_tables",
    "sip_binding_tables",
    "telephony_tables",
    "ticket_tables",
    "ticket_type_tables",
]
