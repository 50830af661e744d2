"""Bad inputs: the malformed values every route must survive, and hypothesis strategies
that build whole requests from them (missing, repeated, oversized, wrong types, raw bytes).
"""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import quote, urlencode

from hypothesis import strategies as st

from tests.reliability.rel_registry import Route
from tests.reliability.rel_world import A_IPS, A_POOL, B_IPS, B_POOL, B_SUBS

LIMIT_BYTES = 1_048_576  # the default IPFLEET_MAX_BODY_BYTES
LIMIT_IPS = 10_000  # the default IPFLEET_MAX_IPS_PER_REQUEST

#: Every malformed address form of the issue, and some more.
MALFORMED_ADDRESSES = (
    "010.0.0.1",
    "1.2.3",
    "256.0.0.1",
    "1.2.3.4.5",
    "0x7f.0.0.1",
    "::ffff:192.0.2.1",
    "::ffff:c000:201",
    "fe80::1%eth0",
    "192.0.2.1/32",
    "2001:db8::/64",
    " 198.51.100.1",
    "198.51.100.1 ",
    "198.51.100.1\n",
    "198.51.100.1\x00",
    "\u0661\u0669\u0668.51.100.1",  # Arabic-Indic digits
    "\uff11\uff19\uff18.51.100.1",  # full-width digits
    "2001:db8::g",
    "2001:db8:::1",
    ":::",
    "",
    "-1.0.0.0",
    "+1.2.3.4",
    "1.2.3.4\u200b",
)
#: Usernames and other names no sane client sends.
ODD_NAMES = (
    "<&>\"'",
    "nul\x00name",
    "tab\tname",
    "ünïcødé",
    "名前",
    "😀",
    "\u202eevil",
    " b-erin",
    "b-erin ",
    "B-ERIN",
    "b-erin\x00",
    "a" * 65,
    "x" * 5000,
    "../../etc/passwd",
    "%00",
    "'; DROP TABLE subusers; --",
)
ENUMS = ("all", "free", "taken", "available", "usage", "list", "append", "none", "specify")
ENUMS += ("get", "set", "ALL", "Specify", "", "0", "1", "true")

valid_names = st.sampled_from([*B_SUBS, "b-new", "b-new2"])
addresses = st.sampled_from([*B_IPS, *A_IPS, "192.0.2.1", *MALFORMED_ADDRESSES])
scalars = st.one_of(
    st.sampled_from(ODD_NAMES),
    st.sampled_from(ENUMS),
    addresses,
    valid_names,
    st.text(max_size=40),
    # Oversized: a short random text repeated (drawing thousands of characters is slow).
    st.builds(lambda t, n: (t or "\u00e9") * n, st.text(max_size=5), st.integers(300, 5000)),
)


class Wire:
    """One request as bytes on the wire (method, path with query, headers, body).

    Not a dataclass: hypothesis would print a megabyte body in full on a failure.
    """

    def __init__(
        self, method: str, url: str, headers: dict[str, bytes] | None = None, body: bytes = b""
    ) -> None:
        self.method, self.url, self.headers, self.body = method, url, headers or {}, body

    def describe(self) -> str:
        more = f" ...({len(self.body)} bytes)" if len(self.body) > 300 else ""
        return f"{self.method} {self.url[:300]} {self.headers} body={self.body[:300]!r}{more}"

    __repr__ = describe


@st.composite
def param_values(draw: st.DrawFn, name: str) -> list[str]:
    """Values for one parameter: none (missing), one, or several (repeated)."""
    if name == "ip":
        huge = draw(st.sampled_from([0, 0, 0, 0, 0, 0, LIMIT_IPS + 1]))
        if huge:
            return [f"10.{i // 65536}.{i // 256 % 256}.{i % 256}" for i in range(huge)]
        return draw(st.lists(addresses, max_size=6))
    return draw(st.lists(scalars, max_size=3))


@st.composite
def v2_request(draw: st.DrawFn, route: Route, user: str, key: str) -> Wire:
    """A v2 call with bad parameters in one of the ways clients send them."""
    pairs: list[tuple[str, str]] = []
    if draw(st.integers(0, 9)):
        pairs += [("api_user", user), ("api_key", key)]
    else:
        pairs += [("api_user", draw(scalars)), ("api_key", draw(scalars))]
    for name in draw(st.lists(st.sampled_from([*route.params, "ip", "junk"]), max_size=6)):
        spelled = draw(st.sampled_from([name, f"{name}[]", f"{name}[0]", f"{name}[x][y]"]))
        pairs += [(spelled, v) for v in draw(param_values(name))]
    fmt = draw(st.sampled_from(["json", "xml"]))
    url = f"/apiv2/{route.path}.{fmt}"
    how = draw(st.sampled_from(["query", "form", "form", "multipart", "json", "bytes", "big"]))
    return _v2_wire(draw, url, pairs, how)


