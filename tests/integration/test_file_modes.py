"""The SQLite database and its -wal/-shm files are created readable by their owner only."""

from __future__ import annotations

import os
import stat
from pathlib import Path

from ipfleet.store.migrate import upgrade
from ipfleet.store.uow import Database


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_a_new_sqlite_database_and_its_wal_are_0600(tmp_path: Path) -> None:
    old = os.umask(0o022)  # the usual umask, under which files came out 0644
    try:
        path = tmp_path / "var" / "ipfleet.db"
        db = Database(f"sqlite:///{path}")
        upgrade(db)
        with db.engine.connect() as conn:  # a reader keeps -wal and -shm open
            conn.exec_driver_sql("SELECT count(*) FROM accounts").scalar()
            files = [path, Path(f"{path}-wal"), Path(f"{path}-shm")]
            assert all(f.exists() for f in files), [f.name for f in tmp_path.rglob("*")]
            assert {f.name: oct(mode(f)) for f in files} == {f.name: "0o600" for f in files}
        db.dispose()
    finally:
        os.umask(old)


def test_an_existing_database_keeps_its_mode(tmp_path: Path) -> None:
    path = tmp_path / "shared.db"
    path.touch(mode=0o640)
    path.chmod(0o640)
    db = Database(f"sqlite:///{path}")
    upgrade(db)
    db.dispose()
    assert mode(path) == 0o640
