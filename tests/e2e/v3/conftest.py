"""End-to-end v3 fixtures: a real ``ipfleet serve`` per test, on a seeded database of each
backend, and official SDK clients whose every answer is checked when the test ends (see
``tests.e2e.v3.sdk``)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from python_http_client.client import Client as HttpClient
from python_http_client.exceptions import HTTPError

from ipfleet.store.uow import Database
from tests.e2e.v3.sdk import Replay, Sdk, Server
from tests.support import server as launcher
from tests.support.v3_world import seed_world


@pytest.fixture
def server(db: Database, db_url: str) -> Iterator[Server]:
    """``ipfleet serve`` on a free port, on a database seeded through the services; nothing
    it logged, shutdown included, may be a traceback."""
    world = seed_world(db)
    process = launcher.Server(db_url, env={"IPFLEET_LOG_LEVEL": "warning"})
    try:
        process.start()
        yield Server(base_url=process.base, world=world, db_url=db_url)
        process.stop()
        log = process.log_text()
    finally:
        process.close()
    assert "Traceback" not in log, log


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
