"""Backups of a running ipfleet: SQLite's online backup API, PostgreSQL's ``pg_dump``; and
restoring a SQLite backup into an empty database.

A SQLite backup is one consistent snapshot taken while the server keeps serving: the
source connection holds a read transaction for the whole copy, so WAL writers go on and
every step copies pages of that same snapshot (without it, a write by another connection
would restart the copy, and under steady writes it might never end). The copy is written
beside PATH and renamed when complete, so PATH is never half a backup, and it is a single
file (rollback journal, not WAL). A PostgreSQL backup is ``pg_dump``'s custom format (one
consistent snapshot too), restored with ``pg_restore``.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
from collections.abc import Callable
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.engine import URL, make_url

from ipfleet.domain.errors import BackupFailed, DatabaseNotEmpty
from ipfleet.store.migrate import known_revision

#: Told (pages copied, pages in all) after each step of a SQLite copy.
Progress = Callable[[int, int], None]

#: Tables a fresh `ipfleet db upgrade` fills already: rows there are not data.
BOOKKEEPING = frozenset({"alembic_version", "write_clock", "inventory_counts"})
STEP_PAGES = 256  # 1 MiB a step with SQLite's default page size
PG_DUMP_HINT = (
    "install the PostgreSQL client tools of your server's major version "
    "(Debian: apt-get install postgresql-client) or back up with your own PostgreSQL tooling"
)


@dataclass(frozen=True, slots=True)
class BackupResult:
    backend: str  # "sqlite" or "postgresql"
    path: str
    bytes: int
    revision: str | None  # the schema revision the backup is at
    tool: str  # "sqlite3 backup API" or the pg_dump that ran


def sqlite_file(url: str) -> Path | None:
    """The file of a SQLite URL; None for PostgreSQL. An in-memory database is refused."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite":
        return None
    if not parsed.database or parsed.database == ":memory:":
        raise BackupFailed("an in-memory SQLite database cannot be backed up or restored")
    return Path(parsed.database)


def backup(url: str, dest: Path, progress: Progress | None = None) -> BackupResult:
    """Copy the database of ``url`` to ``dest`` (which must not exist yet)."""
    if dest.exists():
        raise BackupFailed(f"{dest} exists already: back up to a new path")
    if not dest.parent.is_dir():
        raise BackupFailed(f"no directory {dest.parent} to write the backup in")
    source = sqlite_file(url)
    partial = dest.with_name(dest.name + ".partial")
    try:
        if source is None:
            result = _pg_dump(make_url(url), partial, dest)
        else:
            result = _sqlite_backup(source, partial, dest, progress)
        os.replace(partial, dest)
    finally:
        partial.unlink(missing_ok=True)
    return result


def _copy(src: sqlite3.Connection, dst: sqlite3.Connection, progress: Progress | None) -> None:
    def step(_status: int, remaining: int, total: int) -> None:
        if progress is not None:
            progress(total - remaining, total)

    src.backup(dst, pages=STEP_PAGES, progress=step)


def _sqlite_backup(
    source: Path, partial: Path, dest: Path, progress: Progress | None
) -> BackupResult:
    if not source.is_file():
        raise BackupFailed(f"no SQLite database at {source}")
    with closing(sqlite3.connect(source, timeout=30, isolation_level=None)) as src:
        src.execute("BEGIN")
        revision = _revision(src)  # the first read fixes the snapshot the copy is of
        with closing(sqlite3.connect(partial, isolation_level=None)) as dst:
            _copy(src, dst, progress)
            dst.execute("PRAGMA journal_mode=DELETE")  # one self-contained file
        src.execute("COMMIT")
    return BackupResult("sqlite", str(dest), partial.stat().st_size, revision, "sqlite3 backup API")


def _revision(conn: sqlite3.Connection) -> str | None:
    has_table = conn.execute(
        "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'alembic_version'"
    ).fetchone()
    if not has_table:
        return None
    row = conn.execute("SELECT version_num FROM alembic_version").fetchone()
    return None if row is None else str(row[0])


