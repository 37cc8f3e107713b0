"""Customer relationship: tickets (work orders, C2) and the knowledge base (C3), as pure
domain code the store and the API build on.

- `ticket_workflow`: the ticket state table, ticket types, priorities and the default SLA
  that sets a ticket's due time;
- `ticket_fields`: the custom fields a tenant defines per ticket type, and checking a
  ticket's values against them;
- `text_search`: the search tokens for Chinese and English text (words and CJK bigrams);
- `kb_demo`: the demo tenant's knowledge-base articles.
"""
