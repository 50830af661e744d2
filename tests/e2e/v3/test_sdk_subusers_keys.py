"""The official Python SDK on a real server: subusers, their IPs, keys, and v2 alongside."""

from __future__ import annotations

import json
from typing import Any

import pytest
from python_http_client.exceptions import (
    BadRequestsError,
    ForbiddenError,
    HTTPError,
    MethodNotAllowedError,
    NotFoundError,
    PayloadTooLargeError,
    UnauthorizedError,
)

from ipfleet.services.keys import KEY_SHAPE
from tests.e2e.v3.sdk import Sdk, Server
from tests.support.v3_world import ACME, ACME_SORTED

pytestmark = pytest.mark.e2e


def body(response: Any) -> Any:
    return json.loads(response.body)


def test_subusers(sdk: Sdk) -> None:
    sg = sdk.client()
    listed = body(sg.client.subusers.get())
    assert [(s["username"], s["disabled"]) for s in listed] == [
        ("alice", False),
        ("bob", False),
        ("carol", True),
    ]
    assert [s["username"] for s in body(sg.client.subusers.get(query_params={"limit": 1}))] == [
        "alice"
    ]
    new = {
        "username": "dora@example.com",
        "email": "dora@example.com",
        "password": "correct horse",
        "ips": ["192.0.2.6"],
    }
    created = sg.client.subusers.post(request_body=new)
    assert created.status_code == 200
    assert body(created)["username"] == "dora@example.com"
    dora = sg.client.subusers._("dora@example.com")  # the SDK does not encode "@"
    assert body(dora.ips.get()) == {"ips": ["192.0.2.6"], "effective": ["192.0.2.6"]}
    put = dora.ips.put(request_body=["2001:db8::1", "192.0.2.10"])
    assert (put.status_code, body(put)) == (200, {"ips": ["192.0.2.10", "2001:db8::1"]})
    assert dora.patch(request_body={"disabled": True}).status_code == 204
    assert (
        body(sg.client.subusers.get(query_params={"username": "dora@example.com"}))[0]["disabled"]
        is True
    )
    assert body(sg.client.subusers._("bob").ips.get()) == {"ips": [], "effective": ACME_SORTED}
    assert dora.delete().status_code == 204
    assert [s["username"] for s in body(sg.client.subusers.get())] == ["alice", "bob", "carol"]


def test_api_keys(sdk: Sdk) -> None:
    sg = sdk.client()
    keys = body(sg.client.api_keys.get())["result"]
    assert [k["name"] for k in keys] == ["default", "spare"]
    created = sg.client.api_keys.post(request_body={"name": "rotated"})
    assert created.status_code == 201
    new_key = body(created)["api_key"]
    assert KEY_SHAPE.fullmatch(new_key)
    rotated = sdk.client(key=new_key)
    for k in keys:
        assert rotated.client.api_keys._(k["api_key_id"]).delete().status_code == 204
    with pytest.raises(UnauthorizedError):
        sg.client.ips.get()
    last = body(created)["api_key_id"]
    with pytest.raises(BadRequestsError) as refused:
        rotated.client.api_keys._(last).delete()
    assert json.loads(refused.value.body)["errors"][0]["message"].startswith(
        "Cannot delete the account's last API key"
    )
    assert body(rotated.client.api_keys.get())["result"] == [
        {"api_key_id": last, "name": "rotated"}
    ]


def error_body(exc: HTTPError) -> Any:
    return json.loads(exc.body)


def test_errors_surface_as_the_sdks_typed_exceptions(sdk: Sdk) -> None:
    sg = sdk.client()
    cases: list[tuple[type[HTTPError], Any, dict[str, Any]]] = [
        (
            UnauthorizedError,
            sdk.client(key="SG.wrong").client.ips.get,
            {"errors": [{"field": None, "message": "Permission denied, wrong credentials"}]},
        ),
        (
            ForbiddenError,
            sdk.client(on_behalf_of="erin").client.ips.assigned.get,
            {
                "errors": [
                    {
                        "field": None,
                        "message": "On-Behalf-Of names no subuser of this account: erin",
                    }
                ]
            },
        ),
        (
            ForbiddenError,
            sdk.client(on_behalf_of="alice").client.ips.pools.get,
            {
                "errors": [
                    {"field": None, "message": "This call is not available On-Behalf-Of a subuser"}
                ]
            },
        ),
        (
            NotFoundError,
            lambda: sg.client.ips._("198.51.100.1").get(),
            {"errors": [{"field": "ip", "message": "IP address not found: 198.51.100.1"}]},
        ),
        (
            NotFoundError,
            lambda: sg.client.ips.pools._("b-pool").delete(),
            {"error": "Unable to locate specified IPs Pool"},
        ),
        (
            BadRequestsError,
            lambda: sg.client.subusers._("alice").ips.put(request_body=["198.51.100.1"]),
            {
                "errors": [
                    {"field": None, "message": "IP address is not on your account: 198.51.100.1"}
                ]
            },
        ),
        (
            BadRequestsError,
            lambda: sg.client.ips.get(query_params={"limit": 0}),
            {"errors": [{"field": "limit", "message": "Expected `int` >= 1"}]},
        ),
        (
            MethodNotAllowedError,
            lambda: sg.client.ips.put(request_body={}),
            {"errors": [{"field": None, "message": "method not allowed"}]},
        ),
        (
            PayloadTooLargeError,
            lambda: sg.client.ips.pools.post(request_body={"name": "x" * 1_100_000}),
            {
                "errors": [
                    {"field": None, "message": "Request body too large (at most 1048576 bytes)"}
                ]
            },
        ),
    ]
    for kind, call, expected in cases:
        with pytest.raises(kind) as caught:
            call()
        assert error_body(caught.value) == expected


def v2_sendip(server: Server, **params: Any) -> Any:
    auth = {"api_user": ACME, "api_key": server.world.keys[ACME]}
    return server.get_json("/apiv2/customer.sendip.json", **auth, **params)


def test_v3_and_v2_see_each_others_changes(sdk: Sdk, server: Server) -> None:
    alice = sdk.client().client.subusers._("alice")
    alice.ips.put(request_body=["192.0.2.10", "2001:db8::1"])
    listed = v2_sendip(server, task="list", user="alice")
    assert [x["ip"] for x in listed["ips"]] == ["192.0.2.10", "2001:db8::1"]
    done = v2_sendip(server, task="append", user="alice", set="specify", **{"ip[]": ["192.0.2.3"]})
    assert done == {"message": "success"}
    assert body(alice.ips.get())["ips"] == ["192.0.2.3"]
    listed_v3 = body(sdk.client().client.ips.get(query_params={"subuser": "alice"}))
    assert [x["ip"] for x in listed_v3] == ["192.0.2.3"]
