"""The cost of `who IP --at T` with a million periods, in process (issue 10's figure).

    .venv/bin/python -m bench.timeline [--periods 1000000] [--queries 2000]

Builds a migrated SQLite file (and, when a PostgreSQL URL is set in
IPFLEET_BENCH_POSTGRES_URL or IPFLEET_TEST_POSTGRES_URL, a fresh database there) holding
``--periods`` periods: 100,000 addresses, each passed between accounts and subusers over
a year, then times ``services.timeline.who_at`` for random addresses at random moments and
prints the p50 and p99. The floor is the same lookup's cost on a table of 1,000 periods in
the same run: the claim is that the cost grows with log n, so the ratio stays near 1.
"""

from __future__ import annotations

import argparse
import random
import statistics
import tempfile
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import create_engine, insert, text
from sqlalchemy.engine import make_url

from bench.dataset import drop_postgres
from ipfleet.domain.addresses import parse_address, sort_key
from ipfleet.services.timeline import who_at
from ipfleet.store.migrate import upgrade
from ipfleet.store.tables import holder_periods, ip_periods
from ipfleet.store.uow import Database

START = datetime(2026, 1, 1, tzinfo=UTC)
YEAR = timedelta(days=365)
PER_IP = 10  # periods per address: five tenancies, each with a holding


def _address(n: int) -> str:
    return f"10.{n >> 16 & 255}.{n >> 8 & 255}.{n & 255}"


def _rows(periods: int) -> list[dict[str, object]]:
    rows: list[dict[str, object]] = []
    step = YEAR / (PER_IP // 2)
    for n in range(periods // PER_IP):
        address = _address(n)
        key = sort_key(parse_address(address))
        for k in range(PER_IP // 2):
            began, ended = START + step * k, START + step * (k + 1)
            account = n % 50 + k
            base = {
                "ip_id": n + 1,
                "address": address,
                "sort_key": key,
                "account_id": account,
                "account": f"acct{account}",
                "started_at": began,
                "ended_at": ended,
                "pool_id": None,
                "pool": None,
            }
            rows.append({**base, "kind": "account", "subuser_id": None, "subuser": None})
            rows.append(
                {
                    **base,
                    "kind": "holding",
                    "subuser_id": account * 10 + k,
                    "subuser": f"sub{account}-{k}",
                }
            )
    return rows


def fill(db: Database, periods: int) -> None:
    """Write ``periods`` periods (and each tenant's subuser states) in one transaction."""
    rows = _rows(periods)
    states = [
        {
            "kind": "state",
            "subuser_id": a * 10 + k,
            "subuser": f"sub{a}-{k}",
            "account_id": a,
            "account": f"acct{a}",
            "value": "active",
            "started_at": START,
            "ended_at": None,
        }
        for a in range(60)
        for k in range(PER_IP // 2)
    ]
    with db.engine.begin() as conn:
        for i in range(0, len(rows), 20_000):
            conn.execute(insert(ip_periods), rows[i : i + 20_000])
        conn.execute(insert(holder_periods), states)


def measure(db: Database, addresses: int, queries: int, seed: int) -> list[float]:
    """Milliseconds per ``who_at`` call, for random addresses at random moments."""
    rng = random.Random(seed)
    costs = []
    for _ in range(queries):
        address = _address(rng.randrange(addresses))
        at = START + YEAR * rng.random()
        began = time.perf_counter()
        answer = who_at(db, address=address, at=at)
        costs.append((time.perf_counter() - began) * 1000)
        assert answer.account is not None, (address, at)
        assert answer.senders, (address, at)
    return costs


def run(url: str, periods: int, queries: int) -> tuple[float, float]:
    db = Database(url)
    upgrade(db)
    fill(db, periods)
    if db.sqlite:
        with db.engine.connect() as conn:
            conn.exec_driver_sql("ANALYZE")
    costs = sorted(measure(db, periods // PER_IP, queries, seed=periods))
    db.dispose()
    return statistics.median(costs), costs[int(len(costs) * 0.99)]


def _postgres_url(base: str) -> tuple[str, str]:
    name = f"ipfleet_bench_tl_{uuid.uuid4().hex[:8]}"
    admin = create_engine(base, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return make_url(base).set(database=name).render_as_string(hide_password=False), name


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--periods", type=int, default=1_000_000)
    parser.add_argument("--queries", type=int, default=2_000)
    parser.add_argument("--postgres", help="a PostgreSQL server URL to also measure on")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        for label, n in (("floor", 1_000), ("target", args.periods)):
            p50, p99 = run(f"sqlite:///{Path(tmp) / f'{label}.db'}", n, args.queries)
            print(f"sqlite   {n:>9,} periods: who_at p50 {p50:.3f} ms, p99 {p99:.3f} ms")
    if args.postgres:
        for n in (1_000, args.periods):
            url, _name = _postgres_url(args.postgres)
            try:
                p50, p99 = run(url, n, args.queries)
            finally:
                drop_postgres(url)  # a database per size, gone with the run
            print(f"postgres {n:>9,} periods: who_at p50 {p50:.3f} ms, p99 {p99:.3f} ms")


if __name__ == "__main__":
    main()
