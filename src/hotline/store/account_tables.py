"""Tables: account_tables (being written)."""
