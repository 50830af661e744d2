"""Engine factory: SQLite pragmas and explicit BEGIN, PostgreSQL pool; one per process."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import Connection, make_url

SQLITE_BUSY_TIMEOUT_MS = 10_000


def make_engine(
    url: str, *, sqlite_cache_mb: int | None = None, sqlite_checkpoint_pages: int | None = None
) -> Engine:
    """An engine for ``url``, configured for ipfleet's transaction discipline
    (``sqlite_cache_mb``: the page cache of each SQLite connection, else SQLite's 2 MB;
    ``sqlite_checkpoint_pages``: the WAL's size in pages at which a commit of the engine's
    connections checkpoints it, else SQLite's 1,000)."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        return _sqlite_engine(url, sqlite_cache_mb, sqlite_checkpoint_pages)
    return create_engine(url, pool_size=10, max_overflow=10, pool_pre_ping=False)


def is_sqlite(engine: Engine) -> bool:
    """Whether the engine talks to SQLite."""
    return engine.dialect.name == "sqlite"


def _create_private(path: Path) -> None:
    """Create the database file 0600 unless it exists: SQLite then creates its ``-wal`` and
    ``-shm`` files with the same mode, so no other local user can read the keys' hashes,
    the change log or the WAL's recent pages."""
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return
    os.close(fd)


def _sqlite_engine(url: str, cache_mb: int | None, checkpoint_pages: int | None) -> Engine:
    parsed = make_url(url)
    if (
        parsed.database
        and parsed.database != ":memory:"
        and not parsed.database.startswith("file:")
    ):
        _create_private(Path(parsed.database))
    engine = create_engine(url, connect_args={"check_same_thread": False})

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: Any, _record: Any) -> None:
        # Take transaction control from the driver so BEGIN IMMEDIATE can be issued.
        dbapi_conn.isolation_level = None
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute("PRAGMA foreign_keys=ON")
        cur.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        cur.execute("PRAGMA synchronous=NORMAL")
        if cache_mb is not None:
            cur.execute(f"PRAGMA cache_size=-{cache_mb * 1024}")  # negative: KiB
        if checkpoint_pages is not None:
            cur.execute(f"PRAGMA wal_autocheckpoint={int(checkpoint_pages)}")
        cur.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Connection) -> None:
        # Writers take the write lock up front: no lock upgrade, so no SQLITE_BUSY mid-way.
        mode = conn.get_execution_options().get("sqlite_begin", "DEFERRED")
        conn.exec_driver_sql(f"BEGIN {mode}")

    return engine
