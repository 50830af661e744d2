"""the timeline: periods of ownership, holdings, pool membership, subuser state and domains

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-30 13:00:00.000000

The periods are kept by database triggers, so they are written by the same transaction as
every write, whichever service made it, and no code path can forget them. A trigger takes
the write's time from the write path (``ipfleet.now`` on PostgreSQL, the ``write_clock``
row on SQLite), so a period starts at the same instant as the change-log row of its write;
a statement outside the write path (a migration, an operator's SQL) falls back to the
database's clock.

Existing data: every current ownership, holding, pool membership, subuser state and domain
attachment opens a period at the moment the change log last touched it (or when the row was
made, when the log says nothing); the timeline before this migration is not rebuilt.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

SQLITE_NOW = (
    "COALESCE((SELECT at FROM write_clock WHERE id = 1), strftime('%Y-%m-%d %H:%M:%f000', 'now'))"
)
PG_NOW = (
    "COALESCE(NULLIF(current_setting('ipfleet.now', true), '')::timestamptz, clock_timestamp())"
)

# One INSERT ... SELECT per kind of period, shared by both dialects: {now} is the clock
# expression, {row} the trigger's NEW row.
OPEN_OWNER = """
INSERT INTO ip_periods (kind, ip_id, address, sort_key, account_id, account, started_at)
SELECT 'account', {row}.id, {row}.address, {row}.sort_key, a.id, a.username, {now}
FROM accounts a WHERE a.id = {row}.account_id"""
OPEN_HOLDING = """
INSERT INTO ip_periods (kind, ip_id, address, sort_key, account_id, account,
                        subuser_id, subuser, started_at)
SELECT 'holding', i.id, i.address, i.sort_key, a.id, a.username, s.id, s.username, {now}
FROM ip_addresses i, subusers s, accounts a
WHERE i.id = {row}.ip_id AND s.id = {row}.subuser_id AND a.id = {row}.account_id"""
# 'filled': the subuser's set is not empty (while it is empty, the subuser may send from
# every IP of its account). Opened by the first holding, closed with the last.
OPEN_FILLED = """
INSERT INTO holder_periods (kind, subuser_id, subuser, account_id, account, value, started_at)
SELECT 'filled', s.id, s.username, a.id, a.username, 'yes', {now}
FROM subusers s, accounts a
WHERE s.id = {row}.subuser_id AND a.id = {row}.account_id AND NOT EXISTS (
    SELECT 1 FROM holdings h WHERE h.subuser_id = {row}.subuser_id AND h.ip_id <> {row}.ip_id)"""
CLOSE_FILLED = """
UPDATE holder_periods SET ended_at = {now}
WHERE ended_at IS NULL AND kind = 'filled' AND subuser_id = OLD.subuser_id
AND NOT EXISTS (SELECT 1 FROM holdings h WHERE h.subuser_id = OLD.subuser_id)"""
OPEN_POOL = """
INSERT INTO ip_periods (kind, ip_id, address, sort_key, account_id, account,
                        pool_id, pool, started_at)
SELECT 'pool', i.id, i.address, i.sort_key, a.id, a.username, p.id, p.name, {now}
FROM ip_addresses i, pools p, accounts a
WHERE i.id = {row}.ip_id AND p.id = {row}.pool_id AND a.id = {row}.account_id"""
OPEN_STATE = """
INSERT INTO holder_periods (kind, subuser_id, subuser, account_id, account, value, started_at)
SELECT 'state', {row}.id, {row}.username, a.id, a.username,
       CASE WHEN {row}.active THEN 'active' ELSE 'inactive' END, {now}
