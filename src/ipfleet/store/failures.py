"""The shared sliding window of failed authentications, in the database.

Every worker of every node that shares the database counts the same rows, so a client
cannot multiply its guesses by the number of workers. These rows are security counters,
not tenant data: they are written here, outside ``Database.write`` and the change log,
only when an authentication has already failed (a success never touches them), and each
write also deletes every row that has left the window.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Engine, delete, func, insert, select

from ipfleet.store.tables import auth_failures

#: Longest name stored; longer ones (an odd api_user) are cut, which only merges them.
MAX_NAME = 300


@dataclass(frozen=True, slots=True)
class Window:
    """Failures of one name inside the window, and when the oldest of them was."""

    count: int
    oldest: float


class FailureCounter:
    """Adds failures and counts them per name over the last ``window_s`` seconds."""

    def __init__(self, engine: Engine, window_s: float) -> None:
        self.engine = engine
        self.window_s = window_s

    def add(self, names: list[str], now: float) -> dict[str, Window]:
        """Record one failure for each name; each name's failures in the window."""
        names = [n[:MAX_NAME] for n in names]
        since = now - self.window_s
        with self.engine.connect() as raw:
            conn = raw.execution_options(sqlite_begin="IMMEDIATE")
            with conn.begin():
                t = auth_failures.c
                conn.execute(delete(auth_failures).where(t.at <= since))
                conn.execute(insert(auth_failures), [{"name": n, "at": now} for n in names])
                rows = conn.execute(
                    select(t.name, func.count(), func.min(t.at))
                    .where(t.name.in_(names), t.at > since)
                    .group_by(t.name)
                ).all()
        return {name: Window(count, oldest) for name, count, oldest in rows}
