"""DESIGN.md's rules that never bend, checked on the database itself after a test hurt it."""

from __future__ import annotations

from typing import Any

from sqlalchemy import text

from ipfleet.domain.addresses import address_error, canonical, parse_address, sort_key
from ipfleet.domain.replay import State, differences, replay
from ipfleet.services.log_check import state_and_log
from ipfleet.services.timeline import period_differences
from ipfleet.store.uow import Database, UnitOfWork

# Each query returns the rows that break one rule; every one must come back empty.
BROKEN: dict[str, str] = {
    "holding across accounts": """
        SELECT h.subuser_id, h.ip_id FROM holdings h
        JOIN subusers s ON s.id = h.subuser_id JOIN ip_addresses i ON i.id = h.ip_id
        WHERE s.account_id <> h.account_id OR i.account_id IS NULL
           OR i.account_id <> h.account_id""",
    "pool member across accounts": """
        SELECT m.pool_id, m.ip_id FROM pool_members m
        JOIN pools p ON p.id = m.pool_id JOIN ip_addresses i ON i.id = m.ip_id
        WHERE p.account_id <> m.account_id OR i.account_id IS NULL
           OR i.account_id <> m.account_id""",
    "dangling holding": """
        SELECT h.subuser_id FROM holdings h
        LEFT JOIN subusers s ON s.id = h.subuser_id LEFT JOIN ip_addresses i ON i.id = h.ip_id
        WHERE s.id IS NULL OR i.id IS NULL""",
    "duplicate subuser name": """
        SELECT username FROM subusers GROUP BY username HAVING COUNT(*) > 1""",
    "duplicate address": """
        SELECT address FROM ip_addresses GROUP BY address HAVING COUNT(*) > 1""",
    "key of no account": """
        SELECT k.id FROM api_keys k LEFT JOIN accounts a ON a.id = k.account_id
        WHERE a.id IS NULL""",
    "plaintext secret": """
        SELECT id FROM api_keys WHERE length(secret_hash) <> 64 OR secret_hash LIKE 'SG.%'""",
}


def dump_state(db: Database) -> State:
    """The state of the installation now, read in one snapshot (as ``log verify`` reads it)."""

    def work(uow: UnitOfWork) -> State:
        uow.state.snapshot()
        return uow.state.read()

    return db.read(work)


def fingerprint(db: Database) -> tuple[dict[str, Any], int]:
    """The state and the length of the change log: what any write changes."""
    count = db.read(lambda uow: uow.conn.scalar(text("SELECT count(*) FROM change_log")))
    return dump_state(db), int(count or 0)


def sqlite_integrity(db: Database) -> list[str]:
    """SQLite's own checks: page structure and foreign keys."""
    with db.engine.connect() as conn:
        problems = [r[0] for r in conn.exec_driver_sql("PRAGMA integrity_check") if r[0] != "ok"]
        problems += [str(tuple(r)) for r in conn.exec_driver_sql("PRAGMA foreign_key_check")]
    return problems


def address_problems(rows: list[Any]) -> list[str]:
    problems = []
    for address, key, version in rows:
        if address_error(address) is not None:
            problems.append(f"stored address is malformed: {address}")
            continue
        ip = parse_address(address)
        if canonical(ip) != address or sort_key(ip) != key or ip.version != version:
            problems.append(f"stored address is not canonical: {address} {key} {version}")
    return problems


def violations(db: Database) -> list[str]:
    """Every broken rule found, as sentences; an empty list when the database is sound."""
    problems = sqlite_integrity(db) if db.sqlite else []
    with db.engine.connect() as conn:
        for rule, query in BROKEN.items():
            rows = list(conn.execute(text(query)))
            problems += [f"{rule}: {tuple(r)}" for r in rows[:5]]
        stored = list(conn.execute(text("SELECT address, sort_key, version FROM ip_addresses")))
    problems += address_problems(stored)
    problems += [f"timeline: {d}" for d in period_differences(db)]
    state, log = state_and_log(db)
    rebuilt = replay(log)
    if rebuilt != state:
        problems.append(
            "replaying the change log does not give the stored state: " + diff(rebuilt, state)
        )
    return problems


def diff(rebuilt: dict[str, Any], stored: dict[str, Any]) -> str:
    """The first few differences between two states, for a readable failure."""
    return "; ".join(differences(rebuilt, stored)[:5])