def _v2_wire(draw: st.DrawFn, url: str, pairs: list[tuple[str, str]], how: str) -> Wire:
    form = urlencode(pairs).encode()
    if how == "query" and len(form) > 32_000:
        how = "form"  # httpx refuses URLs over 64 KiB; servers cap them lower still
    if how == "query":
        return Wire(
            draw(st.sampled_from(["GET", "POST", "PUT", "DELETE"])), f"{url}?{form.decode()}"
        )
    if how == "multipart":
        boundary = "rel" + "x" * 8
        parts = [
            f'--{boundary}\r\nContent-Disposition: form-data; name="{quote(k)}"\r\n\r\n'.encode()
            + v.encode("utf-8", "surrogatepass")
            + b"\r\n"
            for k, v in pairs
        ]
        body = b"".join(parts) + f"--{boundary}--\r\n".encode()
        ctype = f"multipart/form-data; boundary={boundary}"
        if draw(st.booleans()):
            body = body[: draw(st.integers(0, len(body)))]  # cut short
        return Wire("POST", url, {"content-type": ctype.encode()}, body)
    if how == "json":
        return Wire(
            "POST", url, {"content-type": b"application/json"}, json.dumps(dict(pairs)).encode()
        )
    if how == "bytes":
        ctype = draw(st.sampled_from([b"application/x-www-form-urlencoded", b"text/plain", b""]))
        return Wire("POST", url, {"content-type": ctype}, draw(st.binary(max_size=2000)))
    if how == "big":
        return Wire(
            "POST",
            url,
            {"content-type": b"application/x-www-form-urlencoded"},
            form + b"&pad=" + b"x" * LIMIT_BYTES,
        )
    return Wire("POST", url, {"content-type": b"application/x-www-form-urlencoded"}, form)


