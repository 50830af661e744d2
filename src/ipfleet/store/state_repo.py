"""The whole state of the installation, in the shape ``domain.replay`` rebuilds from the
change log, so the two can be compared (``ipfleet log verify``). It reads every table; the
queries are here rather than in the other repositories because nothing else needs the
state in this form."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.engine import Connection

from ipfleet.domain.records import PROFILE_FIELDS
from ipfleet.domain.replay import State, empty_state
from ipfleet.store.tables import (
    accounts,
    api_keys,
    holdings,
    ip_addresses,
    pool_members,
    pools,
    sending_domains,
    subusers,
)


def _utc_iso(moment: datetime | None) -> str | None:
    """A stored time as ISO 8601 in UTC (SQLite hands times back without a zone: UTC)."""
    if moment is None:
        return None
    aware = moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)
    return aware.astimezone(UTC).isoformat()


def _accounts(conn: Connection, state: State) -> dict[int, str]:
    names: dict[int, str] = {}
    for r in conn.execute(select(accounts)):
        names[r.id] = r.username
        state["accounts"][r.username] = {
            "outbound_cluster": r.outbound_cluster,
            "ip_quota": r.ip_quota,
            "price_per_ip": r.price_per_ip,
            "keys": {},
        }
        state["pools"][r.username] = {}
    for k in conn.execute(select(api_keys).order_by(api_keys.c.id)):
        keys = state["accounts"][names[k.account_id]]["keys"]
        keys[k.key_id] = {"name": k.name, "revoked": k.revoked_at is not None}
    return names


def _ips(conn: Connection, state: State, names: dict[int, str]) -> None:
    for r in conn.execute(select(ip_addresses).order_by(ip_addresses.c.sort_key)):
        state["ips"][r.address] = {
            "account": None if r.account_id is None else names[r.account_id],
            "hostname": r.hostname,
            "whitelabeled": bool(r.whitelabeled),
            "warmup_started_at": _utc_iso(r.warmup_started_at),
            "mta": r.mta,
            "enabled": bool(r.enabled),
            "parent_assigned": bool(r.parent_assigned),
            "region": r.region,
            "leased": bool(r.leased),
        }


def _subusers(conn: Connection, state: State, names: dict[int, str]) -> None:
    by_id: dict[int, dict[str, Any]] = {}
    for r in conn.execute(select(subusers).order_by(subusers.c.username)):
        by_id[r.id] = state["subusers"][r.username] = {
            "account": names[r.account_id],
            "active": bool(r.active),
            "email": r.email,
            **{f: getattr(r, f) for f in PROFILE_FIELDS},
            "website_access": bool(r.website_access),
            "password_set": r.password_hash is not None,
            "ips": [],
        }
    held = (
        select(holdings.c.subuser_id, ip_addresses.c.address)
        .join(ip_addresses, ip_addresses.c.id == holdings.c.ip_id)
        .order_by(ip_addresses.c.sort_key)
    )
    for r in conn.execute(held):
        by_id[r.subuser_id]["ips"].append(r.address)


def _domains(conn: Connection, state: State, names: dict[int, str]) -> None:
    stmt = select(sending_domains, subusers.c.username).outerjoin(
        subusers, subusers.c.sending_domain_id == sending_domains.c.id
    )
    for r in conn.execute(stmt):
        state["domains"][r.mail_domain] = {
            "account": names[r.account_id],
            "url_domain": r.url_domain,
            "subuser": r.username,
        }


def _pools(conn: Connection, state: State, names: dict[int, str]) -> None:
    by_id: dict[int, list[str]] = {}
    for r in conn.execute(select(pools).order_by(pools.c.name)):
        by_id[r.id] = state["pools"][names[r.account_id]][r.name] = []
    members = (
        select(pool_members.c.pool_id, ip_addresses.c.address)
        .join(ip_addresses, ip_addresses.c.id == pool_members.c.ip_id)
        .order_by(ip_addresses.c.sort_key)
    )
    for r in conn.execute(members):
        by_id[r.pool_id].append(r.address)


class StateRepo:
    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    def snapshot(self) -> None:
        """Make the rest of this read transaction see one snapshot on PostgreSQL too.

        Must run before the transaction's first query; SQLite's reads are snapshots already.
        """
        if self.conn.dialect.name == "postgresql":
            self.conn.exec_driver_sql("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")

    def read(self) -> State:
        """The state as this transaction sees it."""
        state = empty_state()
        names = _accounts(self.conn, state)
        _ips(self.conn, state, names)
        _subusers(self.conn, state, names)
        _pools(self.conn, state, names)
        _domains(self.conn, state, names)
        return state
