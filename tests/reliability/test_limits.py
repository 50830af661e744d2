"""Limits on a real server: request body size (declared and streamed), addresses per request.

Both are refused with HTTP 413 in the API's own shape, before any change; the defaults are
the documented 1 MiB and 10,000, and the settings move them.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from urllib.parse import urlencode

import httpx
import pytest

from ipfleet.config import Settings
from ipfleet.store.uow import Database
from tests.reliability import rel_figures
from tests.reliability.rel_invariants import fingerprint
from tests.reliability.rel_load import ACCOUNT, seed_fleet
from tests.reliability.rel_registry import BY_KEY
from tests.reliability.rel_shapes import verdict
from tests.support.server import serving

pytestmark = pytest.mark.e2e
MIB = 1_048_576
FORM = {"content-type": "application/x-www-form-urlencoded"}


def test_the_defaults_are_the_documented_limits() -> None:
    settings = Settings(_env_file=None)  # type: ignore[call-arg]
    assert settings.max_body_bytes == MIB
    assert settings.max_ips_per_request == 10_000


def chunked(data: bytes, size: int = 65_536) -> Iterator[bytes]:
    """A body sent without Content-Length (chunked), so the server must count as it reads."""
    for start in range(0, len(data), size):
        yield data[start : start + size]


def v2_form(key: str, *pairs: tuple[str, str]) -> bytes:
    auth = [("api_user", ACCOUNT), ("api_key", key)]
    return urlencode(
        [*auth, ("task", "append"), ("user", "s0"), ("set", "specify"), *pairs]
    ).encode()


def expect_413(route_key: str, resp: httpx.Response, fmt: str = "json") -> None:
    assert verdict(BY_KEY[route_key], resp, fmt), resp.text
    assert resp.status_code == 413, (route_key, resp.status_code, resp.text[:300])


def test_limits_on_a_real_server(sqlite_url: str) -> None:
    db = Database(sqlite_url)
    fleet = seed_fleet(db)
    bearer = {"authorization": f"Bearer {fleet.key}", "content-type": "application/json"}
    before = fingerprint(db)
    sendip, pools, v3_set = (
        "v2 customer.sendip",
        "POST /v3/ips/pools",
        "PUT /v3/subusers/{subuser_name}/ips",
    )
    try:
        with (
            serving(sqlite_url, env={"IPFLEET_V2_HTTP_ERRORS": "true"}) as server,
            httpx.Client(base_url=server.base, timeout=60) as http,
        ):
            big = v2_form(fleet.key, ("pad", "x" * MIB))
            expect_413(sendip, http.post("/apiv2/customer.sendip.json", content=big, headers=FORM))
            expect_413(
                sendip,
                http.post("/apiv2/customer.sendip.xml", content=chunked(big), headers=FORM),
                "xml",
            )
            big_json = json.dumps({"name": "x" * MIB}).encode()
            expect_413(pools, http.post("/v3/ips/pools", content=big_json, headers=bearer))
            expect_413(pools, http.post("/v3/ips/pools", content=chunked(big_json), headers=bearer))
            many = [f"10.{n // 65536}.{n // 256 % 256}.{n % 256}" for n in range(10_001)]
            form = v2_form(fleet.key, *[("ip[]", a) for a in many])
            expect_413(sendip, http.post("/apiv2/customer.sendip.json", content=form, headers=FORM))
            expect_413(v3_set, http.put("/v3/subusers/s0/ips", json=many, headers=bearer))
            # At the limit: refused for not being the account's addresses, not for the count.
            at_limit = http.put("/v3/subusers/s0/ips", json=many[:10_000], headers=bearer)
            assert at_limit.status_code == 400, at_limit.text[:300]
            assert "not on your account" in at_limit.text
            form = v2_form(fleet.key, *[("ip[]", a) for a in many[:10_000]])
            resp = http.post("/apiv2/customer.sendip.json", content=form, headers=FORM)
            assert resp.status_code == 400, resp.text[:300]
            rel_figures.add("limit checks", 8)
        assert fingerprint(db) == before, "a refused request changed the data"
        # The settings move the limits.
        env = {
            "IPFLEET_V2_HTTP_ERRORS": "true",
            "IPFLEET_MAX_BODY_BYTES": "4096",
            "IPFLEET_MAX_IPS_PER_REQUEST": "3",
        }
        with serving(sqlite_url, env=env) as server, httpx.Client(base_url=server.base) as http:
            body = v2_form(fleet.key, ("pad", "x" * 4096))
            expect_413(sendip, http.post("/apiv2/customer.sendip.json", content=body, headers=FORM))
            expect_413(pools, http.post("/v3/ips/pools", json={"name": "x" * 4096}, headers=bearer))
            four = [("ip[]", a) for a in ["10.20.0.1", "10.20.0.2", "10.20.0.3", "10.20.0.4"]]
            body = v2_form(fleet.key, *four)
            expect_413(sendip, http.post("/apiv2/customer.sendip.json", content=body, headers=FORM))
            ok = http.post(
                "/apiv2/customer.sendip.json", content=v2_form(fleet.key, *four[:3]), headers=FORM
            )
            assert ok.json() == {"message": "success"}, ok.text
            rel_figures.add("limit checks", 4)
    finally:
        db.dispose()
