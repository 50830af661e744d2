"""/v3/send_ips/pools in process: pools by id, previews and counts, paging, batches all or
nothing; every answer checked against SendGrid's file, no deviation."""

from __future__ import annotations

from tests.api.v3.test_send_ips import replays, sg
from tests.support.inprocess import Client
from tests.support.v3_world import OTHER, World

POOLS = "/v3/send_ips/pools"


def make(client: Client, world: World, name: str, ips: list[str]) -> str:
    r = sg(client, world, "POST", POOLS, json={"name": name, "ips": ips})
    assert r.status_code == 201
    assert r.json()["name"] == name
    return str(r.json()["id"])


def test_pool_lifecycle_by_id(client: Client, world: World) -> None:
    pool = make(client, world, "bulk", ["192.0.2.10", "192.0.2.6", "192.0.2.6"])
    got = sg(client, world, "GET", f"{POOLS}/{pool}?include_region=true").json()
    assert got == {
        "name": "bulk",
        "id": pool,
        "ips_preview": ["192.0.2.6", "192.0.2.10"],
        "total_ip_count": 2,
        "ip_count_by_region": [{"region": "us", "count": 2}],
    }
    r = sg(client, world, "PUT", f"{POOLS}/{pool}", json={"name": "mass"})
    assert r.json() == {"name": "mass", "id": pool}
    r = sg(client, world, "POST", f"{POOLS}/{pool}/ips:batchAdd", json={"ips": ["2001:DB8::1"]})
    assert r.json() == {
        "name": "mass",
        "id": pool,
        "ips": ["192.0.2.6", "192.0.2.10", "2001:db8::1"],
    }
    r = sg(client, world, "POST", f"{POOLS}/{pool}/ips:batchDelete", json={"ips": ["192.0.2.6"]})
    assert (r.status_code, r.content) == (204, b"")
    ips = sg(client, world, "GET", f"{POOLS}/{pool}/ips?include_region=true").json()
    assert ips["result"] == [
        {"ip": "192.0.2.10", "pools": [{"name": "mass", "id": pool}], "region": "us"},
        {"ip": "2001:db8::1", "pools": [{"name": "mass", "id": pool}], "region": "us"},
    ]
    assert sg(client, world, "DELETE", f"{POOLS}/{pool}").status_code == 204
    r = sg(client, world, "GET", f"{POOLS}/{pool}")
    assert (r.status_code, r.json()) == (
        400,
        {"errors": [{"field": "poolid", "message": "not found"}]},
    )
    assert replays(world)


def test_list_pages_by_id_with_previews(client: Client, world: World) -> None:
    made = [make(client, world, f"p{n}", ["192.0.2.6"]) for n in range(3)]
    seen: list[str] = []
    url = f"{POOLS}?limit=2"
    while url:
        body = sg(client, world, "GET", url).json()
        seen += [p["id"] for p in body["result"]]
        after = body["_metadata"]["next_params"]["after_key"]
        url = f"{POOLS}?limit=2&after_key={after}" if after else ""
    assert len(seen) == 4  # marketing, made first by the seed, and the three
    assert seen[1:] == made
    body = sg(client, world, "GET", f"{POOLS}?ip=192.0.2.1&include_region=true").json()
    assert body["result"] == [
        {
            "name": "marketing",
            "id": seen[0],
            "ips_preview": ["192.0.2.1"],
            "total_ip_count": 1,
            "regions": ["us"],
        }
    ]
    assert sg(client, world, "GET", f"{POOLS}?region=eu").json()["result"] == []


def test_the_preview_holds_ten(client: Client, world: World) -> None:
    added = [
        sg(client, world, "POST", "/v3/send_ips/ips",
           json={"is_auto_warmup": False, "is_parent_assigned": True}).json()["ip"]
        for _ in range(5)
    ]  # fmt: skip
    pool = make(client, world, "big", ["192.0.2.1", "192.0.2.2", "192.0.2.3", "192.0.2.4",
                                       "192.0.2.6", "192.0.2.10", *added])  # fmt: skip
    got = sg(client, world, "GET", f"{POOLS}/{pool}").json()
    assert (len(got["ips_preview"]), got["total_ip_count"]) == (10, 11)
    first = sg(client, world, "GET", f"{POOLS}/{pool}/ips?limit=10").json()
    after = first["_metadata"]["next_params"]["after_key"]
    rest = sg(client, world, "GET", f"{POOLS}/{pool}/ips?limit=10&after_key={after}").json()
    assert [x["ip"] for x in first["result"] + rest["result"]][-1] == added[-1]


def test_batches_are_all_or_nothing(client: Client, world: World) -> None:
    pool = make(client, world, "bulk", ["192.0.2.6"])
    url = f"{POOLS}/{pool}/ips"
    r = sg(client, world, "POST", f"{url}:batchAdd", json={"ips": ["192.0.2.10", "198.51.100.1"]})
    assert r.status_code == 400
    assert "198.51.100.1" in r.json()["errors"][0]["message"]
    r = sg(client, world, "POST", f"{url}:batchDelete", json={"ips": ["192.0.2.6", "192.0.2.10"]})
    assert r.json() == {
        "errors": [{"field": "ips", "message": "not found in pool 'bulk': 192.0.2.10"}]
    }
    r = sg(client, world, "POST", f"{url}:batchAdd", json={"ips": []})
    assert r.json()["errors"][0]["field"] == "ips"
    assert sg(client, world, "GET", f"{POOLS}/{pool}").json()["ips_preview"] == ["192.0.2.6"]
    r = sg(client, world, "POST", POOLS, json={"name": "x", "ips": ["198.51.100.1"]})
    assert r.status_code == 400
    assert "x" not in [p["name"] for p in sg(client, world, "GET", POOLS).json()["result"]]


def test_names_and_ids_are_checked(client: Client, world: World) -> None:
    r = sg(client, world, "POST", POOLS, json={"name": "marketing"})
    assert r.json()["errors"][0]["field"] == "name"
    r = sg(client, world, "GET", f"{POOLS}/abc")
    assert r.json() == {"errors": [{"field": "poolid", "message": "must be a numeric value"}]}
    r = sg(client, world, "GET", f"{POOLS}?after_key=-1")
    assert r.json()["errors"][0]["field"] == "after_key"
    r = sg(client, world, "POST", POOLS, json={"ips": []})
    assert r.json()["errors"][0]["field"] == "name"


def test_another_accounts_pool_is_not_found(client: Client, world: World) -> None:
    theirs = sg(client, world, "GET", POOLS, account=OTHER).json()["result"][0]["id"]
    for method, suffix, body in (
        ("GET", "", None),
        ("PUT", "", {"name": "mine"}),
        ("DELETE", "", None),
        ("GET", "/ips", None),
        ("POST", "/ips:batchAdd", {"ips": ["192.0.2.1"]}),
    ):
        r = sg(client, world, method, f"{POOLS}/{theirs}{suffix}", json=body)
        assert r.json() == {"errors": [{"field": "poolid", "message": "not found"}]}
    names = [p["name"] for p in sg(client, world, "GET", POOLS, account=OTHER).json()["result"]]
    assert names == ["b-pool"]
