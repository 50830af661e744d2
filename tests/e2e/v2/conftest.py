"""A real ``ipfleet serve`` process on a free port, over a seeded database of each backend.

The data is seeded through the services before the server starts; the server reads it
through ``IPFLEET_DATABASE_URL`` like any deployment would.
"""

from __future__ import annotations

import os
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.e2e.v2.bare_server import bare_server  # noqa: F401  (a fixture)
from tests.e2e.v2.e2e_server import (
    ACCOUNT,
    IPFLEET,
    OTHER,
    Server,
    free_port,
    seed,
    stop,
    wait_until_healthy,
)


@pytest.fixture
def server(db_url: str, tmp_path: Path) -> Iterator[Server]:
    """A real server process on the seeded database; stopped after the test."""
    key, other_key = seed(db_url)
    port = free_port()
    base_url = f"http://127.0.0.1:{port}"
    env = {k: v for k, v in os.environ.items() if not k.startswith("IPFLEET_")}
    env["IPFLEET_DATABASE_URL"] = db_url
    log = tmp_path / "server.log"
    with log.open("wb") as out:
        proc = subprocess.Popen(
            [str(IPFLEET), "serve", "--host", "127.0.0.1", "--port", str(port)],
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        wait_until_healthy(proc, base_url, log)
        yield Server(base_url, ACCOUNT, key, OTHER, other_key)
    finally:
        stop(proc)
