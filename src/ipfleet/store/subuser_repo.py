"""Subusers: lookups, profiles, and the sets of IPs they hold."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from sqlalchemy import delete, exists, func, insert, select, update
from sqlalchemy.engine import Connection
from sqlalchemy.exc import IntegrityError

from ipfleet.domain.errors import SubuserExists
from ipfleet.domain.records import Subuser
from ipfleet.store import raw
from ipfleet.store.repos import by_bytes, chunks, contains, storable
from ipfleet.store.tables import holdings, ip_addresses, subusers

# Plain DBAPI (store/raw.py): they run on every v2 set=specify write.
_SUBUSER = raw.Statement(
    "SELECT id, account_id, username, email, active FROM subusers"
    " WHERE account_id = ? AND username = ?"
)
_SUBUSER_IPS = raw.Statement(
    "SELECT ip.address FROM ip_addresses ip JOIN holdings h ON h.ip_id = ip.id"
    " WHERE h.subuser_id = ? ORDER BY ip.sort_key"
)
_HELD = raw.Statement(
    "SELECT h.ip_id, ip.address FROM ip_addresses ip JOIN holdings h ON h.ip_id = ip.id"
    " WHERE h.subuser_id = ? ORDER BY ip.sort_key"
)
_UNHOLD = raw.Statement("DELETE FROM holdings WHERE subuser_id = ? AND ip_id = ?")
_HOLD = raw.Statement("INSERT INTO holdings (subuser_id, ip_id, account_id) VALUES (?, ?, ?)")


def _subuser(row: Any) -> Subuser:
    return Subuser(
        id=row.id,
        account_id=row.account_id,
        username=row.username,
        email=row.email,
        active=bool(row.active),
    )


# What a subuser's profile shows: everything but keys, timestamps and the password hash.
_PROFILE_COLS = [
    c
    for c in subusers.c
    if c.name not in ("password_hash", "id", "account_id", "created_at", "sending_domain_id")
]


class SubuserRepo:
    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    def create(
        self,
        account_id: int,
        username: str,
        email: str,
        now: datetime,
        *,
        password_hash: str | None = None,
        profile: dict[str, str] | None = None,
    ) -> int:
        stmt = insert(subusers).values(
            account_id=account_id,
            username=username,
            email=email,
            active=True,
            created_at=now,
            password_hash=password_hash,
            **(profile or {}),
        )
        try:
            with self.conn.begin_nested():
                result = self.conn.execute(stmt)
        except IntegrityError:
            # Lost a race for the name with another transaction.
            raise SubuserExists from None
        return int(result.inserted_primary_key[0])  # type: ignore[index]

    def get(self, account_id: int, username: str) -> Subuser | None:
        """The subuser of that account; another account's subuser is not found."""
        if not storable(username):
            return None
        found = raw.rows(self.conn, _SUBUSER, (account_id, username))
        if not found:
            return None
        sid, aid, name, email, active = found[0]
        return Subuser(id=sid, account_id=aid, username=name, email=email, active=bool(active))

    def by_ids(self, account_id: int, ids: Iterable[int]) -> dict[int, Subuser]:
        """The account's subusers among ``ids``, keyed by id (others' are left out)."""
        found: dict[int, Subuser] = {}
        for part in chunks(list(ids)):
            stmt = select(subusers).where(
                subusers.c.account_id == account_id, subusers.c.id.in_(part)
            )
            found.update((r.id, _subuser(r)) for r in self.conn.execute(stmt))
        return found

    def holder_ids(self, ip_id: int, after_id: int | None, limit: int) -> list[int]:
        """The ids of the subusers holding the IP, ascending, after ``after_id``."""
        stmt = select(holdings.c.subuser_id).where(holdings.c.ip_id == ip_id)
        if after_id is not None:
            stmt = stmt.where(holdings.c.subuser_id > after_id)
        return list(self.conn.scalars(stmt.order_by(holdings.c.subuser_id).limit(limit)))

    def name_taken(self, username: str) -> bool:
        if not storable(username):
            return False
        stmt = select(func.count()).select_from(subusers).where(subusers.c.username == username)
        return bool(self.conn.scalar(stmt))

    def of_account(self, account_id: int) -> list[Subuser]:
        stmt = (
            select(subusers)
            .where(subusers.c.account_id == account_id)
            .order_by(by_bytes(self.conn, subusers.c.username))
        )
        return [_subuser(r) for r in self.conn.execute(stmt)]

    def set_active(self, subuser_id: int, active: bool) -> None:
        self.conn.execute(update(subusers).where(subusers.c.id == subuser_id).values(active=active))

    def delete(self, subuser_id: int) -> None:
        """Remove the subuser; its holdings go with it (ON DELETE CASCADE)."""
        self.conn.execute(delete(holdings).where(holdings.c.subuser_id == subuser_id))
        self.conn.execute(delete(subusers).where(subusers.c.id == subuser_id))

    def profile(self, subuser_id: int) -> dict[str, Any]:
        """Every stored field of the subuser but its password hash."""
        row = self.conn.execute(select(*_PROFILE_COLS).where(subusers.c.id == subuser_id)).one()
        return dict(row._mapping)

    def search(
        self, account_id: int, contains_: dict[str, str], active: bool | None
    ) -> list[dict[str, Any]]:
        """The account's subusers whose fields contain every given text (AND-ed)."""
        stmt = select(*_PROFILE_COLS).where(subusers.c.account_id == account_id)
        for name, needle in contains_.items():
            stmt = stmt.where(contains(self.conn, subusers.c[name], needle))
        if active is not None:
            stmt = stmt.where(subusers.c.active.is_(active))
        return [
            dict(r._mapping)
            for r in self.conn.execute(stmt.order_by(by_bytes(self.conn, subusers.c.username)))
        ]

    def update(self, subuser_id: int, values: dict[str, Any]) -> None:
        """Change stored fields (profile, email, password hash)."""
        self.conn.execute(update(subusers).where(subusers.c.id == subuser_id).values(**values))

    def rename(self, subuser_id: int, username: str) -> None:
        """Give the subuser a new name (its holdings follow: they hold its id)."""
        stmt = update(subusers).where(subusers.c.id == subuser_id).values(username=username)
        try:
            with self.conn.begin_nested():
                self.conn.execute(stmt)
        except IntegrityError:
            # Lost a race for the name with another transaction.
            raise SubuserExists from None

    def password_hash(self, subuser_id: int) -> str | None:
        stmt = select(subusers.c.password_hash).where(subusers.c.id == subuser_id)
        return self.conn.scalar(stmt)

    def holdings(
        self, account_id: int, ip_needle: str | None, user_needle: str | None
    ) -> list[tuple[str, str]]:
        """(address, username) of every holding on the account, filtered by substrings."""
        stmt = (
            select(ip_addresses.c.address, subusers.c.username)
            .join(holdings, holdings.c.ip_id == ip_addresses.c.id)
            .join(subusers, subusers.c.id == holdings.c.subuser_id)
            .where(holdings.c.account_id == account_id)
        )
        if ip_needle:
            stmt = stmt.where(contains(self.conn, ip_addresses.c.address, ip_needle))
        if user_needle:
            stmt = stmt.where(contains(self.conn, subusers.c.username, user_needle))
        stmt = stmt.order_by(ip_addresses.c.sort_key, by_bytes(self.conn, subusers.c.username))
        return [(r.address, r.username) for r in self.conn.execute(stmt)]

    def ips(self, subuser_id: int) -> list[str]:
        """The subuser's explicit set, in numeric order."""
        return [address for (address,) in raw.rows(self.conn, _SUBUSER_IPS, (subuser_id,))]

    def set_sizes(self, account_id: int) -> dict[int, int]:
        """How many IPs each subuser of the account holds (those holding none left out)."""
        stmt = (
            select(holdings.c.subuser_id, func.count())
            .where(holdings.c.account_id == account_id)
            .group_by(holdings.c.subuser_id)
        )
        return {int(sid): int(n) for sid, n in self.conn.execute(stmt)}

    def ips_by_subuser(self, account_id: int) -> dict[int, list[str]]:
        """Every subuser's explicit set on the account, keyed by subuser id."""
        stmt = (
            select(holdings.c.subuser_id, ip_addresses.c.address)
            .join(ip_addresses, ip_addresses.c.id == holdings.c.ip_id)
            .where(holdings.c.account_id == account_id)
            .order_by(ip_addresses.c.sort_key)
        )
        out: dict[int, list[str]] = {}
        for r in self.conn.execute(stmt):
            out.setdefault(r.subuser_id, []).append(r.address)
        return out

    def _not_held(self, cols: Any, subuser: Subuser, needle: str) -> Any:
        """The account's addresses the subuser does not hold, containing ``needle``."""
        held = exists().where(
            holdings.c.subuser_id == subuser.id, holdings.c.ip_id == ip_addresses.c.id
        )
        stmt = cols.where(ip_addresses.c.account_id == subuser.account_id, ~held)
        return stmt.where(contains(self.conn, ip_addresses.c.address, needle)) if needle else stmt

    def count_containing(self, account_id: int, needle: str) -> int:
        """How many of the account's addresses contain ``needle`` (all when empty)."""
        stmt = select(func.count()).where(ip_addresses.c.account_id == account_id)
        if needle:
            stmt = stmt.where(contains(self.conn, ip_addresses.c.address, needle))
        return int(self.conn.scalar(stmt) or 0)

    def not_held_page(
        self, subuser: Subuser, needle: str, *, limit: int, offset: int, descending: bool = False
    ) -> list[str]:
        """One page of the account's addresses containing ``needle`` that the subuser does
        not hold, in numeric order (or its reverse), paged in the database."""
        if limit <= 0:
            return []
        stmt = self._not_held(select(ip_addresses.c.address), subuser, needle)
        key = ip_addresses.c.sort_key
        stmt = stmt.order_by(key.desc() if descending else key).limit(limit).offset(offset)
        return list(self.conn.scalars(stmt))

    def replace_ips(self, subuser: Subuser, ip_ids: Iterable[int]) -> list[str]:
        """Make the subuser's set exactly ``ip_ids``; return the addresses it held before,
        in numeric order.

        Only the holdings that change are written: a kept IP's holding row stays, so its
        timeline period (a trigger of migration 0006) runs on unbroken, and the write costs
        the database nothing for it. The added are inserted before the removed are deleted,
        so a set that stays non-empty keeps its 'filled' period open too.
        """
        held = raw.rows(self.conn, _HELD, (subuser.id,))
        wanted = dict.fromkeys(ip_ids)
        kept = {ip_id for ip_id, _ in held if ip_id in wanted}
        added = [(subuser.id, i, subuser.account_id) for i in wanted if i not in kept]
        removed = [(subuser.id, ip_id) for ip_id, _ in held if ip_id not in kept]
        raw.change_many(self.conn, _HOLD, added)
        raw.change_many(self.conn, _UNHOLD, removed)
        return [address for _, address in held]
