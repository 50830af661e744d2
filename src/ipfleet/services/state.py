"""The whole state of the installation as the database holds it, in ``domain.replay``'s shape.

Used to check that replaying the change log from empty gives what the database has, and
to compare an account's data before and after a request. It reads every table in one
transaction; the queries are here rather than in a repository because nothing but this
check needs the state in this form.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select

from ipfleet.domain.records import PROFILE_FIELDS
from ipfleet.domain.replay import State, empty_state
from ipfleet.store.tables import (
    accounts,
    api_keys,
    change_log,
    holdings,
    ip_addresses,
    pool_members,
    pools,
    sending_domains,
    subusers,
)
from ipfleet.store.uow import Database, UnitOfWork


def utc_iso(moment: datetime | None) -> str | None:
    """A stored time as ISO 8601 in UTC (SQLite hands times back without a zone: UTC)."""
    if moment is None:
        return None
    aware = moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)
    return aware.astimezone(UTC).isoformat()


def _accounts(uow: UnitOfWork, state: State) -> dict[int, str]:
    names: dict[int, str] = {}
    for r in uow.conn.execute(select(accounts)):
        names[r.id] = r.username
        state["accounts"][r.username] = {
            "outbound_cluster": r.outbound_cluster,
            "ip_quota": r.ip_quota,
            "price_per_ip": r.price_per_ip,
            "keys": {},
        }
        state["pools"][r.username] = {}
    for k in uow.conn.execute(select(api_keys).order_by(api_keys.c.id)):
        keys = state["accounts"][names[k.account_id]]["keys"]
        keys[k.key_id] = {"name": k.name, "revoked": k.revoked_at is not None}
    return names


def _ips(uow: UnitOfWork, state: State, names: dict[int, str]) -> None:
    for r in uow.conn.execute(select(ip_addresses).order_by(ip_addresses.c.sort_key)):
        state["ips"][r.address] = {
            "account": None if r.account_id is None else names[r.account_id],
            "hostname": r.hostname,
            "whitelabeled": bool(r.whitelabeled),
            "warmup_started_at": utc_iso(r.warmup_started_at),
            "mta": r.mta,
            "enabled": bool(r.enabled),
        }


def _subusers(uow: UnitOfWork, state: State, names: dict[int, str]) -> None:
    by_id: dict[int, dict[str, Any]] = {}
    for r in uow.conn.execute(select(subusers).order_by(subusers.c.username)):
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
    for r in uow.conn.execute(held):
        by_id[r.subuser_id]["ips"].append(r.address)


def _domains(uow: UnitOfWork, state: State, names: dict[int, str]) -> None:
    stmt = select(sending_domains, subusers.c.username).outerjoin(
        subusers, subusers.c.sending_domain_id == sending_domains.c.id
    )
    for r in uow.conn.execute(stmt):
        state["domains"][r.mail_domain] = {
            "account": names[r.account_id],
            "url_domain": r.url_domain,
            "subuser": r.username,
        }


def _pools(uow: UnitOfWork, state: State, names: dict[int, str]) -> None:
    by_id: dict[int, list[str]] = {}
    for r in uow.conn.execute(select(pools).order_by(pools.c.name)):
        by_id[r.id] = state["pools"][names[r.account_id]][r.name] = []
    members = (
        select(pool_members.c.pool_id, ip_addresses.c.address)
        .join(ip_addresses, ip_addresses.c.id == pool_members.c.ip_id)
        .order_by(ip_addresses.c.sort_key)
    )
    for r in uow.conn.execute(members):
        by_id[r.pool_id].append(r.address)


def snapshot(uow: UnitOfWork) -> None:
    """Make the rest of this read transaction see one snapshot on PostgreSQL too.

    Must run before the transaction's first query; SQLite's reads are snapshots already.
    """
    if uow.conn.dialect.name == "postgresql":
        uow.conn.exec_driver_sql("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")


def read_state(uow: UnitOfWork) -> State:
    """The state inside the caller's transaction."""
    state = empty_state()
    names = _accounts(uow, state)
    _ips(uow, state, names)
    _subusers(uow, state, names)
    _pools(uow, state, names)
    _domains(uow, state, names)
    return state


def dump_state(db: Database) -> State:
    """The state of the installation now, read in one transaction."""

    def work(uow: UnitOfWork) -> State:
        snapshot(uow)
        return read_state(uow)

    return db.read(work)


def state_and_log(db: Database) -> tuple[State, list[dict[str, Any]]]:
    """The state and the whole change log, read in the same transaction."""

    def work(uow: UnitOfWork) -> tuple[State, list[dict[str, Any]]]:
        snapshot(uow)
        rows = uow.conn.execute(select(change_log).order_by(change_log.c.id))
        return read_state(uow), [dict(r._mapping) for r in rows]

    return db.read(work)
