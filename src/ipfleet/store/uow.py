"""The unit of work: one connection, one transaction, the repositories bound to it.

``Database.write`` runs a function inside a write transaction (``BEGIN IMMEDIATE`` on
SQLite), commits when it returns and rolls back when it raises, so a write happens whole
or not at all. A transient lock or serialization failure is retried from the start.
"""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Callable
from typing import TypeVar

from sqlalchemy import Engine
from sqlalchemy.engine import Connection
from sqlalchemy.exc import DBAPIError, OperationalError

from ipfleet.store.engine import is_sqlite, make_engine
from ipfleet.store.hot import HotReads
from ipfleet.store.inventory_repo import InventoryRepo
from ipfleet.store.ip_detail_repo import IpDetailRepo
from ipfleet.store.pool_repo import PoolRepo
from ipfleet.store.quota_repo import QuotaRepo
from ipfleet.store.repos import AccountRepo, ChangeLogRepo, IpRepo, KeyRepo, SubuserRepo

T = TypeVar("T")

RETRIES = 5
# PostgreSQL: serialization_failure, deadlock_detected, lock_not_available.
RETRYABLE_SQLSTATES = frozenset({"40001", "40P01", "55P03"})


class UnitOfWork:
    """The repositories of one transaction."""

    def __init__(self, conn: Connection) -> None:
        self.conn = conn
        self.accounts = AccountRepo(conn)
        self.keys = KeyRepo(conn)
        self.ips = IpRepo(conn)
        self.subusers = SubuserRepo(conn)
        self.log = ChangeLogRepo(conn)
        self.inventory = InventoryRepo(conn)
        self.pools = PoolRepo(conn)
        self.ip_details = IpDetailRepo(conn)
        self.quota = QuotaRepo(conn)


def _retryable(exc: DBAPIError) -> bool:
    if isinstance(exc, OperationalError) and "database is locked" in str(exc.orig):
        return True
    return getattr(exc.orig, "sqlstate", None) in RETRYABLE_SQLSTATES


class Database:
    """A process's handle on the database."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.engine: Engine = make_engine(url)
        self.sqlite = is_sqlite(self.engine)
        self.hot = HotReads(self.engine)
        # SQLite has one writer at a time; queueing on a lock here wakes the next writer
        # at once, where SQLite's busy handler would have it sleep and poll.
        self._write_turn = threading.Lock() if self.sqlite else contextlib.nullcontext()

    def read(self, work: Callable[[UnitOfWork], T]) -> T:
        """Run ``work`` in a read transaction (one consistent snapshot on SQLite)."""
        with self.engine.connect() as conn, conn.begin():
            return work(UnitOfWork(conn))

    def write(self, work: Callable[[UnitOfWork], T]) -> T:
        """Run ``work`` in a write transaction; commit on return, roll back on raise."""
        for attempt in range(RETRIES):
            try:
                with self._write_turn, self.engine.connect() as raw:
                    conn = raw.execution_options(sqlite_begin="IMMEDIATE") if self.sqlite else raw
                    with conn.begin():
                        return work(UnitOfWork(conn))
            except DBAPIError as exc:
                if attempt == RETRIES - 1 or not _retryable(exc):
                    raise
                time.sleep(0.01 * (2**attempt))
        raise AssertionError("unreachable")  # pragma: no cover

    def dispose(self) -> None:
        """Close every pooled connection, and the hot-path ones."""
        self.hot.close()
        self.engine.dispose()
