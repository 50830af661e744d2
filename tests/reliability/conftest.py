"""Fixtures of the reliability harness: the seeded two-tenant world, an in-process client.

The database fixtures (``db_url`` on SQLite and PostgreSQL) and ``make_client`` come from
tests/conftest.py.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest

from ipfleet.store.uow import Database
from tests.reliability import rel_figures
from tests.reliability.rel_budget import Budget, budget
from tests.reliability.rel_world import World, seed
from tests.support.inprocess import Client


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    path = rel_figures.write_if_asked(
        {"budget": budget().name, "failed": session.testsfailed, "exit_status": int(exitstatus)}
    )
    if path is not None:
        print(f"\nreliability figures written to {path}")


@pytest.fixture(scope="session")
def plan() -> Budget:
    return budget()


@pytest.fixture
def world(db: Database) -> World:
    return seed(db)


@pytest.fixture
def client(world: World, make_client: Callable[..., Client]) -> Client:
    """The app (real statuses for v2 errors) on the seeded world's database."""
    return make_client(v2_http_errors=True)
