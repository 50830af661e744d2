"""Repositories: the SQL of every use case, on one connection inside one transaction."""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, delete, exists, false, func, insert, select, update
from sqlalchemy.engine import Connection
from sqlalchemy.exc import IntegrityError

from ipfleet.domain.errors import AccountExists
from ipfleet.domain.records import Account, ApiKeyInfo, IpRow
from ipfleet.domain.states import IpState
from ipfleet.store import raw
from ipfleet.store.tables import (
    accounts,
    api_keys,
    change_log,
    holdings,
    ip_addresses,
    pool_members,
    subusers,
)

# Stays under SQLite's bound-parameter limit on old builds and keeps PostgreSQL plans sane.
CHUNK = 900


def chunks(items: Sequence[Any], size: int = CHUNK) -> Iterator[Sequence[Any]]:
    """Consecutive slices of at most ``size`` items."""
    for start in range(0, len(items), size):
        yield items[start : start + size]


def storable(text: str) -> bool:
    """Whether both backends can store and compare ``text``.

    The store owns this rule: PostgreSQL refuses NUL even in a comparison, and no stored
    name holds one (names are checked), so every lookup by a text holding NUL finds
    nothing here, and the layers above need not check.
    """
    return "\x00" not in text


def contains(conn: Connection, column: Any, needle: str) -> ColumnElement[bool]:
    """A case-sensitive substring test on both backends (LIKE folds case on SQLite);
    a needle that cannot be stored matches nothing."""
    if not storable(needle):
        return false()
    fn = func.strpos if conn.dialect.name == "postgresql" else func.instr
    result: ColumnElement[bool] = fn(column, needle) > 0
    return result


# The statements of the hottest write (v2 set=specify), built once: constructing them per
# call cost about a fifth of the write in the profile.
# Plain DBAPI (store/raw.py): both run in every v2 set=specify write.
_FIND = raw.Statement(
    "SELECT id, address, account_id FROM ip_addresses"
    " WHERE address IN (SELECT value FROM json_each(?))",
    "SELECT id, address, account_id FROM ip_addresses WHERE address = ANY(%s)",
)
_LOG = raw.Statement(
    "INSERT INTO change_log (at, actor, request_id, account_id, action, subject, before, after)"
    " VALUES (?, ?, ?, ?, ?, ?, ?, ?)"
)


def by_bytes(conn: Connection, column: Any) -> Any:
    """Order by code point on both backends, whatever PostgreSQL's collation."""
    return column.collate("C") if conn.dialect.name == "postgresql" else column


def _account(row: Any) -> Account:
    return Account(
        id=row.id,
        username=row.username,
        outbound_cluster=row.outbound_cluster,
        ip_quota=row.ip_quota,
        data_version=row.data_version,
    )


class AccountRepo:
    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    def create(self, username: str, outbound_cluster: str | None, now: datetime) -> int:
        stmt = insert(accounts).values(
            username=username, outbound_cluster=outbound_cluster, created_at=now
        )
        try:
            with self.conn.begin_nested():
                result = self.conn.execute(stmt)
        except IntegrityError:
            # Lost a race for the name with another transaction.
            raise AccountExists(username) from None
        return int(result.inserted_primary_key[0])  # type: ignore[index]

    def by_username(self, username: str) -> Account | None:
        if not storable(username):
            return None
        row = self.conn.execute(select(accounts).where(accounts.c.username == username)).first()
        return _account(row) if row else None

    def all(self) -> list[Account]:
        rows = self.conn.execute(select(accounts).order_by(accounts.c.username))
        return [_account(r) for r in rows]

    def get(self, account_id: int) -> Account:
        """The account as it is now in this transaction (after the write path's lock)."""
        return _account(
            self.conn.execute(select(accounts).where(accounts.c.id == account_id)).one()
        )


