"""The official Python SDK on a real server: /v3/ips, pools and warmup."""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.e2e.v3.sdk import Sdk
from tests.support.v3_world import ACME_SORTED, PRICE, RDNS

pytestmark = pytest.mark.e2e


def body(response: Any) -> Any:
    return json.loads(response.body)


def test_ips(sdk: Sdk) -> None:
    sg = sdk.client()
    listed = sg.client.ips.get()
    assert listed.status_code == 200
    assert [x["ip"] for x in body(listed)] == ACME_SORTED
    filtered = sg.client.ips.get(
        query_params={"exclude_whitelabels": True, "limit": 2, "offset": 1, "ip": "192.0.2"}
    )
    assert [x["ip"] for x in body(filtered)] == ["192.0.2.3", "192.0.2.4"]
    held = sg.client.ips.get(query_params={"subuser": "alice", "sort_by_direction": "desc"})
    assert [x["ip"] for x in body(held)] == ["192.0.2.2", "192.0.2.1"]
    one = body(sg.client.ips._("192.0.2.1").get())
    assert (one["rdns"], one["subusers"], one["pools"]) == (RDNS, ["alice"], ["marketing"])
    assigned = body(sg.client.ips.assigned.get())
    assert [x["ip"] for x in assigned] == ACME_SORTED
    as_alice = sdk.client(on_behalf_of="alice")
    assert [x["ip"] for x in body(as_alice.client.ips.assigned.get())] == [
        "192.0.2.1",
        "192.0.2.2",
    ]
    remaining = body(sg.client.ips.remaining.get())
    assert remaining == {"results": [{"remaining": 5, "period": "month", "price_per_ip": PRICE}]}
    taken = sg.client.ips.post(request_body={"count": 2, "subusers": ["bob"], "warmup": True})
    assert taken.status_code == 201
    assert body(taken) == {
        "ips": [
            {"ip": "203.0.113.1", "subusers": ["bob"]},
            {"ip": "203.0.113.2", "subusers": ["bob"]},
        ],
        "remaining_ips": 3,
        "warmup": True,
    }
    assert body(sg.client.ips.remaining.get())["results"][0]["remaining"] == 3


def test_pools(sdk: Sdk) -> None:
    sg = sdk.client()
    created = sg.client.ips.pools.post(request_body={"name": "Test Pool"})
    assert (created.status_code, body(created)) == (200, {"name": "Test Pool"})
    pool = sg.client.ips.pools._("Test%20Pool")
    added = pool.ips.post(request_body={"ip": "192.0.2.1"})
    assert added.status_code == 201
    assert body(added)["pools"] == ["Test Pool", "marketing"]
    pool.ips.post(request_body={"ip": "2001:db8::1"})
    assert body(pool.get()) == {"pool_name": "Test Pool", "ips": ["192.0.2.1", "2001:db8::1"]}
    assert body(sg.client.ips.pools.get()) == [{"name": "Test Pool"}, {"name": "marketing"}]
    renamed = pool.put(request_body={"name": "transactional"})
    assert body(renamed) == {"name": "transactional"}
    pool = sg.client.ips.pools._("transactional")
    assert pool.ips._("2001:db8::1").delete().status_code == 204
    assert body(pool.get())["ips"] == ["192.0.2.1"]
    assert pool.delete().status_code == 204
    assert body(sg.client.ips._("192.0.2.1").get())["pools"] == ["marketing"]


def test_warmup(sdk: Sdk) -> None:
    sg = sdk.client()
    started = sg.client.ips.warmup.post(request_body={"ip": "192.0.2.6"})
    assert started.status_code == 200
    [entry] = body(started)
    assert entry["ip"] == "192.0.2.6"
    assert [w["ip"] for w in body(sg.client.ips.warmup.get())] == ["192.0.2.4", "192.0.2.6"]
    assert body(sg.client.ips.warmup._("192.0.2.6").get()) == [entry]
    assert sg.client.ips.warmup._("192.0.2.6").delete().status_code == 204
    assert [w["ip"] for w in body(sg.client.ips.warmup.get())] == ["192.0.2.4"]
    assert body(sg.client.ips._("192.0.2.6").get())["warmup"] is False
