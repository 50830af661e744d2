"""Alembic environment: migrate the engine handed over by ipfleet.store.migrate."""

from __future__ import annotations

from alembic import context
from sqlalchemy import Engine

from ipfleet.store.tables import metadata

engine: Engine = context.config.attributes["engine"]

with engine.connect() as connection:
    context.configure(
        connection=connection,
        target_metadata=metadata,
        render_as_batch=engine.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()
