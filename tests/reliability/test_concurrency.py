"""Concurrency: many clients writing the same subusers and IPs through several server
processes; no 5xx, no lock or serialization failure reaches a client, nothing is broken."""

from __future__ import annotations

import random
import threading
import time

import pytest

from ipfleet.store.uow import Database
from tests.reliability import rel_figures
from tests.reliability.rel_budget import Budget
from tests.reliability.rel_invariants import violations
from tests.reliability.rel_load import Mix, Tally, run_clients, seed_fleet
from tests.support.server import serving

pytestmark = pytest.mark.e2e


def hammer(db: Database, bases: list[str], plan: Budget, label: str) -> Tally:
    fleet = seed_fleet(db)
    tally, stop = Tally(), threading.Event()
    mix = Mix(fleet, random.Random(f"concurrency-{label}"), narrow=True)
    threads = run_clients(bases, mix, tally, plan.concurrent_clients, stop, seed=7)
    time.sleep(plan.concurrent_seconds)
    stop.set()
    for t in threads:
        t.join(timeout=60)
    assert not any(t.is_alive() for t in threads), "a client hung"
    problems = violations(db)
    rel_figures.add(f"concurrent writes answered ({label})", sum(tally.answered.values()))
    rel_figures.add(
        f"concurrent writes answered 4xx ({label})",
        sum(n for status, n in tally.answered.items() if status >= 400),
    )
    rel_figures.add("violations", len(tally.bad) + len(problems))
    assert not tally.bad, "\n".join(tally.bad[:20])
    assert not problems, "\n".join(problems)
    assert sum(tally.answered.values()) >= plan.concurrent_clients, tally.answered
    return tally


def test_two_servers_on_one_postgresql(postgres_url: str, plan: Budget) -> None:
    db = Database(postgres_url)
    try:
        with serving(postgres_url) as one, serving(postgres_url) as two:
            hammer(db, [one.base, two.base], plan, "postgresql, 2 servers")
    finally:
        db.dispose()


def test_several_workers_on_sqlite(sqlite_url: str, plan: Budget) -> None:
    db = Database(sqlite_url)
    try:
        with serving(sqlite_url, workers=plan.sqlite_workers) as server:
            hammer(db, [server.base], plan, "sqlite, several workers")
    finally:
        db.dispose()
