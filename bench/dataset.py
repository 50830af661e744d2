"""Benchmark datasets, written through ipfleet's own store in one transaction.

``small``: 1 account, 256 IPs, 64 subusers. ``large``: 1 account with 65,536 IPv4 and
4,096 IPv6 addresses, 10,000 subusers holding 1-8 IPs each (10% deactivated), plus 50
other accounts. ``growth-N``: one account with N IPv4 addresses and subusers in the
large set's proportion. Everything is drawn from a seeded random generator, so two
builds of one spec hold the same data (only the API key differs).

Run ``python -m bench.dataset large sqlite:///bench/out/large.db`` to build one by hand.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import time
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from ipaddress import IPv4Address, IPv6Address
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, insert, text
from sqlalchemy.engine import make_url

from ipfleet.domain.addresses import Address, canonical, sort_key
from ipfleet.domain.records import Actor
from ipfleet.services.keys import add_key_within
from ipfleet.store.migrate import upgrade
from ipfleet.store.repos import chunks
from ipfleet.store.tables import holdings as holdings_table
from ipfleet.store.tables import subusers as subusers_table
from ipfleet.store.uow import Database, UnitOfWork

SEED = 20_240_505
ACTOR = Actor(name="bench", request_id="bench-dataset")
MAIN_V4 = IPv4Address("198.18.0.0")  # RFC 2544 benchmarking range, 198.18.0.0/15
MAIN_V6 = IPv6Address("2001:db8:b::")
OTHER_V4 = IPv4Address("198.19.0.0")
OTHER_IPS = 16
OTHER_SUBUSERS = 4


@dataclass(frozen=True, slots=True)
class Spec:
    """The shape of one dataset."""

    name: str
    ipv4: int
    ipv6: int
    subusers: int
    other_accounts: int
    max_held: int = 8
    inactive_share: float = 0.10


SPECS = {
    "small": Spec("small", ipv4=256, ipv6=0, subusers=64, other_accounts=0),
    "large": Spec("large", ipv4=65_536, ipv6=4_096, subusers=10_000, other_accounts=50),
}


def growth_spec(ipv4: int) -> Spec:
    """One account of ``ipv4`` addresses, subusers in the large set's proportion."""
    return Spec(
        f"growth-{ipv4}", ipv4=ipv4, ipv6=0, subusers=ipv4 * 10_000 // 65_536, other_accounts=0
    )


def spec_named(name: str) -> Spec:
    """``small``, ``large`` or ``growth-N``."""
    if name.startswith("growth-"):
        return growth_spec(int(name.removeprefix("growth-")))
    return SPECS[name]


@dataclass(frozen=True, slots=True)
class Built:
    """What a benchmark needs to know about a built dataset."""

    spec: Spec
    url: str
    account: str
    api_key: str
    ip_count: int
    holdings: int
    inactive: int
    seconds: float
    subusers_file: str
    ips_file: str


def _ip_rows(addresses: list[Address], account_id: int, stamp: datetime) -> list[dict[str, Any]]:
    return [
        {
            "address": canonical(a),
            "sort_key": sort_key(a),
            "version": a.version,
            "account_id": account_id,
            "assigned_at": stamp,
            "created_at": stamp,
        }
        for a in addresses
    ]


def _populate(
    uow: UnitOfWork,
    *,
    username: str,
    addresses: list[Address],
    subusers: int,
    spec: Spec,
    rng: random.Random,
    stamp: datetime,
    analyze: bool = False,
) -> tuple[str, list[str], int, int]:
    """One account with its IPs, key and subusers; (key, subuser names, holdings, inactive)."""
    account_id = uow.accounts.create(username, None, stamp)
    uow.ips.insert_many(_ip_rows(addresses, account_id, stamp))
    ip_ids = [row.id for row in uow.ips.on_account(account_id)]
    account = uow.accounts.by_username(username)
    assert account is not None
    key = add_key_within(uow, account, "bench")
    names = [f"{username}-u{n:05d}" for n in range(subusers)]
    # The repositories add subusers one by one (a savepoint each, to name a lost race);
    # a dataset needs no such care, so it goes through the same tables in bulk.
    rows = [
        {"account_id": account_id, "username": n, "email": f"{n}@example.com", "created_at": stamp}
        for n in names
    ]
    for part in chunks(rows, 500):
        uow.conn.execute(insert(subusers_table).values(list(part)))
    if analyze and uow.conn.dialect.name == "postgresql":
        # Fresh tables have no statistics, so the foreign-key checks of the holdings below
        # would scan every IP row per holding (minutes instead of seconds).
        uow.conn.exec_driver_sql("ANALYZE ip_addresses")
        uow.conn.exec_driver_sql("ANALYZE subusers")
    created = uow.subusers.of_account(account_id)
    holdings = [
        {"subuser_id": sub.id, "ip_id": ip_id, "account_id": account_id}
        for sub in created
        for ip_id in rng.sample(ip_ids, rng.randint(1, min(spec.max_held, len(ip_ids))))
    ]
    for part in chunks(holdings, 500):
        uow.conn.execute(insert(holdings_table).values(list(part)))
    inactive = rng.sample(created, round(subusers * spec.inactive_share))
    for sub in inactive:
        uow.subusers.set_active(sub.id, False)
    held = len(holdings)
    return key, names, held, len(inactive)


