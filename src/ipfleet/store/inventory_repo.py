"""The platform inventory: IPs on no account, and taking them for an account."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.engine import Connection

from ipfleet.domain.records import SEND_DEFAULTS, IpRow
from ipfleet.store.repos import by_bytes
from ipfleet.store.tables import accounts, ip_addresses

#: What a take sets besides the account: leased, and the default send settings (replay
#: applies the same).
FRESH_TAKE: dict[str, bool | str] = {"leased": True, **SEND_DEFAULTS}


class InventoryRepo:
    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    def free_count(self) -> int:
        stmt = select(func.count()).where(ip_addresses.c.account_id.is_(None))
        return int(self.conn.scalar(stmt) or 0)

    def count_on_account(self, account_id: int) -> int:
        stmt = select(func.count()).where(ip_addresses.c.account_id == account_id)
        return int(self.conn.scalar(stmt) or 0)

    def counts_by_account(self) -> dict[int, int]:
        """How many IPs each account holds (accounts with none are left out)."""
        stmt = (
            select(ip_addresses.c.account_id, func.count())
            .where(ip_addresses.c.account_id.is_not(None))
            .group_by(ip_addresses.c.account_id)
        )
        return {int(account): int(n) for account, n in self.conn.execute(stmt)}

    def claim(self, account_id: int, count: int, now: Any) -> list[IpRow]:
        """Move up to ``count`` free IPs (lowest first) to the account.

        On PostgreSQL the rows are locked with SKIP LOCKED, so concurrent takers never
        wait on, or get, the same rows; the ``account_id IS NULL`` guard on the update
        keeps it safe on any backend.
        """
        stmt = (
            select(ip_addresses.c.id, ip_addresses.c.address)
            .where(ip_addresses.c.account_id.is_(None))
            .order_by(ip_addresses.c.sort_key)
            .limit(count)
        )
        if self.conn.dialect.name == "postgresql":
            stmt = stmt.with_for_update(skip_locked=True)
        rows = list(self.conn.execute(stmt))
        claimed: list[IpRow] = []
        for r in rows:
            done = self.conn.execute(
                update(ip_addresses)
                .where(ip_addresses.c.id == r.id, ip_addresses.c.account_id.is_(None))
                .values(account_id=account_id, assigned_at=now, **FRESH_TAKE)
            )
            if done.rowcount == 1:
                claimed.append(IpRow(id=r.id, address=r.address, account_id=account_id))
        return claimed

    def entries(self, free_only: bool) -> list[tuple[str, str | None, str | None]]:
        """(address, account username or None, hostname) of every known IP, in order."""
        stmt = (
            select(ip_addresses.c.address, accounts.c.username, ip_addresses.c.hostname)
            .select_from(ip_addresses.outerjoin(accounts))
            .order_by(ip_addresses.c.sort_key)
        )
        if free_only:
            stmt = stmt.where(ip_addresses.c.account_id.is_(None))
        return [(r.address, r.username, r.hostname) for r in self.conn.execute(stmt)]

    def use_by_mta(self) -> list[tuple[str | None, int, int]]:
        """(MTA or None, free IPs, IPs on accounts) per MTA the IPs are placed on."""
        used = func.count(ip_addresses.c.account_id)
        stmt = (
            select(ip_addresses.c.mta, func.count() - used, used)
            .group_by(ip_addresses.c.mta)
            .order_by(ip_addresses.c.mta.is_(None), by_bytes(self.conn, ip_addresses.c.mta))
        )
        return [(mta, int(free), int(on)) for mta, free, on in self.conn.execute(stmt)]
