"""IP pools: named groups of an account's IPs; one IP may be in several pools."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import delete, func, insert, select, update
from sqlalchemy.engine import Connection

from ipfleet.store.repos import chunks, contains, named_links, storable
from ipfleet.store.tables import ip_addresses, pool_members, pools


class PoolRepo:
    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    def names(self, account_id: int) -> list[str]:
        """The account's pool names, sorted."""
        stmt = select(pools.c.name).where(pools.c.account_id == account_id).order_by(pools.c.name)
        return list(self.conn.scalars(stmt))

    def find(self, account_id: int, name: str) -> int | None:
        """The id of the account's pool ``name``; another account's pool is not found."""
        if not storable(name):
            return None
        stmt = select(pools.c.id).where(pools.c.account_id == account_id, pools.c.name == name)
        found = self.conn.scalar(stmt)
        return None if found is None else int(found)

    def create(self, account_id: int, name: str, now: datetime) -> int:
        stmt = insert(pools).values(account_id=account_id, name=name, created_at=now)
        return int(self.conn.execute(stmt).inserted_primary_key[0])  # type: ignore[index]

    def rename(self, pool_id: int, name: str) -> None:
        self.conn.execute(update(pools).where(pools.c.id == pool_id).values(name=name))

    def delete(self, pool_id: int) -> None:
        self.conn.execute(delete(pool_members).where(pool_members.c.pool_id == pool_id))
        self.conn.execute(delete(pools).where(pools.c.id == pool_id))

    def members(self, pool_id: int) -> list[str]:
        """The pool's addresses, in numeric order."""
        stmt = (
            select(ip_addresses.c.address)
            .join(pool_members, pool_members.c.ip_id == ip_addresses.c.id)
            .where(pool_members.c.pool_id == pool_id)
            .order_by(ip_addresses.c.sort_key)
        )
        return list(self.conn.scalars(stmt))

    def is_member(self, pool_id: int, ip_id: int) -> bool:
        stmt = select(pool_members.c.ip_id).where(
            pool_members.c.pool_id == pool_id, pool_members.c.ip_id == ip_id
        )
        return self.conn.scalar(stmt) is not None

    def add_member(self, pool_id: int, ip_id: int, account_id: int) -> None:
        self.conn.execute(
            insert(pool_members).values(pool_id=pool_id, ip_id=ip_id, account_id=account_id)
        )

    def remove_member(self, pool_id: int, ip_id: int) -> bool:
        stmt = delete(pool_members).where(
            pool_members.c.pool_id == pool_id, pool_members.c.ip_id == ip_id
        )
        return self.conn.execute(stmt).rowcount == 1

    def memberships(self, ip_ids: Sequence[int]) -> list[tuple[str, str]]:
        """(address, pool name) of every pool membership of those IPs, sorted."""
        return named_links(self.conn, ip_ids, pool_members.c.pool_id, pools.c.name)

    def of_ips(self, ip_ids: Sequence[int]) -> dict[int, list[str]]:
        """The pool names of each IP (sorted), keyed by IP id; IPs in no pool are absent."""
        out: dict[int, list[str]] = {}
        for part in chunks(ip_ids):
            stmt = (
                select(pool_members.c.ip_id, pools.c.name)
                .join(pools, pools.c.id == pool_members.c.pool_id)
                .where(pool_members.c.ip_id.in_(part))
                .order_by(pools.c.name)
            )
            for r in self.conn.execute(stmt):
                out.setdefault(r.ip_id, []).append(r.name)
        return out

    def name_of(self, account_id: int, pool_id: int) -> str | None:
        """The name of the account's pool with that id; another account's is not found."""
        stmt = select(pools.c.name).where(pools.c.account_id == account_id, pools.c.id == pool_id)
        return self.conn.scalar(stmt)

    def page(
        self,
        account_id: int,
        after_id: int | None,
        limit: int,
        holding: str | None,
        region: str | None,
    ) -> list[tuple[int, str]]:
        """(id, name) of the account's pools by id, after ``after_id``; with ``holding``,
        only pools holding an address that contains that text, with ``region`` only those
        holding an IP of that region."""
        stmt = select(pools.c.id, pools.c.name).where(pools.c.account_id == account_id)
        if after_id is not None:
            stmt = stmt.where(pools.c.id > after_id)
        member = select(pool_members.c.pool_id).join(
            ip_addresses, ip_addresses.c.id == pool_members.c.ip_id
        )
        if holding:
            needle = contains(self.conn, ip_addresses.c.address, holding.lower())
            stmt = stmt.where(pools.c.id.in_(member.where(needle)))
        if region is not None:
            stmt = stmt.where(pools.c.id.in_(member.where(ip_addresses.c.region == region)))
        return [(r.id, r.name) for r in self.conn.execute(stmt.order_by(pools.c.id).limit(limit))]

    def member_page(
        self, pool_id: int, after_sort_key: str | None, limit: int | None
    ) -> list[tuple[int, str, str, str]]:
        """(id, address, region, sort key) of the pool's IPs in numeric order, after one."""
        stmt = (
            select(
                ip_addresses.c.id,
                ip_addresses.c.address,
                ip_addresses.c.region,
                ip_addresses.c.sort_key,
            )
            .join(pool_members, pool_members.c.ip_id == ip_addresses.c.id)
            .where(pool_members.c.pool_id == pool_id)
            .order_by(ip_addresses.c.sort_key)
        )
        if after_sort_key is not None:
            stmt = stmt.where(ip_addresses.c.sort_key > after_sort_key)
        if limit is not None:
            stmt = stmt.limit(limit)
        return [(r.id, r.address, r.region, r.sort_key) for r in self.conn.execute(stmt)]

    def region_counts(self, pool_id: int) -> dict[str, int]:
        """How many of the pool's IPs each region has."""
        stmt = (
            select(ip_addresses.c.region, func.count())
            .join(pool_members, pool_members.c.ip_id == ip_addresses.c.id)
            .where(pool_members.c.pool_id == pool_id)
            .group_by(ip_addresses.c.region)
        )
        return {str(region): int(n) for region, n in self.conn.execute(stmt)}

    def refs_of_ips(self, ip_ids: Sequence[int]) -> dict[int, list[tuple[int, str]]]:
        """The (pool id, name) of each IP's pools, by name; IPs in no pool are absent."""
        out: dict[int, list[tuple[int, str]]] = {}
        for part in chunks(ip_ids):
            stmt = (
                select(pool_members.c.ip_id, pools.c.id, pools.c.name)
                .join(pools, pools.c.id == pool_members.c.pool_id)
                .where(pool_members.c.ip_id.in_(part))
                .order_by(pools.c.name)
            )
            for r in self.conn.execute(stmt):
                out.setdefault(r.ip_id, []).append((r.id, r.name))
        return out
