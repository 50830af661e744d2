"""The tenant isolation matrix: what tenant B sends to reach tenant A's data, route by route.

Every registered route has its entry (``test_isolation`` checks that). An attack names A's
subusers, IPs, pools or keys by name, by id, by address (also in other spellings), by
substring filter, or through On-Behalf-Of. ``refused`` attacks must be answered with an
error in the API's documented shape; ``own`` ones may succeed but must show B's data only;
``own-write`` ones may change B's data (never A's) and run last.
Every route is also attacked with borrowed or mixed credentials (see ``credential_attacks``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote

from ipfleet.domain.addresses import address_error, canonical, parse_address
from tests.reliability.rel_attacks_send_ips import send_ips_attacks
from tests.reliability.rel_registry import BY_KEY, ROUTES, Route, sample_path
from tests.reliability.rel_world import (
    A_DOMAIN,
    A_IPS,
    A_ODD,
    A_POOL,
    A_WARM,
    B_DOMAIN,
    B_IPS,
    B_POOL,
    PASSWORD,
    A,
    B,
    World,
)

REFUSED, OWN, OWN_WRITE = "refused", "own", "own-write"


@dataclass(frozen=True)
class Attack:
    route: Route
    expect: str
    what: str
    params: tuple[tuple[str, str], ...] = ()  # v2 parameters, or v3 query
    path: str = ""  # v3/own: the concrete path (defaults to the route's)
    json: Any = None
    headers: dict[str, str] = field(default_factory=dict)
    auth: str = "b"  # "b", "none", or a literal bearer/api_key to send instead

    @property
    def request_text(self) -> str:
        """Everything B itself put in the request (a secret echoed back is not a leak),
        also in lower case (mail domains are answered so), with the canonical spelling of
        every address it wrote in another."""
        raw = repr((self.params, self.path, self.json, self.headers, self.auth))
        words = re.split(r"[\s'\"(),\[\]/]+", raw)
        canon = [canonical(parse_address(w)) for w in words if address_error(w) is None]
        return " ".join([raw, raw.lower(), *canon])


def seg(text: str) -> str:
    return quote(text, safe="")


def _v2(call: str, expect: str, what: str, *params: tuple[str, str]) -> Attack:
    return Attack(BY_KEY[f"v2 {call}"], expect, what, params=params)


def _v3(key: str, expect: str, what: str, path: str = "", **kw: Any) -> Attack:
    return Attack(BY_KEY[key], expect, what, path=path or BY_KEY[key].path, **kw)


def v2_attacks() -> list[Attack]:
    alice, carol, a_ip, b_ip = "a-alice", "a-carol", A_IPS[0], B_IPS[0]
    spec = ("set", "specify")
    return [
        _v2("customer.ip", OWN, "stray user= naming A's subuser", ("list", "all"), ("user", alice)),
        _v2("customer.sendip", REFUSED, "list A's subuser", ("task", "list"), ("user", alice)),
        _v2("customer.sendip", REFUSED, "list by username=", ("task", "list"), ("username", alice)),
        _v2("customer.sendip", REFUSED, "list odd name", ("task", "list"), ("user", A_ODD)),
        _v2(
            "customer.sendip",
            REFUSED,
            "set=none on A's",
            ("task", "append"),
            ("user", alice),
            ("set", "none"),
        ),
        _v2(
            "customer.sendip",
            REFUSED,
            "set=all on A's",
            ("task", "append"),
            ("user", alice),
            ("set", "all"),
        ),
        _v2(
            "customer.sendip",
            REFUSED,
            "B's IP to A's subuser",
            ("task", "append"),
            ("user", alice),
            spec,
            ("ip[]", b_ip),
        ),
        _v2(
            "customer.sendip",
            REFUSED,
            "A's IP to B's subuser",
            ("task", "append"),
            ("user", "b-erin"),
            spec,
            ("ip[]", a_ip),
        ),
        _v2(
            "customer.sendip",
            REFUSED,
            "A's IPv6, other spelling",
            ("task", "append"),
            ("user", "b-erin"),
            spec,
            ("ip[]", b_ip),
            ("ip[]", "2001:DB8:A:0::1"),
        ),
        _v2("reseller.ip", OWN, "substring of A's range", ("task", "all"), ("ip", "203.0.113")),
        _v2("reseller.ip", OWN, "substring of A's IPv6", ("task", "taken"), ("ip", "2001:db8:a")),
        _v2("reseller.ip", OWN, "usage by A's user prefix", ("task", "usage"), ("user", "a-")),
        _v2("reseller.ip", OWN, "usage by A's range", ("task", "usage"), ("ip", "203.0.113")),
        _v2(
            "customer.add",
            REFUSED,
            "A's subuser name",
            ("username", alice),
            ("password", "pass-word-1"),
            ("confirm_password", "pass-word-1"),
            ("email", "x@b.example"),
        ),
        _v2(
            "customer.whitelabel",
            OWN,
            "list, naming A's subuser",
            ("task", "list"),
            ("user", alice),
        ),
        *(
            _v2(
                "customer.whitelabel",
                REFUSED,
                what,
                ("task", "append"),
                ("user", u),
                ("mail_domain", d),
            )
            for what, u, d in (
                ("A's domain to B's subuser", "b-erin", A_DOMAIN),
                ("A's domain, upper case", "b-erin", A_DOMAIN.upper()),
                ("B's domain to A's subuser", alice, B_DOMAIN),
                ("A's domain to A's subuser", alice, A_DOMAIN),
            )
        ),
        _v2("customer.delete", REFUSED, "delete A's subuser", ("user", alice)),
        _v2("customer.delete", REFUSED, "delete odd name", ("username", A_ODD)),
        _v2("customer.profile", OWN, "search A's username", ("task", "get"), ("username", carol)),
        _v2("customer.profile", OWN, "search A's city", ("task", "get"), ("city", "Acity")),
        _v2(
            "customer.profile",
            OWN,
            "search A's email domain",
            ("task", "get"),
            ("email", "a-tenant"),
        ),
        _v2(
            "customer.profile",
            REFUSED,
            "set A's profile",
            ("task", "set"),
            ("user", carol),
            ("city", "stolen"),
        ),
        _v2("customer.enable", REFUSED, "enable A's subuser", ("user", "a-bob")),
        _v2("customer.disable", REFUSED, "disable A's subuser", ("user", alice)),
        _v2("customer.website_enable", REFUSED, "web login for A's subuser", ("user", alice)),
        _v2("customer.website_disable", REFUSED, "web logout A's subuser", ("user", carol)),
        _v2(
            "customer.profile",
            REFUSED,
            "rename A's subuser",
            ("task", "setUsername"),
            ("user", carol),
            ("username", "b-stolen"),
        ),
        _v2(
            "customer.profile",
            REFUSED,
            "take A's subuser's name",
            ("task", "setUsername"),
            ("user", "b-erin"),
            ("username", carol),
        ),
        _v2(
            "customer.profile",
            REFUSED,
            "set A's email",
            ("task", "setEmail"),
            ("user", carol),
            ("email", "x@b.example"),
        ),
        _v2(
            "customer.password",
            REFUSED,
            "reset A's password",
            ("user", carol),
            ("password", "stolen-1"),
            ("confirm_password", "stolen-1"),
        ),
        _v2(
            "customer.auth",
            REFUSED,
            "A's user, right password",
            ("user", carol),
            ("password", PASSWORD),
        ),
    ]


def v3_attacks(a_key_ids: list[str]) -> list[Attack]:
    a_ip, b_ip = A_IPS[0], B_IPS[0]
    sub = "/v3/subusers/{subuser_name}"
    pool = "/v3/ips/pools/{pool_name}"
    return [
        _v3("GET /v3/ips", OWN, "substring of A's range", params=(("ip", "203.0.113"),)),
        _v3("GET /v3/ips", OWN, "A's subuser as holder", params=(("subuser", "a-alice"),)),
        _v3(
            "POST /v3/ips",
            REFUSED,
            "take for A's subuser",
            json={"count": 1, "subusers": ["a-alice"]},
        ),
        _v3("GET /v3/ips/remaining", OWN, "what B may take"),
        _v3("GET /v3/ips/assigned", OWN, "B's assigned IPs"),
        _v3("GET /v3/ips/{ip_address}", REFUSED, "A's IP", path=f"/v3/ips/{a_ip}"),
        _v3(
            "GET /v3/ips/{ip_address}/history",
            REFUSED,
            "A's IP's history (never B's)",
            path=f"/v3/ips/{a_ip}/history",
        ),
        _v3(
            "GET /v3/ips/{ip_address}",
            REFUSED,
            "A's IPv6, upper case",
            path="/v3/ips/2001:DB8:A::1",
        ),
        _v3(
            "GET /v3/ips/{ip_address}/history",
            REFUSED,
            "A's IP's history",
            path=f"/v3/ips/{a_ip}/history",
        ),
        _v3(
            "GET /v3/ips/{ip_address}/history",
            REFUSED,
            "A's IPv6 at a moment it was A's",
            path="/v3/ips/2001:DB8:A::1/history",
            params=(("at", "4102444800"),),
        ),
        _v3("GET /v3/ips/pools", OWN, "B's pools"),
        _v3("POST /v3/ips/pools", OWN_WRITE, "a pool named as A's", json={"name": A_POOL}),
        _v3(f"GET {pool}", REFUSED, "A's pool", path=f"/v3/ips/pools/{seg(A_POOL)}"),
        _v3(
            f"PUT {pool}",
            REFUSED,
            "rename A's pool",
            path=f"/v3/ips/pools/{seg(A_POOL)}",
            json={"name": "stolen"},
        ),
        _v3(f"DELETE {pool}", REFUSED, "delete A's pool", path=f"/v3/ips/pools/{seg(A_POOL)}"),
        _v3(
            f"POST {pool}/ips",
            REFUSED,
            "B's IP into A's pool",
            path=f"/v3/ips/pools/{seg(A_POOL)}/ips",
            json={"ip": b_ip},
        ),
        _v3(
            f"POST {pool}/ips",
            REFUSED,
            "A's IP into B's pool",
            path=f"/v3/ips/pools/{B_POOL}/ips",
            json={"ip": A_IPS[1]},
        ),
        _v3(
            f"DELETE {pool}/ips/{{ip}}",
            REFUSED,
            "A's IP out of A's pool",
            path=f"/v3/ips/pools/{seg(A_POOL)}/ips/{a_ip}",
        ),
        _v3(
            f"DELETE {pool}/ips/{{ip}}",
            REFUSED,
            "A's IP out of B's pool",
            path=f"/v3/ips/pools/{B_POOL}/ips/{a_ip}",
        ),
        _v3("GET /v3/ips/warmup", OWN, "B's warming IPs"),
        _v3("POST /v3/ips/warmup", REFUSED, "warm A's IP", json={"ip": A_IPS[1]}),
        _v3(
            "GET /v3/ips/warmup/{ip_address}",
            REFUSED,
            "A's warming IP",
            path=f"/v3/ips/warmup/{A_WARM}",
        ),
        _v3(
            "DELETE /v3/ips/warmup/{ip_address}",
            REFUSED,
            "stop A's warmup",
            path=f"/v3/ips/warmup/{A_WARM}",
        ),
        _v3("GET /v3/subusers", OWN, "A's subuser by username", params=(("username", "a-alice"),)),
        _v3(
            "POST /v3/subusers",
            REFUSED,
            "new subuser on A's IP",
            json={
                "username": "b-new",
                "email": "n@b.example",
                "password": "pass-word-1",
                "ips": [a_ip],
            },
        ),
        _v3(
            "POST /v3/subusers",
            REFUSED,
            "A's subuser name",
            json={
                "username": "a-alice",
                "email": "n@b.example",
                "password": "pass-word-1",
                "ips": [b_ip],
            },
        ),
        _v3(
            f"PATCH {sub}",
            REFUSED,
            "enable A's subuser",
            path="/v3/subusers/a-bob",
            json={"disabled": False},
        ),
        _v3(
            f"PATCH {sub}",
            REFUSED,
            "disable odd name",
            path=f"/v3/subusers/{seg(A_ODD)}",
            json={"disabled": True},
        ),
        _v3(f"DELETE {sub}", REFUSED, "delete A's subuser", path="/v3/subusers/a-alice"),
        _v3(
            f"PATCH {sub}/website_access",
            REFUSED,
            "lock A's subuser out of the website",
            path="/v3/subusers/a-alice/website_access",
            json={"disabled": True},
        ),
        *(
            _v3(key, REFUSED, "a call ipfleet does not serve, naming A's subuser", path=path)
            for key, path in (
                (f"GET {sub}", "/v3/subusers/a-alice"),
                ("GET /v3/subusers/stats/monthly", "/v3/subusers/stats/monthly"),
                ("GET /v3/subusers/stats/sums", "/v3/subusers/stats/sums"),
                (f"GET {sub}/credits", "/v3/subusers/a-alice/credits"),
                (f"PUT {sub}/credits", "/v3/subusers/a-alice/credits"),
                (f"PATCH {sub}/credits/remaining", "/v3/subusers/a-alice/credits/remaining"),
                (f"GET {sub}/stats/monthly", "/v3/subusers/a-alice/stats/monthly"),
            )
        ),
        _v3(
            f"PUT {sub}/ips",
            REFUSED,
            "B's IP to A's subuser",
            path="/v3/subusers/a-alice/ips",
            json=[b_ip],
        ),
        _v3(
            f"PUT {sub}/ips",
            REFUSED,
            "A's IP to B's subuser",
            path="/v3/subusers/b-erin/ips",
            json=[a_ip],
        ),
        _v3(f"GET {sub}/ips", REFUSED, "A's subuser's set", path="/v3/subusers/a-carol/ips"),
        _v3("GET /v3/api_keys", OWN, "B's keys"),
        _v3(
            "POST /v3/api_keys",
            REFUSED,
            "key for B acting as A's subuser",
            json={"name": "k"},
            headers={"On-Behalf-Of": "a-alice"},
        ),
        *[
            _v3(
                "DELETE /v3/api_keys/{api_key_id}",
                REFUSED,
                f"A's key {n}",
                path=f"/v3/api_keys/{kid}",
            )
            for n, kid in enumerate(a_key_ids)
        ],
        *send_ips_attacks(),
    ]


def public_attacks() -> list[Attack]:
    public = [r for r in ROUTES if r.public]
    return [
        Attack(
            r,
            REFUSED if r.api == "hidden" else OWN,
            "public route shows no tenant data",
            path=sample_path(r.path),
            auth="none",
        )
        for r in public
    ]


def obo_attacks() -> list[Attack]:
    """On-Behalf-Of naming A's subusers, on every v3 route that takes credentials."""
    out = []
    for r in ROUTES:
        if r.api != "v3" or r.public:
            continue
        path = sample_path(r.path)
        body = [] if r.body == "array" else ({} if r.body else None)
        for name in ("a-alice", A_ODD):
            out.append(
                Attack(
                    r,
                    REFUSED,
                    f"On-Behalf-Of {name}",
                    path=path,
                    json=body,
                    headers={"On-Behalf-Of": name},
                )
            )
    return out


