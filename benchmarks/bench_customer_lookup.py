"""Customers: how long looking a caller up by phone number takes on 1,000,000 customers.

    .venv/bin/python benchmarks/bench_customer_lookup.py [--customers 1000000]
        [--lookups 10000] [--postgres ADMIN_URL]

Loads the customers (one phone, one e-mail and one account number each, so 3,000,000 contact
rows) into a SQLite file in a temporary directory, schema by Alembic, with batched
multi-row inserts; then times `lookup(phone=...)` for random customers' numbers, written the
way callers present them ("+86 139-..."). Two figures, median and p99 in microseconds: the
query alone (the time around `session.execute` of `customers.lookup_query`, on a normalized
number), and the whole `customers.lookup` call (normalizing, the query, then reading the
customer's contacts and tags). With `--postgres ADMIN_URL` the same runs on a scratch
PostgreSQL database, created and dropped.
"""

from __future__ import annotations

import argparse
import random
import statistics
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import Engine, create_engine, insert, text

from hotline.store import config_repo, customers
from hotline.store.account_tables import utc_now
from hotline.store.customer_tables import CustomerContactRow, CustomerRow
from hotline.store.database import make_engine, session_factory, upgrade

BATCH = 10_000


def phone(number: int) -> str:
    return f"+86139{number:08d}"


def load(engine: Engine, count: int) -> tuple[int, float]:
    """Fill the database with `count` customers; the tenant's id and the seconds it took."""
    upgrade(engine)
    with session_factory(engine)() as session:
        tenant_id = config_repo.create_tenant(
            session, {"name": "bench", "timezone": "Asia/Shanghai"}).id
        session.commit()
    now = utc_now()
    started = time.perf_counter()
    with engine.connect() as connection:
        for first in range(1, count + 1, BATCH):
            ids = range(first, min(first + BATCH, count + 1))
            connection.execute(insert(CustomerRow), [
                {"id": i, "tenant_id": tenant_id, "name": f"Customer {i}", "address": "",
                 "tier": "vip" if i % 50 == 0 else "standard", "notes": "",
                 "created_at": now, "updated_at": now} for i in ids])
            connection.execute(insert(CustomerContactRow), [
                {"tenant_id": tenant_id, "customer_id": i, "kind": kind, "value": value}
                for i in ids
                for kind, value in (("phone", phone(i)), ("email", f"c{i}@example.com"),
                                    ("account", f"GAS-{i:08d}"))])
            connection.commit()
    if engine.dialect.name == "postgresql":
        with engine.connect() as connection:
            connection.execute(text("ANALYZE"))
            connection.commit()
    return tenant_id, time.perf_counter() - started


def measure(engine: Engine, tenant_id: int, count: int, lookups: int) -> dict[str, float]:
    """Median and p99 (µs) of the query alone and of the whole `lookup`."""
    rng = random.Random(7)
    query_times: list[float] = []
    call_times: list[float] = []
    with session_factory(engine)() as session:
        for _ in range(lookups):
            number = rng.randint(1, count)
            statement = customers.lookup_query(tenant_id, "phone", phone(number))
            started = time.perf_counter()
            row = session.execute(statement).scalar_one()
            query_times.append(time.perf_counter() - started)
            assert row.id == number
            presented = f"+86 139-{number // 10_000:04d}-{number % 10_000:04d}"
            started = time.perf_counter()
            found = customers.lookup(session, tenant_id, phone=presented)
            call_times.append(time.perf_counter() - started)
            assert found is not None and found.id == number
    return {"query median": _us(statistics.median(query_times)),
            "query p99": _us(_p99(query_times)),
            "lookup median": _us(statistics.median(call_times)),
            "lookup p99": _us(_p99(call_times))}


def _p99(values: list[float]) -> float:
    return statistics.quantiles(values, n=100)[98]


def _us(seconds: float) -> float:
    return round(seconds * 1e6, 1)


@contextmanager
def scratch_postgres(admin_url: str) -> Iterator[Engine]:
    name = f"hotline_bench_{uuid.uuid4().hex[:12]}"
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    engine = make_engine(admin_url.rsplit("/", 1)[0] + "/" + name)
    try:
        yield engine
    finally:
        engine.dispose()
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def run(label: str, engine: Engine, count: int, lookups: int) -> None:
    tenant_id, seconds = load(engine, count)
    print(f"{label}: loaded {count:,} customers ({3 * count:,} contact rows) "
          f"in {seconds:.1f} s", flush=True)
    figures = measure(engine, tenant_id, count, lookups)
    print(f"{label}: {lookups:,} lookups by phone, µs: "
          + ", ".join(f"{name} {value}" for name, value in figures.items()), flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--customers", type=int, default=1_000_000)
    parser.add_argument("--lookups", type=int, default=10_000)
    parser.add_argument("--postgres", metavar="ADMIN_URL", help="also run on PostgreSQL")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as directory:
        engine = make_engine(f"sqlite:///{Path(directory) / 'customers.db'}")
        try:
            run("SQLite", engine, args.customers, args.lookups)
        finally:
            engine.dispose()
    if args.postgres:
        with scratch_postgres(args.postgres) as engine:
            run("PostgreSQL", engine, args.customers, args.lookups)


if __name__ == "__main__":
    main()
