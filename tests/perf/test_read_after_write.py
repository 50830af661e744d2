"""Cached v2 reads never show data older than the last successful write, across workers."""

from __future__ import annotations

import random
import subprocess
import sys
from collections.abc import Callable
from contextlib import AbstractContextManager
from pathlib import Path

import httpx
import pytest

from ipfleet.domain.records import Actor
from ipfleet.store.uow import Database
from tests.support.seed import Sub, seed_account

pytestmark = pytest.mark.e2e

Serve = Callable[..., AbstractContextManager[str]]
ACTOR = Actor("test", "seed")
POOL = [f"192.0.2.{n}" for n in range(1, 30)]


def _seed(db_url: str) -> str:
    db = Database(db_url)
    _, key = seed_account(db, "acme", ips=["192.0.2.0/27"], subusers={"shop": Sub()}, actor=ACTOR)
    db.dispose()
    return key


def _write_set(base: str, auth: dict[str, str], rng: random.Random) -> list[str]:
    """Give shop three random IPs through v2 on a new connection; returns them in order."""
    wanted = sorted(rng.sample(POOL, 3), key=lambda ip: int(ip.rsplit(".", 1)[1]))
    with httpx.Client(base_url=base) as writer:
        r = writer.post(
            "/apiv2/customer.sendip.json",
            data={**auth, "task": "append", "user": "shop", "set": "specify", "ip[]": wanted},
        )
        assert r.json() == {"message": "success"}
    return wanted


def _listed(client: httpx.Client, auth: dict[str, str]) -> list[str]:
    r = client.get("/apiv2/customer.sendip.json", params={**auth, "task": "list", "user": "shop"})
    return [e["ip"] for e in r.json()["ips"]]


def test_reads_follow_writes_across_two_workers(db_url: str, serve: Serve) -> None:
    key = _seed(db_url)
    auth = {"api_user": "acme", "api_key": key}
    rng = random.Random(7)
    with serve(db_url, workers=2) as base:
        # Fresh connections each time so requests spread over both workers.
        for _ in range(40):
            wanted = _write_set(base, auth, rng)
            for _ in range(3):
                with httpx.Client(base_url=base) as reader:
                    assert _listed(reader, auth) == wanted
                    assert reader.get(
                        "/apiv2/customer.ip.json", params={**auth, "list": "taken"}
                    ).json() == [{"ip": ip} for ip in wanted]


def test_reads_follow_writes_made_outside_the_server(db_url: str, serve: Serve) -> None:
    key = _seed(db_url)
    auth = {"api_user": "acme", "api_key": key}
    exe = Path(sys.executable).parent / "ipfleet"
    env = {"IPFLEET_DATABASE_URL": db_url, "PATH": "/usr/bin:/bin"}
    with serve(db_url, workers=2) as base, httpx.Client(base_url=base) as client:
        assert _listed(client, auth) == []  # warms the cache
        subprocess.run(
            [str(exe), "subuser", "set-ips", "acme", "shop", "192.0.2.7"],
            env=env,
            check=True,
            capture_output=True,
        )
        assert _listed(client, auth) == ["192.0.2.7"]
        subprocess.run(
            [str(exe), "ip", "remove", "acme", "192.0.2.7", "--release"],
            env=env,
            check=True,
            capture_output=True,
        )
        assert _listed(client, auth) == []
        r = client.get("/apiv2/customer.ip.json", params={**auth, "list": "all"})
        assert {"ip": "192.0.2.7"} not in r.json()


def _v3_held_by_shop(client: httpx.Client, key: str) -> list[str]:
    r = client.get("/v3/ips?limit=500", headers={"Authorization": f"Bearer {key}"})
    assert r.status_code == 200, r.text
    return [e["ip"] for e in r.json() if "shop" in e["subusers"]]


def test_cached_v3_lists_follow_writes_across_two_workers(db_url: str, serve: Serve) -> None:
    key = _seed(db_url)
    auth = {"api_user": "acme", "api_key": key}
    rng = random.Random(11)
    with serve(db_url, workers=2) as base:
        for _ in range(30):
            wanted = _write_set(base, auth, rng)
            for _ in range(3):  # new connections: either worker, cached or not
                with httpx.Client(base_url=base) as reader:
                    assert _v3_held_by_shop(reader, key) == wanted
