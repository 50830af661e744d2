"""Fault injection: every write route fails whole at each of its change-log writes.

For each write route, a valid request of tenant B is sent again and again; the k-th time,
the database refuses the k-th change-log row the request writes (a trigger stands in for a
crash or a lost connection at that point). Each refused attempt must answer an error in the
API's shape and leave the data exactly as it was; the attempt after the request's last log
row succeeds. A write split over several transactions is caught: its first transaction
would stay committed.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

import httpx

from tests.reliability import rel_figures
from tests.reliability.rel_invariants import fingerprint, violations
from tests.reliability.rel_registry import ROUTES
from tests.reliability.rel_world import B_DOMAIN, B_POOL_ID, B_SUB_ID, B, World
from tests.support.db import fail_kth_log_row, heal
from tests.support.inprocess import Client


@dataclass
class Write:
    key: str  # registry key of the route
    method: str
    path: str
    body: Any = None  # v2: a list of pairs; v3: JSON


def v2(call: str, *pairs: tuple[str, str]) -> Write:
    return Write(f"v2 {call}", "POST", f"/apiv2/{call}.json", list(pairs))


def v3(method: str, route: str, path: str, body: Any = None) -> Write:
    return Write(f"{method} {route}", method, path, body)


def send_ips_writes() -> list[Write]:
    """Every /v3/send_ips write, on B's IPs, subusers (by id) and pools (by id)."""
    ip, pool = "/v3/send_ips/ips/{ip}", "/v3/send_ips/pools/{poolid}"
    on_ip, on_pool = "/v3/send_ips/ips/198.51.100.2", f"/v3/send_ips/pools/{B_POOL_ID}"
    erin = {"subusers": [B_SUB_ID]}
    return [
        v3("POST", "/v3/send_ips/ips", "/v3/send_ips/ips",
           {"is_auto_warmup": False, "is_parent_assigned": False, "subusers": [B_SUB_ID]}),
        v3("PATCH", ip, on_ip, {"is_enabled": False, "is_parent_assigned": False}),
        v3("POST", f"{ip}/subusers:batchAdd", f"{on_ip}/subusers:batchAdd", erin),
        v3("POST", f"{ip}/subusers:batchDelete", f"{on_ip}/subusers:batchDelete", erin),
        v3("POST", "/v3/send_ips/pools", "/v3/send_ips/pools",
           {"name": "b-send-pool", "ips": ["198.51.100.2"]}),
        v3("PUT", pool, on_pool, {"name": "b-pool-renamed"}),
        v3("POST", f"{pool}/ips:batchAdd", f"{on_pool}/ips:batchAdd", {"ips": ["198.51.100.2"]}),
        v3("POST", f"{pool}/ips:batchDelete", f"{on_pool}/ips:batchDelete",
           {"ips": ["198.51.100.2"]}),
        v3("DELETE", pool, on_pool),
    ]  # fmt: skip


