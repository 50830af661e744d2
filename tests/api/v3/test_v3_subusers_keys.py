"""/v3/subusers and /v3/api_keys in process: the account's subusers, their IPs, its keys."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select

from ipfleet.domain.states import IpState
from ipfleet.services.accounts import get_account
from ipfleet.services.ips import list_ips
from ipfleet.services.keys import KEY_SHAPE
from ipfleet.services.passwords import verify_password
from ipfleet.services.subusers import list_subusers, subuser_ips
from ipfleet.store.tables import subusers
from tests.support.inprocess import Client
from tests.support.v3_world import ACME, ACME_SORTED, OTHER, World


def names(db_world: World, account: str = ACME) -> dict[str, tuple[bool, list[str]]]:
    views = list_subusers(db_world.db, account=get_account(db_world.db, username=account))
    return {v.subuser.username: (v.subuser.active, v.ips) for v in views}


def test_list_subusers(client: Client, world: World) -> None:
    r = client.request("GET", "/v3/subusers", headers=world.bearer())
    assert r.status_code == 200
    body = r.json()
    assert [(s["username"], s["disabled"], s["email"]) for s in body] == [
        ("alice", False, "alice@example.com"),
        ("bob", False, "bob@example.com"),
        ("carol", True, "carol@example.com"),
    ]
    assert all(isinstance(s["id"], int) and "region" not in s for s in body)


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("username=bob", ["bob"]),
        ("username=bo", []),
        ("username=erin", []),
        ("limit=1&offset=1", ["bob"]),
        ("offset=2", ["carol"]),
        ("region=eu", []),
        ("region=global", ["alice", "bob", "carol"]),
    ],
)
def test_list_subusers_filters(
    client: Client, world: World, query: str, expected: list[str]
) -> None:
    r = client.request("GET", f"/v3/subusers?{query}", headers=world.bearer())
    assert [s["username"] for s in r.json()] == expected


def test_include_region_says_global(client: Client, world: World) -> None:
    r = client.request("GET", "/v3/subusers?include_region=True", headers=world.bearer())
    assert {s["region"] for s in r.json()} == {"global"}


def test_create_subuser_with_ips_and_password(client: Client, world: World) -> None:
    body = {
        "username": "dora@example.com",
        "email": "dora@example.com",
        "password": "correct horse",
        "ips": ["192.0.2.6", "2001:DB8::1"],
    }
    r = client.request("POST", "/v3/subusers", headers=world.bearer(), json=body)
    assert r.status_code == 200
    created = r.json()
    assert (created["username"], created["email"]) == ("dora@example.com", "dora@example.com")
    assert isinstance(created["user_id"], int)
    assert names(world)["dora@example.com"] == (True, ["192.0.2.6", "2001:db8::1"])
    stored = world.db.read(
        lambda uow: uow.conn.scalar(
            select(subusers.c.password_hash).where(subusers.c.username == "dora@example.com")
        )
    )
    assert stored is not None
    assert "correct horse" not in stored
    assert verify_password("correct horse", stored)
    r = client.request("GET", "/v3/subusers/dora@example.com/ips", headers=world.bearer())
    assert r.json()["ips"] == ["192.0.2.6", "2001:db8::1"]


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"ips": []}, "You need to assign at least ONE IP to your subuser"),
        ({"ips": ["198.51.100.1"]}, "IP address is not on your account: 198.51.100.1"),
        ({"ips": ["nope"]}, "Invalid IP address: nope"),
        ({"username": "erin"}, "Username already exists"),
        ({"username": "acme"}, "Username already exists"),
        ({"email": "not an email"}, "Email address is invalid"),
        ({"password": "short"}, "Password must be at least 6 characters"),
        ({"region": "eu"}, "Region eu is not available; use global"),
    ],
)
def test_a_refused_create_creates_nothing(
    client: Client, world: World, change: dict[str, Any], message: str
) -> None:
    body = {
        "username": "dora",
        "email": "d@example.com",
        "password": "secret!",
        "ips": ["192.0.2.6"],
    }
    before = names(world)
    r = client.request("POST", "/v3/subusers", headers=world.bearer(), json={**body, **change})
    assert r.status_code == 400
    assert message in [e["message"] for e in r.json()["errors"]]
    assert names(world) == before


def test_create_needs_every_field(client: Client, world: World) -> None:
    r = client.request(
        "POST", "/v3/subusers", headers=world.bearer(), json={"username": "x", "email": "x@y.z"}
    )
    assert r.status_code == 400
    assert r.json()["errors"][0]["field"] in {"password", "ips"}


def test_patch_disables_and_enables(client: Client, world: World) -> None:
    h = world.bearer()
    r = client.request("PATCH", "/v3/subusers/alice", headers=h, json={"disabled": True})
    assert (r.status_code, r.content) == (204, b"")
    assert names(world)["alice"][0] is False
    # alice's IPs are now available (held only by deactivated subusers)
    available = list_ips(
        world.db, account=get_account(world.db, username=ACME), state=IpState.AVAILABLE
    )
    assert {"192.0.2.1", "192.0.2.2"} <= set(available)
    client.request("PATCH", "/v3/subusers/alice", headers=h, json={"disabled": False})
    assert names(world)["alice"][0] is True
    r = client.request("PATCH", "/v3/subusers/alice", headers=h, json={})
    assert (r.status_code, r.json()["errors"][0]["field"]) == (400, "disabled")
    r = client.request("PATCH", "/v3/subusers/alice", headers=h, json={"disabled": "yes"})
    assert r.status_code == 400
    r = client.request("PATCH", "/v3/subusers/erin", headers=h, json={"disabled": True})
    assert r.status_code == 404
    assert names(world, OTHER)["erin"][0] is True


def test_delete_subuser(client: Client, world: World) -> None:
    h = world.bearer()
    assert client.request("DELETE", "/v3/subusers/erin", headers=h).status_code == 404
    assert "erin" in names(world, OTHER)
    assert client.request("DELETE", "/v3/subusers/alice", headers=h).status_code == 204
    assert "alice" not in names(world)
    r = client.request("DELETE", "/v3/subusers/alice", headers=h)
    assert (r.status_code, r.json()) == (
        404,
        {"errors": [{"field": None, "message": "User does not exist"}]},
    )
    assert (
        list_ips(world.db, account=get_account(world.db, username=ACME), state=IpState.ALL)
        == ACME_SORTED
    )


def test_put_subuser_ips_replaces_the_set(client: Client, world: World) -> None:
    h = world.bearer()
    body = ["192.0.2.10", "2001:DB8::1", "192.0.2.10"]
    r = client.request("PUT", "/v3/subusers/alice/ips", headers=h, json=body)
    assert (r.status_code, r.json()) == (200, {"ips": ["192.0.2.10", "2001:db8::1"]})
    assert subuser_ips(
        world.db, account=get_account(world.db, username=ACME), username="alice"
    ) == [
        "192.0.2.10",
        "2001:db8::1",
    ]


@pytest.mark.parametrize(
    ("body", "status", "message"),
    [
        (["198.51.100.1"], 400, "IP address is not on your account: 198.51.100.1"),
        (["192.0.2.1", "bad"], 400, "Invalid IP address: bad"),
        ([], 400, "You need to assign at least ONE IP to your subuser"),
        ({"ips": ["192.0.2.1"]}, 400, "Expected `array`, got `object`"),
        ([f"10.0.{i // 256}.{i % 256}" for i in range(60)], 413, "Too many IP addresses"),
    ],
)
def test_a_refused_put_changes_nothing(
    client: Client, world: World, body: Any, status: int, message: str
) -> None:
    r = client.request("PUT", "/v3/subusers/alice/ips", headers=world.bearer(), json=body)
    assert r.status_code == status
    assert any(message in e["message"] for e in r.json()["errors"])
    assert subuser_ips(
        world.db, account=get_account(world.db, username=ACME), username="alice"
    ) == [
        "192.0.2.1",
        "192.0.2.2",
    ]


def test_put_for_another_accounts_subuser_is_not_found(client: Client, world: World) -> None:
    r = client.request("PUT", "/v3/subusers/erin/ips", headers=world.bearer(), json=["192.0.2.1"])
    assert r.status_code == 404
    assert subuser_ips(
        world.db, account=get_account(world.db, username=OTHER), username="erin"
    ) == ["198.51.100.1"]


def test_get_subuser_ips_gives_the_set_and_the_effective_set(client: Client, world: World) -> None:
    h = world.bearer()
    r = client.request("GET", "/v3/subusers/alice/ips", headers=h)
    assert r.json() == {"ips": ["192.0.2.1", "192.0.2.2"], "effective": ["192.0.2.1", "192.0.2.2"]}
    r = client.request("GET", "/v3/subusers/bob/ips", headers=h)
    assert r.json() == {"ips": [], "effective": ACME_SORTED}
    assert client.request("GET", "/v3/subusers/erin/ips", headers=h).status_code == 404


def test_keys_rotate_without_the_operator(client: Client, world: World) -> None:
    h = world.bearer()
    r = client.request("GET", "/v3/api_keys", headers=h)
    listed = r.json()["result"]
    assert [k["name"] for k in listed] == ["default", "spare"]
    assert world.keys[ACME].split(".")[1] == listed[0]["api_key_id"]
    assert all(set(k) == {"api_key_id", "name"} for k in listed)
    r = client.request("POST", "/v3/api_keys", headers=h, json={"name": "rotated"})
    assert r.status_code == 201
    created = r.json()
    assert KEY_SHAPE.fullmatch(created["api_key"])
    assert created["api_key"].split(".")[1] == created["api_key_id"]
    new = {"Authorization": f"Bearer {created['api_key']}"}
    assert client.request("GET", "/v3/ips/pools", headers=new).status_code == 200
    # the same key works on v2 with the account's name as api_user
    v2 = client.request(
        "GET", "/apiv2/customer.ip.json",
        params={"api_user": ACME, "api_key": created["api_key"], "list": "all"},
    )  # fmt: skip
    assert [x["ip"] for x in v2.json()] == ACME_SORTED
    r = client.request("DELETE", f"/v3/api_keys/{listed[0]['api_key_id']}", headers=new)
    assert r.status_code == 204
    assert client.request("GET", "/v3/ips", headers=h).status_code == 401
    listed = client.request("GET", "/v3/api_keys", headers=new).json()["result"]
    assert [k["name"] for k in listed] == ["spare", "rotated"]
    assert "SG." not in str(listed)


def test_the_last_key_cannot_be_deleted(client: Client, world: World) -> None:
    h = world.bearer()
    r = client.request("DELETE", f"/v3/api_keys/{world.spare_key_id}", headers=h)
    assert r.status_code == 204
    own_id = world.keys[ACME].split(".")[1]
    r = client.request("DELETE", f"/v3/api_keys/{own_id}", headers=h)
    assert r.status_code == 400
    assert r.json()["errors"][0]["message"].startswith("Cannot delete the account's last API key")
    assert client.request("GET", "/v3/api_keys", headers=h).status_code == 200


def test_keys_are_per_account(client: Client, world: World) -> None:
    r = client.request("DELETE", f"/v3/api_keys/{world.spare_key_id}", headers=world.bearer(OTHER))
    assert r.status_code == 404
    r = client.request("GET", "/v3/api_keys", headers=world.bearer(OTHER))
    assert [k["name"] for k in r.json()["result"]] == ["default"]


@pytest.mark.parametrize(
    "body",
    [{"name": "x", "scopes": ["ips.read"]}, {"name": ""}, {"name": "n" * 101}, {}],
)
def test_refused_key_requests(client: Client, world: World, body: dict[str, Any]) -> None:
    r = client.request("POST", "/v3/api_keys", headers=world.bearer(), json=body)
    assert r.status_code == 400
    r = client.request("GET", "/v3/api_keys", headers=world.bearer())
    assert len(r.json()["result"]) == 2
