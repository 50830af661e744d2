"""Fixtures of the reseller tests: the app in process and two seeded reseller accounts."""

from __future__ import annotations

from collections.abc import Iterator

import anyio.from_thread
import pytest

from ipfleet.api.app import create_app
from ipfleet.config import Settings
from ipfleet.store.uow import Database

from .support import V2, Acct, make_account

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
