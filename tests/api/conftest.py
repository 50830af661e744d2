"""Fixtures for the in-process API tests: the seeded world, the app, a client on it."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import anyio.from_thread
import pytest
from v2_world import Client, World, seed_world

from ipfleet.api.app import IpfleetApp, create_app
from ipfleet.config import Settings
from ipfleet.store.uow import Database


@pytest.fixture
def world(db: Database) -> World:
    """Accounts A, B and C seeded through the services."""
    return seed_world(db)


@pytest.fixture
def make_client(
    world: World, portal: anyio.from_thread.BlockingPortal, db_url: str
) -> Iterator[Callable[..., Client]]:
    """Clients on apps built with the given settings (the world seeded first)."""
    apps: list[tuple[IpfleetApp, Client]] = []

    def make(**settings: Any) -> Client:
        app = create_app(Settings(database_url=db_url, **settings))
        apps.append((app, Client(portal, app)))
        return apps[-1][1]

    yield make
    for app, client in apps:
        client.close()
        app.db.dispose()


@pytest.fixture
def client(make_client: Callable[..., Client]) -> Client:
    """The app with SendGrid's behaviour: errors answered with HTTP 200."""
    return make_client()


@pytest.fixture
def strict_client(make_client: Callable[..., Client]) -> Client:
    """The app with ``v2_http_errors=True``: errors answered with real HTTP statuses."""
    return make_client(v2_http_errors=True)
