"""Customer relationship: tickets (work orders) and their workflow (C2).

`ticket_workflow` is the pure core — the ticket state table, ticket types, priorities and the
SLA that sets a ticket's due time; the store (`hotline.store.tickets`) and the API
(`hotline.api.tickets`) are built on it.
"""
