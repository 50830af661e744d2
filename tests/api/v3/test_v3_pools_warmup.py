"""/v3/ips/pools and /v3/ips/warmup in process: CRUD, membership, tenants, legacy 404s."""

from __future__ import annotations

import pytest

from ipfleet.domain.states import IpState
from ipfleet.services.accounts import get_account
from ipfleet.services.ips import list_ips
from tests.support.inprocess import Client
from tests.support.v3_world import ACME, OTHER, World


def test_pool_lifecycle(client: Client, world: World) -> None:
    h = world.bearer()
    r = client.request("POST", "/v3/ips/pools", headers=h, json={"name": "Test Pool"})
    assert (r.status_code, r.json()) == (200, {"name": "Test Pool"})
    for ip in ("192.0.2.10", "192.0.2.1"):
        r = client.request("POST", "/v3/ips/pools/Test%20Pool/ips", headers=h, json={"ip": ip})
        assert r.status_code == 201
    assert r.json() == {
        "ip": "192.0.2.1",
        "pools": ["Test Pool", "marketing"],
        "start_date": None,
        "warmup": False,
    }
    r = client.request("GET", "/v3/ips/pools/Test%20Pool", headers=h)
    assert r.json() == {"pool_name": "Test Pool", "ips": ["192.0.2.1", "192.0.2.10"]}
    r = client.request("GET", "/v3/ips/pools", headers=h)
    assert r.json() == [{"name": "Test Pool"}, {"name": "marketing"}]
    r = client.request("PUT", "/v3/ips/pools/Test%20Pool", headers=h, json={"name": "bulk"})
    assert (r.status_code, r.json()) == (200, {"name": "bulk"})
    assert client.request("GET", "/v3/ips/192.0.2.10", headers=h).json()["pools"] == ["bulk"]
    r = client.request("DELETE", "/v3/ips/pools/bulk/ips/192.0.2.10", headers=h)
    assert (r.status_code, r.content) == (204, b"")
    assert client.request("GET", "/v3/ips/pools/bulk", headers=h).json()["ips"] == ["192.0.2.1"]
    assert client.request("DELETE", "/v3/ips/pools/bulk", headers=h).status_code == 204
    assert client.request("GET", "/v3/ips/192.0.2.1", headers=h).json()["pools"] == ["marketing"]
    assert "192.0.2.1" in list_ips(
        world.db, account=get_account(world.db, username=ACME), state=IpState.ALL
    )


def test_an_ip_in_a_pool_twice_is_refused(client: Client, world: World) -> None:
    r = client.request(
        "POST", "/v3/ips/pools/marketing/ips", headers=world.bearer(), json={"ip": "192.0.2.1"}
    )
    assert r.status_code == 400
    assert r.json()["errors"] == [
        {"field": "ip", "message": "IP address 192.0.2.1 is already in pool marketing"}
    ]


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("marketing", "A pool with this name already exists: marketing"),
        ("", "Pool name is required"),
        ("x" * 65, "Pool name must be at most 64 characters"),
        ("a/b", "Pool name must not contain '/' or be '.' or '..'"),
        ("tab\there", "Pool name must not contain control characters"),
    ],
)
def test_bad_pool_names_are_400s_naming_the_field(
    client: Client, world: World, name: str, message: str
) -> None:
    r = client.request("POST", "/v3/ips/pools", headers=world.bearer(), json={"name": name})
    assert r.status_code == 400
    assert r.json() == {"errors": [{"field": "name", "message": message}]}


def test_rename_refuses_a_taken_name_and_needs_one(client: Client, world: World) -> None:
    h = world.bearer()
    client.request("POST", "/v3/ips/pools", headers=h, json={"name": "second"})
    r = client.request("PUT", "/v3/ips/pools/second", headers=h, json={"name": "marketing"})
    assert r.status_code == 400
    r = client.request("PUT", "/v3/ips/pools/second", headers=h, json={})
    assert r.status_code == 400
    assert r.json()["errors"][0]["field"] == "name"
    r = client.request("PUT", "/v3/ips/pools/second", headers=h, json={"name": "second"})
    assert (r.status_code, r.json()) == (200, {"name": "second"})


def test_another_accounts_pool_and_ip_are_not_found(client: Client, world: World) -> None:
    h = world.bearer()
    missing = {"errors": [{"field": "pool_name", "message": "Unable to locate specified IPs Pool"}]}
    r = client.request("GET", "/v3/ips/pools/b-pool", headers=h)
    assert (r.status_code, r.json()) == (404, missing)
    r = client.request("PUT", "/v3/ips/pools/b-pool", headers=h, json={"name": "mine"})
    assert (r.status_code, r.json()) == (404, missing)
    r = client.request("POST", "/v3/ips/pools/b-pool/ips", headers=h, json={"ip": "192.0.2.1"})
    assert r.status_code == 404
    r = client.request(
        "POST", "/v3/ips/pools/marketing/ips", headers=h, json={"ip": "198.51.100.1"}
    )
    assert (r.status_code, r.json()["errors"][0]["field"]) == (404, "ip")
    assert client.request("GET", "/v3/ips/pools", headers=h).json() == [{"name": "marketing"}]
    other = client.request("GET", "/v3/ips/pools/b-pool", headers=world.bearer(OTHER))
    assert other.json() == {"pool_name": "b-pool", "ips": ["198.51.100.1"]}


