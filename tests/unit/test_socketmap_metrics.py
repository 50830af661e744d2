"""The socketmap's /metrics listener: only GET /metrics, with serve's access rule."""

from __future__ import annotations

from typing import Any

import pytest

from ipfleet.mta import socketmap  # registers the server's counters, as the CLI does
from ipfleet.mta.metrics_listener import metrics_app

TOKEN = "scrape-token-0123456789"


def call(token: str | None, **environ: str) -> tuple[str, bytes]:
    seen: list[str] = []

    def start_response(status: str, _headers: list[tuple[str, str]]) -> Any:
        seen.append(status)

    env = {"PATH_INFO": "/metrics", "REQUEST_METHOD": "GET", "REMOTE_ADDR": "127.0.0.1"}
    body = b"".join(metrics_app(token)({**env, **environ}, start_response))
    return seen[0], body


def test_loopback_may_scrape_without_a_token() -> None:
    status, body = call(None)
    assert status == "200 OK"
    assert b"ipfleet_socketmap_lookups_total" in body
    assert socketmap.LOOKUPS is not None
    assert call(None, REMOTE_ADDR="::1")[0] == "200 OK"


@pytest.mark.parametrize("peer", ["192.0.2.7", "2001:db8::1", "not an address"])
def test_other_peers_are_refused_without_a_token(peer: str) -> None:
    assert call(None, REMOTE_ADDR=peer) == ("403 Forbidden", b"loopback clients only\n")


def test_a_token_when_one_is_set() -> None:
    for sent in ("", "Bearer wrong", TOKEN):
        status, body = call(TOKEN, HTTP_AUTHORIZATION=sent)
        assert status == "401 Unauthorized"
        assert TOKEN.encode() not in body
    right = {"HTTP_AUTHORIZATION": f"Bearer {TOKEN}", "REMOTE_ADDR": "192.0.2.7"}
    assert call(TOKEN, **right)[0] == "200 OK"


def test_only_get_metrics_is_served() -> None:
    assert call(None, PATH_INFO="/")[0] == "404 Not Found"
    assert call(None, REQUEST_METHOD="POST")[0] == "405 Method Not Allowed"
