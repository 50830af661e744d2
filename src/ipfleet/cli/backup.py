"""`ipfleet db backup PATH` and `ipfleet db restore PATH`."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import asdict
from pathlib import Path
from typing import Annotated

import typer
from rich.progress import BarColumn, Progress, TaskProgressColumn, TextColumn

from ipfleet.cli.context import open_db
from ipfleet.cli.output import emit_json, err, say
from ipfleet.config import load_settings
from ipfleet.store import backup as backups
from ipfleet.store.migrate import head

JsonOpt = Annotated[bool, typer.Option("--json", help="Machine-readable output.")]
PathArg = Annotated[Path, typer.Argument(help="The backup file.", dir_okay=False)]


@contextmanager
def _progress(label: str, show: bool) -> Iterator[Callable[[int, int], None] | None]:
    """A progress bar on stderr when a person watches (not with --json, not in a pipe)."""
    if not show or not err.is_terminal:
        yield None
        return
    with Progress(
        TextColumn(label), BarColumn(), TaskProgressColumn(), console=err, transient=True
    ) as bar:
        task = bar.add_task(label, total=None)

        def step(done: int, total: int) -> None:
            bar.update(task, completed=done, total=total)

        yield step


def db_backup(path: PathArg, as_json: JsonOpt = False) -> None:
    """Back up IPFLEET_DATABASE_URL to PATH while ipfleet keeps serving.

    SQLite: a consistent snapshot through SQLite's online backup API. PostgreSQL: pg_dump's
    custom format (restore it with pg_restore).
    """
    url = load_settings().database_url
    if backups.sqlite_file(url) is None:
        open_db().dispose()  # a PostgreSQL database must be reachable and migrated
    with _progress("Backing up", not as_json) as step:
        result = backups.backup(url, path, step)
    if as_json:
        emit_json(asdict(result))
        return
    say(
        f"Backed up the {result.backend} database to {result.path} "
        f"({result.bytes:,} bytes, with {result.tool})."
    )


def db_restore(path: PathArg, as_json: JsonOpt = False) -> None:
    """Restore a SQLite backup into the empty SQLite database of IPFLEET_DATABASE_URL."""
    url = load_settings().database_url
    with _progress("Restoring", not as_json) as step:
        result = backups.restore(url, path, step)
    upgrade_needed = result.revision != head()
    if as_json:
        emit_json({**asdict(result), "upgrade_needed": upgrade_needed})
        return
    say(f"Restored {path} into {result.path} (schema revision {result.revision}).")
    if upgrade_needed:
        say("The backup is from an older ipfleet: run `ipfleet db upgrade` before serving.")
