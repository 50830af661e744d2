"""Fixtures of the reliability harness: the seeded two-tenant world, an in-process client.

The database fixtures (``db_url`` on SQLite and PostgreSQL) come from tests/conftest.py.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import anyio.from_thread
import httpx
import pytest
import rel_figures
from rel_budget import Budget, budget
from rel_world import World, seed

from ipfleet.api.app import IpfleetApp, create_app
from ipfleet.config import Settings
from ipfleet.store.uow import Database


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


class InProcess:
    """A blocking HTTP client on an in-process app (httpx over ASGITransport)."""

    def __init__(self, portal: anyio.from_thread.BlockingPortal, app: IpfleetApp) -> None:
        self.portal = portal
        self.app = app
        self.http = httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app), base_url="http://testserver"
        )

    def request(self, method: str, url: str, **kwargs: Any) -> httpx.Response:
        return self.portal.call(lambda: self.http.request(method, url, **kwargs))

    def close(self) -> None:
        self.portal.call(self.http.aclose)
        self.app.db.dispose()


@pytest.fixture(scope="session")
def portal() -> Iterator[anyio.from_thread.BlockingPortal]:
    with anyio.from_thread.start_blocking_portal() as p:
        yield p


@pytest.fixture
def client(
    world: World, portal: anyio.from_thread.BlockingPortal, db_url: str
) -> Iterator[InProcess]:
    """The app (real statuses for v2 errors) on the seeded world's database."""
    c = InProcess(portal, create_app(Settings(database_url=db_url, v2_http_errors=True)))
    yield c
    c.close()
