"""Tables: journal_tables (being written)."""
