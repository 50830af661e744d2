"""The unit of work: one connection, one transaction, the repositories bound to it.

``Database.write`` is the one write path. It runs a function inside a write transaction
(``BEGIN IMMEDIATE`` on SQLite), commits when it returns and rolls back when it raises, so
a write happens whole or not at all; a transient lock or serialization failure is retried
from the start. It also owns the two rules every write follows, so services only describe
the change:

- the account's data version is bumped first (readers cache on it, and on PostgreSQL the
  bump locks the account row, which serialises writers of one account);
- concurrent writes of one process share one transaction and one commit (group commit),
  each in its own savepoint, so each is still whole or nothing;
- the change is logged: ``WriteUnit.record`` writes the change-log row with the write's
  actor and request id, and bumps every account it names that was not bumped yet. A write
  whose statements changed rows but that recorded nothing is a bug: it is refused and
  rolled back (``UnloggedWrite``), in production as in tests.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any, Generic, TypeVar

from sqlalchemy import Engine, event
from sqlalchemy.engine import Connection
from sqlalchemy.engine.default import DefaultExecutionContext
from sqlalchemy.exc import DBAPIError, OperationalError

from ipfleet.domain.records import Account, Actor
from ipfleet.store import raw
from ipfleet.store.domain_repo import SendingDomainRepo
from ipfleet.store.engine import is_sqlite, make_engine
from ipfleet.store.hot import HotReads, Observer
from ipfleet.store.inventory_repo import InventoryRepo
from ipfleet.store.ip_detail_repo import IpDetailRepo
from ipfleet.store.operator_repo import OperatorRepo
from ipfleet.store.pool_repo import PoolRepo
from ipfleet.store.quota_repo import QuotaRepo
from ipfleet.store.repos import AccountRepo, ChangeLogRepo, IpRepo, KeyRepo
from ipfleet.store.routing_repo import RoutingRepo
from ipfleet.store.state_repo import StateRepo
from ipfleet.store.subuser_repo import SubuserRepo
from ipfleet.store.tables import write_clock

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
        self.domains = SendingDomainRepo(conn)
        self.routing = RoutingRepo(conn)
        self.state = StateRepo(conn)
        self.operators = OperatorRepo(conn)


class UnloggedWrite(RuntimeError):
    """A write changed rows but recorded no change-log row: a bug in the service."""


# Plain DBAPI (store/raw.py): both run in every write. On PostgreSQL the clock is a
# transaction-local setting, gone when the write commits or rolls back.
_SET_CLOCK = raw.Statement(
    "UPDATE write_clock SET at = ? WHERE id = 1", "SELECT set_config('ipfleet.now', %s, true)"
)
_BUMP = raw.Statement("UPDATE accounts SET data_version = data_version + 1 WHERE id = ?")
_UNIT = raw.UNIT
# Each write of a batch runs inside this savepoint, released before the next one opens it.
_SAVEPOINT = raw.Statement("SAVEPOINT ipfleet_write")
_RELEASE = raw.Statement("RELEASE SAVEPOINT ipfleet_write")
_ROLLBACK_TO = raw.Statement("ROLLBACK TO SAVEPOINT ipfleet_write")


class WriteUnit(UnitOfWork):
    """The repositories of one write transaction, with the write's bookkeeping."""

    def __init__(self, conn: Connection, actor: Actor) -> None:
        super().__init__(conn)
        self.actor = actor
        # One instant for the whole write: its change-log rows and its timeline periods.
        self.at = datetime.now(UTC)
        self.changed_rows = 0  # rows changed by the service's own statements
        self.records = 0
        self._touched: set[int] = set()
        self._bookkeeping = False

    def _bump(self, account_id: int) -> None:
        """Bump the account's data version, once per transaction; on PostgreSQL this also
        locks the account row, which serialises the writers of one account."""
        if account_id in self._touched:
            return
        self._touched.add(account_id)
        raw.change(self.conn, _BUMP, (account_id,), counted=False)

    def record(
        self,
        action: str,
        subject: str,
        *,
        account_id: int | None,
        before: Any = None,
        after: Any = None,
    ) -> None:
        """Write one change-log row for this write (and bump the account it names)."""
        if account_id is not None:
            self._bump(account_id)
        self._bookkeeping = True
        try:
            self.log.write(
                at=self.at,
                actor=self.actor.name,
                request_id=self.actor.request_id,
                account_id=account_id,
                action=action,
                subject=subject,
                before=before,
                after=after,
            )
        finally:
            self._bookkeeping = False
        self.records += 1

    def start_clock(self) -> None:
        """Tell the timeline's triggers the time of this write (migration 0006)."""
        if self.conn.dialect.name == "sqlite":
            at = raw.bind(self.conn, write_clock.c.at, self.at)
        else:
            at = self.at.isoformat()
        raw.change(self.conn, _SET_CLOCK, (at,), counted=False)

    def saw_statement(self, context: DefaultExecutionContext, rowcount: int) -> None:
        """Count a statement's changed rows (called for every statement on the connection)."""
        if self._bookkeeping or not (context.isinsert or context.isupdate or context.isdelete):
            return
        self.changed_rows += 1 if rowcount < 0 else rowcount  # -1: the driver cannot tell

    def check(self) -> None:
        """Refuse to commit a change that left no trace in the change log."""
        if self.changed_rows and not self.records:
            raise UnloggedWrite(f"{self.changed_rows} rows changed and nothing recorded")


