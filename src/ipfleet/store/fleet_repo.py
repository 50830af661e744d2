"""Platform-wide counts for the fleet gauges: IPs per state, the inventory per MTA.

Each is one aggregate query over indexed columns, so a scrape brings no rows into Python
(docs/performance.md gives its cost at 70,000 IPs).
"""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.engine import Connection

from ipfleet.domain.states import IpState
from ipfleet.store.tables import holdings, ip_addresses, subusers


class FleetRepo:
    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    def state_counts(self) -> dict[IpState, int]:
        """How many IPs on any account are in each v2 state, summed over the accounts.

        An IP belongs to at most one account, so the per-account states add up: taken is
        held by some subuser, free by none, available by no active one."""
        on_accounts = select(func.count()).where(ip_addresses.c.account_id.is_not(None))
        held = select(func.count(func.distinct(holdings.c.ip_id)))
        held_active = held.join(subusers, subusers.c.id == holdings.c.subuser_id).where(
            subusers.c.active.is_(True)
        )
        total, taken, busy = (
            int(self.conn.scalar(q) or 0) for q in (on_accounts, held, held_active)
        )
        return {
            IpState.ALL: total,
            IpState.TAKEN: taken,
            IpState.FREE: total - taken,
            IpState.AVAILABLE: total - busy,
        }

    def inventory_by_mta(self) -> dict[str | None, tuple[int, int]]:
        """Per MTA (None: plumbed on none yet), (free, on an account) IP counts."""
        on_account = ip_addresses.c.account_id.is_not(None)
        stmt = select(ip_addresses.c.mta, on_account.label("used"), func.count()).group_by(
            ip_addresses.c.mta, on_account
        )
        counts: dict[str | None, list[int]] = {}
        for mta, used, n in self.conn.execute(stmt):
            counts.setdefault(mta, [0, 0])[1 if used else 0] += int(n)
        return {mta: (free, used) for mta, (free, used) in counts.items()}
