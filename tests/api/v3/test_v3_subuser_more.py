"""/v3/subusers/{name}/website_access, and SendGrid's subuser calls ipfleet does not serve."""

from __future__ import annotations

import pytest

from ipfleet.domain.records import Actor
from ipfleet.services.accounts import get_account
from ipfleet.services.profiles import find_subusers
from ipfleet.services.subusers import create_subuser, list_subusers
from tests.support.inprocess import Client
from tests.support.v3_world import ACME, OTHER, World

ACTOR = Actor(name="tests:v3", request_id="v3-more")


def web_access(world: World, name: str, account: str = ACME) -> bool:
    acct = get_account(world.db, username=account)
    rows = find_subusers(world.db, account=acct, contains={"username": name}, active=None)
    return bool(next(r for r in rows if r["username"] == name)["website_access"])


def log_actions(world: World) -> list[tuple[str, str, object, object]]:
    return [
        (r["action"], r["subject"], r["before"], r["after"])
        for r in world.db.read(lambda uow: uow.log.entries())
        if r["action"] == "subuser.set_website_access"
    ]


def test_website_access_is_set_and_sending_is_not(client: Client, world: World) -> None:
    h = world.bearer()
    path = "/v3/subusers/alice/website_access"
    for disabled in (True, True, False):
        r = client.request("PATCH", path, headers=h, json={"disabled": disabled})
        assert (r.status_code, r.content) == (204, b"")
        assert web_access(world, "alice") is not disabled
    # Web login only: alice stays enabled and keeps her IPs.
    views = {
        v.subuser.username: v
        for v in list_subusers(world.db, account=get_account(world.db, username=ACME))
    }
    assert views["alice"].subuser.active is True
    assert views["alice"].ips == ["192.0.2.1", "192.0.2.2"]
    assert log_actions(world) == [
        ("subuser.set_website_access", "subuser:alice", {"website_access": True},
         {"website_access": False}),
        ("subuser.set_website_access", "subuser:alice", {"website_access": False},
         {"website_access": True}),
    ]  # fmt: skip


def test_website_access_errors(client: Client, world: World) -> None:
    h = world.bearer()
    for name in ("erin", "nobody"):
        r = client.request(
            "PATCH", f"/v3/subusers/{name}/website_access", headers=h, json={"disabled": True}
        )
        assert (r.status_code, r.json()) == (
            404,
            {"errors": [{"field": None, "message": "User does not exist"}]},
        )
    assert web_access(world, "erin", OTHER) is True
    path = "/v3/subusers/alice/website_access"
    r = client.request("PATCH", path, headers=h, json={})
    assert (r.status_code, r.json()["errors"][0]["field"]) == (400, "disabled")
    r = client.request("PATCH", path, headers=h, json={"disabled": 1})
    assert r.status_code == 400
    r = client.request("PATCH", path, json={"disabled": True})
    assert r.status_code == 401
    r = client.request("GET", path, headers=h)
    assert (r.status_code, r.headers["allow"]) == (405, "OPTIONS, PATCH")
    assert log_actions(world) == []


NOT_SERVED = [
    ("GET", "/v3/subusers/reputations", "reputations"),
    ("GET", "/v3/subusers/reputations?usernames=alice", "reputations"),
    ("GET", "/v3/subusers/stats?subusers=alice&start_date=2024-01-01", "statistics"),
    ("GET", "/v3/subusers/stats/monthly?date=2024-01-01", "statistics"),
    ("GET", "/v3/subusers/stats/sums?start_date=2024-01-01", "statistics"),
    ("GET", "/v3/subusers/alice/credits", "credits"),
    ("PUT", "/v3/subusers/alice/credits", "credits"),
    ("PATCH", "/v3/subusers/alice/credits/remaining", "credits"),
    ("GET", "/v3/subusers/alice/stats/monthly?date=2024-01-01", "statistics"),
    ("GET", "/v3/subusers/erin/credits", "credits"),
]


@pytest.mark.parametrize(("method", "path", "what"), NOT_SERVED)
def test_subuser_calls_ipfleet_does_not_serve_are_404(
    client: Client, world: World, method: str, path: str, what: str
) -> None:
    body = {"type": "unlimited"} if method != "GET" else None
    r = client.request(method, path, headers=world.bearer(), json=body)
    assert (r.status_code, r.json()) == (
        404,
        {
            "errors": [
                {
                    "field": None,
                    "message": f"ipfleet does not serve subuser {what}: it sends no mail",
                }
            ]
        },
    )
    # A key is still needed to learn even that.
    assert client.request(method, path, json=body).status_code == 401


def test_subusers_named_like_those_calls_are_still_served(client: Client, world: World) -> None:
    for name in ("stats", "reputations"):
        create_subuser(
            world.db,
            account=get_account(world.db, username=ACME),
            username=name,
            email="",
            actor=ACTOR,
        )
        h = world.bearer()
        r = client.request("PATCH", f"/v3/subusers/{name}", headers=h, json={"disabled": True})
        assert r.status_code == 204, r.text
        r = client.request("PUT", f"/v3/subusers/{name}/ips", headers=h, json=["192.0.2.6"])
        assert r.status_code == 200, r.text
        assert client.request("DELETE", f"/v3/subusers/{name}", headers=h).status_code == 204


def test_get_of_one_subuser_is_still_a_405(client: Client, world: World) -> None:
    r = client.request("OPTIONS", "/v3/subusers/alice")
    assert (r.status_code, r.headers["allow"]) == (204, "DELETE, OPTIONS, PATCH")
    r = client.request("GET", "/v3/subusers/alice", headers=world.bearer())
    assert (r.status_code, r.headers["allow"]) == (405, "DELETE, OPTIONS, PATCH")
    assert r.json() == {"errors": [{"field": None, "message": "method not allowed"}]}