json_values = st.recursive(
    st.one_of(
        st.none(),
        st.booleans(),
        st.integers(min_value=-(2**70), max_value=2**70),
        st.floats(allow_nan=False),
        scalars,
    ),
    lambda inner: st.one_of(
        st.lists(inner, max_size=4), st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=12,
)
path_values = st.one_of(
    st.sampled_from([*B_IPS, *A_IPS, B_POOL, A_POOL, *B_SUBS, "a-alice", "x" * 22]),
    st.sampled_from(MALFORMED_ADDRESSES),
    st.sampled_from(ODD_NAMES),
    st.text(max_size=30),
)


@st.composite
def v3_request(draw: st.DrawFn, route: Route, key: str) -> Wire:
    """A v3 call with bad path segments, query values, headers and bodies."""
    values = {p: quote(draw(path_values), safe="") or "%20" for p in route.path_params}
    url = route.path.format(**values)
    query = [
        (q, v)
        for q in draw(st.lists(st.sampled_from([*route.query, "junk"]), max_size=4))
        for v in draw(st.lists(scalars, min_size=1, max_size=2))
    ]
    if query and len(urlencode(query)) < 32_000:
        url += "?" + urlencode(query)
    headers: dict[str, bytes] = {}
    auth = draw(st.sampled_from(["good"] * 8 + ["none", "garbage"]))
    if auth == "good":
        headers["authorization"] = f"Bearer {key}".encode()
    elif auth == "garbage":
        headers["authorization"] = draw(
            st.sampled_from([b"Bearer", b"Basic eDp5", b"Bearer SG.x.y", key.encode()])
        )
    if draw(st.integers(0, 5)) == 0:
        headers["on-behalf-of"] = draw(st.sampled_from(ODD_NAMES)).encode("utf-8", "surrogatepass")
    headers["content-type"] = draw(
        st.sampled_from(
            [b"application/json"] * 6 + [b"text/plain", b"application/x-www-form-urlencoded", b""]
        )
    )
    method = (
        route.method
        if draw(st.integers(0, 9))
        else draw(st.sampled_from(["GET", "POST", "PUT", "PATCH", "DELETE"]))
    )
    return Wire(method, url, headers, draw(_v3_body(route)))


@st.composite
def _v3_body(draw: st.DrawFn, route: Route) -> bytes:
    kind = draw(st.sampled_from(["shaped"] * 5 + ["any", "bytes", "empty", "big"]))
    if kind == "bytes":
        return draw(st.binary(max_size=500))
    if kind == "empty":
        return b""
    if kind == "big":
        return b'{"name":"' + b"x" * LIMIT_BYTES + b'"}'
    if kind == "any" or route.body is None:
        return json.dumps(draw(json_values)).encode()
    if route.body == "array":
        huge = draw(st.sampled_from([0] * 7 + [LIMIT_IPS + 1]))
        items: Any = (
            [f"10.0.{i // 256}.{i % 256}" for i in range(huge)]
            if huge
            else draw(st.lists(addresses, max_size=5))
        )
        return json.dumps(items).encode()
    obj = {
        f: draw(st.one_of(json_values, addresses, valid_names))
        for f in draw(st.lists(st.sampled_from([*route.fields, "junk"]), max_size=5))
    }
    return json.dumps(obj).encode()


def _form(pairs: list[tuple[str, str]]) -> bytes:
    return urlencode(pairs).encode()


def targeted_wires(b_key: str) -> list[tuple[str, Wire]]:
    """Each malformed address, and each odd name, in each place a route reads one."""
    auth = [("api_user", "tenant-b"), ("api_key", b_key)]
    form = {"content-type": b"application/x-www-form-urlencoded"}
    bearer = {"authorization": f"Bearer {b_key}".encode(), "content-type": b"application/json"}
    out: list[tuple[str, Wire]] = []
    for bad in MALFORMED_ADDRESSES:
        seg = quote(bad, safe="") or "%20"
        body = json.dumps({"ip": bad}).encode()
        append = [("task", "append"), ("user", "b-erin"), ("set", "specify")]
        ips = [("ip[]", bad), ("ip[]", B_IPS[0])]
        out += [
            (
                "v2 customer.sendip",
                Wire("POST", "/apiv2/customer.sendip.xml", form, _form([*auth, *append, *ips])),
            ),
            (
                "v2 reseller.ip",
                Wire(
                    "GET",
                    "/apiv2/reseller.ip.json?" + urlencode([*auth, ("task", "all"), ("ip", bad)]),
                ),
            ),
            ("GET /v3/ips/{ip_address}", Wire("GET", f"/v3/ips/{seg}", bearer)),
            ("GET /v3/ips/warmup/{ip_address}", Wire("GET", f"/v3/ips/warmup/{seg}", bearer)),
            ("DELETE /v3/ips/warmup/{ip_address}", Wire("DELETE", f"/v3/ips/warmup/{seg}", bearer)),
            (
                "DELETE /v3/ips/pools/{pool_name}/ips/{ip}",
                Wire("DELETE", f"/v3/ips/pools/{B_POOL}/ips/{seg}", bearer),
            ),
            ("POST /v3/ips/warmup", Wire("POST", "/v3/ips/warmup", bearer, body)),
            (
                "POST /v3/ips/pools/{pool_name}/ips",
                Wire("POST", f"/v3/ips/pools/{B_POOL}/ips", bearer, body),
            ),
            (
                "PUT /v3/subusers/{subuser_name}/ips",
                Wire("PUT", "/v3/subusers/b-erin/ips", bearer, json.dumps([bad]).encode()),
            ),
            (
                "POST /v3/subusers",
                Wire(
                    "POST",
                    "/v3/subusers",
                    bearer,
                    json.dumps(
                        {
                            "username": "b-x",
                            "email": "x@b.example",
                            "password": "pass-word-1",
                            "ips": [bad],
                        }
                    ).encode(),
                ),
            ),
        ]
    for odd in ODD_NAMES:
        seg = quote(odd, safe="") or "%20"
        new = [
            ("username", odd),
            ("password", "pass-word-1"),
            ("confirm_password", "pass-word-1"),
            ("email", "x@b.example"),
        ]
        out += [
            (
                "v2 customer.add",
                Wire("POST", "/apiv2/customer.add.xml", form, _form([*auth, *new])),
            ),
            (
                "v2 customer.sendip",
                Wire(
                    "GET",
                    "/apiv2/customer.sendip.json?"
                    + urlencode([*auth, ("task", "list"), ("user", odd)]),
                ),
            ),
            ("GET /v3/subusers/{subuser_name}/ips", Wire("GET", f"/v3/subusers/{seg}/ips", bearer)),
            (
                "POST /v3/ips/pools",
                Wire("POST", "/v3/ips/pools", bearer, json.dumps({"name": odd}).encode()),
            ),
        ]
    return out
