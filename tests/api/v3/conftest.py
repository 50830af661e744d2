"""Fixtures for the in-process v3 tests: the seeded world and a blocking client on the app."""

from __future__ import annotations

from collections.abc import Iterator

import anyio.from_thread
import pytest

from ipfleet.api.app import IpfleetApp, create_app
from ipfleet.config import Settings
from ipfleet.store.uow import Database
from tests.support.v3_client import Client
from tests.support.v3_world import World, seed_world


@pytest.fixture
def world(db: Database) -> World:
    return seed_world(db)


@pytest.fixture
def app(world: World, db_url: str) -> Iterator[IpfleetApp]:
    application = create_app(
        Settings(database_url=db_url, max_body_bytes=4096, max_ips_per_request=50)
    )
    yield application
    application.db.dispose()


@pytest.fixture
def client(app: IpfleetApp, portal: anyio.from_thread.BlockingPortal) -> Iterator[Client]:
    c = Client(portal, app)
    yield c
    c.close()
