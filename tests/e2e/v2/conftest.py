"""A real ``ipfleet serve`` process on a free port, on a database of each backend: seeded
through the services before it starts (``server``), or left for the test to fill
(``bare_server``). The server reads the data through ``IPFLEET_DATABASE_URL`` like any
deployment would."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from ipfleet.store.uow import Database
from tests.e2e.v2.e2e_server import ACCOUNT, OTHER, Server, seed
from tests.support.server import serving


@pytest.fixture
def server(db: Database, db_url: str) -> Iterator[Server]:
    """A real server process on the seeded database; stopped after the test."""
    key, other_key = seed(db)
    with serving(db_url) as running:
        yield Server(running.base, ACCOUNT, key, OTHER, other_key)


@pytest.fixture
def bare_server(db_url: str) -> Iterator[str]:
    """The base URL of a server on the test's database, which the test seeds itself."""
    with serving(db_url) as running:
        yield running.base
