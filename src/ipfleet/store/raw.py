"""Plain DBAPI statements inside a SQLAlchemy transaction, for the statements every write runs.

Through SQLAlchemy Core a statement costs ~45 µs of Python before the database sees it
(cache key, compiled-statement lookup, execution context, result wrapping): more than
SQLite itself spends on most of them. The handful that every v2 ``set=specify`` write runs
(the write clock, the version bump, the subuser, the addresses, its set before and after,
the change-log row) go straight to the driver's cursor of the same connection, so they
are in the same transaction as everything else; the rest of the store stays in Core.

Two things SQLAlchemy did are kept by hand here:

- driver errors are raised as SQLAlchemy's (``DBAPIError.instance``), so the write path's
  retry on lock and deadlock errors and every ``except IntegrityError`` still apply;
- a statement that changes rows reports them to the running write unit (``UNIT`` in
  ``conn.info``), so a write that changed rows but logged nothing is still refused.

Values with a column type (timestamps, JSON) go through that type's own bind processor,
so they are stored byte for byte as Core would store them.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy.engine import Connection
from sqlalchemy.exc import DBAPIError

#: Where the write unit of the transaction running on a connection is kept while it runs.
UNIT = "ipfleet_write_unit"


class Statement:
    """One fixed statement, written with ``?`` placeholders (``%s`` on PostgreSQL)."""

    def __init__(self, sqlite: str, postgres: str | None = None) -> None:
        self.sqlite = sqlite
        self.postgres = postgres if postgres is not None else sqlite.replace("?", "%s")

    def text(self, conn: Connection) -> str:
        return self.postgres if conn.dialect.name == "postgresql" else self.sqlite


def _execute(conn: Connection, sql: str, params: Any, many: bool) -> Any:
    cursor = conn.connection.dbapi_connection.cursor()  # type: ignore[union-attr]
    try:
        if many:
            cursor.executemany(sql, params)
        else:
            cursor.execute(sql, params)
    except conn.dialect.loaded_dbapi.Error as exc:
        cursor.close()
        raise DBAPIError.instance(
            sql, params, exc, conn.dialect.loaded_dbapi.Error, dialect=conn.dialect
        ) from exc
    return cursor


def rows(conn: Connection, stmt: Statement, params: Sequence[Any]) -> list[Any]:
    """Every row the statement returns."""
    cursor = _execute(conn, stmt.text(conn), params, many=False)
    try:
        return list(cursor.fetchall())
    finally:
        cursor.close()


def change(
    conn: Connection, stmt: Statement, params: Sequence[Any], *, counted: bool = True
) -> int:
    """Run a statement that changes rows; how many it changed (``counted=False``: the write
    path's own bookkeeping, which the unlogged-write check leaves out)."""
    cursor = _execute(conn, stmt.text(conn), params, many=False)
    changed = int(cursor.rowcount)
    cursor.close()
    if counted:
        _report(conn, changed)
    return changed


def changed_rows(conn: Connection, stmt: Statement, params: Sequence[Any]) -> list[Any]:
    """Every row a statement that changes rows returns (``RETURNING``), each reported to
    the write unit as a changed row."""
    found = rows(conn, stmt, params)
    _report(conn, len(found))
    return found


def copy_rows(conn: Connection, table: Any, rows: Sequence[dict[str, Any]]) -> None:
    """Insert rows (dicts with the same keys) with PostgreSQL's COPY, one statement.

    psycopg runs an executemany as one statement per row, so statement triggers (the kept
    IP counts of migration 0010) would fire once per row: an import of 65,534 IPs updated
    the inventory's counter row as often and took 80 s; COPY fires them once.
    """
    names = list(rows[0])
    columns = ", ".join(names)
    cursor = conn.connection.dbapi_connection.cursor()  # type: ignore[union-attr]
    try:
        with cursor.copy(f"COPY {table.name} ({columns}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row([bind(conn, table.c[n], row[n]) for n in names])
    except conn.dialect.loaded_dbapi.Error as exc:
        raise DBAPIError.instance(
            "COPY", None, exc, conn.dialect.loaded_dbapi.Error, dialect=conn.dialect
        ) from exc
    finally:
        cursor.close()
    _report(conn, len(rows))


def change_many(conn: Connection, stmt: Statement, params: Sequence[Sequence[Any]]) -> None:
    """Run a statement once per parameter row (an insert of many rows)."""
    if not params:
        return
    _execute(conn, stmt.text(conn), params, many=True).close()
    _report(conn, len(params))


def _report(conn: Connection, changed: int) -> None:
    unit = conn.info.get(UNIT)
    if unit is not None:
        unit.changed_rows += 1 if changed < 0 else changed  # -1: the driver cannot tell


def bind(conn: Connection, column: Any, value: Any) -> Any:
    """``value`` as Core would send it for ``column`` (its type's bind processor)."""
    processor = column.type._cached_bind_processor(conn.dialect)
    return processor(value) if processor is not None else value
