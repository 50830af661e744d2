"""The migrations build exactly the schema the code declares, on every backend."""

from __future__ import annotations

import contextlib
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext

from ipfleet.domain.addresses import parse_address, sort_key
from ipfleet.services.timeline import ip_history
from ipfleet.store import migrations
from ipfleet.store.migrate import current, head, upgrade
from ipfleet.store.tables import metadata
from ipfleet.store.uow import Database
from tests.support.postgres import fresh_schema


def test_migrated_schema_matches_tables(db: Database) -> None:
    with db.engine.connect() as conn:
        ctx = MigrationContext.configure(conn, opts={"compare_type": True})
        diff = compare_metadata(ctx, metadata)
    assert diff == []


def test_database_is_at_head(db: Database) -> None:
    """The head is the highest-numbered migration file: the chain has no gap or fork."""
    versions = Path(migrations.__file__).parent / "versions"
    newest = max(p.name.split("_", 1)[0] for p in versions.glob("[0-9]*.py"))
    assert current(db) == head() == newest


def test_0003_keeps_the_data_of_a_populated_database(tmp_path: Path) -> None:
    """SQLite recreates ``subusers`` to add the composite key: the holdings that reference
    it must survive (with foreign keys enforced, dropping the old table would cascade)."""
    db = Database(f"sqlite:///{tmp_path / 'old.db'}")
    upgrade(db, "0002")
    with db.engine.begin() as conn:
        for sql in (
            "INSERT INTO accounts (id, username, data_version, created_at)"
            " VALUES (1, 'acme', 0, '2026-01-01')",
            "INSERT INTO subusers (id, account_id, username, email, active, created_at)"
            " VALUES (1, 1, 'alice', '', 1, '2026-01-01')",
            "INSERT INTO ip_addresses (id, address, sort_key, version, account_id, created_at)"
            " VALUES (1, '192.0.2.1', 'x', 4, 1, '2026-01-01')",
            "INSERT INTO holdings (subuser_id, ip_id, account_id) VALUES (1, 1, 1)",
        ):
            conn.exec_driver_sql(sql)
    upgrade(db)
    with db.engine.connect() as conn:
        assert conn.exec_driver_sql("SELECT count(*) FROM holdings").scalar_one() == 1
        row = conn.exec_driver_sql("SELECT mta, enabled FROM ip_addresses").one()
        assert tuple(row) == (None, 1)
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar_one() == 1
    db.dispose()


def test_0006_opens_the_periods_of_existing_data(tmp_path: Path) -> None:
    """The timeline starts from what is there: each ownership, holding and subuser state
    opens a period, at the change log's last word on it (else when the row was made)."""
    db = Database(f"sqlite:///{tmp_path / 'old.db'}")
    upgrade(db, "0003")
    with db.engine.begin() as conn:
        for sql in (
            "INSERT INTO accounts (id, username, data_version, created_at)"
            " VALUES (1, 'acme', 0, '2026-01-01 00:00:00.000000')",
            "INSERT INTO subusers (id, account_id, username, email, active, created_at)"
            " VALUES (1, 1, 'alice', '', 0, '2026-01-02 00:00:00.000000')",
            "INSERT INTO ip_addresses (id, address, sort_key, version, account_id, assigned_at,"
            " created_at) VALUES (1, '192.0.2.1', 'k1', 4, 1, '2026-01-03 00:00:00.000000',"
            " '2026-01-01 00:00:00.000000')",
            "INSERT INTO holdings (subuser_id, ip_id, account_id) VALUES (1, 1, 1)",
            "INSERT INTO change_log (at, actor, request_id, account_id, action, subject)"
            " VALUES ('2026-01-04 00:00:00.000000', 'op', 'r', 1, 'subuser.set_ips',"
            " 'subuser:alice')",
        ):
            conn.exec_driver_sql(sql)
    upgrade(db)
    with db.engine.connect() as conn:
        ips = conn.exec_driver_sql(
            "SELECT kind, account, subuser, started_at, ended_at FROM ip_periods ORDER BY id"
        ).all()
        holders = conn.exec_driver_sql(
            "SELECT kind, subuser, value, started_at FROM holder_periods ORDER BY kind"
        ).all()
    assert [tuple(r) for r in ips] == [
        ("account", "acme", None, "2026-01-03 00:00:00.000000", None),
        ("holding", "acme", "alice", "2026-01-04 00:00:00.000000", None),
    ]
    assert [tuple(r) for r in holders] == [
        ("filled", "alice", "yes", "2026-01-04 00:00:00.000000"),
        ("state", "alice", "inactive", "2026-01-04 00:00:00.000000"),
    ]
    db.dispose()


