"""The platform inventory: IPs on no account, and taking them for an account."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select
from sqlalchemy.engine import Connection

from ipfleet.domain.records import SEND_DEFAULTS, IpRow
from ipfleet.store import raw
from ipfleet.store.repos import by_bytes
from ipfleet.store.tables import accounts, ip_addresses

#: What a take sets besides the account: leased, and the default send settings (replay
#: applies the same).
FRESH_TAKE: dict[str, bool | str] = {"leased": True, **SEND_DEFAULTS}

# One statement picks the IPs and moves them. The pick is materialised, so run once: as a
# plain subquery PostgreSQL may run it again for each row it updates, and a locking LIMIT
# run again picks other rows (a take of 3 moved 14).
_CLAIM_SQL = """WITH picked AS MATERIALIZED (
    SELECT id FROM ip_addresses WHERE account_id IS NULL ORDER BY sort_key LIMIT ?{lock})
UPDATE ip_addresses SET account_id = ?, assigned_at = ?, {fresh}
WHERE id IN (SELECT id FROM picked) AND account_id IS NULL
RETURNING id, address, sort_key"""
_FRESH = ", ".join(f"{name} = ?" for name in FRESH_TAKE)
_CLAIM = raw.Statement(
    _CLAIM_SQL.format(lock="", fresh=_FRESH),
    _CLAIM_SQL.format(lock=" FOR UPDATE SKIP LOCKED", fresh=_FRESH).replace("?", "%s"),
)


class InventoryRepo:
    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    def counts_by_account(self) -> dict[int, int]:
        """How many IPs each account holds (accounts with none are left out), as the
        triggers of migration 0010 keep it; the quota's reads take it from
        ``QuotaRepo.standing``."""
        stmt = select(accounts.c.id, accounts.c.ip_count).where(accounts.c.ip_count > 0)
        return {int(account): int(n) for account, n in self.conn.execute(stmt)}

    def claim(self, account_id: int, count: int, now: Any) -> list[IpRow]:
        """Move up to ``count`` free IPs (lowest first) to the account, in one statement;
        the rows moved, in numeric order.

        On PostgreSQL the rows are locked with SKIP LOCKED, so concurrent takers never
        wait on, or get, the same rows; the ``account_id IS NULL`` guard on the update
        keeps it safe on any backend.
        """
        fresh = [raw.bind(self.conn, ip_addresses.c[k], v) for k, v in FRESH_TAKE.items()]
        stamp = raw.bind(self.conn, ip_addresses.c.assigned_at, now)
        moved = raw.changed_rows(self.conn, _CLAIM, (count, account_id, stamp, *fresh))
        return [
            IpRow(id=ip_id, address=address, account_id=account_id)
            for ip_id, address, _ in sorted(moved, key=lambda row: str(row[2]))
        ]

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
