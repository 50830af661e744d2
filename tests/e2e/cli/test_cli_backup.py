"""`ipfleet db backup` while a real server takes writes, and `ipfleet db restore`.

What proves nothing was lost: the restored change log is a prefix of the live one that
holds every write committed before the backup began, and replaying it from empty gives
exactly the restored tables (so the snapshot is consistent: no row without its log entry,
no log entry without its rows).
"""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
import threading
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from ipfleet.domain.records import Actor
from ipfleet.domain.replay import replay
from ipfleet.services.accounts import create_account
from ipfleet.services.inventory import add_to_inventory
from ipfleet.services.ips import add_ips
from ipfleet.services.log_check import state_and_log
from ipfleet.services.subusers import create_subuser
from ipfleet.store.migrate import head
from ipfleet.store.uow import Database
from tests.support.cli import Ipfleet

ACTOR = Actor(name="tests:backup", request_id="backup-seed")
SUBUSERS = [f"sub{n}" for n in range(6)]
IPS = [f"192.0.2.{n}" for n in range(1, 41)]

Serve = Callable[..., contextlib.AbstractContextManager[str]]


def seed(url: str) -> str:
    """An account with IPs and subusers, and a sizeable inventory; returns the API key."""
    db = Database(url)
    try:
        acme, key = create_account(db, username="acme", outbound_cluster=None, actor=ACTOR)
        add_ips(db, account=acme, specs=IPS, actor=ACTOR)
        for name in SUBUSERS:
            create_subuser(db, account=acme, username=name, email="", actor=ACTOR)
        add_to_inventory(db, specs=["10.20.0.0/18"], actor=ACTOR)  # ~16k rows: several steps
        return key
    finally:
        db.dispose()


class WriteLoad:
    """A thread making v2 writes (each one change-log row) until stopped."""

    def __init__(self, base: str, key: str) -> None:
        self.base, self.key = base, key
        self.acked = 0
        self.failures: list[str] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        auth = {"api_user": "acme", "api_key": self.key}
        with httpx.Client(base_url=self.base, timeout=30) as http:
            n = 0
            while not self._stop.is_set():
                n += 1
                user = SUBUSERS[n % len(SUBUSERS)]
                if n % 2:
                    ips = [IPS[(n + k) % len(IPS)] for k in range(3)]
                    form = {**auth, "task": "append", "set": "specify", "user": user, "ip[]": ips}
                    resp = http.post("/apiv2/customer.sendip.json", data=form)
                else:
                    form = {**auth, "task": "set", "user": user, "city": f"city {n}"}
                    resp = http.post("/apiv2/customer.profile.json", data=form)
                if resp.json() == {"message": "success"}:
                    self.acked += 1
                else:
                    self.failures.append(resp.text)

    def __enter__(self) -> WriteLoad:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join(timeout=30)

    def wait_for(self, count: int) -> None:
        while self.acked < count and self._thread.is_alive():
            self._stop.wait(0.01)


def last_log_id(url: str) -> int:
    db = Database(url)
    try:
        _, log = state_and_log(db)
        return int(log[-1]["id"])
    finally:
        db.dispose()


def backup_under_load(ipfleet: Ipfleet, serve: Serve, url: str, dest: Path) -> tuple[int, Any]:
    """Back up while the server takes writes; (last log id before, the live log after)."""
    key = seed(url)
    with serve(url) as base, WriteLoad(base, key) as load:
        load.wait_for(50)
        committed_before = last_log_id(url)
        result = ipfleet.json("db", "backup", str(dest))
        acked_at_end_of_backup = load.acked
        load.wait_for(acked_at_end_of_backup + 20)  # the server kept taking writes
    assert load.failures == []
    db = Database(url)
    try:
        live_log = state_and_log(db)[1]
    finally:
        db.dispose()
    assert result["path"] == str(dest)
    assert result["bytes"] == dest.stat().st_size > 0
    assert not dest.with_name(dest.name + ".partial").exists()
    return committed_before, (result, live_log)


def check_nothing_lost(restored_url: str, committed_before: int, live_log: Any) -> None:
    db = Database(restored_url)
    try:
        state, log = state_and_log(db)
    finally:
        db.dispose()
    assert log == live_log[: len(log)], "the backup's log is not a prefix of the live one"
    assert log[-1]["id"] >= committed_before, "a write committed before the backup is missing"
    assert len(log) < len(live_log), "no write came after the snapshot: the test proved little"
    assert replay(log) == state, "the restored tables differ from what their log says"
    actions = {row["action"] for row in log}
    assert {"subuser.set_ips", "subuser.update"} <= actions


@pytest.fixture
def sqlite_ipfleet(sqlite_url: str, tmp_path: Path) -> Ipfleet:
    return Ipfleet(sqlite_url, tmp_path)