FROM accounts a WHERE a.id = {row}.account_id"""
OPEN_DOMAIN = """
INSERT INTO holder_periods (kind, subuser_id, subuser, account_id, account, value, started_at)
SELECT 'domain', {row}.id, {row}.username, a.id, a.username, d.mail_domain, {now}
FROM accounts a, sending_domains d
WHERE a.id = {row}.account_id AND d.id = {row}.sending_domain_id"""
OPEN_REGISTERED = """
INSERT INTO holder_periods (kind, account_id, account, value, started_at)
SELECT 'registered', a.id, a.username, {row}.mail_domain, {now}
FROM accounts a WHERE a.id = {row}.account_id"""


def _close(table: str, where: str, now: str) -> str:
    return f"UPDATE {table} SET ended_at = {now} WHERE ended_at IS NULL AND {where}"


def _events(now: str) -> dict[str, list[tuple[str, str, str]]]:
    """Per table: (event, condition, statements) of its triggers, in either dialect."""
    new, old = "NEW", "OLD"
    return {
        "ip_addresses": [
            ("AFTER INSERT", "NEW.account_id IS NOT NULL", OPEN_OWNER.format(row=new, now=now)),
            (
                "AFTER UPDATE OF account_id",
                "OLD.account_id IS DISTINCT FROM NEW.account_id",
                _close("ip_periods", "kind = 'account' AND ip_id = OLD.id", now)
                + ";\n"
                + OPEN_OWNER.format(row=new, now=now),
            ),
            ("AFTER DELETE", "", _close("ip_periods", f"ip_id = {old}.id", now)),
        ],
        "holdings": [
            (
                "AFTER INSERT",
                "",
                OPEN_HOLDING.format(row=new, now=now)
                + ";\n"
                + OPEN_FILLED.format(row=new, now=now),
            ),
            (
                "AFTER DELETE",
                "",
                _close(
                    "ip_periods",
                    "kind = 'holding' AND ip_id = OLD.ip_id AND subuser_id = OLD.subuser_id",
                    now,
                )
                + ";\n"
                + CLOSE_FILLED.format(now=now),
            ),
        ],
        "pool_members": [
            ("AFTER INSERT", "", OPEN_POOL.format(row=new, now=now)),
            (
                "AFTER DELETE",
                "",
                _close(
                    "ip_periods",
                    "kind = 'pool' AND ip_id = OLD.ip_id AND pool_id = OLD.pool_id",
                    now,
                ),
            ),
        ],
        "subusers": [
            (
                "AFTER INSERT",
                "",
                OPEN_STATE.format(row=new, now=now) + ";\n" + OPEN_DOMAIN.format(row=new, now=now),
            ),
            (
                "AFTER UPDATE OF active",
                "OLD.active IS DISTINCT FROM NEW.active",
                _close("holder_periods", "kind = 'state' AND subuser_id = OLD.id", now)
                + ";\n"
                + OPEN_STATE.format(row=new, now=now),
            ),
            (
                "AFTER UPDATE OF sending_domain_id",
                "OLD.sending_domain_id IS DISTINCT FROM NEW.sending_domain_id",
                _close("holder_periods", "kind = 'domain' AND subuser_id = OLD.id", now)
                + ";\n"
                + OPEN_DOMAIN.format(row=new, now=now),
            ),
            ("AFTER DELETE", "", _close("holder_periods", "subuser_id = OLD.id", now)),
        ],
        "sending_domains": [
            ("AFTER INSERT", "", OPEN_REGISTERED.format(row=new, now=now)),
            (
                "AFTER DELETE",
                "",
                _close(
                    "holder_periods",
                    "kind = 'registered' AND subuser_id IS NULL AND account_id = OLD.account_id"
                    " AND value = OLD.mail_domain",
                    now,
                ),
            ),
        ],
    }


def _sqlite_triggers() -> list[str]:
    made = []
    for table, events in _events(SQLITE_NOW).items():
        for n, (event, condition, body) in enumerate(events):
            when = f" WHEN {condition.replace('IS DISTINCT FROM', 'IS NOT')}" if condition else ""
            made.append(
                f"CREATE TRIGGER timeline_{table}_{n} {event} ON {table} FOR EACH ROW{when}\n"
                f"BEGIN\n{body};\nEND"
            )
    return made


def _postgres_triggers() -> list[str]:
    made = []
    for table, events in _events(PG_NOW).items():
        for n, (event, condition, body) in enumerate(events):
            name = f"timeline_{table}_{n}"
            made.append(
                f"CREATE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $$\n"
                f"BEGIN\n{body};\nRETURN NULL;\nEND $$"
            )
            when = f" WHEN ({condition})" if condition else ""
            made.append(
                f"CREATE TRIGGER {name} {event} ON {table} FOR EACH ROW{when}"
                f" EXECUTE FUNCTION {name}()"
            )
    return made


def _trigger_names() -> list[tuple[str, str]]:
    return [
        (table, f"timeline_{table}_{n}")
        for table, events in _events("").items()
        for n in range(len(events))
    ]


def _create_tables() -> None:
    op.create_table(
        "ip_periods",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=8), nullable=False),
        sa.Column("ip_id", sa.Integer(), nullable=False),
        sa.Column("address", sa.String(length=39), nullable=False),
        sa.Column("sort_key", sa.String(length=33), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("account", sa.String(length=64), nullable=False),
        sa.Column("subuser_id", sa.Integer(), nullable=True),
        sa.Column("subuser", sa.String(length=64), nullable=True),
        sa.Column("pool_id", sa.Integer(), nullable=True),
        sa.Column("pool", sa.String(length=64), nullable=True),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ended_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ip_periods")),
    )
    op.create_index(
        op.f("ix_ip_periods_address_started_at"), "ip_periods", ["address", "started_at"]
    )
    op.create_index(op.f("ix_ip_periods_sort_key"), "ip_periods", ["sort_key"])
    op.create_index(op.f("ix_ip_periods_subuser_id"), "ip_periods", ["subuser_id"])
    op.create_index(op.f("ix_ip_periods_ip_id_ended_at"), "ip_periods", ["ip_id", "ended_at"])
    op.create_index(op.f("ix_ip_periods_account_id_kind"), "ip_periods", ["account_id", "kind"])
    op.create_table(
        "holder_periods",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("subuser_id", sa.Integer(), nullable=True),
        sa.Column("subuser", sa.String(length=64), nullable=True),
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("account", sa.String(length=64), nullable=False),
        sa.Column("value", sa.String(length=253), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ended_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_holder_periods")),
    )
    op.create_index(
        op.f("ix_holder_periods_account_id_kind"), "holder_periods", ["account_id", "kind"]
    )
    op.create_index(
        op.f("ix_holder_periods_subuser_id_kind"), "holder_periods", ["subuser_id", "kind"]
    )
    op.create_index(op.f("ix_holder_periods_value_kind"), "holder_periods", ["value", "kind"])
    op.create_table(
        "write_clock",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_write_clock")),
    )


def _open_existing_periods() -> None:
    """Open a period for everything as it is now (see the module's docstring)."""
    bind = op.get_bind()
    made = "COALESCE(i.assigned_at, i.created_at)"
    bind.exec_driver_sql(
        "INSERT INTO ip_periods (kind, ip_id, address, sort_key, account_id, account, started_at)"
        f" SELECT 'account', i.id, i.address, i.sort_key, a.id, a.username, {made}"
        " FROM ip_addresses i JOIN accounts a ON a.id = i.account_id"
    )
    bind.exec_driver_sql(
        "INSERT INTO ip_periods (kind, ip_id, address, sort_key, account_id, account,"
        " subuser_id, subuser, started_at)"
        f" SELECT 'holding', i.id, i.address, i.sort_key, a.id, a.username, s.id, s.username,"
        f" {_last_logged('subuser', 's.username', 's.created_at')}"
        " FROM holdings h JOIN ip_addresses i ON i.id = h.ip_id"
        " JOIN subusers s ON s.id = h.subuser_id JOIN accounts a ON a.id = h.account_id"
    )
    bind.exec_driver_sql(
        "INSERT INTO ip_periods (kind, ip_id, address, sort_key, account_id, account,"
        " pool_id, pool, started_at)"
        " SELECT 'pool', i.id, i.address, i.sort_key, a.id, a.username, p.id, p.name,"
        f" {_last_logged('pool', 'p.name', 'p.created_at')}"
        " FROM pool_members m JOIN ip_addresses i ON i.id = m.ip_id"
        " JOIN pools p ON p.id = m.pool_id JOIN accounts a ON a.id = m.account_id"
    )
    bind.exec_driver_sql(
        "INSERT INTO holder_periods (kind, subuser_id, subuser, account_id, account, value,"
        " started_at)"
        " SELECT 'state', s.id, s.username, a.id, a.username,"
        " CASE WHEN s.active THEN 'active' ELSE 'inactive' END,"
        f" {_last_logged('subuser', 's.username', 's.created_at')}"
        " FROM subusers s JOIN accounts a ON a.id = s.account_id"
    )
    bind.exec_driver_sql(
        "INSERT INTO holder_periods (kind, subuser_id, subuser, account_id, account, value,"
        " started_at)"
        " SELECT 'filled', s.id, s.username, a.id, a.username, 'yes',"
        f" {_last_logged('subuser', 's.username', 's.created_at')}"
        " FROM subusers s JOIN accounts a ON a.id = s.account_id"
        " WHERE EXISTS (SELECT 1 FROM holdings h WHERE h.subuser_id = s.id)"
    )
    bind.exec_driver_sql(
        "INSERT INTO holder_periods (kind, account_id, account, value, started_at)"
        " SELECT 'registered', a.id, a.username, d.mail_domain, d.created_at"
        " FROM sending_domains d JOIN accounts a ON a.id = d.account_id"
    )
    bind.exec_driver_sql(
        "INSERT INTO holder_periods (kind, subuser_id, subuser, account_id, account, value,"
        " started_at)"
        " SELECT 'domain', s.id, s.username, a.id, a.username, d.mail_domain,"
        f" {_last_logged('subuser', 's.username', 'd.created_at')}"
        " FROM subusers s JOIN accounts a ON a.id = s.account_id"
        " JOIN sending_domains d ON d.id = s.sending_domain_id"
    )


def _last_logged(kind: str, name: str, fallback: str) -> str:
    """The time of the change log's last row about ``kind:name`` (else ``fallback``)."""
    subject = f"'{kind}:' || {name}"
    return f"COALESCE((SELECT max(c.at) FROM change_log c WHERE c.subject = {subject}), {fallback})"


def upgrade() -> None:
    _create_tables()
    _open_existing_periods()
    bind = op.get_bind()
    if bind.dialect.name == "sqlite":
        bind.exec_driver_sql("INSERT INTO write_clock (id, at) VALUES (1, NULL)")
        statements = _sqlite_triggers()
    else:
        statements = _postgres_triggers()
    for statement in statements:
        bind.exec_driver_sql(statement)


def downgrade() -> None:
    bind = op.get_bind()
    for table, name in _trigger_names():
        if bind.dialect.name == "sqlite":
            bind.exec_driver_sql(f"DROP TRIGGER IF EXISTS {name}")
        else:
            bind.exec_driver_sql(f"DROP TRIGGER IF EXISTS {name} ON {table}")
            bind.exec_driver_sql(f"DROP FUNCTION IF EXISTS {name}()")
    op.drop_table("write_clock")
    op.drop_table("holder_periods")
    op.drop_table("ip_periods")
