"""Fixtures for the CLI tests: the real console script on a fresh database of each backend."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from tests.support.cli import Ipfleet


@pytest.fixture
def ipfleet(db_url: str, tmp_path: Path) -> Ipfleet:
    """`ipfleet` on a fresh migrated database (the same one the `db` fixture opens)."""
    return Ipfleet(db_url, tmp_path)


@pytest.fixture(
    params=[
        pytest.param("sqlite", id="sqlite"),
        pytest.param("postgres", id="postgres", marks=pytest.mark.postgres),
    ]
)
def blank_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A database never migrated: a new SQLite file, or an empty PostgreSQL schema."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'blank.db'}"
        return
    base = os.environ.get("IPFLEET_TEST_POSTGRES_URL")
    if not base:
        if os.environ.get("IPFLEET_TEST_REQUIRE_POSTGRES"):
            pytest.fail("IPFLEET_TEST_POSTGRES_URL is not set but PostgreSQL tests are required")
        pytest.skip("IPFLEET_TEST_POSTGRES_URL is not set")
    schema = f"b_{uuid.uuid4().hex[:16]}"
    admin = create_engine(base, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    url = make_url(base).update_query_dict({"options": f"-csearch_path={schema}"})
    try:
        yield url.render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()
