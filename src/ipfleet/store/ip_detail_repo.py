"""The v3 view of an account's IPs: reverse DNS, whitelabel, warmup, filters and paging."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Select, exists, false, select, update
from sqlalchemy.engine import Connection

from ipfleet.domain.records import SendIpFilter
from ipfleet.domain.states import IpState
from ipfleet.store.repos import contains, held_by_active, held_by_any, storable
from ipfleet.store.tables import holdings, ip_addresses, pool_members, subusers

_COLUMNS = (
    ip_addresses.c.id,
    ip_addresses.c.address,
    ip_addresses.c.hostname,
    ip_addresses.c.whitelabeled,
    ip_addresses.c.warmup_started_at,
    ip_addresses.c.assigned_at,
    ip_addresses.c.enabled,
    ip_addresses.c.parent_assigned,
    ip_addresses.c.region,
    ip_addresses.c.leased,
)


@dataclass(frozen=True, slots=True)
class IpDetail:
    id: int
    address: str
    hostname: str | None
    whitelabeled: bool
    warmup_started_at: datetime | None
    assigned_at: datetime | None
    enabled: bool = True
    parent_assigned: bool = True
    region: str = "us"
    leased: bool = True


@dataclass(frozen=True, slots=True)
class IpQuery:
    """Which of an account's IPs to list, and which page of them."""

    within_subuser: int | None = None  # only IPs that subuser holds
    needle: str | None = None  # address contains this text
    holder: str | None = None  # only IPs this subuser (by username) holds
    exclude_whitelabeled: bool = False
    warming_only: bool = False
    descending: bool = False
    state: IpState = IpState.ALL
    send_ips: SendIpFilter | None = None
    limit: int | None = None
    offset: int = 0


def _detail(row: Any) -> IpDetail:
    return IpDetail(
        id=row.id,
        address=row.address,
        hostname=row.hostname,
        whitelabeled=bool(row.whitelabeled),
        warmup_started_at=row.warmup_started_at,
        assigned_at=row.assigned_at,
        enabled=bool(row.enabled),
        parent_assigned=bool(row.parent_assigned),
        region=row.region,
        leased=bool(row.leased),
    )


def _held_by(subuser_id: Any) -> Any:
    return exists().where(
        holdings.c.ip_id == ip_addresses.c.id, holdings.c.subuser_id == subuser_id
    )


def _send_ip_filter(stmt: Select[Any], f: SendIpFilter) -> Select[Any]:
    c = ip_addresses.c
    for column, wanted in (
        (c.enabled, f.enabled),
        (c.parent_assigned, f.parent_assigned),
        (c.leased, f.leased),
    ):
        if wanted is not None:
            stmt = stmt.where(column.is_(wanted))
    if f.region is not None:
        stmt = stmt.where(c.region == f.region)
    if f.pool_id is not None:
        stmt = stmt.where(
            exists().where(pool_members.c.ip_id == c.id, pool_members.c.pool_id == f.pool_id)
        )
    if f.added_from is not None:
        stmt = stmt.where(c.assigned_at >= f.added_from)
    if f.added_to is not None:
        stmt = stmt.where(c.assigned_at <= f.added_to)
    if f.after_sort_key is not None:
        stmt = stmt.where(c.sort_key > f.after_sort_key)
    return stmt


class IpDetailRepo:
    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    def query(self, account_id: int, q: IpQuery) -> list[IpDetail]:
        """The account's IPs that match ``q``, in numeric order (or its reverse)."""
        stmt = self._matching(select(*_COLUMNS), account_id, q)
        key = ip_addresses.c.sort_key
        stmt = stmt.order_by(key.desc() if q.descending else key)
        if q.limit is not None:
            stmt = stmt.limit(q.limit)
        if q.offset:
            stmt = stmt.offset(q.offset)
        return [_detail(r) for r in self.conn.execute(stmt)]

    def _matching(self, stmt: Select[Any], account_id: int, q: IpQuery) -> Select[Any]:
        stmt = stmt.where(ip_addresses.c.account_id == account_id)
        if q.within_subuser is not None:
            stmt = stmt.where(_held_by(q.within_subuser))
        if q.needle:
            stmt = stmt.where(contains(self.conn, ip_addresses.c.address, q.needle.lower()))
        if q.holder is not None and not storable(q.holder):
            stmt = stmt.where(false())
        elif q.holder is not None:
            holder_id = (
                select(subusers.c.id)
                .where(subusers.c.account_id == account_id, subusers.c.username == q.holder)
                .scalar_subquery()
            )
            stmt = stmt.where(_held_by(holder_id))
        if q.exclude_whitelabeled:
            stmt = stmt.where(ip_addresses.c.whitelabeled.is_(False))
        if q.warming_only:
            stmt = stmt.where(ip_addresses.c.warmup_started_at.is_not(None))
        if q.state is IpState.TAKEN:
            stmt = stmt.where(held_by_any())
        elif q.state is IpState.FREE:
            stmt = stmt.where(~held_by_any())
        elif q.state is IpState.AVAILABLE:
            stmt = stmt.where(~held_by_active())
        return stmt if q.send_ips is None else _send_ip_filter(stmt, q.send_ips)

    def one(self, account_id: int, address: str) -> IpDetail | None:
        """One IP of the account by canonical address; another account's is not found."""
        stmt = select(*_COLUMNS).where(
            ip_addresses.c.account_id == account_id, ip_addresses.c.address == address
        )
        row = self.conn.execute(stmt).first()
        return _detail(row) if row else None

    def holds_any(self, subuser_id: int) -> bool:
        """Whether the subuser holds at least one IP (else it sends from all of them)."""
        stmt = select(holdings.c.ip_id).where(holdings.c.subuser_id == subuser_id).limit(1)
        return self.conn.scalar(stmt) is not None

    def holds(self, subuser_id: int, ip_id: int) -> bool:
        stmt = select(holdings.c.ip_id).where(
            holdings.c.subuser_id == subuser_id, holdings.c.ip_id == ip_id
        )
        return self.conn.scalar(stmt) is not None

    def set_warmup(self, ip_id: int, started_at: datetime | None) -> None:
        self.conn.execute(
            update(ip_addresses)
            .where(ip_addresses.c.id == ip_id)
            .values(warmup_started_at=started_at)
        )

    def set_settings(self, ip_id: int, settings: dict[str, Any]) -> None:
        """Change some of ``enabled``, ``parent_assigned`` and ``region``."""
        self.conn.execute(update(ip_addresses).where(ip_addresses.c.id == ip_id).values(settings))
