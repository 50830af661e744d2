"""Tenant isolation (docs/v2.md §3, §5): one account never reads or changes another's data."""

from __future__ import annotations

from urllib.parse import urlencode

import httpx

from tests.support.inprocess import Client
from tests.support.v2_bodies import (
    NO_USER_JSON,
    NO_USER_XML,
    SUCCESS_JSON,
    check,
    ips_json,
    list_error_json,
    list_error_xml,
)
from tests.support.v2_world import A_ALL, A_SUBUSERS, ODD_NAME, A, B, C, World

SENDIP = "/apiv2/customer.sendip"
FORM = {"content-type": "application/x-www-form-urlencoded"}


def _append(
    client: Client, world: World, account: str, user: str, set_: str, *ips: str, fmt: str = "json"
) -> httpx.Response:
    fields = [*world.auth(account).items(), ("task", "append"), ("user", user), ("set", set_)]
    body = urlencode(fields + [("ip[]", ip) for ip in ips])
    return client.post(f"{SENDIP}.{fmt}", content=body, headers=FORM)


def test_b_cannot_read_or_change_a_subusers(client: Client, world: World) -> None:
    for name in [*A_SUBUSERS, "nobody"]:
        for account in (B, C):
            params = {**world.auth(account), "task": "list", "user": name}
            check(client.get(f"{SENDIP}.json", params=params), NO_USER_JSON)
            check(client.post(f"{SENDIP}.xml", data=params), NO_USER_XML)
    # A itself can, so the names exist.
    resp = client.get(f"{SENDIP}.json", params={**world.auth(A), "task": "list", "user": ODD_NAME})
    assert resp.content.startswith(b'{"success":"success"')
    # Nor change them, whatever the set and addresses.
    before = world.snapshot()
    for name in ("alice", "carol", "dave"):
        check(_append(client, world, B, name, "none"), NO_USER_JSON)
        check(_append(client, world, B, name, "all", fmt="xml"), NO_USER_XML)
        check(_append(client, world, B, name, "specify", "198.51.100.1"), NO_USER_JSON)
        check(_append(client, world, B, name, "specify", "192.0.2.9"), NO_USER_JSON)
    assert world.snapshot() == before


def test_b_cannot_assign_a_ips(client: Client, world: World) -> None:
    before = world.snapshot()
    ips = ["198.51.100.2", "192.0.2.10", "2001:db8::a", "198.51.100.1", "192.0.2.9"]
    expected = [
        "IP address is not on your account: 192.0.2.10",
        "IP address is not on your account: 2001:db8::a",
        "IP address is not on your account: 192.0.2.9",
    ]
    check(_append(client, world, B, "erin", "specify", *ips), list_error_json(*expected))
    check(_append(client, world, B, "frank", "specify", *ips, fmt="xml"), list_error_xml(*expected))
    # A's free address is no more B's than a taken one.
    check(
        _append(client, world, B, "erin", "specify", "100::1"),
        list_error_json("IP address is not on your account: 100::1"),
    )
    assert world.snapshot() == before


def test_b_lists_and_sets_only_its_own_ips(client: Client, world: World) -> None:
    # B's lists hold B's addresses only (frank is deactivated).
    expected = {
        "all": ["198.51.100.1", "198.51.100.2", "2001:db8:b::1"],
        "taken": ["198.51.100.1", "198.51.100.2"],
        "free": ["2001:db8:b::1"],
        "available": ["198.51.100.2", "2001:db8:b::1"],
    }
    for state, ips in expected.items():
        resp = client.get("/apiv2/customer.ip.json", params={**world.auth(B), "list": state})
        check(resp, ips_json(ips).encode())
    # set=all gives B's subuser B's addresses, and leaves A alone.
    before = world.snapshot()
    check(_append(client, world, B, "erin", "all"), SUCCESS_JSON)
    b_all = ["198.51.100.1", "198.51.100.2", "2001:db8:b::1"]
    resp = client.get(f"{SENDIP}.json", params={**world.auth(B), "task": "list", "user": "erin"})
    assert resp.content.endswith(b'"ips":' + ips_json(b_all).encode() + b"}")
    after = world.snapshot()
    assert after[A] == before[A]
    assert after[B]["states"]["all"] == b_all
    resp = client.get("/apiv2/customer.ip.json", params={**world.auth(B), "list": "all"})
    check(resp, ips_json(b_all).encode())
    # B's writes do not show up in A's lists either.
    resp = client.get("/apiv2/customer.ip.json", params={**world.auth(A), "list": "all"})
    check(resp, ips_json(A_ALL).encode())
