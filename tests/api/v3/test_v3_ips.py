"""/v3/ips in process: listing with filters and paging, one IP, assigned, remaining, taking."""

from __future__ import annotations

from typing import Any

import pytest

from ipfleet.domain.states import IpState
from ipfleet.services.accounts import create_account, get_account
from ipfleet.services.inventory import list_inventory
from ipfleet.services.ips import list_ips
from ipfleet.services.subusers import subuser_ips
from tests.support.inprocess import Client
from tests.support.seed import SEEDER
from tests.support.v3_world import ACME, ACME_SORTED, OTHER, PRICE, RDNS, World


def ips_of(body: list[dict[str, Any]]) -> list[str]:
    return [item["ip"] for item in body]


def test_list_gives_every_field_in_numeric_order(client: Client, world: World) -> None:
    r = client.request("GET", "/v3/ips", headers=world.bearer())
    assert r.status_code == 200
    body = r.json()
    assert ips_of(body) == ACME_SORTED
    by_ip = {item["ip"]: item for item in body}
    first = by_ip["192.0.2.1"]
    assert first["rdns"] == RDNS
    assert first["subusers"] == ["alice"]
    assert first["pools"] == ["marketing"]
    assert (first["warmup"], first["start_date"], first["whitelabeled"]) == (False, None, False)
    assert isinstance(first["assigned_at"], int)
    assert by_ip["192.0.2.2"]["whitelabeled"] is True
    assert by_ip["192.0.2.3"]["subusers"] == ["carol"]
    warming = by_ip["192.0.2.4"]
    assert warming["warmup"] is True
    assert isinstance(warming["start_date"], int)
    assert warming["start_date"] >= first["assigned_at"]
    assert all("subusers" in item for item in body)
    assert [item["ip"] for item in body if "rdns" in item] == ["192.0.2.1"]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("ip=0.2.1", ["192.0.2.1", "192.0.2.10"]),
        ("ip=2001:DB8", ["2001:db8::1"]),
        ("ip=%25", []),
        ("subuser=alice", ["192.0.2.1", "192.0.2.2"]),
        ("subuser=bob", []),
        ("subuser=erin", []),
        ("exclude_whitelabels=True", [ip for ip in ACME_SORTED if ip != "192.0.2.2"]),
        ("exclude_whitelabels=1", [ip for ip in ACME_SORTED if ip != "192.0.2.2"]),
        ("exclude_whitelabels=False", ACME_SORTED),
        ("limit=2&offset=1", ["192.0.2.2", "192.0.2.3"]),
        ("limit=3&sort_by_direction=desc", ["2001:db8::1", "192.0.2.10", "192.0.2.6"]),
        ("offset=7", []),
        ("limit=1&offset=0&sort_by_direction=asc", ["192.0.2.1"]),
    ],
)
def test_list_filters_and_pages(
    client: Client, world: World, query: str, expected: list[str]
) -> None:
    r = client.request("GET", f"/v3/ips?{query}", headers=world.bearer())
    assert r.status_code == 200
    assert ips_of(r.json()) == expected


def test_list_default_page_is_ten(client: Client, world: World) -> None:
    client.request("POST", "/v3/ips", headers=world.bearer(), json={"count": 5})
    r = client.request("GET", "/v3/ips", headers=world.bearer())
    assert len(r.json()) == 10
    r = client.request("GET", "/v3/ips?offset=10", headers=world.bearer())
    assert ips_of(r.json()) == ["203.0.113.5", "2001:db8::1"]


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("exclude_whitelabels=yes", "exclude_whitelabels"),
        ("limit=0", "limit"),
        ("limit=abc", "limit"),
        ("limit=99999999999999999999", "limit"),
        ("offset=-1", "offset"),
        ("sort_by_direction=up", "sort_by_direction"),
    ],
)
def test_bad_query_is_a_400_naming_the_field(
    client: Client, world: World, query: str, field: str
) -> None:
    r = client.request("GET", f"/v3/ips?{query}", headers=world.bearer())
    assert r.status_code == 400
    assert [e["field"] for e in r.json()["errors"]] == [field]


def test_get_one_ip_canonicalises_and_keeps_tenants_apart(client: Client, world: World) -> None:
    r = client.request("GET", "/v3/ips/2001:DB8:0::1", headers=world.bearer())
    assert r.status_code == 200
    assert r.json()["ip"] == "2001:db8::1"
    assert "rdns" not in r.json()
    r = client.request("GET", "/v3/ips/192.0.2.1", headers=world.bearer())
    assert r.json()["rdns"] == RDNS
    r = client.request("GET", "/v3/ips/198.51.100.1", headers=world.bearer())
    assert r.status_code == 404
    assert r.json() == {
        "errors": [{"field": "ip", "message": "IP address not found: 198.51.100.1"}]
    }
    r = client.request("GET", "/v3/ips/198.51.100.1", headers=world.bearer(OTHER))
    assert r.status_code == 200
    r = client.request("GET", "/v3/ips/192.0.2.300", headers=world.bearer())
    assert r.status_code == 400
    assert r.json()["errors"][0]["message"] == "Invalid IP address: 192.0.2.300"


def test_assigned_lists_every_ip_with_pools_and_warmup(client: Client, world: World) -> None:
    r = client.request("GET", "/v3/ips/assigned", headers=world.bearer())
    assert r.status_code == 200
    body = r.json()
    assert ips_of(body) == ACME_SORTED
    first = {"ip": "192.0.2.1", "pools": ["marketing"], "warmup": False, "start_date": None}
    assert body[0] == first
    assert body[3]["warmup"] is True
    assert isinstance(body[3]["start_date"], int)