def _count_changes(
    conn: Connection,
    cursor: Any,
    statement: str,
    parameters: Any,
    context: Any,
    executemany: bool,
) -> None:
    unit = conn.info.get(_UNIT)
    if unit is not None and isinstance(context, DefaultExecutionContext):
        unit.saw_statement(context, cursor.rowcount)


def _in_write_unit(
    conn: Connection, work: Callable[[WriteUnit], T], actor: Actor, account: Account | None
) -> T:
    """Run ``work`` as one write on ``conn`` (inside the caller's transaction)."""
    unit = WriteUnit(conn, actor)
    conn.info[_UNIT] = unit
    try:
        unit.start_clock()
        if account is not None:
            unit._bump(account.id)
        result = work(unit)
        unit.check()
        return result
    finally:
        conn.info.pop(_UNIT, None)


def _retryable(exc: DBAPIError) -> bool:
    if isinstance(exc, OperationalError) and "database is locked" in str(exc.orig):
        return True
    return getattr(exc.orig, "sqlstate", None) in RETRYABLE_SQLSTATES


BATCH = 64  # most writes one commit carries, so no write waits behind too many
# The SQLite writer's page cache. A write touches random pages of the holdings, the
# timeline's periods and their indexes (the triggers of migration 0006); with SQLite's
# default 2 MB most of them are read again from the OS for every write. Only the writer's
# connection gets it (writes are serial, so its pool holds one), not the readers'.
WRITER_CACHE_MB = 32
# When the writer's commit checkpoints the WAL into the database file (in pages of 4 KiB:
# 64 MiB). A checkpoint costs two fsyncs and a write of every page the WAL changed, and
# the commit that runs it waits for it. SQLite's default, 1,000 pages, came every twenty
# or so S3 writes (each changes ~40 pages: holdings, the timeline's periods, their
# indexes) and was most of a write's time; sixteen times fewer checkpoints also write a
# page changed again meanwhile once, not each time. Durability is unchanged: with
# synchronous=NORMAL a commit is in the WAL either way.
WRITER_CHECKPOINT_PAGES = 16_384


class _Job(Generic[T]):
    """One queued write of a group commit."""

    def __init__(
        self, work: Callable[[WriteUnit], T], actor: Actor, account: Account | None
    ) -> None:
        self.work = work
        self.actor = actor
        self.account = account
        self.result: T | None = None
        self.error: BaseException | None = None
        self.done = False

    def run(self, conn: Connection) -> None:
        # The write's savepoint as plain statements (store/raw.py): through Core's
        # begin_nested, SAVEPOINT and RELEASE were the two costliest statements of a
        # set=specify write in Python. Savepoints a service opens inside (always in a
        # ``with``) nest in this one as before.
        raw.change(conn, _SAVEPOINT, (), counted=False)
        try:
            self.result = _in_write_unit(conn, self.work, self.actor, self.account)
            self.error = None
        except DBAPIError as exc:
            _undo(conn)
            if _retryable(exc):
                raise  # a deadlock or lost race: the whole batch is retried from the start
            self.result, self.error = None, exc
        except Exception as exc:
            _undo(conn)
            self.result, self.error = None, exc
        else:
            raw.change(conn, _RELEASE, (), counted=False)


