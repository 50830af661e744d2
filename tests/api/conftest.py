"""Fixtures for the in-process API tests: the seeded world, the app, a client on it."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import anyio.from_thread
import pytest
from v2_world import Client, World, seed_world

from ipfleet.api.app import create_app
from ipfleet.config import Settings
from ipfleet.store.uow import Database


@pytest.fixture
def world(db: Database) -> World:
    """Accounts A, B and C seeded through the services."""
    return seed_world(db)


@pytest.fixture(scope="session")
def portal() -> Iterator[anyio.from_thread.BlockingPortal]:
    with anyio.from_thread.start_blocking_portal() as p:
        yield p


def _client(
    portal: anyio.from_thread.BlockingPortal, db_url: str, **settings: Any
) -> Iterator[Client]:
    app = create_app(Settings(database_url=db_url, **settings))
    client = Client(portal, app)
    try:
        yield client
    finally:
        client.close()
        app.db.dispose()


@pytest.fixture
def client(world: World, portal: anyio.from_thread.BlockingPortal, db_url: str) -> Iterator[Client]:
    """The app with SendGrid's behaviour: errors answered with HTTP 200."""
    yield from _client(portal, db_url)


@pytest.fixture
def strict_client(
    world: World, portal: anyio.from_thread.BlockingPortal, db_url: str
) -> Iterator[Client]:
    """The app with ``v2_http_errors=True``: errors answered with real HTTP statuses."""
    yield from _client(portal, db_url, v2_http_errors=True)
