"""Seeding and running a real ``ipfleet serve`` process for the end-to-end tests."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from ipfleet.domain.records import Actor
from ipfleet.services.accounts import create_account
from ipfleet.services.ips import add_ips
from ipfleet.services.subusers import (
    SetMode,
    create_subuser,
    set_subuser_active,
    set_subuser_ips_by_name,
)
from ipfleet.store.uow import Database

IPFLEET = Path(sys.executable).parent / "ipfleet"
START_TIMEOUT = 20.0
STOP_TIMEOUT = 5.0
SEEDER = Actor(name="tests:e2e-seed", request_id="seed")

ACCOUNT = "acme"
OTHER = "globex"
ACME_IPS = ["192.0.2.9", "192.0.2.10", "192.0.2.11", "192.0.2.12", "2001:db8::1"]
GLOBEX_IPS = ["198.51.100.7"]


@dataclass(frozen=True)
class Server:
    """A running server and the credentials of its two seeded accounts."""

    base_url: str
    api_user: str
    api_key: str
    other_user: str
    other_key: str


def seed(db_url: str) -> tuple[str, str]:
    db = Database(db_url)
    try:
        _a, key = create_account(db, username=ACCOUNT, outbound_cluster=None, actor=SEEDER)
        add_ips(db, username=ACCOUNT, specs=ACME_IPS, actor=SEEDER)
        for name, held in (("alice", ["192.0.2.10"]), ("bob", ["192.0.2.11"]), ("carol", [])):
            create_subuser(
                db, account_name=ACCOUNT, username=name, email=f"{name}@x.test", actor=SEEDER
            )
            if held:
                set_subuser_ips_by_name(
                    db,
                    account_name=ACCOUNT,
                    username=name,
                    mode=SetMode.SPECIFY,
                    ips=held,
                    actor=SEEDER,
                )
        set_subuser_active(db, account_name=ACCOUNT, username="bob", active=False, actor=SEEDER)
        _o, other_key = create_account(
            db, username=OTHER, outbound_cluster="globex-mta", actor=SEEDER
        )
        add_ips(db, username=OTHER, specs=GLOBEX_IPS, actor=SEEDER)
        return key, other_key
    finally:
        db.dispose()


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_until_healthy(proc: subprocess.Popen[bytes], base_url: str, log: Path) -> None:
    deadline = time.monotonic() + START_TIMEOUT
    with httpx.Client(timeout=1.0) as http:
        while time.monotonic() < deadline:
            if proc.poll() is not None:
                pytest.fail(f"ipfleet serve exited with {proc.returncode}:\n{log.read_text()}")
            try:
                if http.get(f"{base_url}/healthz").status_code == 200:
                    return
            except httpx.TransportError:
                pass
            time.sleep(0.05)
    pytest.fail(f"ipfleet serve did not answer /healthz in {START_TIMEOUT}s:\n{log.read_text()}")


def stop(proc: subprocess.Popen[bytes]) -> None:
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(STOP_TIMEOUT)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)  # the session this fixture started
            proc.wait(STOP_TIMEOUT)
