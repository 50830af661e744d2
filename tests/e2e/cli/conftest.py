"""Fixtures for the CLI tests: the real console script on a fresh database of each backend."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.cli import Ipfleet
from tests.support.postgres import fresh_schema


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
    with fresh_schema("b") as url:
        yield url
