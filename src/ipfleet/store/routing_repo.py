"""The reads of the routing rule: per lookup on the hot path, per render in a transaction.

``RoutingReads`` runs fixed plain-DBAPI statements on ``HotReads``'s per-thread autocommit
connections (every statement sees every committed write); ``RoutingRepo`` reads a whole
MTA's plan with SQLAlchemy inside one read transaction.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.engine import Connection

from ipfleet.domain.routing import SendingIp
from ipfleet.store.hot import HotReads
from ipfleet.store.repos import by_bytes
from ipfleet.store.tables import accounts, holdings, ip_addresses, subusers

# The one statement every lookup runs: the domain's record and its account's data version
# (bumped by every write to the account), through two unique indexes.
_DOMAIN = (
    "SELECT d.id, d.account_id, a.data_version FROM sending_domains d"
    " JOIN accounts a ON a.id = d.account_id WHERE d.mail_domain = ?"
)
_HOLDER = (
    "SELECT a.username, s.id, s.username, s.active FROM sending_domains d"
    " JOIN accounts a ON a.id = d.account_id"
    " LEFT JOIN subusers s ON s.sending_domain_id = d.id WHERE d.id = ?"
)
_ACCOUNT_IPS = (
    "SELECT address, mta, hostname, enabled, parent_assigned FROM ip_addresses"
    " WHERE account_id = ? ORDER BY sort_key"
)
_HELD = (
    "SELECT ip.address FROM holdings h JOIN ip_addresses ip ON ip.id = h.ip_id"
    " WHERE h.subuser_id = ? ORDER BY ip.sort_key"
)


def sending_ip(row: Any) -> SendingIp:
    """A (address, mta, hostname, enabled, parent_assigned) row as the rule sees it."""
    return SendingIp(row[0], row[1], row[2], bool(row[3]), bool(row[4]))


class RoutingReads:
    """What ``services.routing.decide`` reads, one fixed statement each."""

    def __init__(self, hot: HotReads) -> None:
        self.hot = hot

    def domain(self, mail_domain: str) -> tuple[int, int, int] | None:
        """(domain id, account id, account data version) of a registered domain."""
        rows = self.hot.rows(_DOMAIN, (mail_domain,))
        return (int(rows[0][0]), int(rows[0][1]), int(rows[0][2])) if rows else None

    def holder(self, domain_id: int) -> tuple[str, int | None, str | None, bool] | None:
        """(account name, subuser id, subuser name, active) the domain routes as; the
        subuser parts are None for a domain attached to no subuser."""
        rows = self.hot.rows(_HOLDER, (domain_id,))
        if not rows:
            return None
        account, sub_id, sub_name, active = rows[0]
        return account, sub_id, sub_name, True if sub_id is None else bool(active)

    def account_ips(self, account_id: int) -> tuple[SendingIp, ...]:
        """Every IP on the account, in numeric order."""
        return tuple(sending_ip(r) for r in self.hot.rows(_ACCOUNT_IPS, (account_id,)))

    def held(self, subuser_id: int) -> list[str]:
        """The subuser's explicit set, in numeric order."""
        return [r[0] for r in self.hot.rows(_HELD, (subuser_id,))]


_IP_COLS = (
    ip_addresses.c.address,
    ip_addresses.c.mta,
    ip_addresses.c.hostname,
    ip_addresses.c.enabled,
    ip_addresses.c.parent_assigned,
)


class RoutingRepo:
    """A whole MTA's plan, inside the caller's read transaction."""

    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    def on_mta(self, mta: str) -> list[SendingIp]:
        """Every IP placed on the MTA (on an account or not), in numeric order."""
        stmt = select(*_IP_COLS).where(ip_addresses.c.mta == mta).order_by(ip_addresses.c.sort_key)
        return [sending_ip(r) for r in self.conn.execute(stmt)]

    def ips_by_account(self) -> dict[str, list[SendingIp]]:
        """Every account's IPs by account name (every account, even with none)."""
        out: dict[str, list[SendingIp]] = {
            name: [] for name in self.conn.scalars(select(accounts.c.username))
        }
        stmt = (
            select(accounts.c.username, *_IP_COLS)
            .join(accounts, accounts.c.id == ip_addresses.c.account_id)
            .order_by(ip_addresses.c.sort_key)
        )
        for r in self.conn.execute(stmt):
            out[r.username].append(sending_ip(r[1:]))
        return out

    def subusers(self) -> list[tuple[str, str, bool, list[str]]]:
        """(account, subuser, active, explicit set) of every subuser, by account and name."""
        stmt = (
            select(accounts.c.username.label("account"), subusers.c.id, subusers.c.username)
            .add_columns(subusers.c.active)
            .join(accounts, accounts.c.id == subusers.c.account_id)
            .order_by(
                by_bytes(self.conn, accounts.c.username), by_bytes(self.conn, subusers.c.username)
            )
        )
        held: dict[int, list[str]] = {}
        sets = (
            select(holdings.c.subuser_id, ip_addresses.c.address)
            .join(ip_addresses, ip_addresses.c.id == holdings.c.ip_id)
            .order_by(ip_addresses.c.sort_key)
        )
        for r in self.conn.execute(sets):
            held.setdefault(r.subuser_id, []).append(r.address)
        return [
            (r.account, r.username, bool(r.active), held.get(r.id, []))
            for r in self.conn.execute(stmt)
        ]
