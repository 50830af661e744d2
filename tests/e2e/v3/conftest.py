"""End-to-end v3 fixtures: a real ``ipfleet serve`` per test, on a seeded database of each
backend, and official SDK clients whose every answer is checked when the test ends (see
``tests.e2e.v3.sdk``)."""

from __future__ import annotations

import os
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from python_http_client.client import Client as HttpClient
from python_http_client.exceptions import HTTPError

from ipfleet.store.uow import Database
from tests.e2e.v3.sdk import BIN, Replay, Sdk, Server, free_port, stop_server, wait_until_up
from tests.support.v3_world import seed_world


@pytest.fixture
def server(db_url: str, tmp_path: Path) -> Iterator[Server]:
    """``ipfleet serve`` on a free port, on a database seeded through the services."""
    db = Database(db_url)
    world = seed_world(db)
    db.dispose()
    port = free_port()
    base_url = f"http://127.0.0.1:{port}"
    log = tmp_path / "server.log"
    env = {**os.environ, "IPFLEET_DATABASE_URL": db_url, "IPFLEET_LOG_LEVEL": "warning"}
    with log.open("wb") as out:
        proc = subprocess.Popen(
            [str(BIN / "ipfleet"), "serve", "--host", "127.0.0.1", "--port", str(port)],
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        wait_until_up(proc, base_url, log)
        yield Server(base_url=base_url, world=world, db_url=db_url, log=log)
    finally:
        stop_server(proc)
    assert "Traceback" not in log.read_text(), log.read_text()


@pytest.fixture
def sdk(server: Server, monkeypatch: pytest.MonkeyPatch) -> Iterator[Sdk]:
    """Clients for the test; at its end, every answer they saw is checked (see module doc)."""
    recorder = Sdk(server)
    real = HttpClient._make_request

    def recording(self: HttpClient, opener: Any, request: Any, timeout: Any = None) -> Any:
        try:
            response = real(self, opener, request, timeout=timeout)
        except HTTPError as exc:
            recorder.record(request, exc.status_code, exc.body)
            raise
        replay = Replay(response.getcode(), response.read(), response.info())
        recorder.record(request, replay.status, replay.body)
        return replay

    monkeypatch.setattr(HttpClient, "_make_request", recording)
    yield recorder
    assert recorder.exchanges, "the test made no request"
    problems = recorder.problems()
    assert problems == [], "\n".join(problems)
