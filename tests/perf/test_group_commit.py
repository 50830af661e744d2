"""Concurrent writes of one process share commits, on both databases; each stays whole."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import event, literal, select

from ipfleet.domain.errors import AddressRejected
from ipfleet.domain.records import Actor
from ipfleet.services.accounts import create_account, get_account
from ipfleet.services.ips import add_ips
from ipfleet.services.subusers import (
    SetMode,
    create_subuser,
    set_ips_within,
    set_subuser_ips,
    subuser_ips,
)
from ipfleet.services.timeline import period_differences
from ipfleet.store.uow import (
    WRITER_CACHE_MB,
    WRITER_CHECKPOINT_PAGES,
    Database,
    UnitOfWork,
    WriteUnit,
)

ACTOR = Actor("test", "group")
THREADS = 24


def test_failing_writes_do_not_spoil_their_batch(db: Database) -> None:
    create_account(db, username="acme", outbound_cluster=None, actor=ACTOR)
    add_ips(db, account=get_account(db, username="acme"), specs=["192.0.2.0/27"], actor=ACTOR)
    for n in range(THREADS):
        create_subuser(
            db, account=get_account(db, username="acme"), username=f"s{n}", email="", actor=ACTOR
        )
    account = get_account(db, username="acme")
    start = threading.Barrier(THREADS)
    outcome: dict[int, str] = {}

    def write(n: int) -> None:
        # Odd writers name an address that is not the account's: they must fail alone.
        ips = [f"192.0.2.{n + 1}"] + (["198.51.100.1"] if n % 2 else [])
        start.wait()
        try:
            set_subuser_ips(
                db, account=account, username=f"s{n}", mode=SetMode.SPECIFY, ips=ips, actor=ACTOR
            )
            outcome[n] = "ok"
        except AddressRejected:
            outcome[n] = "refused"

    threads = [threading.Thread(target=write, args=(n,)) for n in range(THREADS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert outcome == {n: "refused" if n % 2 else "ok" for n in range(THREADS)}
    for n in range(THREADS):
        held = subuser_ips(db, account=account, username=f"s{n}")
        assert held == ([] if n % 2 else [f"192.0.2.{n + 1}"])
    logged = db.read(lambda uow: uow.log.entries(account.id))
    assert sum(r["action"] == "subuser.set_ips" for r in logged) == THREADS // 2


def test_only_the_sqlite_writer_has_the_large_page_cache(db: Database) -> None:
    """The writer's own connection keeps a large page cache (a write touches random pages
    of the timeline's indexes); readers keep SQLite's default, so memory stays bounded.
    On PostgreSQL writes use the one engine."""

    def cache(uow: UnitOfWork) -> int:
        return int(uow.conn.exec_driver_sql("PRAGMA cache_size").scalar_one())

    if db.sqlite:
        assert db.read(cache) == -2000
        assert db.write(cache, actor=ACTOR) == -WRITER_CACHE_MB * 1024
    else:
        assert db.write(lambda uow: uow.conn.engine is db.engine, actor=ACTOR)


def test_the_sqlite_writer_checkpoints_the_wal_seldom(sqlite_url: str) -> None:
    """The writer's commits checkpoint the WAL only once it holds WRITER_CHECKPOINT_PAGES
    pages, not SQLite's 1,000 (a checkpoint's two fsyncs were most of an S3 write's time),
    and not never (0): the WAL must not grow without bound. (PostgreSQL checkpoints by
    itself: SQLite only.)"""
    db = Database(sqlite_url)

    def threshold(uow: UnitOfWork) -> int:
        return int(uow.conn.exec_driver_sql("PRAGMA wal_autocheckpoint").scalar_one())

    assert WRITER_CHECKPOINT_PAGES >= 8 * 1000
    try:
        assert db.write(threshold, actor=ACTOR) == WRITER_CHECKPOINT_PAGES
    finally:
        db.dispose()


def test_a_write_failing_after_its_changes_leaves_none_of_them(db: Database) -> None:
    """The write's savepoint (plain SAVEPOINT / ROLLBACK TO, not Core's begin_nested)
    undoes everything the failed write did, its version bump and periods too, while the
    batch's transaction still commits the writes around it."""
    create_account(db, username="acme", outbound_cluster=None, actor=ACTOR)
    add_ips(db, account=get_account(db, username="acme"), specs=["192.0.2.0/29"], actor=ACTOR)
    create_subuser(
        db, account=get_account(db, username="acme"), username="s1", email="", actor=ACTOR
    )
    account = get_account(db, username="acme")
    set_subuser_ips(
        db, account=account, username="s1", mode=SetMode.SPECIFY, ips=["192.0.2.1"], actor=ACTOR
    )
    version = get_account(db, username="acme").data_version

    def late_failure(uow: WriteUnit) -> None:
        set_ips_within(uow, account, "s1", SetMode.SPECIFY, ["192.0.2.2"])
        raise RuntimeError("after the changes")

    with pytest.raises(RuntimeError):
        db.write(late_failure, actor=ACTOR, account=account)
    assert subuser_ips(db, account=account, username="s1") == ["192.0.2.1"]
    assert get_account(db, username="acme").data_version == version
    assert period_differences(db) == []
    set_subuser_ips(
        db, account=account, username="s1", mode=SetMode.SPECIFY, ips=["192.0.2.3"], actor=ACTOR
    )
    logged = db.read(lambda uow: uow.log.entries(account.id))
    assert [r["after"] for r in logged if r["action"] == "subuser.set_ips"] == [
        {"ips": ["192.0.2.1"]},
        {"ips": ["192.0.2.3"]},
    ]


def test_a_writes_savepoint_is_a_plain_statement(db: Database) -> None:
    """Core's begin_nested cost ~0.25 ms a write on SQLite (~0.7 ms on PostgreSQL) more
    than the plain statements: no SAVEPOINT goes through Core in a write."""
    seen: list[str] = []

    def spy(_c: object, _cur: object, statement: str, *_: object) -> None:
        seen.append(statement)

    event.listen(db._writer, "before_cursor_execute", spy)
    try:
        db.write(lambda uow: uow.conn.execute(select(literal(1))).scalar_one(), actor=ACTOR)
    finally:
        event.remove(db._writer, "before_cursor_execute", spy)
    assert [s for s in seen if s.startswith("SELECT")]  # the spy sees Core's statements
    assert [s for s in seen if "SAVEPOINT" in s.upper()] == []
