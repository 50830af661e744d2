"""/metrics in process: who may read it, and what a request adds to it."""

from __future__ import annotations

import anyio.from_thread

from ipfleet.config import Settings
from tests.support.inprocess import fetch
from tests.support.metrics import sample

TOKEN = "metrics-token-0123456789"


def test_loopback_only_without_a_token(
    portal: anyio.from_thread.BlockingPortal, sqlite_url: str
) -> None:
    settings = Settings(database_url=sqlite_url)
    (ok,) = fetch(portal, settings, ["/metrics"])
    assert ok.status_code == 200
    assert ok.headers["content-type"] == "text/plain; version=0.0.4; charset=utf-8"
    (far,) = fetch(portal, settings, ["/metrics"], peer=("192.0.2.7", 40000))
    assert (far.status_code, far.json()["title"]) == (
        403,
        "metrics are served to loopback clients only",
    )


def test_a_token_is_needed_when_one_is_set(
    portal: anyio.from_thread.BlockingPortal, sqlite_url: str
) -> None:
    settings = Settings(database_url=sqlite_url, metrics_token=TOKEN)
    for headers in (None, {"Authorization": "Bearer wrong"}, {"Authorization": TOKEN}):
        (refused,) = fetch(portal, settings, ["/metrics"], headers=headers)
        assert (refused.status_code, refused.headers["www-authenticate"]) == (401, "Bearer")
        assert TOKEN not in refused.text
    auth = {"Authorization": f"Bearer {TOKEN}"}
    (ok,) = fetch(portal, settings, ["/metrics"], peer=("192.0.2.7", 1), headers=auth)
    assert ok.status_code == 200


def test_requests_latency_and_auth_failures_are_counted(
    portal: anyio.from_thread.BlockingPortal, sqlite_url: str
) -> None:
    settings = Settings(database_url=sqlite_url)
    route = "/apiv2/customer.ip.json"
    bad = f"{route}?api_user=nobody&api_key=wrong"
    (before,) = fetch(portal, settings, ["/metrics"])
    *_, after = fetch(portal, settings, [bad, bad, "/v3/ips", "/readyz", "/metrics"])
    labels = {"api": "v2", "method": "GET", "route": route, "status": "200"}
    for name, want, extra in [
        ("ipfleet_http_requests_total", 2, labels),
        ("ipfleet_http_request_duration_seconds_count", 2, {"api": "v2", "route": route}),
        ("ipfleet_auth_failures_total", 2, {"api": "v2"}),  # answered 200, SendGrid's way
        ("ipfleet_auth_failures_total", 1, {"api": "v3"}),
        (
            "ipfleet_http_requests_total",
            1,
            {"api": "own", "method": "GET", "route": "/readyz", "status": "200"},
        ),
    ]:
        got = sample(after.text, name, **extra) - sample(before.text, name, **extra)
        assert got == want, (name, extra)
