"""/v3/send_ips/ips in process: list, filters and after_key paging, add, details, update,
the subusers of an IP; every answer checked against SendGrid's file, no deviation."""

from __future__ import annotations

from typing import Any
from urllib.parse import unquote, urlsplit

import httpx
import pytest

from ipfleet.domain.replay import differences, replay
from ipfleet.services.accounts import get_account
from ipfleet.services.log_check import state_and_log
from ipfleet.services.subusers import list_subusers
from tests.support.inprocess import Client
from tests.support.oai import sendgrid_problems
from tests.support.v3_world import ACME, ACME_SORTED, OTHER, World


def sg(client: Client, world: World, method: str, url: str, **kw: Any) -> httpx.Response:
    """One call as acme (or ``account=``), its answer held to SendGrid's file."""
    account = kw.pop("account", ACME)
    r = client.request(method, url, headers=world.bearer(account), **kw)
    path = unquote(urlsplit(url).path)
    problems = sendgrid_problems(method, path, r.status_code, r.content)
    assert problems == [], problems
    return r


def replays(world: World) -> bool:
    """Whether the change log rebuilds the IPs, subusers and pools (the seed sets the
    price and 192.0.2.2's whitelabel flag by SQL, so those two are left out)."""
    state, log = state_and_log(world.db)
    seeded = ("accounts[", "ips[192.0.2.2]")
    found = [d for d in differences(replay(log), state) if not d.startswith(seeded)]
    assert found == [], found
    return True


def ids(world: World, account: str = ACME) -> dict[str, str]:
    """Subuser id (as text) by username."""
    acc = get_account(world.db, username=account)
    return {v.subuser.username: str(v.subuser.id) for v in list_subusers(world.db, account=acc)}


def test_list_pages_with_after_key_in_numeric_order(client: Client, world: World) -> None:
    seen: list[str] = []
    url = "/v3/send_ips/ips?limit=3"
    while True:
        body = sg(client, world, "GET", url).json()
        seen += [x["ip"] for x in body["result"]]
        after = body["_metadata"]["next_params"]["after_key"]
        if after is None:
            break
        url = f"/v3/send_ips/ips?limit=3&after_key={after}"
    assert seen == ACME_SORTED
    assert body["_metadata"]["next_params"]["limit"] == "3"


def test_an_ip_shows_its_pools_settings_and_time(client: Client, world: World) -> None:
    one = sg(client, world, "GET", "/v3/send_ips/ips/192.0.2.1?include_region=true").json()
    pool_id = one["pools"][0]["id"]
    assert one["pools"] == [{"name": "marketing", "id": pool_id}]
    assert pool_id.isdigit()
    assert {k: one[k] for k in one if k not in ("pools", "added_at")} == {
        "ip": "192.0.2.1",
        "is_auto_warmup": False,
        "is_parent_assigned": True,
        "updated_at": None,
        "is_enabled": True,
        "is_leased": False,  # put on acme directly, not taken from the inventory
        "region": "us",
    }
    assert isinstance(one["added_at"], int)
    warming = sg(client, world, "GET", "/v3/send_ips/ips/192.0.2.4").json()
    assert warming["is_auto_warmup"] is True
    assert "region" not in warming


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("ip=192.0.2.1", ["192.0.2.1", "192.0.2.10"]),
        ("is_enabled=false", ["192.0.2.6"]),
        ("is_parent_assigned=false", ["192.0.2.2"]),
        ("is_leased=true", []),
        ("region=eu", []),
        ("region=us&limit=2", ["192.0.2.1", "192.0.2.2"]),
    ],
)
def test_list_filters(client: Client, world: World, query: str, expected: list[str]) -> None:
    sg(client, world, "PATCH", "/v3/send_ips/ips/192.0.2.6", json={"is_enabled": False})
    sg(client, world, "PATCH", "/v3/send_ips/ips/192.0.2.2", json={"is_parent_assigned": False})
    body = sg(client, world, "GET", f"/v3/send_ips/ips?{query}").json()
    assert [x["ip"] for x in body["result"]] == expected


