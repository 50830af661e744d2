"""A fresh PostgreSQL schema per test, so that tests of one run never see each other's rows.

The server comes from ``IPFLEET_TEST_POSTGRES_URL``; without it PostgreSQL tests are
skipped, or fail when ``IPFLEET_TEST_REQUIRE_POSTGRES`` is set (CI).
"""

from __future__ import annotations

import contextlib
import os
import uuid
from collections.abc import Iterator

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

PG_ENV = "IPFLEET_TEST_POSTGRES_URL"


def postgres_base() -> str:
    """The test server's URL, or skip (fail, where PostgreSQL is required)."""
    url = os.environ.get(PG_ENV)
    if not url:
        if os.environ.get("IPFLEET_TEST_REQUIRE_POSTGRES"):
            pytest.fail(f"{PG_ENV} is not set but PostgreSQL tests are required")
        pytest.skip(f"{PG_ENV} is not set")
    return url


@contextlib.contextmanager
def fresh_schema(prefix: str) -> Iterator[str]:
    """A URL whose connections live in a new, empty schema; dropped afterwards."""
    base = postgres_base()
    schema = f"{prefix}_{uuid.uuid4().hex[:16]}"
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
