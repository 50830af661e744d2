"""kept counts: each account's IPs and the free inventory's, kept by triggers

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-30 19:00:00.000000

A take answers ``remaining_ips`` (the quota's room, within the free inventory) and checks
the quota first: two ``count(*)`` over the IPs, one of them over every free inventory IP
(65,534 of them cost a take ~4 ms on SQLite). ``accounts.ip_count`` and the one row of
``inventory_counts`` hold both counts instead, kept by triggers on ``ip_addresses`` in the
transaction of every write that adds, moves or removes an IP, whichever code path made it.

SQLite has row triggers only: each one adds or takes one from the row it names, in place.
PostgreSQL uses statement triggers with transition tables: a row trigger there would write
a new version of the one counter row per IP, and an import of 65,536 IPs then takes minutes
(each update walks the versions the transaction left before it); a statement trigger adds
the statement's net change once. Its UPDATE trigger cannot be limited to ``account_id``
(PostgreSQL forbids a column list beside transition tables), so it fires on every update
of ``ip_addresses``; an update that moves no IP nets to zero and writes nothing.

Existing data: both counts start from a real count of the rows there.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None

# SQLite, one row at a time: (name, event, condition, statements).
SQLITE_TRIGGERS = [
    (
        "ip_counts_insert",
        "AFTER INSERT",
        "",
        "UPDATE accounts SET ip_count = ip_count + 1 WHERE id = NEW.account_id;\n"
        "UPDATE inventory_counts SET free_ips = free_ips + 1"
        " WHERE id = 1 AND NEW.account_id IS NULL;",
    ),
    (
        "ip_counts_update",
        "AFTER UPDATE OF account_id",
        "OLD.account_id IS NOT NEW.account_id",
        "UPDATE accounts SET ip_count = ip_count - 1 WHERE id = OLD.account_id;\n"
        "UPDATE accounts SET ip_count = ip_count + 1 WHERE id = NEW.account_id;\n"
        "UPDATE inventory_counts"
        " SET free_ips = free_ips + (NEW.account_id IS NULL) - (OLD.account_id IS NULL)"
        " WHERE id = 1;",
    ),
    (
        "ip_counts_delete",
        "AFTER DELETE",
        "",
        "UPDATE accounts SET ip_count = ip_count - 1 WHERE id = OLD.account_id;\n"
        "UPDATE inventory_counts SET free_ips = free_ips - 1"
        " WHERE id = 1 AND OLD.account_id IS NULL;",
    ),
]

# PostgreSQL, once per statement. {moved} lists (account_id, +1 or -1) for every row the
# statement added or removed; an account_id of NULL is the free inventory.
PG_APPLY = """
DECLARE
    freed integer;
BEGIN
    UPDATE accounts a SET ip_count = a.ip_count + d.n
    FROM (SELECT account_id, sum(n) AS n FROM ({moved}) m
          WHERE account_id IS NOT NULL GROUP BY account_id) d
    WHERE a.id = d.account_id AND d.n <> 0;
    SELECT COALESCE(sum(n), 0) INTO freed FROM ({moved}) m WHERE account_id IS NULL;
    IF freed <> 0 THEN
        UPDATE inventory_counts SET free_ips = free_ips + freed WHERE id = 1;
    END IF;
    RETURN NULL;
END"""
ADDED = "SELECT account_id, 1 AS n FROM added"
GONE = "SELECT account_id, -1 AS n FROM gone"
PG_TRIGGERS = [
    ("ip_counts_insert", "AFTER INSERT", "NEW TABLE AS added", ADDED),
    (
        "ip_counts_update",
        "AFTER UPDATE",
        "OLD TABLE AS gone NEW TABLE AS added",
        f"{ADDED} UNION ALL {GONE}",
    ),
    ("ip_counts_delete", "AFTER DELETE", "OLD TABLE AS gone", GONE),
]


def _sqlite_statements() -> list[str]:
    made = []
    for name, event, condition, body in SQLITE_TRIGGERS:
        when = f" WHEN {condition}" if condition else ""
        made.append(
            f"CREATE TRIGGER {name} {event} ON ip_addresses FOR EACH ROW{when}\nBEGIN\n{body}\nEND"
        )
    return made


def _postgres_statements() -> list[str]:
    made = []
    for name, event, tables, moved in PG_TRIGGERS:
        made.append(
            f"CREATE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $$"
            f"{PG_APPLY.format(moved=moved)} $$"
        )
        made.append(
            f"CREATE TRIGGER {name} {event} ON ip_addresses REFERENCING {tables}"
            f" FOR EACH STATEMENT EXECUTE FUNCTION {name}()"
        )
    return made


def upgrade() -> None:
    # Plain ADD COLUMN with a constant default: no batch copy of accounts on SQLite.
    op.add_column(
        "accounts", sa.Column("ip_count", sa.Integer(), server_default="0", nullable=False)
    )
    op.create_table(
        "inventory_counts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("free_ips", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_inventory_counts")),
    )
    bind = op.get_bind()
    bind.exec_driver_sql(
        "UPDATE accounts SET ip_count ="
        " (SELECT count(*) FROM ip_addresses i WHERE i.account_id = accounts.id)"
    )
    bind.exec_driver_sql(
        "INSERT INTO inventory_counts (id, free_ips)"
        " SELECT 1, count(*) FROM ip_addresses WHERE account_id IS NULL"
    )
    sqlite = bind.dialect.name == "sqlite"
    for statement in _sqlite_statements() if sqlite else _postgres_statements():
        bind.exec_driver_sql(statement)


def downgrade() -> None:
    bind = op.get_bind()
    for name, *_ in SQLITE_TRIGGERS:
        if bind.dialect.name == "sqlite":
            bind.exec_driver_sql(f"DROP TRIGGER IF EXISTS {name}")
        else:
            bind.exec_driver_sql(f"DROP TRIGGER IF EXISTS {name} ON ip_addresses")
            bind.exec_driver_sql(f"DROP FUNCTION IF EXISTS {name}()")
    op.drop_table("inventory_counts")
    op.execute("ALTER TABLE accounts DROP COLUMN ip_count")
