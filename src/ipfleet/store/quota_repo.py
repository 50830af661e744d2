"""An account's quota: how many IPs it may hold after its own takes, and what each costs."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select, update
from sqlalchemy.engine import Connection

from ipfleet.store import raw
from ipfleet.store.tables import accounts

_STANDING = raw.Statement(
    "SELECT a.ip_quota, a.ip_count, a.price_per_ip,"
    " (SELECT free_ips FROM inventory_counts WHERE id = 1) FROM accounts a WHERE a.id = ?"
)


@dataclass(frozen=True, slots=True)
class Standing:
    """An account's quota, IPs and price, and the free inventory, read together."""

    quota: int | None
    held: int
    free: int
    price_per_ip: float | None


class QuotaRepo:
    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    def ip_quota(self, account_id: int) -> int | None:
        """The account's IP quota as this transaction sees it (None: unlimited)."""
        quota = self.conn.scalar(select(accounts.c.ip_quota).where(accounts.c.id == account_id))
        return None if quota is None else int(quota)

    def standing(self, account_id: int) -> Standing:
        """The account's quota, IP count and price with the free inventory's size, in one
        plain statement (both counts kept by the triggers of migration 0010): a take reads
        it twice."""
        [(quota, held, price, free)] = raw.rows(self.conn, _STANDING, (account_id,))
        return Standing(
            quota=None if quota is None else int(quota),
            held=int(held),
            free=int(free or 0),
            price_per_ip=None if price is None else float(price),
        )

    def set_ip_quota(self, account_id: int, quota: int | None) -> None:
        self.conn.execute(
            update(accounts).where(accounts.c.id == account_id).values(ip_quota=quota)
        )

    def price_per_ip(self, account_id: int) -> float | None:
        """The account's price per IP, or None when the operator has set none."""
        stmt = select(accounts.c.price_per_ip).where(accounts.c.id == account_id)
        price = self.conn.scalar(stmt)
        return None if price is None else float(price)

    def set_price_per_ip(self, account_id: int, price: float | None) -> None:
        self.conn.execute(
            update(accounts).where(accounts.c.id == account_id).values(price_per_ip=price)
        )
