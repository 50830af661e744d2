"""Fixtures for the in-process v3 tests: the seeded world and a client on the app (with small
limits, so the limit tests stay small)."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from ipfleet.api.app import IpfleetApp
from ipfleet.store.uow import Database
from tests.support.inprocess import Client
from tests.support.v3_world import World, seed_world


@pytest.fixture
def world(db: Database) -> World:
    return seed_world(db)


@pytest.fixture
def client(world: World, make_client: Callable[..., Client]) -> Client:
    return make_client(max_body_bytes=4096, max_ips_per_request=50)


@pytest.fixture
def app(client: Client) -> IpfleetApp:
    return client.app