@pytest.mark.parametrize(
    ("subuser", "expected"),
    [("alice", ["192.0.2.1", "192.0.2.2"]), ("bob", ACME_SORTED), ("carol", ["192.0.2.3"])],
)
def test_on_behalf_of_sees_what_the_subuser_sends_from(
    client: Client, world: World, subuser: str, expected: list[str]
) -> None:
    headers = world.bearer(on_behalf_of=subuser)
    assert ips_of(client.request("GET", "/v3/ips/assigned", headers=headers).json()) == expected
    listed = client.request("GET", "/v3/ips", headers=headers).json()
    assert ips_of(listed) == expected
    assert {u for item in listed for u in item["subusers"]} <= {subuser}
    for outside in [ip for ip in ACME_SORTED if ip not in expected]:
        assert client.request("GET", f"/v3/ips/{outside}", headers=headers).status_code == 404


@pytest.mark.parametrize("name", ["erin", "nobody", "acme"])
def test_on_behalf_of_a_stranger_is_403(client: Client, world: World, name: str) -> None:
    r = client.request("GET", "/v3/ips/assigned", headers=world.bearer(on_behalf_of=name))
    assert r.status_code == 403
    assert r.json() == {
        "errors": [
            {"field": None, "message": f"On-Behalf-Of names no subuser of this account: {name}"}
        ]
    }


def test_remaining_is_the_quota_room_within_the_inventory(client: Client, world: World) -> None:
    r = client.request("GET", "/v3/ips/remaining", headers=world.bearer())
    assert r.status_code == 200
    assert r.json() == {"results": [{"remaining": 5, "period": "month", "price_per_ip": PRICE}]}
    # other is seeded unlimited: the free inventory bounds it; no price set: 0
    r = client.request("GET", "/v3/ips/remaining", headers=world.bearer(OTHER))
    assert r.json() == {"results": [{"remaining": 6, "period": "month", "price_per_ip": 0.0}]}


def test_take_ips_gives_them_to_subusers_and_warms_them(client: Client, world: World) -> None:
    body = {"count": 2, "subusers": ["bob", "alice"], "warmup": True}
    r = client.request("POST", "/v3/ips", headers=world.bearer(), json=body)
    assert r.status_code == 201
    assert r.json() == {
        "ips": [
            {"ip": "203.0.113.1", "subusers": ["alice", "bob"]},
            {"ip": "203.0.113.2", "subusers": ["alice", "bob"]},
        ],
        "remaining_ips": 3,
        "warmup": True,
    }
    bob = subuser_ips(world.db, account=get_account(world.db, username=ACME), username="bob")
    assert bob == ["203.0.113.1", "203.0.113.2"]
    alice = subuser_ips(world.db, account=get_account(world.db, username=ACME), username="alice")
    assert alice == ["192.0.2.1", "192.0.2.2", "203.0.113.1", "203.0.113.2"]
    warming = client.request("GET", "/v3/ips/warmup", headers=world.bearer()).json()
    assert ips_of(warming) == ["192.0.2.4", "203.0.113.1", "203.0.113.2"]


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({"count": 6}, "Cannot take 6 IPs: the quota of acme allows 5 more"),
        (
            {"count": 1, "subusers": ["erin"]},
            "one or more subusers do not belong to this user: erin",
        ),
    ],
)
def test_a_refused_take_takes_nothing(
    client: Client, world: World, body: dict[str, Any], message: str
) -> None:
    before = list_ips(world.db, account=get_account(world.db, username=ACME), state=IpState.ALL)
    r = client.request("POST", "/v3/ips", headers=world.bearer(), json=body)
    assert r.status_code == 400
    assert r.json()["errors"][0]["message"] == message
    assert (
        list_ips(world.db, account=get_account(world.db, username=ACME), state=IpState.ALL)
        == before
    )
    assert len(list_inventory(world.db, free_only=True)) == 6


def test_take_beyond_the_inventory_names_the_shortfall(client: Client, world: World) -> None:
    r = client.request("POST", "/v3/ips", headers=world.bearer(OTHER), json={"count": 7})
    assert r.status_code == 400
    assert r.json()["errors"][0]["message"] == "Cannot take 7 IPs: the inventory has 6 free"
    assert list_ips(world.db, account=get_account(world.db, username=OTHER), state=IpState.ALL) == [
        "198.51.100.1"
    ]


def test_a_new_account_may_take_nothing_until_the_operator_grants_it(
    client: Client, world: World
) -> None:
    """IPFLEET_DEFAULT_QUOTA (0): a fresh account sees no room however full the inventory."""
    _account, key = create_account(
        world.db, username="fresh", outbound_cluster=None, ip_quota=0, actor=SEEDER
    )
    bearer = {"Authorization": f"Bearer {key}"}
    r = client.request("GET", "/v3/ips/remaining", headers=bearer)
    assert r.json() == {"results": [{"remaining": 0, "period": "month", "price_per_ip": 0.0}]}
    r = client.request("POST", "/v3/ips", headers=bearer, json={"count": 1})
    assert r.status_code == 400
    assert r.json()["errors"][0]["message"] == (
        "Cannot take 1 IPs: the quota of fresh allows 0 more"
    )
    assert len(list_inventory(world.db, free_only=True)) == 6