def named_links(
    conn: Connection, ids: Sequence[int], link_to: Any, name: Any
) -> list[tuple[str, str]]:
    """(address, name) for every row linking those IPs to a named row, where ``link_to``
    is the link table's column pointing at it and ``name`` the named table's column
    (holdings to subusers, pool memberships to pools); in numeric order, then by name."""
    link, named = link_to.table, name.table
    rows: list[tuple[str, str, str]] = []
    for part in chunks(ids):
        stmt = (
            select(ip_addresses.c.sort_key, ip_addresses.c.address, name)
            .join(link, link.c.ip_id == ip_addresses.c.id)
            .join(named, named.c.id == link_to)
            .where(ip_addresses.c.id.in_(part))
        )
        rows.extend((r[0], r[1], r[2]) for r in conn.execute(stmt))
    rows.sort()
    return [(address, label) for _, address, label in rows]


class KeyRepo:
    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    def add(self, account_id: int, key_id: str, secret_hash: str, name: str, now: datetime) -> None:
        self.conn.execute(
            insert(api_keys).values(
                account_id=account_id,
                key_id=key_id,
                secret_hash=secret_hash,
                name=name,
                created_at=now,
            )
        )

    def live_key(self, key_id: str) -> tuple[Account, str] | None:
        """The account and secret hash of an unrevoked key."""
        stmt = (
            select(accounts, api_keys.c.secret_hash)
            .join(api_keys, api_keys.c.account_id == accounts.c.id)
            .where(api_keys.c.key_id == key_id, api_keys.c.revoked_at.is_(None))
        )
        row = self.conn.execute(stmt).first()
        return (_account(row), row.secret_hash) if row else None

    def of_account(self, account_id: int) -> list[ApiKeyInfo]:
        stmt = (
            select(api_keys)
            .where(api_keys.c.account_id == account_id)
            .order_by(api_keys.c.created_at, api_keys.c.id)
        )
        return [
            ApiKeyInfo(
                key_id=r.key_id, name=r.name, created_at=r.created_at, revoked_at=r.revoked_at
            )
            for r in self.conn.execute(stmt)
        ]

    def revoke(self, account_id: int, key_id: str, now: datetime) -> bool:
        stmt = (
            update(api_keys)
            .where(
                api_keys.c.account_id == account_id,
                api_keys.c.key_id == key_id,
                api_keys.c.revoked_at.is_(None),
            )
            .values(revoked_at=now)
        )
        return self.conn.execute(stmt).rowcount == 1


def held_by_any() -> Any:
    return exists().where(holdings.c.ip_id == ip_addresses.c.id)


def held_by_active() -> Any:
    return (
        exists()
        .where(holdings.c.ip_id == ip_addresses.c.id)
        .where(subusers.c.id == holdings.c.subuser_id, subusers.c.active.is_(True))
    )


def held_on(account_id: int, state: IpState) -> Any:
    """Ids of the account's IPs that are not ``state`` (free: held by anyone; available:
    held by an active subuser), from the account's holdings."""
    stmt = select(holdings.c.ip_id).where(holdings.c.account_id == account_id)
    if state is IpState.AVAILABLE:
        stmt = stmt.join(subusers, subusers.c.id == holdings.c.subuser_id).where(
            subusers.c.active.is_(True)
        )
    return stmt