def test_list_by_pool_and_time(client: Client, world: World) -> None:
    pool_id = sg(client, world, "GET", "/v3/send_ips/ips/192.0.2.1").json()["pools"][0]["id"]
    body = sg(client, world, "GET", f"/v3/send_ips/ips?pool={pool_id}").json()
    assert [x["ip"] for x in body["result"]] == ["192.0.2.1"]
    assert body["_metadata"]["next_params"]["pool"] == pool_id
    assert sg(client, world, "GET", "/v3/send_ips/ips?end_added_at=1").json()["result"] == []
    body = sg(client, world, "GET", "/v3/send_ips/ips?start_added_at=1&limit=100").json()
    assert [x["ip"] for x in body["result"]] == ACME_SORTED


@pytest.mark.parametrize(
    ("query", "field", "message"),
    [
        ("after_key=nope", "after_key", "invalid IP address"),
        ("before_key=192.0.2.1", "before_key", "not supported by ipfleet; page with after_key"),
        ("pool=x", "pool", "must be numeric"),
        ("pool=1&is_parent_assigned=true", "pool", "cannot be used with 'is_parent_assigned'"),
    ],
)
def test_list_refuses_bad_parameters(
    client: Client, world: World, query: str, field: str, message: str
) -> None:
    r = sg(client, world, "GET", f"/v3/send_ips/ips?{query}")
    assert (r.status_code, r.json()) == (400, {"errors": [{"field": field, "message": message}]})


def test_a_time_past_year_9999_is_a_400(client: Client, world: World) -> None:
    r = sg(client, world, "GET", "/v3/send_ips/ips?start_added_at=1100000000000")
    assert r.status_code == 400
    assert r.json()["errors"][0]["field"] == "start_added_at"


def test_limit_out_of_range_is_a_400(client: Client, world: World) -> None:
    r = sg(client, world, "GET", "/v3/send_ips/ips?limit=0")
    assert r.status_code == 400
    assert r.json()["errors"][0]["field"] == "limit"


def test_another_accounts_ip_is_not_found(client: Client, world: World) -> None:
    r = sg(client, world, "GET", "/v3/send_ips/ips/198.51.100.1")
    assert (r.status_code, r.json()) == (
        400,
        {"errors": [{"field": "ip", "message": "IP address not found: 198.51.100.1"}]},
    )
    r = sg(client, world, "PATCH", "/v3/send_ips/ips/198.51.100.1", json={"is_enabled": False})
    assert r.status_code == 400
    assert sg(client, world, "GET", "/v3/send_ips/ips/198.51.100.1", account=OTHER).json()[
        "is_enabled"
    ]


def test_update_changes_warmup_and_settings_and_logs_them(client: Client, world: World) -> None:
    body = {"is_auto_warmup": True, "is_parent_assigned": False, "is_enabled": False}
    r = sg(client, world, "PATCH", "/v3/send_ips/ips/192.0.2.6", json=body)
    assert r.json() == {"ip": "192.0.2.6", **body}
    assert client.get("/v3/ips/warmup/192.0.2.6", headers=world.bearer()).status_code == 200
    r = sg(client, world, "PATCH", "/v3/send_ips/ips/192.0.2.6", json={"is_auto_warmup": False})
    assert r.json()["is_auto_warmup"] is False
    assert r.json()["is_enabled"] is False
    assert client.get("/v3/ips/warmup/192.0.2.6", headers=world.bearer()).status_code == 404
    assert replays(world)


@pytest.mark.parametrize(
    ("body", "field"),
    [({}, ""), ({"is_enabled": 1}, "is_enabled"), ({"is_enabled": None}, "is_enabled")],
)
def test_update_refuses_bad_bodies(
    client: Client, world: World, body: dict[str, Any], field: str
) -> None:
    r = sg(client, world, "PATCH", "/v3/send_ips/ips/192.0.2.6", json=body)
    assert r.status_code == 400
    assert r.json()["errors"][0]["field"] == field


def test_add_takes_an_ip_with_its_settings_for_subusers(client: Client, world: World) -> None:
    alice, bob = ids(world)["alice"], ids(world)["bob"]
    body = {
        "is_auto_warmup": True,
        "is_parent_assigned": False,
        "subusers": [alice, bob],
        "region": "eu",
        "include_region": True,
    }
    r = sg(client, world, "POST", "/v3/send_ips/ips", json=body)
    assert r.status_code == 201
    assert r.json() == {
        "ip": "203.0.113.1",
        "is_auto_warmup": True,
        "is_parent_assigned": False,
        "subusers": [alice, bob],
        "region": "eu",
    }
    got = sg(client, world, "GET", "/v3/send_ips/ips/203.0.113.1?include_region=true").json()
    assert (got["is_leased"], got["region"], got["is_parent_assigned"]) == (True, "eu", False)
    r = sg(client, world, "GET", "/v3/send_ips/ips/203.0.113.1/subusers")
    assert r.json()["result"] == sorted([alice, bob], key=int)
    v2_view = client.get("/v3/subusers/bob/ips", headers=world.bearer()).json()
    assert v2_view["ips"] == ["203.0.113.1"]
    assert replays(world)