def _undo(conn: Connection) -> None:
    """Roll the failed write back to its savepoint and drop it: the batch goes on."""
    raw.change(conn, _ROLLBACK_TO, (), counted=False)
    raw.change(conn, _RELEASE, (), counted=False)


class Database:
    """A process's handle on the database."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.engine: Engine = make_engine(url)
        self.sqlite = is_sqlite(self.engine)
        self._writer: Engine = (
            make_engine(
                url,
                sqlite_cache_mb=WRITER_CACHE_MB,
                sqlite_checkpoint_pages=WRITER_CHECKPOINT_PAGES,
            )
            if self.sqlite
            else self.engine
        )
        for engine in {self.engine, self._writer}:
            event.listen(engine, "after_cursor_execute", _count_changes)
        self.hot = HotReads(self.engine)
        self.observe: Observer | None = None  # see observe_with
        # Writers queue here, and whoever holds the turn commits everything queued so far in
        # one transaction (see _group_commit). SQLite has one writer at a time anyway; on
        # PostgreSQL every write bumps its account's row, so the writes of one account are
        # serial until their commit (a flush to disk): sharing the commit is what lets them
        # go faster than one per flush.
        self._write_turn = threading.Lock()
        self._queue: list[_Job[Any]] = []
        self._queue_lock = threading.Lock()

    def observe_with(self, observer: Observer | None) -> None:
        """Tell ``observer`` the time of every read transaction (``read``), every commit of
        a batch of writes (``write``) and every hot-path statement (``hot``)."""
        self.observe = self.hot.observe = observer

    def read(self, work: Callable[[UnitOfWork], T]) -> T:
        """Run ``work`` in a read transaction (one consistent snapshot on SQLite)."""
        start = time.perf_counter()
        try:
            with self.engine.connect() as conn, conn.begin():
                return work(UnitOfWork(conn))
        finally:
            if self.observe is not None:
                self.observe("read", time.perf_counter() - start)

    def write(
        self,
        work: Callable[[WriteUnit], T],
        *,
        actor: Actor,
        account: Account | None = None,
    ) -> T:
        """Run ``work`` as one write by ``actor``; commit on return, roll back on raise.

        ``account`` is the account written to: its data version is bumped before ``work``
        runs (operator writes to the inventory alone name none). ``work`` describes its
        change with ``WriteUnit.record``. The call returns only once its changes are
        committed. Concurrent writes of this process share one commit, each in a savepoint
        of its own (group commit), on SQLite and PostgreSQL alike.
        """
        return self._group_commit(_Job(work, actor, account))

    def _group_commit(self, job: _Job[T]) -> T:
        with self._queue_lock:
            self._queue.append(job)
        with self._write_turn:
            if not job.done:
                self._run_batch()
        if job.error is not None:
            raise job.error
        return job.result  # type: ignore[return-value]

    def _run_batch(self) -> None:
        """Run every queued write in one transaction (``BEGIN IMMEDIATE`` on SQLite; the
        caller holds the turn). A write that raises rolls back to its savepoint and gets its
        error; the others commit. A transient failure (a lock, a deadlock, a serialization
        failure, in a write or at the commit) reruns the whole batch."""
        with self._queue_lock:
            jobs, self._queue = self._queue[:BATCH], self._queue[BATCH:]
        start = time.perf_counter()
        try:
            self._commit_jobs(jobs)
        except BaseException as exc:  # even an interrupt must not leave a job unanswered
            for job in jobs:
                job.error = job.error or exc
            raise
        finally:
            for job in jobs:
                job.done = True
            if self.observe is not None:
                self.observe("write", time.perf_counter() - start)

    def _commit_jobs(self, jobs: list[_Job[Any]]) -> None:
        # sqlite_begin is read by the SQLite engine's "begin" listener; PostgreSQL ignores it.
        for attempt in range(RETRIES):
            try:
                with self._writer.connect() as raw:
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
        self._writer.dispose()
