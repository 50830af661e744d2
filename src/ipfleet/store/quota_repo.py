"""An account's quota: how many IPs it may hold after its own takes, and what each costs."""

from __future__ import annotations

from sqlalchemy import select, update
from sqlalchemy.engine import Connection

from ipfleet.store.tables import accounts


class QuotaRepo:
    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    def ip_quota(self, account_id: int) -> int | None:
        """The account's IP quota as this transaction sees it (None: unlimited)."""
        quota = self.conn.scalar(select(accounts.c.ip_quota).where(accounts.c.id == account_id))
        return None if quota is None else int(quota)

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
