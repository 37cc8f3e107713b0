"""Tables: config_tables (being written)."""
