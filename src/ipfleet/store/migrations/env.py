"""Alembic environment: migrate the engine handed over by ipfleet.store.migrate.

On SQLite a batch migration recreates a table (copy, drop, rename). With foreign keys
enforced, the drop would cascade into the tables that reference it (``holdings`` rows
would vanish with ``subusers``), so migrations run with enforcement off -- it can only be
switched outside a transaction -- and the whole database is checked with
``PRAGMA foreign_key_check`` before the migration commits.
"""

from __future__ import annotations

from alembic import context
from sqlalchemy import Connection, Engine

from ipfleet.store.tables import metadata

engine: Engine = context.config.attributes["engine"]


def _sqlite_foreign_keys(connection: Connection, on: bool) -> None:
    """Switch enforcement on the driver connection, outside any transaction."""
    driver = connection.connection.dbapi_connection
    assert driver is not None
    driver.execute(f"PRAGMA foreign_keys={'ON' if on else 'OFF'}")


def _check_foreign_keys(connection: Connection) -> None:
    broken = connection.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
    if broken:
        raise RuntimeError(f"migration left rows breaking foreign keys: {broken[:5]}")


with engine.connect() as connection:
    sqlite = engine.dialect.name == "sqlite"
    if sqlite:
        _sqlite_foreign_keys(connection, on=False)
    try:
        context.configure(
            connection=connection,
            target_metadata=metadata,
            render_as_batch=sqlite,
            compare_type=True,
        )
        with context.begin_transaction():
            context.run_migrations()
            if sqlite:
                _check_foreign_keys(connection)
    finally:
        if sqlite:
            connection.rollback()  # nothing is open after the commit; be sure before the PRAGMA
            _sqlite_foreign_keys(connection, on=True)