def credential_attacks(world: World) -> list[Attack]:
    """Every non-public route with A's revoked key, or A's name with B's key."""
    out = []
    for r in ROUTES:
        if r.public:
            continue
        path = sample_path(r.path)
        if r.api == "v2":
            out.append(Attack(r, REFUSED, "A's name, B's key", auth=f"v2:{A}:{world.b.key}"))
            out.append(Attack(r, REFUSED, "B's name, A's key", auth=f"v2:{B}:{world.a.key}"))
            out.append(Attack(r, REFUSED, "A's revoked key", auth=f"v2:{A}:{world.a.revoked_key}"))
        else:
            out.append(
                Attack(
                    r, REFUSED, "A's revoked key", path=path, auth=f"bearer:{world.a.revoked_key}"
                )
            )
            out.append(
                Attack(
                    r,
                    REFUSED,
                    "A's key id, forged secret",
                    path=path,
                    auth=f"bearer:SG.{world.a.key_ids[0]}.{'A' * 43}",
                )
            )
    return out


def all_attacks(world: World) -> list[Attack]:
    """Every attack; the ones that may change B's data last, so they cannot mask a leak."""
    found = [
        *v2_attacks(),
        *v3_attacks(world.a.key_ids),
        *public_attacks(),
        *obo_attacks(),
        *credential_attacks(world),
    ]
    return sorted(found, key=lambda a: a.expect == OWN_WRITE)
