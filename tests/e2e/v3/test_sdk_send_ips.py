"""The official Python SDK on a real server: all fifteen /v3/send_ips operations, each
answer held to SendGrid's file and ipfleet's own document (the ``sdk`` fixture), and the
state read back through the services, as v2 and the older v3 calls see it."""

from __future__ import annotations

import json
from typing import Any

import pytest
from python_http_client.exceptions import BadRequestsError

from ipfleet.services.accounts import get_account
from ipfleet.services.subusers import list_subusers, subuser_ips
from ipfleet.store.uow import Database
from tests.e2e.v3.sdk import Sdk
from tests.support.v3_world import ACME, ACME_SORTED

pytestmark = pytest.mark.e2e


def body(response: Any) -> Any:
    return json.loads(response.body)


def subuser_ids(sdk: Sdk) -> dict[str, str]:
    listed = body(sdk.client().client.subusers.get())
    return {s["username"]: str(s["id"]) for s in listed}


def test_ips_through_the_python_sdk(sdk: Sdk) -> None:
    ips = sdk.client().client.send_ips.ips
    ids = subuser_ids(sdk)
    first = body(ips.get(query_params={"limit": 4}))
    after = first["_metadata"]["next_params"]["after_key"]
    rest = body(ips.get(query_params={"limit": 4, "after_key": after}))
    assert [x["ip"] for x in first["result"] + rest["result"]] == ACME_SORTED
    added = ips.post(
        request_body={"is_auto_warmup": True, "is_parent_assigned": False, "subusers": [ids["bob"]]}
    )
    assert added.status_code == 201
    address = body(added)["ip"]
    one = body(ips._(address).get(query_params={"include_region": True}))
    assert (one["is_leased"], one["is_auto_warmup"], one["region"]) == (True, True, "us")
    patched = ips._(address).patch(request_body={"is_enabled": False, "is_auto_warmup": False})
    assert body(patched) == {
        "ip": address,
        "is_auto_warmup": False,
        "is_parent_assigned": False,
        "is_enabled": False,
    }
    enabled = body(ips.get(query_params={"is_enabled": False}))["result"]
    assert [x["ip"] for x in enabled] == [address]
    holders = ips._("192.0.2.6")
    added_to = holders._("subusers:batchAdd").post(request_body={"subusers": [ids["alice"]]})
    assert body(added_to) == {"ip": "192.0.2.6", "subusers": [ids["alice"]]}
    assert body(holders.subusers.get())["result"] == [ids["alice"]]
    gone = holders._("subusers:batchDelete").post(request_body={"subusers": [ids["alice"]]})
    assert gone.status_code == 204
    db = Database(sdk.server.db_url)
    try:
        acme = get_account(db, username=ACME)
        assert subuser_ips(db, account=acme, username="bob") == [address]
        assert subuser_ips(db, account=acme, username="alice") == ["192.0.2.1", "192.0.2.2"]
    finally:
        db.dispose()


def test_pools_through_the_python_sdk(sdk: Sdk) -> None:
    pools = sdk.client().client.send_ips.pools
    made = body(pools.post(request_body={"name": "tx", "ips": ["192.0.2.6", "192.0.2.10"]}))
    pool = pools._(made["id"])
    assert body(pool.get())["total_ip_count"] == 2
    assert body(pool.put(request_body={"name": "transactional"}))["name"] == "transactional"
    more = pool._("ips:batchAdd").post(request_body={"ips": ["2001:db8::1"]})
    assert body(more)["ips"] == ["192.0.2.6", "192.0.2.10", "2001:db8::1"]
    assert pool._("ips:batchDelete").post(request_body={"ips": ["192.0.2.6"]}).status_code == 204
    listed = body(pool.ips.get(query_params={"limit": 1}))
    assert [x["ip"] for x in listed["result"]] == ["192.0.2.10"]
    assert listed["_metadata"]["next_params"]["after_key"] == "192.0.2.10"
    names = [p["name"] for p in body(pools.get())["result"]]
    assert names == ["marketing", "transactional"]
    old_api = body(sdk.client().client.ips.pools._("transactional").get())
    assert old_api == {"pool_name": "transactional", "ips": ["192.0.2.10", "2001:db8::1"]}
    assert pool.delete().status_code == 204
    with pytest.raises(BadRequestsError) as refused:
        pool.get()
    assert json.loads(refused.value.body) == {
        "errors": [{"field": "poolid", "message": "not found"}]
    }


def test_an_unknown_subuser_is_refused_whole(sdk: Sdk) -> None:
    erin_like = str(max(int(i) for i in subuser_ids(sdk).values()) + 1000)
    ips = sdk.client().client.send_ips.ips
    with pytest.raises(BadRequestsError) as refused:
        ips._("192.0.2.6")._("subusers:batchAdd").post(request_body={"subusers": [erin_like]})
    assert json.loads(refused.value.body)["errors"][0]["field"] == "subusers"
    db = Database(sdk.server.db_url)
    try:
        views = list_subusers(db, account=get_account(db, username=ACME))
        assert all("192.0.2.6" not in v.ips for v in views)
    finally:
        db.dispose()