def test_sqlite_backup_under_write_load_restores_whole(
    sqlite_url: str, sqlite_ipfleet: Ipfleet, serve: Serve, tmp_path: Path
) -> None:
    dest = tmp_path / "backups" / "ipfleet.backup"
    dest.parent.mkdir()
    committed_before, (result, live_log) = backup_under_load(
        sqlite_ipfleet, serve, sqlite_url, dest
    )
    assert (result["backend"], result["revision"]) == ("sqlite", head())
    assert not Path(str(dest) + "-wal").exists()  # one self-contained file

    restored_url = f"sqlite:///{tmp_path / 'restored.db'}"
    restorer = Ipfleet(restored_url, tmp_path)
    got = restorer.json("db", "restore", str(dest))
    assert (got["revision"], got["upgrade_needed"]) == (head(), False)
    check_nothing_lost(restored_url, committed_before, live_log)
    # The restored database serves: the CLI sees the account.
    assert [a["username"] for a in restorer.json("account", "list")] == ["acme"]


@contextlib.contextmanager
def fresh_pg_database() -> Iterator[str]:
    """A new, empty PostgreSQL database on the test server (dropped afterwards)."""
    base = make_url(os.environ["IPFLEET_TEST_POSTGRES_URL"])
    name = f"ipfleet_restore_{uuid.uuid4().hex[:12]}"
    admin = create_engine(base, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield base.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.mark.postgres
@pytest.mark.skipif(shutil.which("pg_restore") is None, reason="needs pg_dump and pg_restore")
def test_postgres_backup_under_write_load_restores_whole(
    postgres_url: str, serve: Serve, tmp_path: Path
) -> None:
    ipfleet = Ipfleet(postgres_url, tmp_path)
    dest = tmp_path / "ipfleet.pgdump"
    committed_before, (result, live_log) = backup_under_load(ipfleet, serve, postgres_url, dest)
    assert result["backend"] == "postgresql"
    assert dest.read_bytes()[:5] == b"PGDMP"  # pg_dump's custom format
    schema = make_url(postgres_url).query["options"].removeprefix("-csearch_path=")  # type: ignore[union-attr]
    with fresh_pg_database() as target:
        plain = make_url(target).set(drivername="postgresql").render_as_string(hide_password=False)
        subprocess.run(
            ["pg_restore", "--no-owner", f"--dbname={plain}", str(dest)], check=True, timeout=120
        )
        restored = make_url(target).update_query_dict({"options": f"-csearch_path={schema}"})
        check_nothing_lost(
            restored.render_as_string(hide_password=False), committed_before, live_log
        )
    # Restoring is pg_restore's job: ipfleet says so rather than half-doing it.
    refused = ipfleet("db", "restore", str(dest))
    assert refused.status == 2
    assert "pg_restore --no-owner --dbname=<url> PATH" in refused.error_line()


@pytest.mark.postgres
def test_backup_without_pg_dump_explains(postgres_url: str, tmp_path: Path) -> None:
    ipfleet = Ipfleet(postgres_url, tmp_path)
    bare = tmp_path / "bin"
    bare.mkdir()
    env_path = os.environ["PATH"]
    os.environ["PATH"] = str(bare)  # the console script is started by absolute path
    try:
        refused = ipfleet("db", "backup", str(tmp_path / "x.pgdump"))
    finally:
        os.environ["PATH"] = env_path
    assert refused.status == 2
    line = refused.error_line()
    assert "pg_dump is not installed or not on PATH" in line
    assert "postgresql-client" in line
    assert not (tmp_path / "x.pgdump").exists()


def test_restore_refusals(sqlite_url: str, tmp_path: Path) -> None:
    live = Ipfleet(sqlite_url, tmp_path)
    live.ok("account", "create", "acme")
    dest = tmp_path / "b.db"
    live.json("db", "backup", str(dest))
    # The backup path is never overwritten.
    again = live("db", "backup", str(dest))
    assert (again.status, "exists already" in again.error_line()) == (2, True)
    # Not into a database holding data (the live one, say).
    refused = live("db", "restore", str(dest))
    assert refused.status == 4
    assert "holds data: restore only into an empty database" in refused.error_line()
    # Not from a file that is no ipfleet backup.
    empty_target = Ipfleet(f"sqlite:///{tmp_path / 'new.db'}", tmp_path)
    junk = tmp_path / "junk.db"
    junk.write_bytes(b"not a database at all" * 100)
    for source, says in [
        (junk, "is not a SQLite backup of ipfleet"),
        (tmp_path / "missing.db", "no backup file at"),
    ]:
        bad = empty_target("db", "restore", str(source))
        assert (bad.status, says in bad.error_line()) == (2, True), bad
    assert not (tmp_path / "new.db").exists() or (tmp_path / "new.db").stat().st_size == 0
    # A migrated database without data counts as empty.
    migrated = Ipfleet(f"sqlite:///{tmp_path / 'migrated.db'}", tmp_path)
    migrated.json("db", "upgrade")
    assert migrated.json("db", "restore", str(dest))["revision"] == head()
    assert [a["username"] for a in migrated.json("account", "list")] == ["acme"]


def test_progress_is_told_page_by_page(sqlite_url: str, tmp_path: Path) -> None:
    from ipfleet.store import backup

    seed(sqlite_url)
    seen: list[tuple[int, int]] = []
    result = backup.backup(
        sqlite_url, tmp_path / "p.db", lambda done, total: seen.append((done, total))
    )
    assert len(seen) > 1, "a database of several MiB is copied in several steps"
    assert seen[-1][0] == seen[-1][1] == result.bytes // 4096
    assert [d for d, _ in seen] == sorted(d for d, _ in seen)
