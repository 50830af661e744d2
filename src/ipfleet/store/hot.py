"""The hottest reads as plain-DBAPI statements on a long-lived connection.

Every v2 and v3 request checks its key and reads the account's data version; most v2
requests then read one subuser's IPs, most v3 reads a page of the account's IPs. Through
SQLAlchemy these cost ~10x what SQLite itself spends (statement building, pool checkout,
BEGIN/COMMIT, result processing), so each thread keeps one autocommit connection and runs
fixed, parameterised SQL on it. Autocommit means every statement sees every committed
write, which the answer cache's freshness rule relies on.
"""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, TypeVar

from sqlalchemy import Engine

from ipfleet.domain.records import Account
from ipfleet.store.repos import chunks, storable

#: ``observe(operation, seconds)``, told the time of each database unit when set: the API
#: points it at its metrics. The store loads no metrics library itself (the CLI loads the
#: store, and must not load prometheus-client before ``ipfleet serve`` has set it up).
Observer = Callable[[str, float], None]
R = TypeVar("R")

_CREDENTIALS = (
    "SELECT a.id, a.username, a.outbound_cluster, a.ip_quota, a.data_version, k.secret_hash"
    " FROM api_keys k JOIN accounts a ON a.id = k.account_id"
    " WHERE k.key_id = ? AND k.revoked_at IS NULL"
)
_SUBUSER_IPS = (
    "SELECT s.id, ip.address FROM subusers s"
    " LEFT JOIN holdings h ON h.subuser_id = s.id"
    " LEFT JOIN ip_addresses ip ON ip.id = h.ip_id"
    " WHERE s.account_id = ? AND s.username = ? ORDER BY ip.sort_key"
)

_IP_PAGE = (
    "SELECT id, address, hostname, whitelabeled, warmup_started_at, assigned_at"
    " FROM ip_addresses WHERE account_id = ? ORDER BY sort_key {direction} LIMIT ? OFFSET ?"
)
_HOLDERS = (
    "SELECT h.ip_id, s.username FROM holdings h JOIN subusers s ON s.id = h.subuser_id"
    " WHERE h.ip_id IN ({ids})"
)
_POOLS = (
    "SELECT m.ip_id, p.name FROM pool_members m JOIN pools p ON p.id = m.pool_id"
    " WHERE m.ip_id IN ({ids}) ORDER BY p.name"
)


@dataclass(frozen=True, slots=True)
class IpRow:
    """One IP of a page, with its holders' usernames (sorted) and its pools (by name)."""

    id: int
    address: str
    hostname: str | None
    whitelabeled: bool
    warmup_started_at: datetime | None
    assigned_at: datetime | None
    holders: list[str]
    pools: list[str]


def _utc(value: datetime | str) -> datetime:
    """A stored time in UTC (SQLite hands back the text SQLAlchemy stored, without a zone)."""
    if isinstance(value, str):
        return datetime.fromisoformat(value + "+00:00")
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)


