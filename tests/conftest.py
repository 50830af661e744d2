"""Fixtures of every layer: a fresh database per test (SQLite file, PostgreSQL schema) on each
backend, in-process clients on the app, real servers. Helpers live in ``tests.support``."""

from __future__ import annotations

import contextlib
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import anyio.from_thread
import pytest

from ipfleet.api.app import create_app
from ipfleet.config import Settings
from ipfleet.store.migrate import upgrade
from ipfleet.store.uow import Database
from tests.support.inprocess import Client
from tests.support.postgres import fresh_schema
from tests.support.server import serving

BACKENDS = [
    pytest.param("sqlite", id="sqlite"),
    pytest.param("postgres", id="postgres", marks=pytest.mark.postgres),
]


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A migrated SQLite file, copied for each test (faster than migrating each time)."""
    path = tmp_path_factory.mktemp("template") / "template.db"
    db = Database(f"sqlite:///{path}")
    upgrade(db)
    with db.engine.connect() as conn:
        conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    db.dispose()
    return path


@pytest.fixture
def postgres_url() -> Iterator[str]:
    """A URL whose connections live in a fresh, migrated PostgreSQL schema."""
    with fresh_schema("t") as url:
        db = Database(url)
        upgrade(db)
        db.dispose()
        yield url


@pytest.fixture
def sqlite_url(tmp_path: Path, sqlite_template: Path) -> str:
    """A URL of a fresh, migrated SQLite file."""
    path = tmp_path / "ipfleet.db"
    shutil.copyfile(sqlite_template, path)
    return f"sqlite:///{path}"


@pytest.fixture(params=BACKENDS)
def db_url(request: pytest.FixtureRequest) -> str:
    """A fresh migrated database on each backend in turn."""
    name = "sqlite_url" if request.param == "sqlite" else "postgres_url"
    return str(request.getfixturevalue(name))


@pytest.fixture
def db(db_url: str) -> Iterator[Database]:
    database = Database(db_url)
    yield database
    database.dispose()


@pytest.fixture
def serve() -> Callable[..., contextlib.AbstractContextManager[str]]:
    """``serve(db_url, workers=N, env={...})``: a context manager running a real server
    (``tests.support.server``), giving its base URL."""

    @contextlib.contextmanager
    def base_url_of(db_url: str, **options: Any) -> Iterator[str]:
        with serving(db_url, **options) as server:
            yield server.base

    return base_url_of


@pytest.fixture(scope="session")
def portal() -> Iterator[anyio.from_thread.BlockingPortal]:
    """One event loop in a thread, for driving the ASGI app in process from sync tests."""
    with anyio.from_thread.start_blocking_portal() as p:
        yield p


@pytest.fixture
def make_client(
    db_url: str, portal: anyio.from_thread.BlockingPortal
) -> Iterator[Callable[..., Client]]:
    """``make_client(**settings)``: the in-process client on a new app built with those
    settings on the test's database; all are closed (apps disposed) after the test."""
    made: list[Client] = []

    def make(**settings: Any) -> Client:
        made.append(Client(portal, create_app(Settings(database_url=db_url, **settings))))
        return made[-1]

    yield make
    for client in made:
        client.close()
