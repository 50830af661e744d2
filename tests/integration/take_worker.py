"""What each process of the concurrent-take test runs (kept light: spawned children import
only this module and the services it needs)."""

from __future__ import annotations

import os
import traceback
from multiprocessing.synchronize import Barrier
from typing import Any

from ipfleet.domain.errors import NotEnoughIps
from ipfleet.domain.records import Actor
from ipfleet.services.accounts import get_account
from ipfleet.services.inventory import take_ips
from ipfleet.store.uow import Database

_barrier: Barrier | None = None


def init(barrier: Barrier) -> None:
    """Pool initializer: keep the barrier every worker waits on before it starts."""
    global _barrier  # noqa: PLW0603
    _barrier = barrier


def take_all_it_may(db_url: str, account: str, quota: int, wait: float) -> dict[str, Any]:
    """Take the whole quota in one call, then one IP at a time until refused.

    Returns what it got, the NotEnoughIps messages and any other error, never raises.
    """
    assert _barrier is not None
    db = Database(db_url)
    actor = Actor(name=f"tests:take:{account}", request_id=f"pid-{os.getpid()}")
    out: dict[str, Any] = {"account": account, "pid": os.getpid(), "taken": [], "refusals": []}
    try:
        with db.engine.connect():  # connect before the start, so the race is the takes'
            pass
        _barrier.wait(wait)
        for count in (quota, *([1] * (quota + 1))):
            try:
                out["taken"] += take_ips(
                    db, account=get_account(db, username=account), count=count, actor=actor
                )
            except NotEnoughIps as exc:
                out["refusals"].append((count, exc.message))
                if count == 1:
                    break
    except Exception:  # reported to the test, which fails on it
        out["error"] = traceback.format_exc()
    finally:
        db.dispose()
    return out
