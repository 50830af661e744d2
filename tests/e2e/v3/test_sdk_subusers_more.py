"""The official Python SDK on a real server: a subuser's website access, and every subuser
call of SendGrid's file that ipfleet does not serve (404 in the v3 shape, as the SDK's
``NotFoundError``). Every answer is held to SendGrid's schema or docs/v3.md's deviations."""

from __future__ import annotations

import json

import pytest
from python_http_client.exceptions import BadRequestsError, NotFoundError, UnauthorizedError

from ipfleet.services.accounts import get_account
from ipfleet.services.profiles import find_subusers
from ipfleet.store.uow import Database
from tests.e2e.v3.sdk import Sdk, not_served_calls

pytestmark = pytest.mark.e2e


def website_access(sdk: Sdk, name: str) -> bool:
    db = Database(sdk.server.db_url)
    try:
        acme = get_account(db, username="acme")
        rows = find_subusers(db, account=acme, contains={"username": name}, active=None)
        return bool(next(r for r in rows if r["username"] == name)["website_access"])
    finally:
        db.dispose()


def test_website_access(sdk: Sdk) -> None:
    sg = sdk.client()
    alice = sg.client.subusers._("alice")
    for disabled in (True, False, True):
        answer = alice.website_access.patch(request_body={"disabled": disabled})
        assert (answer.status_code, answer.body) == (204, b"")
        assert website_access(sdk, "alice") is not disabled
    # Sending is not affected: alice is still enabled and holds her IPs.
    listed = json.loads(sg.client.subusers.get(query_params={"username": "alice"}).body)
    assert listed[0]["disabled"] is False
    assert json.loads(alice.ips.get().body)["ips"] == ["192.0.2.1", "192.0.2.2"]
    with pytest.raises(NotFoundError) as foreign:
        sg.client.subusers._("erin").website_access.patch(request_body={"disabled": True})
    assert json.loads(foreign.value.body) == {
        "errors": [{"field": None, "message": "User does not exist"}]
    }
    with pytest.raises(BadRequestsError) as bad:
        alice.website_access.patch(request_body={"disabled": "yes"})
    assert json.loads(bad.value.body)["errors"][0]["field"] == "disabled"
    with pytest.raises(UnauthorizedError):
        sdk.client(key="SG.nope").client.subusers._("alice").website_access.patch(
            request_body={"disabled": False}
        )
    assert website_access(sdk, "alice") is False


def test_calls_ipfleet_does_not_serve_are_not_found(sdk: Sdk) -> None:
    sg = sdk.client()
    for what, call in not_served_calls(sg):
        with pytest.raises(NotFoundError) as refused:
            call()
        message = f"ipfleet does not serve subuser {what}: it sends no mail"
        assert json.loads(refused.value.body) == {"errors": [{"field": None, "message": message}]}
    # A subuser named like one of those lists is still a subuser.
    created = sg.client.subusers.post(
        request_body={
            "username": "stats",
            "email": "stats@example.com",
            "password": "stats-pass",
            "ips": ["192.0.2.6"],
        }
    )
    assert created.status_code == 200
    assert sg.client.subusers._("stats").patch(request_body={"disabled": True}).status_code == 204
    assert sg.client.subusers._("stats").delete().status_code == 204
