"""The acceptance test of issue 3: eight processes take IPs for eight accounts from one
small inventory at the same moment. No IP may end on two accounts, the total taken must
be min(inventory, sum of quotas), and the only error allowed is NotEnoughIps."""

from __future__ import annotations

import multiprocessing
import re
from collections import Counter
from collections.abc import Iterator
from multiprocessing.pool import Pool
from multiprocessing.synchronize import Barrier
from typing import Any

import pytest
from sqlalchemy import func, select

from ipfleet.services import inventory as inv
from ipfleet.services import quota as _quota_svc
from ipfleet.services.accounts import get_account
from ipfleet.store.tables import accounts, ip_addresses
from ipfleet.store.uow import Database
from tests.integration import take_worker
from tests.support.db import ACTOR, kept_count_differences, log_rows_of
from tests.support.seed import make_account

PROCESSES = 8
INVENTORY = 40
RUN_TIMEOUT = 90  # seconds, for the whole race; a hang fails the test instead of the suite
REFUSAL = re.compile(
    r"Cannot take (\d+) IPs: (the quota of \S+ allows \d+ more|the inventory has \d+ free)"
)

# Quotas of the accounts; with fewer accounts than processes, two processes share each.
VARIANTS = [
    pytest.param([3, 4, 5, 6, 7, 8, 9, 10], id="quotas-above-inventory"),  # 52 > 40
    pytest.param([2, 3, 3, 4, 4, 4, 5, 5], id="quotas-below-inventory"),  # 30 < 40
    pytest.param([6, 9, 12, 15], id="two-processes-per-account"),  # 42 > 40
]


@pytest.fixture(scope="module")
def racers() -> Iterator[tuple[Pool, Barrier]]:
    """Eight spawned processes, reused by every run of this module, and their barrier."""
    ctx = multiprocessing.get_context("spawn")
    barrier = ctx.Barrier(PROCESSES)
    pool = ctx.Pool(PROCESSES, initializer=take_worker.init, initargs=(barrier,))
    try:
        yield pool, barrier
    finally:
        pool.terminate()
        pool.join()


def holdings_by_account(db: Database) -> dict[str, list[str]]:
    stmt = select(accounts.c.username, ip_addresses.c.address).join(
        ip_addresses, ip_addresses.c.account_id == accounts.c.id
    )
    out: dict[str, list[str]] = {}
    with db.engine.connect() as conn:
        for name, address in conn.execute(stmt):
            out.setdefault(name, []).append(address)
    return out


@pytest.mark.parametrize("quotas", VARIANTS)
def test_concurrent_takes_never_share_an_ip(
    db_url: str, db: Database, racers: tuple[Pool, Barrier], quotas: list[int]
) -> None:
    pool, barrier = racers
    inv.add_to_inventory(db, specs=["10.0.0.0/26"], limit=INVENTORY, actor=ACTOR)
    quota_of = {f"racer-{n}": quota for n, quota in enumerate(quotas)}
    for name, quota in quota_of.items():
        make_account(db, name)
        _quota_svc.set_quota(db, account=get_account(db, username=name), quota=quota, actor=ACTOR)

    barrier.reset()
    names = [list(quota_of)[n % len(quota_of)] for n in range(PROCESSES)]
    jobs = [(db_url, name, quota_of[name], RUN_TIMEOUT / 3) for name in names]
    results: list[dict[str, Any]] = pool.starmap_async(
        take_worker.take_all_it_may, jobs, chunksize=1
    ).get(timeout=RUN_TIMEOUT)

    # Every process ran in its own process, and nothing failed but documented refusals.
    assert len({r["pid"] for r in results}) == PROCESSES
    assert [r.get("error") for r in results] == [None] * PROCESSES
    for r in results:
        for count, message in r["refusals"]:
            match = REFUSAL.fullmatch(message)
            assert match, message
            assert int(match.group(1)) == count

    # No IP was handed to two takers, and what each was told is what the database says.
    handed = [ip for r in results for ip in r["taken"]]
    assert [ip for ip, n in Counter(handed).items() if n > 1] == []
    in_db = holdings_by_account(db)
    told: dict[str, list[str]] = {name: [] for name in quota_of}
    for r in results:
        told[r["account"]] += r["taken"]
    for name, quota in quota_of.items():
        assert sorted(told[name]) == sorted(in_db.get(name, [])), name
        assert len(told[name]) <= quota, name
    assert sum(len(v) for v in in_db.values()) == len(handed) == min(INVENTORY, sum(quotas))
    with db.engine.connect() as conn:
        free = conn.scalar(
            select(func.count())
            .select_from(ip_addresses)
            .where(ip_addresses.c.account_id.is_(None))
        )
        total = conn.scalar(select(func.count()).select_from(ip_addresses))
    assert (total, free) == (INVENTORY, INVENTORY - len(handed))
    # The counts the triggers keep (migration 0010) followed every concurrent take.
    assert kept_count_differences(db) == []

    # Every account that stopped short of its quota stopped because the inventory ran dry.
    if sum(quotas) <= INVENTORY:
        assert all(len(told[name]) == quota for name, quota in quota_of.items())
    else:
        assert free == 0

    # The change log records each IP taken exactly once, by the take that got it.
    logged = [ip for row in log_rows_of(db, "ip.take") for ip in row["after"]["addresses"]]
    assert sorted(logged) == sorted(handed)
