"""v2 and v3 are served by the same services: a change through one is seen by the other."""

from __future__ import annotations

import re
from typing import Any

import pytest

from ipfleet.store.uow import Database, UnitOfWork
from tests.reliability.rel_registry import ROUTES
from tests.support.inprocess import Client
from tests.support.v3_world import ACME, World


def v2(client: Client, world: World, call: str, **params: Any) -> Any:
    query = {"api_user": ACME, "api_key": world.keys[ACME], **params}
    r = client.request("GET", f"/apiv2/{call}.json", params=query)
    assert r.status_code == 200
    return r.json()


def v2_sendip_list(client: Client, world: World, user: str) -> list[str]:
    body = v2(client, world, "customer.sendip", task="list", user=user)
    return [x["ip"] for x in body["ips"]]


def test_a_v3_put_is_what_the_next_v2_list_returns(client: Client, world: World) -> None:
    assert v2_sendip_list(client, world, "alice") == ["192.0.2.1", "192.0.2.2"]
    r = client.request(
        "PUT", "/v3/subusers/alice/ips", headers=world.bearer(), json=["2001:db8::1", "192.0.2.6"]
    )
    assert r.status_code == 200
    assert v2_sendip_list(client, world, "alice") == ["192.0.2.6", "2001:db8::1"]


def test_a_v2_append_is_what_the_next_v3_get_returns(client: Client, world: World) -> None:
    before = client.request("GET", "/v3/subusers/bob/ips", headers=world.bearer()).json()
    assert before["ips"] == []
    body = v2(
        client,
        world,
        "customer.sendip",
        task="append",
        user="bob",
        set="specify",
        **{"ip[]": ["192.0.2.10", "192.0.2.3"]},
    )
    assert body == {"message": "success"}
    after = client.request("GET", "/v3/subusers/bob/ips", headers=world.bearer()).json()
    assert after == {"ips": ["192.0.2.3", "192.0.2.10"], "effective": ["192.0.2.3", "192.0.2.10"]}
    listed = client.request("GET", "/v3/ips?subuser=bob", headers=world.bearer()).json()
    assert [x["ip"] for x in listed] == ["192.0.2.3", "192.0.2.10"]


def test_a_v3_disable_changes_the_v2_states(client: Client, world: World) -> None:
    def free_and_available() -> tuple[list[str], list[str]]:
        free = [x["ip"] for x in v2(client, world, "customer.ip", list="free")]
        available = [x["ip"] for x in v2(client, world, "customer.ip", list="available")]
        return free, available

    free, available = free_and_available()
    assert "192.0.2.1" not in available
    client.request("PATCH", "/v3/subusers/alice", headers=world.bearer(), json={"disabled": True})
    assert free_and_available() == (free, sorted({*available, "192.0.2.1", "192.0.2.2"}, key=order))
    client.request("DELETE", "/v3/subusers/alice", headers=world.bearer())
    free_after, _ = free_and_available()
    assert {"192.0.2.1", "192.0.2.2"} <= set(free_after)


def order(ip: str) -> tuple[int, list[int]]:
    if ":" in ip:
        return (6, [int(p or "0", 16) for p in ip.split(":")])
    return (4, [int(p) for p in ip.split(".")])


def _version_and_log(db: Database) -> tuple[int, int]:
    def work(uow: UnitOfWork) -> tuple[int, int]:
        account = uow.accounts.by_username(ACME)
        assert account is not None
        return account.data_version, len(uow.log.entries(account.id))

    return db.read(work)


WRITES: list[tuple[str, str, Any]] = [
    ("POST", "/v3/ips", {"count": 1}),
    ("POST", "/v3/ips/pools", {"name": "new"}),
    ("PUT", "/v3/ips/pools/marketing", {"name": "renamed"}),
    ("DELETE", "/v3/ips/pools/marketing", None),
    ("POST", "/v3/ips/pools/marketing/ips", {"ip": "192.0.2.2"}),
    ("DELETE", "/v3/ips/pools/marketing/ips/192.0.2.1", None),
    ("POST", "/v3/ips/warmup", {"ip": "192.0.2.1"}),
    ("DELETE", "/v3/ips/warmup/192.0.2.4", None),
    (
        "POST",
        "/v3/subusers",
        {"username": "dora", "email": "d@x.test", "password": "secret!", "ips": ["192.0.2.1"]},
    ),
    ("PATCH", "/v3/subusers/alice", {"disabled": True}),
    ("DELETE", "/v3/subusers/alice", None),
    ("PUT", "/v3/subusers/alice/ips", ["192.0.2.3"]),
    ("PATCH", "/v3/subusers/alice/website_access", {"disabled": True}),
    ("POST", "/v3/api_keys", {"name": "k"}),
    ("DELETE", "/v3/api_keys/{spare}", None),
    # /v3/send_ips: the seed makes marketing (pool id 1) and alice, bob (ids 1, 2) first.
    ("POST", "/v3/send_ips/ips", {"is_auto_warmup": True, "is_parent_assigned": False}),
    ("PATCH", "/v3/send_ips/ips/192.0.2.6", {"is_enabled": False}),
    ("POST", "/v3/send_ips/ips/192.0.2.6/subusers:batchAdd", {"subusers": ["2"]}),
    ("POST", "/v3/send_ips/ips/192.0.2.2/subusers:batchDelete", {"subusers": ["1"]}),
    ("POST", "/v3/send_ips/pools", {"name": "sip", "ips": ["192.0.2.6"]}),
    ("PUT", "/v3/send_ips/pools/1", {"name": "renamed"}),
    ("DELETE", "/v3/send_ips/pools/1", None),
    ("POST", "/v3/send_ips/pools/1/ips:batchAdd", {"ips": ["192.0.2.2"]}),
    ("POST", "/v3/send_ips/pools/1/ips:batchDelete", {"ips": ["192.0.2.1"]}),
]


def test_the_writes_above_are_every_v3_write_route() -> None:
    """WRITES is checked against the route registry (itself checked against what the app
    serves), so a new v3 write cannot be left out of the test below."""

    def pattern(path: str) -> re.Pattern[str]:
        return re.compile("^" + re.sub(r"\\\{[^}]+\\\}", "[^/]+", re.escape(path)) + "$")

    routes = [r for r in ROUTES if r.api == "v3" and r.writes]
    covered = {
        r.key for r in routes for m, p, _ in WRITES if m == r.method and pattern(r.path).match(p)
    }
    assert covered == {r.key for r in routes}


@pytest.mark.parametrize(("method", "path", "body"), WRITES, ids=lambda v: str(v)[:40])
def test_every_write_logs_and_bumps_the_data_version(
    client: Client, world: World, method: str, path: str, body: Any
) -> None:
    version, logged = _version_and_log(world.db)
    path = path.format(spare=world.spare_key_id)
    r = client.request(method, path, headers=world.bearer(), json=body)
    assert r.status_code < 300
    new_version, new_logged = _version_and_log(world.db)
    assert new_version > version
    assert new_logged > logged
    entries = world.db.read(lambda uow: uow.log.entries())
    assert entries[-1]["actor"] == f"v3:{ACME}"
    assert entries[-1]["request_id"] == r.headers["x-request-id"]


def test_a_refused_write_logs_nothing(client: Client, world: World) -> None:
    version, logged = _version_and_log(world.db)
    r = client.request(
        "PUT", "/v3/subusers/alice/ips", headers=world.bearer(), json=["198.51.100.1"]
    )
    assert r.status_code == 400
    assert _version_and_log(world.db) == (version, logged)