def test_add_with_an_unknown_subuser_takes_nothing(client: Client, world: World) -> None:
    erin = ids(world, OTHER)["erin"]
    body = {"is_auto_warmup": False, "is_parent_assigned": True, "subusers": [erin, "x"]}
    r = sg(client, world, "POST", "/v3/send_ips/ips", json=body)
    assert r.status_code == 400
    assert r.json()["errors"][0]["field"] == "subusers"
    assert f"{erin}, x" in r.json()["errors"][0]["message"]
    assert sg(client, world, "GET", "/v3/send_ips/ips?is_leased=true").json()["result"] == []


def test_add_requires_both_flags(client: Client, world: World) -> None:
    r = sg(client, world, "POST", "/v3/send_ips/ips", json={"is_auto_warmup": True})
    assert r.status_code == 400
    assert r.json()["errors"][0]["field"] == "is_parent_assigned"


def test_batch_add_and_delete_subusers(client: Client, world: World) -> None:
    known = ids(world)
    url = "/v3/send_ips/ips/192.0.2.6/subusers"
    r = sg(client, world, "POST", f"{url}:batchAdd", json={"subusers": [known["alice"]]})
    assert r.json() == {"ip": "192.0.2.6", "subusers": [known["alice"]]}
    assert client.get("/v3/subusers/alice/ips", headers=world.bearer()).json()["ips"] == [
        "192.0.2.1",
        "192.0.2.2",
        "192.0.2.6",
    ]
    r = sg(client, world, "POST", f"{url}:batchDelete", json={"subusers": [known["alice"]]})
    assert (r.status_code, r.content) == (204, b"")
    assert sg(client, world, "GET", url).json()["result"] == []
    assert replays(world)


def test_batch_is_all_or_nothing(client: Client, world: World) -> None:
    known, erin = ids(world), ids(world, OTHER)["erin"]
    url = "/v3/send_ips/ips/192.0.2.6/subusers:batchAdd"
    r = sg(client, world, "POST", url, json={"subusers": [known["bob"], erin]})
    assert r.status_code == 400
    assert r.json()["errors"][0]["field"] == "subusers"
    assert client.get("/v3/subusers/bob/ips", headers=world.bearer()).json()["ips"] == []
    r = sg(client, world, "POST", url, json={"subusers": []})
    assert r.json() == {"errors": [{"field": "subusers", "message": "must not be empty"}]}


def test_batch_delete_refuses_to_empty_a_set(client: Client, world: World) -> None:
    carol = ids(world)["carol"]
    url = "/v3/send_ips/ips/192.0.2.3/subusers:batchDelete"
    r = sg(client, world, "POST", url, json={"subusers": [carol]})
    assert r.status_code == 400
    assert r.json()["errors"][0]["field"] == "subusers"
    assert client.get("/v3/subusers/carol/ips", headers=world.bearer()).json()["ips"] == [
        "192.0.2.3"
    ]


def test_ip_subusers_page_with_after_key(client: Client, world: World) -> None:
    known = ids(world)
    url = "/v3/send_ips/ips/192.0.2.6/subusers"
    sg(client, world, "POST", f"{url}:batchAdd", json={"subusers": list(known.values())})
    first = sg(client, world, "GET", f"{url}?limit=2").json()
    after = first["_metadata"]["next_params"]["after_key"]
    rest = sg(client, world, "GET", f"{url}?limit=2&after_key={after}").json()
    assert first["result"] + rest["result"] == sorted(known.values(), key=int)
    assert rest["_metadata"]["next_params"]["after_key"] is None
    r = sg(client, world, "GET", f"{url}?after_key=abc")
    assert r.json()["errors"] == [{"field": "after_key", "message": "must be a numeric value"}]


def test_send_ips_is_the_accounts_own(client: Client, world: World) -> None:
    r = client.get("/v3/send_ips/ips", headers=world.bearer(on_behalf_of="alice"))
    assert r.status_code == 403