def _search_path_schema(url: URL) -> str | None:
    """The schema an ``options=-csearch_path=X`` URL works in (ipfleet's tests do that)."""
    options = url.query.get("options")
    text = options if isinstance(options, str) else " ".join(options or ())
    for word in text.split():
        if word.startswith("-csearch_path="):
            return word.removeprefix("-csearch_path=").split(",")[0]
    return None


def _pg_dump(url: URL, partial: Path, dest: Path) -> BackupResult:
    tool = shutil.which("pg_dump")
    if tool is None:
        raise BackupFailed(f"pg_dump is not installed or not on PATH: {PG_DUMP_HINT}")
    env = dict(os.environ)
    if url.password is not None:
        env["PGPASSWORD"] = str(url.password)  # not on the command line, where ps shows it
    target = url.set(drivername="postgresql", password=None)
    args = [tool, "--format=custom", "--no-owner", f"--file={partial}"]
    schema = _search_path_schema(url)
    if schema:
        args.append(f"--schema={schema}")
    args.append(f"--dbname={target.render_as_string(hide_password=False)}")
    # The program is the pg_dump found on PATH; the arguments are ipfleet's own settings.
    done = subprocess.run(args, env=env, capture_output=True, text=True, check=False)  # noqa: S603
    if done.returncode != 0:
        why = (done.stderr.strip().splitlines() or [f"exit status {done.returncode}"])[-1]
        raise BackupFailed(f"pg_dump failed: {why}")
    return BackupResult("postgresql", str(dest), partial.stat().st_size, None, tool)


def _check_backup(source: Path) -> str:
    """The schema revision of a SQLite backup file, refusing anything else."""
    if not source.is_file():
        raise BackupFailed(f"no backup file at {source}")
    try:
        with closing(sqlite3.connect(f"{source.resolve().as_uri()}?mode=ro", uri=True)) as conn:
            ok = conn.execute("PRAGMA quick_check").fetchone()
            revision = _revision(conn)
    except sqlite3.DatabaseError as exc:
        raise BackupFailed(f"{source} is not a SQLite backup of ipfleet: {exc}") from None
    if not ok or ok[0] != "ok":
        raise BackupFailed(f"{source} is damaged: {ok[0] if ok else 'no answer'}")
    if revision is None:
        raise BackupFailed(f"{source} is not a backup of ipfleet (no schema revision in it)")
    if not known_revision(revision):
        raise BackupFailed(f"{source} is at schema revision {revision}, newer than this ipfleet")
    return revision


def _quoted(name: str) -> str:
    return name.replace('"', '""')


def _holds_data(target: Path) -> bool:
    if not target.exists() or target.stat().st_size == 0:
        return False
    with closing(sqlite3.connect(target)) as conn:
        tables = [
            name
            for (name,) in conn.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
            )
            if name not in BOOKKEEPING
        ]
        # Table names read from the file's own catalogue, quoted as identifiers.
        return any(
            conn.execute(f'SELECT 1 FROM "{_quoted(name)}" LIMIT 1').fetchone()  # noqa: S608
            for name in tables
        )


def restore(url: str, source: Path, progress: Progress | None = None) -> BackupResult:
    """Copy a SQLite backup into the empty SQLite database of ``url``."""
    target = sqlite_file(url)
    if target is None:
        raise BackupFailed(
            "ipfleet db restore restores SQLite backups; restore a PostgreSQL backup "
            "(pg_dump's custom format) into an empty database with "
            "pg_restore --no-owner --dbname=<url> PATH"
        )
    revision = _check_backup(source)
    if _holds_data(target):
        raise DatabaseNotEmpty(str(target))
    with (
        closing(sqlite3.connect(f"{source.resolve().as_uri()}?mode=ro", uri=True)) as src,
        closing(sqlite3.connect(target, isolation_level=None)) as dst,
    ):
        _copy(src, dst, progress)
        dst.execute("PRAGMA journal_mode=WAL")  # as ipfleet's engine runs it
    return BackupResult(
        "sqlite", str(target), target.stat().st_size, revision, "sqlite3 backup API"
    )
