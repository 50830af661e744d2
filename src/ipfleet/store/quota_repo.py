"""What an account pays for each IP it takes from the inventory."""

from __future__ import annotations

from sqlalchemy import select, update
from sqlalchemy.engine import Connection

from ipfleet.store.tables import accounts


class QuotaRepo:
    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    def price_per_ip(self, account_id: int) -> float | None:
        """The account's price per IP, or None when the operator has set none."""
        stmt = select(accounts.c.price_per_ip).where(accounts.c.id == account_id)
        price = self.conn.scalar(stmt)
        return None if price is None else float(price)

    def set_price_per_ip(self, account_id: int, price: float | None) -> None:
        self.conn.execute(
            update(accounts).where(accounts.c.id == account_id).values(price_per_ip=price)
        )
