"""Fixtures for the in-process v2 tests: the seeded world and clients on the app, and (for the
reseller calls) a form-posting v2 client and two accounts made to order."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import anyio.from_thread
import pytest

from ipfleet.api.app import IpfleetApp, create_app
from ipfleet.config import Settings
from ipfleet.store.uow import Database
from tests.support.reseller import V2, Acct, make_account
from tests.support.world import Client, World, seed_world


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


#: A's addresses, added in a scrambled order (numeric order differs from text order).
A_IPS = ["2001:db8::1", "192.0.2.100", "192.0.2.10", "192.0.2.9", "192.0.2.2"]
B_IPS = ["198.51.100.1", "198.51.100.10"]


@pytest.fixture
def v2(portal: anyio.from_thread.BlockingPortal, db_url: str) -> Iterator[V2]:
    """The whole app, built the way ``ipfleet serve`` builds it, driven in process."""
    app = create_app(Settings(database_url=db_url))
    client = V2(portal, app)
    try:
        yield client
    finally:
        client.close()
        app.db.dispose()


@pytest.fixture
def acct_a(db: Database) -> Acct:
    return make_account(db, "reseller-a", A_IPS)


@pytest.fixture
def acct_b(db: Database) -> Acct:
    return make_account(db, "reseller-b", B_IPS)
