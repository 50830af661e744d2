"""/readyz: 200 only while the database answers; 503 (and no details) when it does not."""

from __future__ import annotations

from pathlib import Path

import anyio.from_thread

from ipfleet.config import Settings
from tests.support.inprocess import fetch


def test_ready_while_the_database_answers(
    portal: anyio.from_thread.BlockingPortal, db_url: str
) -> None:
    (resp,) = fetch(portal, Settings(database_url=db_url), ["/readyz"])
    assert (resp.status_code, resp.json()) == (200, {"status": "ready"})
    assert resp.headers["content-type"] == "application/json"


UNAVAILABLE = {"type": "about:blank", "title": "database unavailable", "status": 503}


def test_not_ready_when_the_database_is_unreachable(
    portal: anyio.from_thread.BlockingPortal, tmp_path: Path
) -> None:
    for url in (
        "postgresql+psycopg://ipfleet:s3cret-pw@127.0.0.1:1/ipfleet",  # nothing listens there
        f"sqlite:///{tmp_path}",  # a directory, not a database file
    ):
        (resp,) = fetch(portal, Settings(database_url=url), ["/readyz"])
        assert (resp.status_code, resp.json()) == (503, UNAVAILABLE), url
        assert resp.headers["content-type"] == "application/problem+json"
        assert b"127.0.0.1" not in resp.content
        assert b"s3cret" not in resp.content
