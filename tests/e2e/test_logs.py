"""A real server with IPFLEET_LOG_FORMAT=json and IPFLEET_ACCESS_LOG=true, two workers:
every line it prints is one JSON object, each request has its access record, and no
secret sent to it (API keys, passwords, wrong keys) is ever written."""

from __future__ import annotations

import json
from typing import Any

import httpx

from ipfleet.store.uow import Database
from tests.e2e.v2.e2e_server import ACCOUNT, seed
from tests.support.server import serving

WRONG_KEY = "SG.wrongwrongwrongwrong12.thisisnotthekeythisisnotthekeythisisnotth"
PASSWORD = "pa55-w0rd-never-logged"


def traffic(base: str, key: str) -> None:
    auth = {"api_user": ACCOUNT, "api_key": key}
    with httpx.Client(base_url=base, timeout=30) as http:
        http.get("/apiv2/customer.ip.json", params={**auth, "list": "all"},
                 headers={"X-Request-Id": "rid-v2-read"})  # fmt: skip
        http.post("/apiv2/customer.ip.xml", data={"api_user": ACCOUNT, "api_key": WRONG_KEY})
        http.post(
            "/apiv2/customer.add.json",
            data={**auth, "username": "logged", "email": "l@x.test", "password": PASSWORD,
                  "confirm_password": PASSWORD},
            headers={"X-Request-Id": "rid-v2-add"},
        )  # fmt: skip
        bearer = {"Authorization": f"Bearer {key}", "X-Request-Id": "rid-v3"}
        http.put("/v3/subusers/logged/ips", headers=bearer, json=["192.0.2.99"])
        http.get("/v3/ips", headers={"Authorization": f"Bearer {WRONG_KEY}"})
        http.get("/apiv2/customer.nosuch.json", params=auth)


def records(text: str) -> list[dict[str, Any]]:
    lines = [line for line in text.splitlines() if line.strip()]
    parsed = [json.loads(line) for line in lines]  # every line is JSON...
    assert all(isinstance(p, dict) for p in parsed)  # ...and one object
    for p in parsed:
        assert {"time", "level", "logger", "message"} <= set(p), p
    return parsed


def test_json_logs_with_access_records_and_no_secrets(db_url: str) -> None:
    db = Database(db_url)
    key, _other = seed(db)
    db.dispose()
    env = {"IPFLEET_LOG_FORMAT": "json", "IPFLEET_ACCESS_LOG": "true"}
    with serving(db_url, workers=2, env=env) as server:
        traffic(server.base, key)
        server.stop()
        text = server.log_text()
    for secret in (key, key.split(".")[2], WRONG_KEY, PASSWORD):
        assert secret not in text
    access = {r.get("request_id"): r for r in records(text) if r["logger"] == "ipfleet.access"}
    read = access["rid-v2-read"]
    assert (read["method"], read["route"], read["status"], read["actor"]) == (
        "GET", "/apiv2/customer.ip.json", 200, f"v2:{ACCOUNT}"
    )  # fmt: skip
    assert read["duration_ms"] > 0
    assert (access["rid-v2-add"]["route"], access["rid-v2-add"]["status"]) == (
        "/apiv2/customer.add.json", 200
    )  # fmt: skip
    v3 = access["rid-v3"]
    assert (v3["route"], v3["status"], v3["actor"]) == (
        "/v3/subusers/{subuser_name}/ips", 400, f"v3:{ACCOUNT}"
    )  # fmt: skip
    by_route = [(r["method"], r["route"], r["status"], r["actor"]) for r in access.values()]
    assert ("POST", "/apiv2/customer.ip.xml", 200, None) in by_route  # refused: no actor
    assert ("GET", "/v3/ips", 401, None) in by_route
    assert ("GET", "/apiv2/(unknown)", 200, None) in by_route
    assert ("GET", "/healthz", 200, None) in by_route
    assert any(r["logger"] == "ipfleet.serve" for r in records(text))  # the banner too
