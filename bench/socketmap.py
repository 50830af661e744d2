"""The socketmap scenario: lookups/s of `ipfleet postfix socketmap` against its floor.

The floor is the same server (``ipfleet.mta.socketmap.SocketmapServer``: asyncio, the
netstring code, the thread hop) answering a constant instead of deciding, measured in the
same run with the same load generator (``bench.netstring_load``) and connections. The
ratio is what the decision costs: the routing service's one indexed statement per lookup
and the rule. ``python -m bench.socketmap floor PORT`` runs the floor.
"""

from __future__ import annotations

import asyncio
import json
import os
import random
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from bench.report import Row
from bench.servers import BIN, HOST, free_port
from ipfleet.domain.records import Actor
from ipfleet.mta.socketmap_limits import Limits
from ipfleet.services import ips, sending_domains, subusers
from ipfleet.services.accounts import create_account, get_account
from ipfleet.services.subusers import SetMode
from ipfleet.store.migrate import upgrade
from ipfleet.store.uow import Database

MTA = "bench"
SHARE_TARGET = 0.50
RATE_TARGET = 5_000
FLOOR_REPLY = b"OK ipfleet-10-9-0-1:"
ACTOR = Actor(name="bench:socketmap", request_id="bench")


@dataclass(frozen=True, slots=True)
class Result:
    lookups: int
    seconds: float
    p50_ms: float
    p99_ms: float
    failures: int

    @property
    def rate(self) -> float:
        return self.lookups / self.seconds if self.seconds else 0.0


def build(url: str, out: Path, subuser_count: int = 300) -> Path:
    """An account with 64 IPs on MTA ``bench`` and subusers, each with a sending domain and
    4 IPs; returns a file of senders (9 in 10 are the subusers', 1 in 10 nobody's)."""
    db = Database(url)
    try:
        upgrade(db)
        create_account(db, username="bench", outbound_cluster=None, actor=ACTOR)
        added = ips.add_ips(
            db, account=get_account(db, username="bench"), specs=["10.9.0.0/26"], actor=ACTOR
        ).added
        for address in added:
            ips.set_mta(db, address=address, mta=MTA, actor=ACTOR)
        account = get_account(db, username="bench")
        rng = random.Random(9)
        senders = []
        for n in range(subuser_count):
            name, domain = f"sub{n}", f"sub{n}.bench.test"
            subusers.create_subuser(
                db, account=get_account(db, username="bench"), username=name, email="", actor=ACTOR
            )
            sending_domains.add_sending_domain(
                db, account=account, mail_domain=domain, url_domain=None, actor=ACTOR
            )
            sending_domains.attach_sending_domain(
                db, account=account, username=name, mail_domain=domain, actor=ACTOR
            )
            subusers.set_subuser_ips(
                db, account=account, username=name, mode=SetMode.SPECIFY,
                ips=rng.sample(added, 4), actor=ACTOR,
            )  # fmt: skip
            senders += [f"news{k}@{domain}" for k in range(3)]
        senders += [f"x@stranger{n}.test" for n in range(len(senders) // 9)]
    finally:
        db.dispose()
    keys = out / "socketmap-senders.txt"
    keys.write_text("\n".join(senders) + "\n")
    return keys


@contextmanager
def _listening(cmd: list[str], env: dict[str, str], port: int, log: Path) -> Iterator[None]:
    log.parent.mkdir(parents=True, exist_ok=True)
    with log.open("wb") as out:
        proc = subprocess.Popen(cmd, env=env, stdout=out, stderr=subprocess.STDOUT)
    try:
        _wait_port(proc, port, log)
        yield
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def _wait_port(proc: subprocess.Popen[bytes], port: int, log: Path) -> None:
    import socket

    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"server exited with {proc.returncode}:\n{log.read_text()}")
        try:
            socket.create_connection((HOST, port), timeout=1).close()
        except OSError:
            time.sleep(0.1)
        else:
            return
    raise RuntimeError(f"server did not listen within 60 s:\n{log.read_text()}")


def _env(url: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("IPFLEET_")}
    return {**env, "IPFLEET_DATABASE_URL": url, "IPFLEET_LOG_LEVEL": "warning"}


@contextmanager
def ipfleet_socketmap(url: str, logs: Path, name: str, *extra: str) -> Iterator[int]:
    port = free_port()
    cmd = [str(BIN / "ipfleet"), "postfix", "socketmap", "--host", HOST, "--port", str(port)]
    cmd += extra
    with _listening(cmd, _env(url), port, logs / f"socketmap-{name}.log"):
        yield port


@contextmanager
def floor_socketmap(url: str, logs: Path, name: str, *extra: str) -> Iterator[int]:
    port = free_port()
    cmd = [sys.executable, "-m", "bench.socketmap", "floor", str(port), *extra]
    with _listening(cmd, _env(url), port, logs / f"socketmap-floor-{name}.log"):
        yield port


def load(port: int, keys: Path, connections: int, seconds: int, warmup: int) -> Result:
    """One run of the load generator against ``port``."""
    done = subprocess.run(
        [sys.executable, "-m", "bench.netstring_load", "--port", str(port), "--name", MTA,
         "--keys", str(keys), "--connections", str(connections), "--seconds", str(seconds),
         "--warmup", str(warmup)],
        capture_output=True, text=True, check=True, timeout=seconds + warmup + 120,
    )  # fmt: skip
    return Result(**json.loads(done.stdout))


def row(label: str, result: Result, floor: Result) -> Row:
    share = result.rate / floor.rate if floor.rate else 0.0
    ok = share >= SHARE_TARGET and result.rate >= RATE_TARGET and not result.failures
    return Row(
        label,
        result.rate,
        result.p50_ms,
        result.p99_ms,
        floor=f"{floor.rate:,.0f} lookups/s",
        ratio=f"{share:.0%}",
        target=f">= {SHARE_TARGET:.0%} of floor and >= {RATE_TARGET:,}/s",
        met=ok,
    )


def floor_main(port: int, threads: int) -> None:
    """The floor server: SocketmapServer answering a constant until SIGTERM."""
    from ipfleet.mta.socketmap import SocketmapServer, serve_until_signalled
    from ipfleet.mta.socketmap_limits import Limits

    server = SocketmapServer(lambda _name, _key: FLOOR_REPLY, Limits(threads=threads))
    asyncio.run(serve_until_signalled(server, HOST, port))


if __name__ == "__main__":
    if sys.argv[1:2] == ["floor"]:
        floor_main(int(sys.argv[2]), int(sys.argv[3]) if sys.argv[3:] else Limits().threads)
