"""Regressions: bugs the harness found, each fixed; every test here failed before its fix."""

from __future__ import annotations

import socket
import time

import pytest

from ipfleet.store.uow import Database
from tests.reliability.rel_load import ACCOUNT, seed_fleet
from tests.reliability.rel_world import B, World
from tests.support.inprocess import Client
from tests.support.server import serving


def test_nul_in_a_request_value_is_refused_not_a_500(client: Client, world: World) -> None:
    """PostgreSQL refuses NUL in text: such a name must find nothing, not raise (was a 500)."""
    auth = f"api_user={B}&api_key={world.b.key}"
    bearer = {"authorization": f"Bearer {world.b.key}"}
    answers = [
        client.request("GET", f"/apiv2/reseller.ip.json?{auth}&task=all&ip=198.51.100.1%00"),
        client.request("GET", f"/apiv2/customer.sendip.json?{auth}&task=list&user=b-erin%00"),
        client.request("GET", "/v3/subusers/b-erin%00/ips", headers=bearer),
        client.request("GET", "/v3/ips/pools/b-pool%00", headers=bearer),
        client.request("GET", "/v3/ips", headers={**bearer, "on-behalf-of": "b-erin\x00"}),
        client.request("GET", "/v3/ips?ip=198.51%00", headers=bearer),
        client.request("GET", "/v3/ips?subuser=b-erin%00", headers=bearer),
    ]
    assert [r.status_code for r in answers if r.status_code >= 500] == []


@pytest.mark.parametrize("path", ["/apiv2/customer.ip.json", "/v3/ips/pools"])
def test_a_client_that_stalls_its_body_is_cut_off(sqlite_url: str, path: str) -> None:
    """A client that declares 100 bytes and sends 10 is dropped after
    IPFLEET_BODY_TIMEOUT_S (it used to hold its connection and request slot forever)."""
    db = Database(sqlite_url)
    fleet = seed_fleet(db)
    with serving(sqlite_url, env={"IPFLEET_BODY_TIMEOUT_S": "2"}) as server:
        port = int(server.base.rsplit(":", 1)[1])
        head = (
            f"POST {path} HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {fleet.key}\r\n"
            "Content-Type: application/x-www-form-urlencoded\r\nContent-Length: 100\r\n\r\n"
            f"api_user={ACCOUNT}"
        )
        with socket.create_connection(("127.0.0.1", port)) as conn:
            conn.sendall(head.encode())
            conn.settimeout(40)
            started = time.monotonic()
            try:
                conn.recv(100)
                closed = True
            except TimeoutError:
                closed = False
        assert closed, (
            f"{path}: still waiting for the body after {time.monotonic() - started:.0f} s"
        )
    db.dispose()


def test_warmup_stop_logs_its_start_time_with_a_zone(world: World) -> None:
    """Times read back from SQLite carry UTC, like PostgreSQL's (the log had no zone)."""
    from datetime import datetime

    from ipfleet.domain.records import Actor
    from ipfleet.services.warmup import start_warmup, stop_warmup

    actor = Actor(name="repro", request_id="r")
    start_warmup(world.db, account=world.b.account, address="198.51.100.2", actor=actor)
    stop_warmup(world.db, account=world.b.account, address="198.51.100.2", actor=actor)
    rows = world.db.read(lambda uow: uow.log.entries(world.b.account.id))
    logged = [r["before"]["warmup_started_at"] for r in rows if r["action"] == "ip.warmup_stop"]
    assert datetime.fromisoformat(logged[-1]).tzinfo is not None, logged[-1]