def _main_addresses(spec: Spec) -> list[Address]:
    v4: list[Address] = [MAIN_V4 + n for n in range(spec.ipv4)]
    v6: list[Address] = [MAIN_V6 + n for n in range(spec.ipv6)]
    return v4 + v6


def build(spec: Spec, url: str, out_dir: Path) -> Built:
    """Migrate the (empty) database at ``url`` and fill it with ``spec``'s data."""
    started = time.perf_counter()
    db = Database(url)
    try:
        upgrade(db)
        rng = random.Random(f"{SEED}-{spec.name}")
        stamp = datetime.now(UTC)
        main = f"bench-{spec.name}"
        addresses = _main_addresses(spec)

        def work(uow: UnitOfWork) -> tuple[str, list[str], int, int]:
            result = _populate(
                uow,
                username=main,
                addresses=addresses,
                subusers=spec.subusers,
                spec=spec,
                rng=rng,
                stamp=stamp,
                analyze=True,
            )
            for n in range(spec.other_accounts):
                first = OTHER_V4 + n * OTHER_IPS
                _populate(
                    uow,
                    username=f"bench-other-{n:02d}",
                    addresses=[first + i for i in range(OTHER_IPS)],
                    subusers=OTHER_SUBUSERS,
                    spec=spec,
                    rng=rng,
                    stamp=stamp,
                )
            return result

        key, names, held, inactive = db.write(work, actor=ACTOR)
        if not db.sqlite:
            # What autovacuum would soon do on a live server after such a load.
            with db.engine.connect() as conn:
                conn.execution_options(isolation_level="AUTOCOMMIT").exec_driver_sql("ANALYZE")
    finally:
        db.dispose()
    out_dir.mkdir(parents=True, exist_ok=True)
    subusers_file = out_dir / f"{spec.name}-subusers.txt"
    subusers_file.write_text("".join(f"{n}\n" for n in names))
    ips_file = out_dir / f"{spec.name}-ips.txt"
    ips_file.write_text("".join(f"{canonical(a)}\n" for a in addresses))
    return Built(
        spec=spec,
        url=url,
        account=main,
        api_key=key,
        ip_count=len(addresses),
        holdings=held,
        inactive=inactive,
        seconds=time.perf_counter() - started,
        subusers_file=str(subusers_file),
        ips_file=str(ips_file),
    )


def sqlite_url(out_dir: Path, name: str) -> str:
    """A fresh SQLite file for dataset ``name`` (any old one, with its WAL, is removed)."""
    out_dir.mkdir(parents=True, exist_ok=True)
    path = out_dir / f"{name}.db"
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    return f"sqlite:///{path}"


def postgres_url(server_url: str, name: str) -> str:
    """A fresh PostgreSQL database ``ipfleet_bench_<name>`` on the server of ``server_url``."""
    # IPFLEET_BENCH_DB_PREFIX keeps two bench runs on one server out of each other's way.
    prefix = os.environ.get("IPFLEET_BENCH_DB_PREFIX", "ipfleet_bench")
    database = f"{prefix}_{name.replace('-', '_')}"
    admin = create_engine(server_url, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)'))
            conn.execute(text(f'CREATE DATABASE "{database}"'))
    finally:
        admin.dispose()
    return make_url(server_url).set(database=database).render_as_string(hide_password=False)


def drop_postgres(url: str) -> None:
    """Drop the database a ``postgres_url`` made."""
    parsed = make_url(url)
    admin = create_engine(parsed.set(database="postgres"), isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{parsed.database}" WITH (FORCE)'))
    finally:
        admin.dispose()


def main() -> None:
    """Build one dataset and print what was built."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("spec", help="small, large or growth-N")
    parser.add_argument("url", help="an empty database: sqlite:///PATH or postgresql+psycopg://")
    parser.add_argument("--out", default="bench/out", help="where the name and IP lists go")
    args = parser.parse_args()
    built = build(spec_named(args.spec), args.url, Path(args.out))
    print(json.dumps({**asdict(built), "api_key": "(hidden)"}, indent=2))
    print(f"built {built.spec.name} in {built.seconds:.1f} s")


if __name__ == "__main__":
    main()
