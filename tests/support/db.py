"""Looking at the database behind the services' back (raw SQL where it matters), and the actor
of the writes tests make directly."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import func, select, text

from ipfleet.domain.addresses import parse_address, sort_key
from ipfleet.domain.records import Account, Actor
from ipfleet.services.accounts import get_account
from ipfleet.store.tables import accounts, inventory_counts, ip_addresses, metadata, subusers
from ipfleet.store.uow import Database

ACTOR = Actor(name="test:integration", request_id="req-0001")


@dataclass
class Made:
    """An account made for a test, with the key it was given."""

    account: Account
    api_key: str

    @property
    def name(self) -> str:
        return self.account.username


def version_of(db: Database, username: str) -> int:
    """The account's data_version now."""
    return get_account(db, username=username).data_version


def log_rows(db: Database, account_id: int | None = None) -> list[dict[str, Any]]:
    """The change log in order of writing."""
    return db.read(lambda uow: uow.log.entries(account_id))


def log_rows_of(db: Database, action: str) -> list[dict[str, Any]]:
    """The change-log rows of one action, in order of writing."""
    return [r for r in log_rows(db) if r["action"] == action]


def password_hash_of(db: Database, username: str) -> str | None:
    with db.engine.connect() as conn:
        return conn.scalar(select(subusers.c.password_hash).where(subusers.c.username == username))


#: Tables that are not the installation's state: the write path's clock (every write stamps
#: it) and the failed-authentication counters (a refused request adds to them).
BOOKKEEPING = frozenset({"write_clock", "auth_failures"})


def dump(db: Database) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table, for before/after comparisons and secret hunts."""
    out: dict[str, list[tuple[Any, ...]]] = {}
    with db.engine.connect() as conn:
        for table in metadata.sorted_tables:
            if table.name in BOOKKEEPING:
                continue
            rows = conn.execute(select(table).order_by(*table.primary_key.columns))
            out[table.name] = [tuple(r) for r in rows]
    return out


def insert_inventory_ip(db: Database, address: str) -> int:
    """Put an address in the platform inventory (on no account), the way the store would."""
    ip = parse_address(address)
    with db.engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO ip_addresses (address, sort_key, version, account_id, created_at) "
                "VALUES (:a, :k, :v, NULL, :t)"
            ),
            {"a": str(ip), "k": sort_key(ip), "v": ip.version, "t": datetime.now(UTC)},
        )
        return int(
            conn.scalar(text("SELECT id FROM ip_addresses WHERE address = :a"), {"a": str(ip)})
        )


def fail_change_log_writes(db: Database, action: str | None = None) -> None:
    """Make the database refuse change-log inserts (of one action, or all): fault injection."""
    when = f"WHEN NEW.action = '{action}' " if action else ""
    with db.engine.begin() as conn:
        if db.sqlite:
            conn.exec_driver_sql(
                f"CREATE TRIGGER refuse_log BEFORE INSERT ON change_log {when}"
                "BEGIN SELECT RAISE(ABORT, 'change log refused'); END"
            )
        else:
            conn.exec_driver_sql(
                "CREATE FUNCTION refuse_log() RETURNS trigger LANGUAGE plpgsql AS "
                "$$ BEGIN RAISE EXCEPTION 'change log refused'; END $$"
            )
            only = f"WHEN (NEW.action = '{action}') " if action else ""
            conn.exec_driver_sql(
                "CREATE TRIGGER refuse_log BEFORE INSERT ON change_log "
                f"FOR EACH ROW {only}EXECUTE FUNCTION refuse_log()"
            )


def fail_kth_log_row(db: Database, k: int) -> None:
    """From now on, refuse any change-log row that would be the k-th after the current last."""
    with db.engine.begin() as conn:
        base = int(conn.scalar(text("SELECT coalesce(max(id), 0) FROM change_log")) or 0)
        guard = f"(SELECT count(*) FROM change_log WHERE id > {base}) >= {k - 1}"
        if db.sqlite:
            conn.exec_driver_sql(
                f"CREATE TRIGGER fault BEFORE INSERT ON change_log WHEN {guard} "
                "BEGIN SELECT RAISE(ABORT, 'injected fault'); END"
            )
        else:
            conn.exec_driver_sql(
                "CREATE FUNCTION fault() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
                f"IF {guard} THEN RAISE EXCEPTION 'injected fault'; END IF; RETURN NEW; END $$"
            )
            conn.exec_driver_sql(
                "CREATE TRIGGER fault BEFORE INSERT ON change_log "
                "FOR EACH ROW EXECUTE FUNCTION fault()"
            )


def heal(db: Database) -> None:
    """Undo ``fail_kth_log_row``."""
    with db.engine.begin() as conn:
        if db.sqlite:
            conn.exec_driver_sql("DROP TRIGGER fault")
        else:
            conn.exec_driver_sql("DROP TRIGGER fault ON change_log")
            conn.exec_driver_sql("DROP FUNCTION fault()")


def kept_count_differences(db: Database) -> list[str]:
    """Where the IP counts the triggers keep (migration 0010) differ from a real count."""
    per_owner = select(ip_addresses.c.account_id, func.count()).group_by(ip_addresses.c.account_id)
    with db.engine.connect() as conn:
        real = {owner: int(n) for owner, n in conn.execute(per_owner)}
        kept = {int(a): int(n) for a, n in conn.execute(select(accounts.c.id, accounts.c.ip_count))}
        free = conn.scalar(select(inventory_counts.c.free_ips))
    found = [
        f"account {a}: kept {n}, counted {real.get(a, 0)}"
        for a, n in kept.items()
        if n != real.get(a, 0)
    ]
    if free != real.get(None, 0):
        found.append(f"inventory: kept {free}, counted {real.get(None, 0)}")
    return found
