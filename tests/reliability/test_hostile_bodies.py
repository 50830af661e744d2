"""Hostile bodies in process (issue 12): every one answered 4xx in the v2 shape, none
changes anything or logs an error, each is timed; lone surrogates never reach a query."""

from __future__ import annotations

import logging
import time

import pytest

from tests.reliability import rel_figures
from tests.reliability.rel_hostile import SURROGATE_CALLS, hostile_wires, surrogate_wires
from tests.reliability.rel_invariants import fingerprint
from tests.reliability.rel_registry import BY_KEY
from tests.reliability.rel_shapes import verdict
from tests.reliability.rel_world import World
from tests.support.inprocess import Client as InProcess


def test_every_hostile_body_is_a_4xx_in_the_v2_shape(
    client: InProcess, world: World, caplog: pytest.LogCaptureFixture
) -> None:
    before = fingerprint(world.db)
    slowest = (0.0, "")
    failures = []
    for label, wire in hostile_wires(world.b.key):
        call = wire.url.split("/apiv2/")[1].split(".json")[0]
        started = time.perf_counter()
        resp = client.request(wire.method, wire.url, content=wire.body, headers=wire.headers)
        slowest = max(slowest, (time.perf_counter() - started, label))
        try:
            assert verdict(BY_KEY[f"v2 {call}"], resp), f"answered as a success: {resp.text}"
            assert 400 <= resp.status_code < 500, resp.status_code
        except AssertionError as exc:
            failures.append(f"{label}: {exc}")
        rel_figures.add("hostile bodies")
    assert not failures, "\n".join(failures)
    assert fingerprint(world.db) == before
    assert not [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR]
    rel_figures.highest("slowest hostile body, ms (in process)", round(slowest[0] * 1000))


@pytest.mark.parametrize("call", [c for c, _, _ in SURROGATE_CALLS])
def test_a_lone_surrogate_is_invalid_input_on_each_call_of_the_issue(
    client: InProcess, world: World, call: str
) -> None:
    wires = [w for label, w in surrogate_wires(world.b.key) if label.startswith(f"{call} ")]
    assert len(wires) == 4
    for wire in wires:
        resp = client.request(wire.method, wire.url, content=wire.body, headers=wire.headers)
        assert resp.status_code == 400, (call, wire.describe(), resp.text)
        assert resp.json()["message"] == "error", resp.text
    # The same bytes where they decode to valid text: whatever the call answers, no 5xx.
    for label, wire in surrogate_wires(world.b.key, lookalikes=True):
        if label.startswith(f"{call} "):
            resp = client.request(wire.method, wire.url, content=wire.body, headers=wire.headers)
            verdict(BY_KEY[f"v2 {call}"], resp)