def writes(new_key_id: Callable[[], str]) -> list[Callable[[], Write]]:
    """One valid write per write route, in an order where each is valid after the last."""
    password = ("password", "pass-word-1"), ("confirm_password", "pass-word-1")
    sub, pool = "/v3/subusers/{subuser_name}", "/v3/ips/pools/{pool_name}"
    fixed = [
        v2("customer.add", ("username", "b-f1"), *password, ("email", "f1@b.example")),
        v2(
            "customer.sendip",
            ("task", "append"),
            ("user", "b-f1"),
            ("set", "specify"),
            ("ip[]", "198.51.100.1"),
            ("ip[]", "2001:db8:b::1"),
        ),
        v2("customer.profile", ("task", "set"), ("user", "b-f1"), ("city", "Lyon")),
        v2(
            "customer.password",
            ("user", "b-f1"),
            ("password", "pass-word-2"),
            ("confirm_password", "pass-word-2"),
        ),
        v2("customer.disable", ("user", "b-f1")),
        v2("customer.enable", ("user", "b-f1")),
        v2("customer.website_disable", ("user", "b-f1")),
        v2("customer.website_enable", ("user", "b-f1")),
        v2("customer.profile", ("task", "setEmail"), ("user", "b-f1"), ("email", "f9@b.example")),
        v2("customer.profile", ("task", "setUsername"), ("user", "b-f1"), ("username", "b-f9")),
        v2("customer.delete", ("user", "b-f9")),
        # moves B's domain from b-erin: two log rows (erin's detachment, frank's attachment)
        v2(
            "customer.whitelabel",
            ("task", "append"),
            ("user", "b-frank"),
            ("mail_domain", B_DOMAIN),
        ),
        v3("POST", "/v3/ips", "/v3/ips", {"count": 1, "subusers": ["b-erin"], "warmup": True}),
        v3("POST", "/v3/ips/pools", "/v3/ips/pools", {"name": "b-f-pool"}),
        v3("PUT", pool, "/v3/ips/pools/b-f-pool", {"name": "b-f-pool2"}),
        v3("POST", f"{pool}/ips", "/v3/ips/pools/b-f-pool2/ips", {"ip": "198.51.100.2"}),
        v3("DELETE", f"{pool}/ips/{{ip}}", "/v3/ips/pools/b-f-pool2/ips/198.51.100.2"),
        v3("DELETE", pool, "/v3/ips/pools/b-f-pool2"),
        v3("POST", "/v3/ips/warmup", "/v3/ips/warmup", {"ip": "198.51.100.2"}),
        v3("DELETE", "/v3/ips/warmup/{ip_address}", "/v3/ips/warmup/198.51.100.2"),
        v3(
            "POST",
            "/v3/subusers",
            "/v3/subusers",
            {
                "username": "b-f2",
                "email": "f2@b.example",
                "password": "pass-word-1",
                "ips": ["198.51.100.1"],
            },
        ),
        v3("PATCH", sub, "/v3/subusers/b-f2", {"disabled": True}),
        v3(
            "PATCH", f"{sub}/website_access", "/v3/subusers/b-f2/website_access", {"disabled": True}
        ),
        v3("PUT", f"{sub}/ips", "/v3/subusers/b-f2/ips", ["2001:db8:b::1"]),
        v3("DELETE", sub, "/v3/subusers/b-f2"),
        *send_ips_writes(),
        v3("POST", "/v3/api_keys", "/v3/api_keys", {"name": "b-rotated"}),
    ]
    made = [lambda w=w: w for w in fixed]  # type: ignore[misc]
    made.append(lambda: v3("DELETE", "/v3/api_keys/{api_key_id}", f"/v3/api_keys/{new_key_id()}"))
    return made


def send(client: Client, world: World, w: Write) -> httpx.Response:
    if w.key.startswith("v2 "):
        pairs = [("api_user", B), ("api_key", world.b.key), *w.body]
        form = {"content-type": "application/x-www-form-urlencoded"}
        return client.request("POST", w.path, content=urlencode(pairs), headers=form)
    headers = {"authorization": f"Bearer {world.b.key}", "content-type": "application/json"}
    body = None if w.body is None else json.dumps(w.body)
    return client.request(w.method, w.path, content=body, headers=headers)


def refused_in_shape(w: Write, resp: httpx.Response) -> bool:
    """An error answer in the API's own shape (an injected fault may well be a 500)."""
    body = resp.json()
    if w.key.startswith("v2 "):
        return resp.status_code >= 400 and body.get("message") == "error" and bool(body["errors"])
    return resp.status_code >= 400 and isinstance(body.get("errors"), list)


def test_every_write_route_is_injected(client: Client, world: World) -> None:
    covered = {make().key for make in writes(lambda: "x")}
    missing = sorted(r.key for r in ROUTES if r.writes and r.key not in covered)
    assert not missing, f"write routes without a fault-injection request: {missing}"


def test_a_fault_at_any_log_write_leaves_nothing_behind(client: Client, world: World) -> None:
    new_key: dict[str, str] = {}
    failures: list[str] = []
    faults = 0
    for make in writes(lambda: new_key["id"]):
        w, k = make(), 1
        while True:
            before = fingerprint(world.db)
            fail_kth_log_row(world.db, k)
            try:
                resp = send(client, world, w)
            finally:
                heal(world.db)
            if resp.status_code < 400:
                break
            faults += 1
            if not refused_in_shape(w, resp):
                failures.append(
                    f"{w.key} fault at log row {k}: {resp.status_code} {resp.text[:200]}"
                )
            if fingerprint(world.db) != before:
                failures.append(f"{w.key}: a fault at its log row {k} left a partial write")
            k += 1
            if k > 10:
                failures.append(f"{w.key}: still failing after 10 faults: {resp.text[:200]}")
                break
        if k == 1:
            failures.append(f"{w.key}: succeeded without writing the change log")
        if w.key == "POST /v3/api_keys" and resp.status_code < 400:
            new_key["id"] = resp.json()["api_key_id"]
        rel_figures.covered("fault injection", w.key)
    rel_figures.add("faults injected", faults)
    rel_figures.add("violations", len(failures))
    assert not failures, "\n".join(failures)
    assert violations(world.db) == []
