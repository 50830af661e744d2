"""/v3/send_ips, v2 and the older v3 calls are served by the same services: an assignment
or a pool made through one is seen by all the others."""

from __future__ import annotations

from tests.api.v3.test_send_ips import ids, sg
from tests.api.v3.test_v3_with_v2 import v2, v2_sendip_list
from tests.support.inprocess import Client
from tests.support.v3_world import World


def test_send_ips_batch_add_is_what_v2_customer_sendip_lists(client: Client, world: World) -> None:
    bob = ids(world)["bob"]
    assert v2_sendip_list(client, world, "bob") == []
    url = "/v3/send_ips/ips/192.0.2.6/subusers:batchAdd"
    assert sg(client, world, "POST", url, json={"subusers": [bob]}).status_code == 200
    assert v2_sendip_list(client, world, "bob") == ["192.0.2.6"]
    v3 = client.get("/v3/ips/192.0.2.6", headers=world.bearer()).json()
    assert v3["subusers"] == ["bob"]


def test_a_v2_append_is_what_send_ips_lists_as_holders(client: Client, world: World) -> None:
    body = v2(
        client,
        world,
        "customer.sendip",
        task="append",
        user="bob",
        set="specify",
        **{"ip[]": ["192.0.2.10"]},
    )
    assert body == {"message": "success"}
    known = ids(world)
    holders = sg(client, world, "GET", "/v3/send_ips/ips/192.0.2.10/subusers").json()
    assert holders["result"] == [known["bob"]]
    r = sg(client, world, "POST", "/v3/send_ips/ips/192.0.2.10/subusers:batchDelete",
           json={"subusers": [known["bob"]]})  # fmt: skip
    assert r.status_code == 400  # bob's only IP: taking it would widen him to every IP
    r = client.request("PUT", "/v3/subusers/alice/ips", headers=world.bearer(),
                       json=["192.0.2.10"])  # fmt: skip
    assert r.status_code == 200
    holders = sg(client, world, "GET", "/v3/send_ips/ips/192.0.2.10/subusers").json()
    assert holders["result"] == sorted([known["alice"], known["bob"]], key=int)


def test_pools_are_one_set_of_pools_under_two_apis(client: Client, world: World) -> None:
    body = {"name": "transactional", "ips": ["192.0.2.6", "2001:db8::1"]}
    made = sg(client, world, "POST", "/v3/send_ips/pools", json=body).json()
    old = client.get("/v3/ips/pools/transactional", headers=world.bearer()).json()
    assert old == {"pool_name": "transactional", "ips": ["192.0.2.6", "2001:db8::1"]}
    r = client.request("PUT", "/v3/ips/pools/transactional", headers=world.bearer(),
                       json={"name": "tx"})  # fmt: skip
    assert r.status_code == 200
    got = sg(client, world, "GET", f"/v3/send_ips/pools/{made['id']}").json()
    assert (got["name"], got["total_ip_count"]) == ("tx", 2)
    one = sg(client, world, "GET", "/v3/send_ips/ips/192.0.2.6").json()
    assert one["pools"] == [{"name": "tx", "id": made["id"]}]


def test_an_ip_added_through_send_ips_is_v2s_and_warms_in_v3(client: Client, world: World) -> None:
    body = {"is_auto_warmup": True, "is_parent_assigned": False, "region": "eu"}
    added = sg(client, world, "POST", "/v3/send_ips/ips", json=body).json()["ip"]
    listed = [x["ip"] for x in v2(client, world, "customer.ip", list="all")]
    assert added in listed
    r = sg(client, world, "PATCH", f"/v3/send_ips/ips/{added}", json={"is_enabled": False})
    assert r.json()["is_enabled"] is False
    assert client.get(f"/v3/ips/{added}", headers=world.bearer()).json()["warmup"] is True
