"""The migrations build exactly the schema the code declares, on every backend."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext

from ipfleet.store.migrate import current, head
from ipfleet.store.tables import metadata
from ipfleet.store.uow import Database


def test_migrated_schema_matches_tables(db: Database) -> None:
    with db.engine.connect() as conn:
        ctx = MigrationContext.configure(conn, opts={"compare_type": True})
        diff = compare_metadata(ctx, metadata)
    assert diff == []


def test_database_is_at_head(db: Database) -> None:
    assert current(db) == head() == "0004"