def test_the_two_legacy_404s_keep_sendgrids_older_shape(client: Client, world: World) -> None:
    h = world.bearer()
    r = client.request("DELETE", "/v3/ips/pools/b-pool", headers=h)
    assert (r.status_code, r.json()) == (404, {"error": "Unable to locate specified IPs Pool"})
    r = client.request("DELETE", "/v3/ips/pools/nope/ips/192.0.2.1", headers=h)
    assert (r.status_code, r.json()) == (404, {"error": "Unable to locate specified IPs Pool"})
    r = client.request("DELETE", "/v3/ips/pools/marketing/ips/192.0.2.2", headers=h)
    assert (r.status_code, r.json()) == (
        404,
        {"error": "IP address 192.0.2.2 is not in pool marketing"},
    )
    # a malformed address is a 400, in the ordinary shape
    r = client.request("DELETE", "/v3/ips/pools/marketing/ips/not-an-ip", headers=h)
    assert r.status_code == 400
    assert "errors" in r.json()


def test_warmup_lifecycle(client: Client, world: World) -> None:
    h = world.bearer()
    r = client.request("POST", "/v3/ips/warmup", headers=h, json={"ip": "2001:DB8::1"})
    assert r.status_code == 200
    [started] = r.json()
    assert started["ip"] == "2001:db8::1"
    assert isinstance(started["start_date"], int)
    warming = client.request("GET", "/v3/ips/warmup", headers=h).json()
    assert [w["ip"] for w in warming] == ["192.0.2.4", "2001:db8::1"]
    r = client.request("GET", "/v3/ips/warmup/2001:db8::1", headers=h)
    assert r.json() == [started]
    listed = client.request("GET", "/v3/ips/2001:db8::1", headers=h).json()
    assert (listed["warmup"], listed["start_date"]) == (True, started["start_date"])
    r = client.request("POST", "/v3/ips/warmup", headers=h, json={"ip": "2001:db8::1"})
    assert r.status_code == 400
    assert client.request("DELETE", "/v3/ips/warmup/2001:db8::1", headers=h).status_code == 204
    for method in ("GET", "DELETE"):
        r = client.request(method, "/v3/ips/warmup/2001:db8::1", headers=h)
        assert r.status_code == 404
        assert r.json()["errors"][0]["message"] == "IP address is not warming up: 2001:db8::1"
    listed = client.request("GET", "/v3/ips/2001:db8::1", headers=h).json()
    assert (listed["warmup"], listed["start_date"]) == (False, None)


def test_warmup_of_another_accounts_ip_is_not_found(client: Client, world: World) -> None:
    h = world.bearer()
    r = client.request("POST", "/v3/ips/warmup", headers=h, json={"ip": "198.51.100.1"})
    assert r.status_code == 404
    assert client.request("DELETE", "/v3/ips/warmup/198.51.100.1", headers=h).status_code == 404
    r = client.request("GET", "/v3/ips/warmup", headers=world.bearer(OTHER))
    assert r.json() == []


def test_warmup_reads_on_behalf_of_a_subuser(client: Client, world: World) -> None:
    alice = world.bearer(on_behalf_of="alice")
    assert client.request("GET", "/v3/ips/warmup", headers=alice).json() == []
    r = client.request("GET", "/v3/ips/warmup/192.0.2.4", headers=alice)
    assert r.status_code == 404
    bob = world.bearer(on_behalf_of="bob")
    assert [w["ip"] for w in client.request("GET", "/v3/ips/warmup", headers=bob).json()] == [
        "192.0.2.4"
    ]


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("POST", "/v3/ips/pools", {"name": "x"}),
        ("GET", "/v3/ips/pools", None),
        ("DELETE", "/v3/ips/pools/marketing", None),
        ("POST", "/v3/ips/warmup", {"ip": "192.0.2.1"}),
        ("DELETE", "/v3/ips/warmup/192.0.2.4", None),
        ("GET", "/v3/ips/remaining", None),
        ("POST", "/v3/ips", {"count": 1}),
    ],
)
def test_the_accounts_own_calls_refuse_on_behalf_of(
    client: Client, world: World, method: str, path: str, body: object
) -> None:
    r = client.request(method, path, headers=world.bearer(on_behalf_of="alice"), json=body)
    assert r.status_code == 403
    assert r.json() == {
        "errors": [{"field": None, "message": "This call is not available On-Behalf-Of a subuser"}]
    }
    assert client.request("GET", "/v3/ips/pools/marketing", headers=world.bearer()).json() == {
        "pool_name": "marketing",
        "ips": ["192.0.2.1"],
    }
