"""The endpoint registry: every route ipfleet serves, with what the harness needs to attack it.

``ROUTES`` is the one list. ``served_routes(app)`` reads what the application really
serves (the v2 call table, the Litestar route tables); ``test_registry`` fails when the
two differ, so a new endpoint cannot skip the isolation matrix and the bad-input fuzzer,
which both iterate over ``ROUTES``.

Keys: ``v2 <module>.<action>`` for a v2 call (served as GET and POST, .json and .xml);
``<METHOD> <path>`` for everything else, path parameters written ``{name}``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from ipfleet.store.tables import PROFILE_FIELDS
from tests.reliability.rel_world import B_IPS, B_POOL, B_POOL_ID

V2_FORMATS = ("json", "xml")
AUTO_METHODS = frozenset({"OPTIONS", "HEAD"})  # added by Litestar to every route


@dataclass(frozen=True)
class Route:
    api: str  # "v2", "v3", "own" (ipfleet's own), "hidden" (served only as a 404)
    method: str  # "GET", "POST", ...; "GET+POST" for v2 calls
    path: str
    writes: bool = False
    # v2: the parameters the call reads besides api_user/api_key.
    params: tuple[str, ...] = ()
    # v3: query parameters, body kind ("object", "array" or None), body fields.
    query: tuple[str, ...] = ()
    body: str | None = None
    fields: tuple[str, ...] = ()
    obo: bool = False  # v3: may act On-Behalf-Of a subuser
    public: bool = False  # answers without credentials
    extra: dict[str, Any] = field(default_factory=dict, compare=False)

    @property
    def key(self) -> str:
        if self.api == "v2":
            return f"v2 {self.path}"
        return f"{self.method} {self.path}"

    @property
    def path_params(self) -> tuple[str, ...]:
        return tuple(re.findall(r"\{([^}]+)\}", self.path))


def sample_path(path: str) -> str:
    """A route's path with B's own objects (see rel_world) in its parameters."""
    return path.format(
        ip_address=B_IPS[0],
        ip=B_IPS[0],
        pool_name=B_POOL,
        poolid=B_POOL_ID,
        subuser_name="b-erin",
        api_key_id="x" * 22,
        path="openapi.yaml",
        name="docs-init.js",
    )


def v2(call: str, *params: str, writes: bool = False) -> Route:
    return Route("v2", "GET+POST", call, writes=writes, params=params)


def v3(method: str, path: str, **kw: Any) -> Route:
    return Route("v3", method, path, writes=method != "GET", **kw)


ROUTES: tuple[Route, ...] = (
    # -- SendGrid v2 (docs/v2.md) -----------------------------------------------------
    v2("customer.ip", "list"),
    v2("customer.sendip", "task", "user", "username", "set", "ip", writes=True),
    v2("reseller.ip", "task", "ip", "user"),
    v2(
        "customer.add",
        "username",
        "password",
        "confirm_password",
        "email",
        *PROFILE_FIELDS,
        writes=True,
    ),
    v2("customer.delete", "user", "username", writes=True),
    v2(
        "customer.profile",
        "task",
        "user",
        "username",
        "email",
        "active",
        *PROFILE_FIELDS,
        writes=True,
    ),
    v2("customer.enable", "user", "username", writes=True),
    v2("customer.disable", "user", "username", writes=True),
    v2("customer.website_enable", "user", "username", writes=True),
    v2("customer.website_disable", "user", "username", writes=True),
    v2("customer.password", "user", "username", "password", "confirm_password", writes=True),
    v2("customer.auth", "user", "username", "password"),
    v2("customer.whitelabel", "task", "user", "username", "mail_domain", writes=True),
    # -- SendGrid v3 (docs/v3.md) -----------------------------------------------------
    v3(
        "GET",
        "/v3/ips",
        query=("ip", "subuser", "exclude_whitelabels", "limit", "offset", "sort_by_direction"),
        obo=True,
    ),
    v3("POST", "/v3/ips", body="object", fields=("count", "subusers", "warmup")),
    v3("GET", "/v3/ips/assigned", obo=True),
    v3("GET", "/v3/ips/remaining"),
    v3("GET", "/v3/ips/{ip_address}", obo=True),
    v3("GET", "/v3/ips/{ip_address}/history", query=("at",)),
    v3("GET", "/v3/ips/pools"),
    v3("POST", "/v3/ips/pools", body="object", fields=("name",)),
    v3("GET", "/v3/ips/pools/{pool_name}"),
    v3("PUT", "/v3/ips/pools/{pool_name}", body="object", fields=("name",)),
    v3("DELETE", "/v3/ips/pools/{pool_name}"),
    v3("POST", "/v3/ips/pools/{pool_name}/ips", body="object", fields=("ip",)),
    v3("DELETE", "/v3/ips/pools/{pool_name}/ips/{ip}"),
    v3("GET", "/v3/ips/warmup", obo=True),
    v3("POST", "/v3/ips/warmup", body="object", fields=("ip",)),
    v3("GET", "/v3/ips/warmup/{ip_address}", obo=True),
    v3("DELETE", "/v3/ips/warmup/{ip_address}"),
    v3(
        "GET",
        "/v3/subusers",
        query=("username", "limit", "offset", "region", "include_region"),
    ),
    v3(
        "POST",
        "/v3/subusers",
        body="object",
        fields=("username", "email", "password", "ips", "region", "include_region"),
    ),
    v3("PATCH", "/v3/subusers/{subuser_name}", body="object", fields=("disabled",)),
    v3(
        "PATCH",
        "/v3/subusers/{subuser_name}/website_access",
        body="object",
        fields=("disabled",),
    ),
    v3("DELETE", "/v3/subusers/{subuser_name}"),
    v3("PUT", "/v3/subusers/{subuser_name}/ips", body="array"),
    v3("GET", "/v3/subusers/{subuser_name}/ips"),
    v3(
        "GET",
        "/v3/send_ips/ips",
        query=(
            "ip",
            "limit",
            "after_key",
            "before_key",
            "is_leased",
            "is_enabled",
            "is_parent_assigned",
            "pool",
            "start_added_at",
            "end_added_at",
            "region",
            "include_region",
        ),
    ),
    v3(
        "POST",
        "/v3/send_ips/ips",
        body="object",
        fields=("is_auto_warmup", "is_parent_assigned", "subusers", "region", "include_region"),
    ),
    v3("GET", "/v3/send_ips/ips/{ip}", query=("include_region",)),
    v3(
        "PATCH",
        "/v3/send_ips/ips/{ip}",
        body="object",
        fields=("is_auto_warmup", "is_parent_assigned", "is_enabled"),
    ),
    v3("GET", "/v3/send_ips/ips/{ip}/subusers", query=("after_key", "limit")),
    v3("POST", "/v3/send_ips/ips/{ip}/subusers:batchAdd", body="object", fields=("subusers",)),
    v3("POST", "/v3/send_ips/ips/{ip}/subusers:batchDelete", body="object", fields=("subusers",)),
    v3(
        "GET",
        "/v3/send_ips/pools",
        query=("limit", "after_key", "ip", "region", "include_region"),
    ),
    v3("POST", "/v3/send_ips/pools", body="object", fields=("name", "ips")),
    v3("GET", "/v3/send_ips/pools/{poolid}", query=("include_region",)),
    v3("PUT", "/v3/send_ips/pools/{poolid}", body="object", fields=("name",)),
    v3("DELETE", "/v3/send_ips/pools/{poolid}"),
    v3(
        "GET",
        "/v3/send_ips/pools/{poolid}/ips",
        query=("limit", "after_key", "include_region"),
    ),
    v3("POST", "/v3/send_ips/pools/{poolid}/ips:batchAdd", body="object", fields=("ips",)),
    v3("POST", "/v3/send_ips/pools/{poolid}/ips:batchDelete", body="object", fields=("ips",)),
    v3("GET", "/v3/api_keys"),
    v3("POST", "/v3/api_keys", body="object", fields=("name", "scopes")),
    v3("DELETE", "/v3/api_keys/{api_key_id}"),
    Route("v3", "GET", "/v3/openapi.json", public=True),
    Route("v3", "GET", "/v3/docs", public=True),
    Route("v3", "GET", "/v3/docs/static/{name}", public=True),
    # Litestar's own copy of the schema: hidden behind a guard that answers 404.
    Route("hidden", "GET", "/v3/_litestar_schema", public=True),
    Route("hidden", "GET", "/v3/_litestar_schema/openapi.json", public=True),
    Route("hidden", "GET", "/v3/_litestar_schema/{path}", public=True),
    # SendGrid's subuser calls about mail ipfleet does not send: a 404 once authenticated.
    *(
        Route("hidden", method, path)
        for method, path in (
            ("GET", "/v3/subusers/{subuser_name}"),
            ("GET", "/v3/subusers/stats/monthly"),
            ("GET", "/v3/subusers/stats/sums"),
            ("GET", "/v3/subusers/{subuser_name}/credits"),
            ("PUT", "/v3/subusers/{subuser_name}/credits"),
            ("PATCH", "/v3/subusers/{subuser_name}/credits/remaining"),
            ("GET", "/v3/subusers/{subuser_name}/stats/monthly"),
        )
    ),
    # -- ipfleet's own -----------------------------------------------------------------
    Route("own", "GET", "/", public=True),
    Route("own", "GET", "/healthz", public=True),
    Route("own", "GET", "/readyz", public=True),
    Route("own", "GET", "/metrics", public=True),  # loopback or a token, not an API key
)

BY_KEY = {r.key: r for r in ROUTES}

# -- the dashboard (/ui): HTML pages and forms behind a session cookie, attacked by
# tests/reliability/rel_ui.py (its own shapes: a page, or a redirect to the sign-in) ------
UI_ROUTES: tuple[Route, ...] = (
    Route("ui", "GET", "/ui/login", public=True),
    Route("ui", "POST", "/ui/login", public=True),
    Route("ui", "POST", "/ui/operator/login", public=True),
    Route("ui", "POST", "/ui/logout"),
    Route("ui", "GET", "/ui/static/{name}", public=True),
    Route("ui", "GET", "/ui"),
    Route("ui", "GET", "/ui/ips", query=("state", "size", "page")),
    Route("ui", "GET", "/ui/ips/{address}"),
    Route("ui", "GET", "/ui/subusers"),
    Route("ui", "GET", "/ui/subusers/{name}", query=("q", "page")),
    Route(
        "ui",
        "POST",
        "/ui/subusers/{name}",
        writes=True,
        fields=("mode", "ip", "listed", "keep", "q", "page"),
    ),
    Route("ui", "POST", "/ui/subusers/{name}/active", writes=True, fields=("active",)),
    Route("ui", "GET", "/ui/operator"),
    Route("ui", "POST", "/ui/operator/accounts/{account}/quota", writes=True),
    Route("ui", "POST", "/ui/operator/accounts/{account}/take", writes=True),
)
UI_BY_KEY = {r.key: r for r in UI_ROUTES}

#: The application's attributes that are ASGI sub-applications this module can enumerate.
KNOWN_MOUNTS = frozenset({"v2", "v3", "own", "ui"})


def _litestar_keys(app: Any) -> set[str]:
    keys: set[str] = set()
    for route in app.routes:
        path = re.sub(r"\{([^}:]+):[^}]+\}", r"{\1}", route.path)
        for method in set(getattr(route, "methods", ())) - AUTO_METHODS:
            keys.add(f"{method} {path}")
    return keys


def served_routes(app: Any) -> set[str]:
    """Registry keys of everything the application serves, read from its route tables."""
    from ipfleet.api.v2.calls import CALLS

    keys = {f"v2 {call}" for call in CALLS}
    keys |= _litestar_keys(app.v3.app)
    keys |= _litestar_keys(app.own)
    return keys


def served_ui_routes(app: Any) -> set[str]:
    """Registry keys of the dashboard's routes, read from its route table."""
    return _litestar_keys(app.ui.app)


def mounts(app: Any) -> set[str]:
    """Names of the application's attributes that are ASGI applications."""
    return {
        name for name, value in vars(app).items() if callable(value) and not isinstance(value, type)
    }
