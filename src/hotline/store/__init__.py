"""Durable data: configuration, accounts, the journal of facts and its projections.

SQLAlchemy 2 models with Alembic migrations from the first table. SQLite
(`sqlite:///var/hotline.db`) is the embedded default; PostgreSQL is chosen with
`HOTLINE_DATABASE_URL=postgresql+psycopg://...`. Times are stored in UTC.
"""