class IpRepo:
    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    def _in_state(self, stmt: Any, account_id: int, state: IpState, needle: str | None) -> Any:
        stmt = stmt.where(ip_addresses.c.account_id == account_id)
        if needle:
            stmt = stmt.where(contains(self.conn, ip_addresses.c.address, needle))
        if state is IpState.TAKEN:
            stmt = stmt.where(held_by_any())
        elif state in (IpState.FREE, IpState.AVAILABLE) and self.conn.dialect.name == "sqlite":
            # SQLite runs NOT EXISTS once per IP (two index probes each, 70,000 IPs for the
            # large dataset's S4); NOT IN reads the account's holdings once into a temporary
            # index. PostgreSQL plans NOT EXISTS as a hash anti join already, and NOT IN
            # there is hashed only while the holdings fit in work_mem.
            stmt = stmt.where(ip_addresses.c.id.not_in(held_on(account_id, state)))
        elif state is IpState.FREE:
            stmt = stmt.where(~held_by_any())
        elif state is IpState.AVAILABLE:
            stmt = stmt.where(~held_by_active())
        return stmt.order_by(ip_addresses.c.sort_key)

    def state_counts(self, account_id: int | None) -> dict[IpState, int]:
        """How many of the account's addresses are in each state (``None``: summed over
        every account, for the fleet gauges; an IP is on one account at most).

        Counted from the holdings (few) rather than by testing every address (many): free
        is all minus those held by anyone, available all minus those held by an active one.
        """
        everything = select(func.count()).where(
            ip_addresses.c.account_id.is_not(None)
            if account_id is None
            else ip_addresses.c.account_id == account_id
        )
        held = select(func.count(func.distinct(holdings.c.ip_id)))
        if account_id is not None:
            held = held.where(holdings.c.account_id == account_id)
        held_active = held.join(subusers, subusers.c.id == holdings.c.subuser_id).where(
            subusers.c.active.is_(True)
        )
        total, taken, busy = (
            int(self.conn.scalar(q) or 0) for q in (everything, held, held_active)
        )
        return {
            IpState.ALL: total,
            IpState.TAKEN: taken,
            IpState.FREE: total - taken,
            IpState.AVAILABLE: total - busy,
        }

    def list_state(self, account_id: int, state: IpState, needle: str | None = None) -> list[str]:
        """The account's addresses in ``state`` (containing ``needle``), in numeric order."""
        stmt = self._in_state(select(ip_addresses.c.address), account_id, state, needle)
        return list(self.conn.scalars(stmt))

    def hostnames(self, account_id: int, state: IpState) -> list[tuple[str, str | None]]:
        """(address, hostname) of the account's addresses in ``state``, in numeric order."""
        cols = select(ip_addresses.c.address, ip_addresses.c.hostname)
        stmt = self._in_state(cols, account_id, state, None)
        return [(r.address, r.hostname) for r in self.conn.execute(stmt)]

    def placements(
        self, account_id: int, state: IpState, mta: str | None
    ) -> list[tuple[str, str | None, str | None, bool]]:
        """(address, hostname, MTA, enabled) of the account's addresses in ``state``
        (only those placed on ``mta`` when given), in numeric order."""
        cols = select(
            ip_addresses.c.address,
            ip_addresses.c.hostname,
            ip_addresses.c.mta,
            ip_addresses.c.enabled,
        )
        stmt = self._in_state(cols, account_id, state, None)
        if mta is not None:
            stmt = stmt.where(ip_addresses.c.mta == mta)
        return [(r.address, r.hostname, r.mta, bool(r.enabled)) for r in self.conn.execute(stmt)]

    def find(self, addresses: Sequence[str]) -> dict[str, IpRow]:
        """Rows of those addresses that exist, whoever owns them."""
        found: dict[str, IpRow] = {}
        sqlite = self.conn.dialect.name == "sqlite"
        for part in chunks(addresses):
            listed = json.dumps(list(part)) if sqlite else list(part)
            for ip_id, address, account_id in raw.rows(self.conn, _FIND, (listed,)):
                found[address] = IpRow(id=ip_id, address=address, account_id=account_id)
        return found

    def on_account(self, account_id: int) -> list[IpRow]:
        """Every row on the account, in numeric order."""
        stmt = (
            select(ip_addresses.c.id, ip_addresses.c.address)
            .where(ip_addresses.c.account_id == account_id)
            .order_by(ip_addresses.c.sort_key)
        )
        return [
            IpRow(id=r.id, address=r.address, account_id=account_id)
            for r in self.conn.execute(stmt)
        ]

    def insert_many(self, rows: Sequence[dict[str, Any]]) -> None:
        if rows and self.conn.dialect.name == "postgresql":
            raw.copy_rows(self.conn, ip_addresses, rows)
            return
        for part in chunks(rows, 500):
            self.conn.execute(insert(ip_addresses), list(part))

    def assign(
        self, ids: Sequence[int], account_id: int | None, now: datetime | None, **values: Any
    ) -> None:
        for part in chunks(ids):
            self.conn.execute(
                update(ip_addresses)
                .where(ip_addresses.c.id.in_(part))
                .values(account_id=account_id, assigned_at=now, **values)
            )

    def delete(self, ids: Sequence[int]) -> None:
        for part in chunks(ids):
            self.conn.execute(delete(ip_addresses).where(ip_addresses.c.id.in_(part)))

    def holders(self, ids: Sequence[int]) -> list[tuple[str, str]]:
        """(address, subuser username) for every holding of those IPs, sorted."""
        return named_links(self.conn, ids, holdings.c.subuser_id, subusers.c.username)

    def release(self, ids: Sequence[int]) -> None:
        """Drop every holding of those IPs."""
        for part in chunks(ids):
            self.conn.execute(delete(holdings).where(holdings.c.ip_id.in_(part)))

    def leave_pools(self, ids: Sequence[int]) -> list[int]:
        """Drop those IPs from every pool; return the ids that were in one."""
        left: list[int] = []
        for part in chunks(ids):
            cond = pool_members.c.ip_id.in_(part)
            left.extend(self.conn.scalars(select(pool_members.c.ip_id).where(cond).distinct()))
            self.conn.execute(delete(pool_members).where(cond))
        return left

    def identities(self, ids: Sequence[int]) -> list[dict[str, Any]]:
        """What identifies those IPs to the world (host name, whitelabel flag, warmup), for
        each one that has any of it set, in numeric order."""
        cols = (
            ip_addresses.c.address,
            ip_addresses.c.hostname,
            ip_addresses.c.whitelabeled,
            ip_addresses.c.warmup_started_at,
        )
        found: list[Any] = []
        for part in chunks(ids):
            stmt = select(ip_addresses.c.sort_key, *cols).where(
                ip_addresses.c.id.in_(part),
                (ip_addresses.c.hostname.is_not(None))
                | ip_addresses.c.whitelabeled.is_(True)
                | ip_addresses.c.warmup_started_at.is_not(None),
            )
            found.extend(self.conn.execute(stmt))
        found.sort(key=lambda r: r.sort_key)
        return [
            {
                "address": r.address,
                "hostname": r.hostname,
                "whitelabeled": bool(r.whitelabeled),
                "warmup_started_at": r.warmup_started_at,
            }
            for r in found
        ]

    def clear_identity(self, ids: Sequence[int]) -> None:
        """Forget those IPs' host name, whitelabel flag and warmup."""
        for part in chunks(ids):
            self.conn.execute(
                update(ip_addresses)
                .where(ip_addresses.c.id.in_(part))
                .values(hostname=None, whitelabeled=False, warmup_started_at=None)
            )

    def set_whitelabeled(self, ip_id: int, on: bool) -> None:
        self.conn.execute(
            update(ip_addresses).where(ip_addresses.c.id == ip_id).values(whitelabeled=on)
        )

    def mta_of(self, ip_id: int) -> str | None:
        return self.conn.scalar(select(ip_addresses.c.mta).where(ip_addresses.c.id == ip_id))

    def set_mta(self, ip_id: int, mta: str | None) -> None:
        self.conn.execute(update(ip_addresses).where(ip_addresses.c.id == ip_id).values(mta=mta))

    def set_hostname(self, ip_id: int, hostname: str | None) -> None:
        self.conn.execute(
            update(ip_addresses).where(ip_addresses.c.id == ip_id).values(hostname=hostname)
        )


class ChangeLogRepo:
    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    def write(
        self,
        *,
        at: datetime,
        actor: str,
        request_id: str,
        account_id: int | None,
        action: str,
        subject: str,
        before: Any,
        after: Any,
    ) -> None:
        c, conn = change_log.c, self.conn
        row = (
            raw.bind(conn, c.at, at),
            actor,
            request_id,
            account_id,
            action,
            subject,
            raw.bind(conn, c.before, before),
            raw.bind(conn, c.after, after),
        )
        # The change log is the write path's own record, not a change to be logged.
        raw.change(conn, _LOG, row, counted=False)

    def entries(self, account_id: int | None = None) -> list[dict[str, Any]]:
        """The log in order of writing, optionally for one account."""
        stmt = select(change_log).order_by(change_log.c.id)
        if account_id is not None:
            stmt = stmt.where(change_log.c.account_id == account_id)
        return [dict(r._mapping) for r in self.conn.execute(stmt)]
