"""Every v3 endpoint, its answers and its errors, held to SendGrid's schema or the list.

The tour drives every endpoint through the official SDK, including the errors that make
ipfleet deviate from SendGrid's files, then checks every answer (as the ``sdk`` fixture
does for every e2e test) and that each deviation listed in docs/v3.md was really seen:
the list may not grow stale.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from python_http_client.exceptions import HTTPError

from tests.e2e.v3.sdk import Sdk, not_served_calls
from tests.support.oai import Deviation, documented_deviations

pytestmark = pytest.mark.e2e


def attempt(call: Callable[[], Any]) -> int:
    """The status of a call, whether it succeeds or raises the SDK's error."""
    try:
        return int(call().status_code)
    except HTTPError as exc:
        return int(exc.status_code)


def test_every_answer_matches_sendgrids_schema_or_a_listed_deviation(sdk: Sdk) -> None:
    sg = sdk.client().client
    alice = sdk.client(on_behalf_of="alice").client
    new_key = json.loads(sg.api_keys.post(request_body={"name": "tour"}).body)
    statuses = [
        # IP addresses
        attempt(lambda: sg.ips.get(query_params={"limit": 3, "exclude_whitelabels": True})),
        attempt(lambda: sg.ips.get(query_params={"limit": 0})),
        attempt(lambda: sg.ips._("192.0.2.1").get()),
        attempt(lambda: sg.ips._("192.0.2.6").get()),
        attempt(lambda: sg.ips._("198.51.100.1").get()),
        attempt(sg.ips.assigned.get),
        attempt(alice.ips.get),
        attempt(alice.ips.assigned.get),
        attempt(sdk.client(on_behalf_of="erin").client.ips.assigned.get),
        attempt(sdk.client(key="SG.nope").client.ips.get),
        attempt(sg.ips.remaining.get),
        attempt(lambda: sg.ips.post(request_body={"count": 1, "subusers": ["bob"]})),
        attempt(lambda: sg.ips.post(request_body={"count": 99})),
        # pools
        attempt(lambda: sg.ips.pools.post(request_body={"name": "tour"})),
        attempt(lambda: sg.ips.pools.post(request_body={"name": "tour"})),
        attempt(lambda: sg.ips.pools.post(request_body={"name": "x" * 1_100_000})),
        attempt(sg.ips.pools.get),
        attempt(lambda: sg.ips.pools._("tour").ips.post(request_body={"ip": "192.0.2.6"})),
        attempt(lambda: sg.ips.pools._("tour").ips.post(request_body={"ip": "198.51.100.1"})),
        attempt(lambda: sg.ips.pools._("tour").get()),
        attempt(lambda: sg.ips.pools._("b-pool").get()),
        attempt(lambda: sg.ips.pools._("tour").put(request_body={"name": "tour2"})),
        attempt(lambda: sg.ips.pools._("b-pool").put(request_body={"name": "mine"})),
        attempt(lambda: sg.ips.pools._("tour2").ips._("192.0.2.6").delete()),
        attempt(lambda: sg.ips.pools._("tour2").ips._("192.0.2.6").delete()),
        attempt(lambda: sg.ips.pools._("tour2").delete()),
        attempt(lambda: sg.ips.pools._("tour2").delete()),
        # warmup
        attempt(lambda: sg.ips.warmup.post(request_body={"ip": "192.0.2.6"})),
        attempt(lambda: sg.ips.warmup.post(request_body={"ip": "192.0.2.6"})),
        attempt(lambda: sg.ips.warmup.post(request_body={"ip": "198.51.100.1"})),
        attempt(sg.ips.warmup.get),
        attempt(lambda: sg.ips.warmup._("192.0.2.6").get()),
        attempt(lambda: sg.ips.warmup._("192.0.2.10").get()),
        attempt(lambda: sg.ips.warmup._("192.0.2.6").delete()),
        attempt(lambda: sg.ips.warmup._("192.0.2.6").delete()),
        # subusers
        attempt(lambda: sg.subusers.get(query_params={"include_region": True})),
        attempt(
            lambda: sg.subusers.post(
                request_body={
                    "username": "tourist",
                    "email": "tourist@example.com",
                    "password": "tour-pass",
                    "ips": ["192.0.2.6"],
                    "include_region": True,
                }
            )
        ),
        attempt(
            lambda: sg.subusers.post(
                request_body={
                    "username": "tourist",
                    "email": "tourist@example.com",
                    "password": "tour-pass",
                    "ips": ["192.0.2.6"],
                }
            )
        ),
        attempt(lambda: sg.subusers._("tourist").patch(request_body={"disabled": True})),
        attempt(lambda: sg.subusers._("erin").patch(request_body={"disabled": True})),
        attempt(lambda: sg.subusers._("tourist").ips.put(request_body=["2001:db8::1"])),
        attempt(lambda: sg.subusers._("tourist").ips.put(request_body=["198.51.100.1"])),
        attempt(lambda: sg.subusers._("erin").ips.put(request_body=["192.0.2.1"])),
        attempt(sg.subusers._("tourist").ips.get),
        attempt(
            lambda: sg.subusers._("tourist").website_access.patch(request_body={"disabled": True})
        ),
        attempt(
            lambda: sg.subusers._("erin").website_access.patch(request_body={"disabled": True})
        ),
        *(attempt(call) for _what, call in not_served_calls(sdk.client())),
        attempt(lambda: sg.subusers._("tourist").delete()),
        attempt(lambda: sg.subusers._("tourist").delete()),
        # API keys
        attempt(sg.api_keys.get),
        attempt(lambda: sg.api_keys._(new_key["api_key_id"]).delete()),
        attempt(lambda: sg.api_keys._(new_key["api_key_id"]).delete()),
        # IP Address Management (/v3/send_ips)
        attempt(lambda: sg.send_ips.ips.get(query_params={"limit": 2})),
        attempt(lambda: sg.send_ips.ips._("198.51.100.1").get()),
        attempt(lambda: sg.send_ips.ips._("192.0.2.6").patch(request_body={})),
        attempt(sg.send_ips.pools.get),
        attempt(lambda: sg.send_ips.pools._("abc").get()),
        attempt(lambda: sg.send_ips.pools.post(request_body={"name": "sip", "ips": ["192.0.2.6"]})),
        # a wrong method
        attempt(lambda: sg.ips.put(request_body={})),
    ]
    assert statuses == [
        200, 400, 200, 200, 404, 200, 200, 200, 403, 401, 200, 201, 400,
        200, 400, 413, 200, 201, 404, 200, 404, 200, 404, 204, 404, 204, 404,
        200, 400, 404, 200, 200, 404, 204, 404,
        200, 200, 400, 204, 404, 200, 400, 404, 200, 204, 404, *([404] * 8), 204, 404,
        200, 204, 404,
        200, 400, 400, 200, 400, 201,
        405,
    ]  # fmt: skip
    used: set[Deviation] = set()
    problems = sdk.problems(used)
    assert problems == [], "\n".join(problems)
    assert used == documented_deviations()
