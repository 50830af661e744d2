"""The endpoint registry is complete: no route is served that the harness does not attack."""

from __future__ import annotations

from urllib.parse import quote

import pytest

from tests.reliability import rel_figures
from tests.reliability.rel_registry import (
    BY_KEY,
    KNOWN_MOUNTS,
    ROUTES,
    UI_BY_KEY,
    mounts,
    sample_path,
    served_routes,
    served_ui_routes,
)
from tests.reliability.rel_shapes import verdict
from tests.reliability.rel_world import World
from tests.support.inprocess import Client


@pytest.fixture
def db_url(sqlite_url: str) -> str:
    """Routing does not depend on the backend: SQLite only (isolation and fuzz run on both)."""
    return sqlite_url


def test_the_registry_lists_exactly_what_the_app_serves(client: Client) -> None:
    served = served_routes(client.app)
    unregistered = sorted(served - set(BY_KEY))
    assert not unregistered, (
        f"served but not in tests/reliability/rel_registry.py (add them, with their "
        f"isolation attacks in rel_attacks.py): {unregistered}"
    )
    gone = sorted(set(BY_KEY) - served)
    assert not gone, f"in the registry but no longer served: {gone}"
    rel_figures.add("routes registered", len(ROUTES))


def test_the_dashboard_registry_lists_exactly_what_ui_serves(client: Client) -> None:
    served = served_ui_routes(client.app)
    assert served == set(UI_BY_KEY), (
        f"/ui serves {sorted(served - set(UI_BY_KEY))} unregistered and "
        f"{sorted(set(UI_BY_KEY) - served)} no longer (tests/reliability/rel_registry.py)"
    )


def test_the_app_mounts_no_application_the_registry_cannot_read(client: Client) -> None:
    unknown = mounts(client.app) - KNOWN_MOUNTS
    assert not unknown, f"the app mounts {unknown}: teach rel_registry.served_routes to list it"


def test_every_registered_route_is_routed(client: Client, world: World) -> None:
    """Each registered route reaches a handler (no router 404 or 405), without credentials."""
    for route in ROUTES:
        if route.api == "v2":
            for fmt in ("json", "xml"):
                resp = client.request("GET", f"/apiv2/{route.path}.{fmt}")
                assert verdict(route, resp, fmt), route.key
                assert resp.status_code == 401, (route.key, resp.text)
            continue
        resp = client.request(route.method, sample_path(route.path))
        is_error = verdict(route, resp)
        if route.api == "hidden":
            assert is_error, route.key
            assert resp.status_code in (401, 404), (route.key, resp.status_code)
        elif route.public:
            assert resp.status_code == 200, (route.key, resp.status_code)
        else:
            assert resp.status_code == 401, (route.key, resp.status_code, resp.text)


NEAR_MISSES = [
    ("GET", "/apiv2/customer.nosuch.json", 404),
    ("GET", "/apiv2/customer.ip.yaml", 404),
    ("GET", "/apiv2/", 404),
    ("GET", "/apiv2", 404),
    ("GET", "/v3/nosuch", 404),
    ("GET", "/v3", 404),
    ("GET", "/v3/ips/pools/p/ips/1.2.3.4/extra", 404),
    ("GET", "/admin", 404),
    ("GET", "/%2e%2e/etc/passwd", 404),
    ("POST", "/healthz", 405),
    ("PATCH", "/v3/ips", 405),
    ("GET", "/" + quote("ü" * 3), 404),
]


def test_anything_else_is_an_error_in_a_documented_shape(client: Client) -> None:
    for method, path, status in NEAR_MISSES:
        resp = client.request(method, path)
        api = "v2" if path.startswith("/apiv2/") else ("v3" if path.startswith("/v3") else "own")
        probe = next(r for r in ROUTES if r.api == api)
        if api == "v2":
            assert verdict(probe, resp, "json"), path
        else:
            assert verdict(probe, resp), path
        assert resp.status_code in (status, 401), (method, path, resp.status_code, resp.text)