class HotReads:
    """Per-thread autocommit connections for ``credentials`` and ``subuser_ips``."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.postgres = engine.dialect.name == "postgresql"
        self.local = threading.local()
        self.lock = threading.Lock()
        self.opened: list[Any] = []
        self.observe: Observer | None = None  # set by Database.observe_with

    def _sql(self, sql: str) -> str:
        return sql.replace("?", "%s") if self.postgres else sql

    def _connection(self) -> Any:
        conn: Any = getattr(self.local, "conn", None)
        if conn is None:
            proxied = self.engine.raw_connection()
            proxied.detach()  # ours for the thread's life, not the pool's
            conn = proxied.dbapi_connection
            if self.postgres:
                conn.autocommit = True
            # SQLite: the engine's connect hook already left the driver in autocommit.
            self.local.conn = conn
            with self.lock:
                self.opened.append(conn)
        return conn

    def rows(self, sql: str, params: tuple[Any, ...]) -> list[Any]:
        """Every row of one fixed statement (written with ``?`` placeholders)."""
        return self._rows(sql, params)

    def _rows(self, sql: str, params: tuple[Any, ...]) -> list[Any]:
        return self._run(lambda conn: self._fetch(conn, sql, params))

    def _fetch(self, conn: Any, sql: str, params: tuple[Any, ...]) -> list[Any]:
        cur = conn.cursor()
        try:
            cur.execute(self._sql(sql), params)
            return list(cur.fetchall())
        finally:
            cur.close()

    def _run(self, work: Callable[[Any], R]) -> R:
        """``work(connection)`` on this thread's connection, timed for the observer."""
        start = time.perf_counter()
        try:
            for attempt in (1, 2):
                conn = self._connection()
                try:
                    return work(conn)
                except self.engine.dialect.loaded_dbapi.OperationalError:
                    # A dropped connection (server restart): reconnect once, then give up.
                    self._forget(conn)
                    if attempt == 2:
                        raise
            raise AssertionError("unreachable")  # pragma: no cover
        finally:
            if self.observe is not None:
                self.observe("hot", time.perf_counter() - start)

    def _forget(self, conn: Any) -> None:
        self.local.conn = None
        with self.lock:
            if conn in self.opened:
                self.opened.remove(conn)
        with contextlib.suppress(Exception):  # already broken; nothing more to do
            conn.close()

    def credentials(self, key_id: str) -> tuple[Account, str] | None:
        """The account and secret hash of an unrevoked key."""
        rows = self._rows(_CREDENTIALS, (key_id,))
        if not rows:
            return None
        aid, username, cluster, quota, version, secret_hash = rows[0]
        return Account(aid, username, cluster, quota, version), secret_hash

    def subuser_ips(self, account_id: int, username: str) -> list[str] | None:
        """The subuser's explicit set in numeric order, or None if it has no such subuser."""
        if not storable(username):
            return None
        rows = self._rows(_SUBUSER_IPS, (account_id, username))
        if not rows:
            return None
        return [address for _, address in rows if address is not None]

    def ip_page(
        self, account_id: int, *, descending: bool, limit: int | None, offset: int
    ) -> list[IpRow]:
        """One page of the account's IPs in numeric order (or its reverse), each with its
        holders and pools: what ``IpDetailRepo.query`` and the views read, in one read
        transaction of three statements."""
        sql = _IP_PAGE.format(direction="DESC" if descending else "ASC")
        no_limit = None if self.postgres else -1
        params = (account_id, limit or no_limit, offset)
        return self._run(lambda conn: self._ip_page(conn, sql, params))

    def _ip_page(self, conn: Any, sql: str, params: tuple[Any, ...]) -> list[IpRow]:
        cur = conn.cursor()
        try:
            cur.execute("BEGIN")
            try:
                cur.execute(self._sql(sql), params)
                page = cur.fetchall()
                ids = [row[0] for row in page]
                holders = self._linked(cur, _HOLDERS, ids)
                for names in holders.values():
                    if len(names) > 1:
                        names.sort()
                pools = self._linked(cur, _POOLS, ids)
            finally:
                cur.execute("COMMIT")
        finally:
            cur.close()
        return [
            IpRow(
                i,
                address,
                hostname,
                bool(white),
                None if warmup is None else _utc(warmup),
                None if assigned is None else _utc(assigned),
                holders.get(i, []),
                pools.get(i, []),
            )
            for i, address, hostname, white, warmup, assigned in page
        ]

    def _linked(self, cur: Any, sql: str, ids: Sequence[int]) -> dict[int, list[str]]:
        """The names linked to each IP id by ``sql``, in the order the statement gives."""
        out: dict[int, list[str]] = {}
        for part in chunks(ids):
            cur.execute(self._sql(sql.format(ids=",".join("?" * len(part)))), tuple(part))
            for ip_id, name in cur.fetchall():
                out.setdefault(ip_id, []).append(name)
        return out

    def close(self) -> None:
        """Close every connection this object opened, in any thread."""
        with self.lock:
            conns, self.opened = self.opened, []
        for conn in conns:
            with contextlib.suppress(Exception):  # closing on shutdown, best effort
                conn.close()
        self.local = threading.local()
