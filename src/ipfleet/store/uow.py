"""The unit of work: one connection, one transaction, the repositories bound to it.

``Database.write`` runs a function inside a write transaction (``BEGIN IMMEDIATE`` on
SQLite), commits when it returns and rolls back when it raises, so a write happens whole
or not at all. A transient lock or serialization failure is retried from the start.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any, Generic, TypeVar

from sqlalchemy import Engine
from sqlalchemy.engine import Connection
from sqlalchemy.exc import DBAPIError, OperationalError

from ipfleet.store.engine import is_sqlite, make_engine
from ipfleet.store.hot import HotReads
from ipfleet.store.inventory_repo import InventoryRepo
from ipfleet.store.ip_detail_repo import IpDetailRepo
from ipfleet.store.pool_repo import PoolRepo
from ipfleet.store.quota_repo import QuotaRepo
from ipfleet.store.repos import AccountRepo, ChangeLogRepo, IpRepo, KeyRepo
from ipfleet.store.subuser_repo import SubuserRepo

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


BATCH = 64  # most writes one commit carries, so no write waits behind too many


class _Job(Generic[T]):
    """One queued write of a group commit."""

    def __init__(self, work: Callable[[UnitOfWork], T]) -> None:
        self.work = work
        self.result: T | None = None
        self.error: BaseException | None = None
        self.done = False

    def run(self, conn: Connection) -> None:
        savepoint = conn.begin_nested()
        try:
            self.result, self.error = self.work(UnitOfWork(conn)), None
        except Exception as exc:
            savepoint.rollback()
            self.result, self.error = None, exc
        else:
            savepoint.commit()


class Database:
    """A process's handle on the database."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.engine: Engine = make_engine(url)
        self.sqlite = is_sqlite(self.engine)
        self.hot = HotReads(self.engine)
        # SQLite has one writer at a time: writers queue here, and whoever holds the turn
        # commits everything queued so far in one transaction (see _group_commit).
        self._write_turn = threading.Lock()
        self._queue: list[_Job[Any]] = []
        self._queue_lock = threading.Lock()

    def read(self, work: Callable[[UnitOfWork], T]) -> T:
        """Run ``work`` in a read transaction (one consistent snapshot on SQLite)."""
        with self.engine.connect() as conn, conn.begin():
            return work(UnitOfWork(conn))

    def write(self, work: Callable[[UnitOfWork], T]) -> T:
        """Run ``work`` in a write transaction; commit on return, roll back on raise.

        The call returns only once its changes are committed. On SQLite, concurrent
        writes of this process share one commit, each in a savepoint of its own.
        """
        if self.sqlite:
            return self._group_commit(work)
        for attempt in range(RETRIES):
            try:
                with self.engine.connect() as conn, conn.begin():
                    return work(UnitOfWork(conn))
            except DBAPIError as exc:
                if attempt == RETRIES - 1 or not _retryable(exc):
                    raise
                time.sleep(0.01 * (2**attempt))
        raise AssertionError("unreachable")  # pragma: no cover

    def _group_commit(self, work: Callable[[UnitOfWork], T]) -> T:
        job: _Job[T] = _Job(work)
        with self._queue_lock:
            self._queue.append(job)
        with self._write_turn:
            if not job.done:
                self._run_batch()
        if job.error is not None:
            raise job.error
        return job.result  # type: ignore[return-value]

    def _run_batch(self) -> None:
        """Run every queued write in one ``BEGIN IMMEDIATE`` transaction (caller holds the
        turn). A write that raises rolls back to its savepoint and gets its error; the
        others commit. A commit that fails transiently reruns the whole batch."""
        with self._queue_lock:
            jobs, self._queue = self._queue[:BATCH], self._queue[BATCH:]
        try:
            self._commit_jobs(jobs)
        except BaseException as exc:  # even an interrupt must not leave a job unanswered
            for job in jobs:
                job.error = job.error or exc
            raise
        finally:
            for job in jobs:
                job.done = True

    def _commit_jobs(self, jobs: list[_Job[Any]]) -> None:
        for attempt in range(RETRIES):
            try:
                with self.engine.connect() as raw:
                    conn = raw.execution_options(sqlite_begin="IMMEDIATE")
                    with conn.begin():
                        for job in jobs:
                            job.run(conn)
            except DBAPIError as exc:
                if attempt == RETRIES - 1 or not _retryable(exc):
                    for job in jobs:
                        job.error = job.error or exc
                    return
                time.sleep(0.01 * (2**attempt))
            else:
                return

    def dispose(self) -> None:
        """Close every pooled connection, and the hot-path ones."""
        self.hot.close()
        self.engine.dispose()