def test_0008_tells_direct_additions_from_takes_and_keeps_the_triggers(tmp_path: Path) -> None:
    """An IP stamped on its account at creation was added directly (not leased); one
    assigned later was taken from the inventory. ADD COLUMN leaves the timeline's
    triggers on ip_addresses working (a batch copy of the table would break them)."""
    db = Database(f"sqlite:///{tmp_path / 'old.db'}")
    upgrade(db, "0007")
    with db.engine.begin() as conn:
        for sql in (
            "INSERT INTO accounts (id, username, data_version, created_at)"
            " VALUES (1, 'acme', 0, '2026-01-01 00:00:00.000000')",
            "INSERT INTO ip_addresses (id, address, sort_key, version, account_id, assigned_at,"
            " created_at) VALUES (1, '192.0.2.1', 'k1', 4, 1, '2026-01-02 00:00:00.000000',"
            " '2026-01-02 00:00:00.000000')",
            "INSERT INTO ip_addresses (id, address, sort_key, version, account_id, assigned_at,"
            " created_at) VALUES (2, '192.0.2.2', 'k2', 4, 1, '2026-01-03 00:00:00.000000',"
            " '2026-01-01 00:00:00.000000')",
            "INSERT INTO ip_addresses (id, address, sort_key, version, created_at)"
            " VALUES (3, '192.0.2.3', 'k3', 4, '2026-01-01 00:00:00.000000')",
        ):
            conn.exec_driver_sql(sql)
    upgrade(db)
    with db.engine.begin() as conn:
        rows = conn.exec_driver_sql(
            "SELECT leased, parent_assigned, region FROM ip_addresses ORDER BY id"
        ).all()
        assert [tuple(r) for r in rows] == [(0, 1, "us"), (1, 1, "us"), (1, 1, "us")]
        conn.exec_driver_sql("UPDATE ip_addresses SET account_id = 1 WHERE id = 3")
        opened = conn.exec_driver_sql(
            "SELECT count(*) FROM ip_periods WHERE ip_id = 3 AND ended_at IS NULL"
        ).scalar_one()
    assert opened == 1
    db.dispose()


def test_0009_keeps_the_periods_and_finds_them_by_sort_key(tmp_path: Path) -> None:
    """0009 changes only ip_periods' indexes: the periods written before it stay, and the
    questions about an address (now asked by its sort key) still find them."""
    db = Database(f"sqlite:///{tmp_path / 'old.db'}")
    upgrade(db, "0008")
    key = sort_key(parse_address("192.0.2.1"))
    with db.engine.begin() as conn:
        for sql, params in (
            (
                "INSERT INTO accounts (id, username, data_version, created_at)"
                " VALUES (1, 'acme', 0, '2026-01-01 00:00:00.000000')",
                (),
            ),
            (
                "INSERT INTO subusers (id, account_id, username, email, active, created_at)"
                " VALUES (1, 1, 'alice', '', 1, '2026-01-01 00:00:00.000000')",
                (),
            ),
            (
                "INSERT INTO ip_addresses (id, address, sort_key, version, account_id,"
                " assigned_at, created_at) VALUES (1, '192.0.2.1', ?, 4, 1,"
                " '2026-01-02 00:00:00.000000', '2026-01-02 00:00:00.000000')",
                (key,),
            ),
            ("INSERT INTO holdings (subuser_id, ip_id, account_id) VALUES (1, 1, 1)", ()),
        ):
            conn.exec_driver_sql(sql, params)
    upgrade(db)
    periods = ip_history(db, address="192.0.2.1")
    assert [(p.kind, p.account, p.subuser, p.ended_at) for p in periods] == [
        ("account", "acme", None, None),
        ("holding", "acme", "alice", None),
    ]
    with db.engine.connect() as conn:
        indexes = {
            name
            for (name,) in conn.exec_driver_sql(
                "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'ip_periods'"
            )
        }
    assert indexes == {
        "ix_ip_periods_sort_key_started_at",
        "ix_ip_periods_ip_id_ended_at",
        "ix_ip_periods_account_id_kind",
    }
    db.dispose()


@pytest.mark.parametrize(
    "backend", ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]
)
def test_0010_counts_the_ips_already_there_and_keeps_counting(tmp_path: Path, backend: str) -> None:
    """The kept counts start from the rows there (two accounts, one with none, and the
    free inventory) and follow a move made by plain SQL afterwards."""
    with contextlib.ExitStack() as stack:
        url = (
            f"sqlite:///{tmp_path / 'old.db'}"
            if backend == "sqlite"
            else stack.enter_context(fresh_schema("m"))
        )
        db = Database(url)
        stack.callback(db.dispose)
        upgrade(db, "0008")
        with db.engine.begin() as conn:
            for n, name in ((1, "acme"), (2, "other"), (3, "empty")):
                conn.exec_driver_sql(
                    "INSERT INTO accounts (id, username, data_version, created_at)"
                    f" VALUES ({n}, '{name}', 0, '2026-01-01 00:00:00')"
                )
            owners = ["1", "1", "1", "2", "NULL", "NULL"]
            for n, owner in enumerate(owners, start=1):
                conn.exec_driver_sql(
                    "INSERT INTO ip_addresses (id, address, sort_key, version, account_id,"
                    f" created_at) VALUES ({n}, '192.0.2.{n}', 'k{n}', 4, {owner},"
                    " '2026-01-01 00:00:00')"
                )
        upgrade(db)
        counts = "SELECT id, ip_count FROM accounts ORDER BY id"
        free = "SELECT free_ips FROM inventory_counts"
        with db.engine.begin() as conn:
            assert [tuple(r) for r in conn.exec_driver_sql(counts)] == [(1, 3), (2, 1), (3, 0)]
            assert conn.exec_driver_sql(free).scalar_one() == 2
            conn.exec_driver_sql("UPDATE ip_addresses SET account_id = 3 WHERE id IN (1, 5)")
            assert [tuple(r) for r in conn.exec_driver_sql(counts)] == [(1, 2), (2, 1), (3, 2)]
            assert conn.exec_driver_sql(free).scalar_one() == 1
