"""Fixtures for the in-process v2 tests: the seeded world and clients on the app, and (for the
reseller calls) a form-posting v2 client and two accounts made to order."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from ipfleet.store.uow import Database
from tests.support.inprocess import Client, V2Forms
from tests.support.seed import Acct, make_account
from tests.support.v2_world import World, seed_world

#: A's addresses, added in a scrambled order (numeric order differs from text order).
A_IPS = ["2001:db8::1", "192.0.2.100", "192.0.2.10", "192.0.2.9", "192.0.2.2"]
B_IPS = ["198.51.100.1", "198.51.100.10"]


@pytest.fixture
def world(db: Database) -> World:
    """Accounts A, B and C seeded through the services."""
    return seed_world(db)


@pytest.fixture
def client(world: World, make_client: Callable[..., Client]) -> Client:
    """The app with SendGrid's behaviour: errors answered with HTTP 200."""
    return make_client()


@pytest.fixture
def strict_client(world: World, make_client: Callable[..., Client]) -> Client:
    """The app with ``v2_http_errors=True``: errors answered with real HTTP statuses."""
    return make_client(v2_http_errors=True)


@pytest.fixture
def v2(make_client: Callable[..., Client]) -> V2Forms:
    """v2 calls on the whole app, built the way ``ipfleet serve`` builds it, in process."""
    return V2Forms(make_client())


@pytest.fixture
def acct_a(db: Database) -> Acct:
    return make_account(db, "reseller-a", A_IPS)


@pytest.fixture
def acct_b(db: Database) -> Acct:
    return make_account(db, "reseller-b", B_IPS)
