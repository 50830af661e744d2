"""A real server with IPFLEET_LOG_FORMAT=json and IPFLEET_ACCESS_LOG=true, two workers:
every line it prints is one JSON object, each request has its access record, and no
secret sent to it (API keys, passwords, wrong keys) is ever written."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path
from typing import Any

import httpx
from e2e_server import ACCOUNT, IPFLEET, free_port, seed, stop, wait_until_healthy

WRONG_KEY = "SG.wrongwrongwrongwrong12.thisisnotthekeythisisnotthekeythisisnotth"
PASSWORD = "pa55-w0rd-never-logged"


def run_server(db_url: str, log: Path) -> tuple[subprocess.Popen[bytes], str]:
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("IPFLEET_")}
    env.update(IPFLEET_DATABASE_URL=db_url, IPFLEET_LOG_FORMAT="json", IPFLEET_ACCESS_LOG="true")
    with log.open("wb") as out:
        proc = subprocess.Popen(
            [str(IPFLEET), "serve", "--host", "127.0.0.1", "--port", str(port), "--workers", "2"],
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    base = f"http://127.0.0.1:{port}"
    wait_until_healthy(proc, base, log)
    return proc, base


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


def records(log: Path) -> list[dict[str, Any]]:
    lines = [line for line in log.read_text().splitlines() if line.strip()]
    parsed = [json.loads(line) for line in lines]  # every line is JSON...
    assert all(isinstance(p, dict) for p in parsed)  # ...and one object
    for p in parsed:
        assert {"time", "level", "logger", "message"} <= set(p), p
    return parsed


def test_json_logs_with_access_records_and_no_secrets(db_url: str, tmp_path: Path) -> None:
    key, _other = seed(db_url)
    log = tmp_path / "server.log"
    proc, base = run_server(db_url, log)
    try:
        traffic(base, key)
    finally:
        stop(proc)
    text = log.read_text()
    for secret in (key, key.split(".")[2], WRONG_KEY, PASSWORD):
        assert secret not in text
    access = {r.get("request_id"): r for r in records(log) if r["logger"] == "ipfleet.access"}
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
    assert any(r["logger"] == "ipfleet.serve" for r in records(log))  # the banner too
