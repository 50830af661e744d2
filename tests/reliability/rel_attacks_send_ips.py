"""Tenant B's attacks on tenant A through /v3/send_ips (part of ``rel_attacks``): A's IPs
by address, A's pools and subusers by id, and B's own calls naming A's things."""

from __future__ import annotations

from typing import Any

from tests.reliability.rel_registry import BY_KEY
from tests.reliability.rel_world import (
    A_IPS,
    A_POOL_ID,
    A_SUB_ID,
    A_WARM,
    B_IPS,
    B_POOL_ID,
    B_SUB_ID,
)

REFUSED, OWN, OWN_WRITE = "refused", "own", "own-write"
IPS, POOLS = "/v3/send_ips/ips", "/v3/send_ips/pools"


def _v3(key: str, expect: str, what: str, path: str = "", **kw: Any) -> Any:
    from tests.reliability.rel_attacks import Attack  # here: rel_attacks imports this module

    return Attack(BY_KEY[key], expect, what, path=path or BY_KEY[key].path, **kw)


def _ip_attacks() -> list[Any]:
    a_ip, b_ip = A_IPS[0], B_IPS[0]
    one = f"{IPS}/{{ip}}"
    return [
        _v3(f"GET {IPS}", OWN, "A's range as needle", params=(("ip", "203.0.113"),)),
        _v3(f"GET {IPS}", OWN, "A's pool as filter", params=(("pool", A_POOL_ID),)),
        _v3(f"GET {IPS}", OWN, "after A's IP", params=(("after_key", a_ip),)),
        _v3(
            f"POST {IPS}",
            REFUSED,
            "take for A's subuser",
            json={"is_auto_warmup": False, "is_parent_assigned": True, "subusers": [A_SUB_ID]},
        ),
        _v3(f"GET {one}", REFUSED, "A's IP", path=f"{IPS}/{a_ip}"),
        _v3(f"GET {one}", REFUSED, "A's IPv6, upper case", path=f"{IPS}/2001:DB8:A::1"),
        _v3(
            f"PATCH {one}",
            REFUSED,
            "disable A's IP",
            path=f"{IPS}/{a_ip}",
            json={"is_enabled": False},
        ),
        _v3(
            f"PATCH {one}",
            REFUSED,
            "stop A's warmup",
            path=f"{IPS}/{A_WARM}",
            json={"is_auto_warmup": False},
        ),
        _v3(f"GET {one}/subusers", REFUSED, "A's IP's holders", path=f"{IPS}/{a_ip}/subusers"),
        _v3(
            f"POST {one}/subusers:batchAdd",
            REFUSED,
            "A's subuser onto B's IP",
            path=f"{IPS}/{b_ip}/subusers:batchAdd",
            json={"subusers": [A_SUB_ID]},
        ),
        _v3(
            f"POST {one}/subusers:batchAdd",
            REFUSED,
            "B's subuser onto A's IP",
            path=f"{IPS}/{a_ip}/subusers:batchAdd",
            json={"subusers": [B_SUB_ID]},
        ),
        _v3(
            f"POST {one}/subusers:batchDelete",
            REFUSED,
            "A's subuser off A's IP",
            path=f"{IPS}/{a_ip}/subusers:batchDelete",
            json={"subusers": [A_SUB_ID]},
        ),
    ]


def _pool_attacks() -> list[Any]:
    pool = f"{POOLS}/{{poolid}}"
    a_pool = f"{POOLS}/{A_POOL_ID}"
    return [
        _v3(f"GET {POOLS}", OWN, "pools holding A's IP", params=(("ip", A_IPS[0]),)),
        _v3(f"GET {POOLS}", OWN, "after A's pool", params=(("after_key", "0"),)),
        _v3(
            f"POST {POOLS}",
            REFUSED,
            "a pool of A's IPs",
            json={"name": "stolen", "ips": [A_IPS[0]]},
        ),
        _v3(f"GET {pool}", REFUSED, "A's pool", path=a_pool),
        _v3(f"PUT {pool}", REFUSED, "rename A's pool", path=a_pool, json={"name": "stolen"}),
        _v3(f"DELETE {pool}", REFUSED, "delete A's pool", path=a_pool),
        _v3(f"GET {pool}/ips", REFUSED, "A's pool's IPs", path=f"{a_pool}/ips"),
        _v3(
            f"POST {pool}/ips:batchAdd",
            REFUSED,
            "B's IP into A's pool",
            path=f"{a_pool}/ips:batchAdd",
            json={"ips": [B_IPS[0]]},
        ),
        _v3(
            f"POST {pool}/ips:batchAdd",
            REFUSED,
            "A's IP into B's pool",
            path=f"{POOLS}/{B_POOL_ID}/ips:batchAdd",
            json={"ips": [A_IPS[1]]},
        ),
        _v3(
            f"POST {pool}/ips:batchDelete",
            REFUSED,
            "A's IP out of A's pool",
            path=f"{a_pool}/ips:batchDelete",
            json={"ips": [A_IPS[0]]},
        ),
    ]


def send_ips_attacks() -> list[Any]:
    return [*_ip_attacks(), *_pool_attacks()]
