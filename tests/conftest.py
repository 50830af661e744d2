"""Fixtures: a fresh database per test (SQLite file, PostgreSQL schema), apps, servers."""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import anyio.from_thread
import httpx
import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from ipfleet.store.migrate import upgrade
from ipfleet.store.uow import Database

PG_ENV = "IPFLEET_TEST_POSTGRES_URL"
# Many tests send wrong credentials on purpose, from one client, far more often than the
# default limits on failed authentications allow: the limits are lifted for the suite
# (servers the tests start inherit them); the tests of the limits set their own.
for _limit in ("IPFLEET_AUTH_FAILURES_PER_CLIENT", "IPFLEET_AUTH_FAILURES_PER_NAME"):
    os.environ.setdefault(_limit, "1000000")
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


def _postgres_base() -> str:
    url = os.environ.get(PG_ENV)
    if not url:
        if os.environ.get("IPFLEET_TEST_REQUIRE_POSTGRES"):
            pytest.fail(f"{PG_ENV} is not set but PostgreSQL tests are required")
        pytest.skip(f"{PG_ENV} is not set")
    return url


@pytest.fixture
def postgres_url() -> Iterator[str]:
    """A URL whose connections live in a fresh, migrated PostgreSQL schema."""
    base = _postgres_base()
    schema = f"t_{uuid.uuid4().hex[:16]}"
    admin = create_engine(base, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    url = make_url(base).update_query_dict({"options": f"-csearch_path={schema}"})
    rendered = url.render_as_string(hide_password=False)
    db = Database(rendered)
    upgrade(db)
    db.dispose()
    try:
        yield rendered
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


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


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextlib.contextmanager
def running_server(
    db_url: str, *, workers: int = 1, env: dict[str, str] | None = None
) -> Iterator[str]:
    """A real `ipfleet serve` process on a free port; yields its base URL."""
    port = free_port()
    exe = Path(sys.executable).parent / "ipfleet"
    full_env = {**os.environ, "IPFLEET_DATABASE_URL": db_url, **(env or {})}
    with tempfile.TemporaryFile() as log:
        proc = subprocess.Popen(
            [
                str(exe),
                "serve",
                "--host",
                "127.0.0.1",
                "--port",
                str(port),
                "--workers",
                str(workers),
            ],
            env=full_env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        try:
            yield _wait_ready(proc, log, f"http://127.0.0.1:{port}")
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()


def _wait_ready(proc: subprocess.Popen[bytes], log: Any, base: str) -> str:
    deadline = time.monotonic() + 30
    while True:
        if proc.poll() is not None:
            log.seek(0)
            pytest.fail(f"ipfleet serve exited early:\n{log.read().decode(errors='replace')}")
        try:
            if httpx.get(f"{base}/healthz", timeout=1).status_code == 200:
                return base
        except httpx.HTTPError:
            pass
        if time.monotonic() > deadline:
            pytest.fail("ipfleet serve did not answer /healthz within 30 s")
        time.sleep(0.1)


@pytest.fixture
def serve() -> Callable[..., contextlib.AbstractContextManager[str]]:
    """``serve(db_url, workers=N, env={...})``: a context manager running a real server."""
    return running_server


@pytest.fixture(scope="session")
def portal() -> Iterator[anyio.from_thread.BlockingPortal]:
    """One event loop in a thread, for driving the ASGI app in process from sync tests."""
    with anyio.from_thread.start_blocking_portal() as p:
        yield p
