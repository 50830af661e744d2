"""Bad input on every route: never a 5xx, always a documented shape, no change on an error."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings

from tests.reliability import rel_figures
from tests.reliability.rel_budget import Budget
from tests.reliability.rel_inputs import (
    MALFORMED_ADDRESSES,
    Wire,
    targeted_wires,
    v2_request,
    v3_request,
)
from tests.reliability.rel_invariants import dump_state, fingerprint, violations
from tests.reliability.rel_registry import BY_KEY, ROUTES, Route
from tests.reliability.rel_shapes import verdict
from tests.reliability.rel_world import B, World
from tests.support.inprocess import Client


def check(client: Client, world: World, route: Route, wire: Wire, before: object) -> object:
    """Send one request; fail on a 5xx or an undocumented answer, or on a change by an error."""
    resp = client.request(wire.method, wire.url, content=wire.body, headers=wire.headers)
    fmt = "xml" if route.api == "v2" and wire.url.split("?")[0].endswith(".xml") else "json"
    try:
        is_error = verdict(route, resp, fmt)
    except AssertionError as exc:
        raise AssertionError(f"{exc}\nrequest: {wire.describe()}") from None
    after = fingerprint(world.db)
    if is_error and after != before:
        raise AssertionError(f"an error answer changed the data\nrequest: {wire.describe()}")
    rel_figures.add("bad inputs")
    return after


def fuzz_route(client: Client, world: World, route: Route, examples: int) -> None:
    """Hypothesis-made bad requests at one route; the data is re-read after each."""
    strategy = (
        v2_request(route, B, world.b.key) if route.api == "v2" else v3_request(route, world.b.key)
    )
    seen = {"state": fingerprint(world.db)}

    @settings(
        max_examples=examples,
        derandomize=True,
        database=None,
        deadline=None,
        suppress_health_check=list(HealthCheck),
    )
    @given(wire=strategy)
    def run(wire: Wire) -> None:
        seen["state"] = check(client, world, route, wire, seen["state"])

    run()
    rel_figures.covered("bad input", route.key)


def test_bad_input_on_every_route(
    client: Client, world: World, plan: Budget, caplog: pytest.LogCaptureFixture
) -> None:
    # One seeded world for all routes: what one route's requests changed is the next
    # route's starting point, as on a real server.
    failures = []
    for route in ROUTES:
        try:
            fuzz_route(client, world, route, plan.bad_inputs_per_route)
        except AssertionError as exc:
            failures.append(f"{route.key}: {exc}")
    rel_figures.add("violations", len(failures))
    assert not failures, "\n\n".join(failures)
    assert violations(world.db) == []
    # Whatever the server side logged while refusing all that (the test's own HTTP client
    # logs the URLs it sends), B's key is not in it, and no error was logged.
    served = [r for r in caplog.records if not r.name.startswith("httpx")]
    assert not any(world.b.key.rsplit(".", 1)[1] in r.getMessage() for r in served)
    assert not [r.getMessage() for r in served if r.levelname in ("ERROR", "CRITICAL")]


def test_every_malformed_address_and_odd_name(client: Client, world: World) -> None:
    before = fingerprint(world.db)
    for key, wire in targeted_wires(world.b.key):
        before = check(client, world, BY_KEY[key], wire, before)
        rel_figures.covered("malformed addresses and names", key)
    assert violations(world.db) == []
    stored = dump_state(world.db)["ips"]
    assert not set(MALFORMED_ADDRESSES) & set(stored), "a malformed address was stored"
