"""Availability under hostile bodies (issue 12): while clients send the worst body of each
kind (part bombs, nesting, odd charsets, field bombs, trickled uploads, a flood of
``customer.auth`` password checks) at a real one-worker server, another tenant polling
``customer.ip`` keeps a p99 under 100 ms.

The only timing this suite asserts; the bound is the issue's and generous for a loopback
read that takes about a millisecond, so it holds on a loaded 2-core machine.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from urllib.parse import urlencode

import httpx
import pytest

from ipfleet.store.uow import Database
from tests.reliability import rel_figures
from tests.reliability.rel_hostile import worst_bodies
from tests.reliability.rel_inputs import Wire
from tests.reliability.rel_raw import connect, head
from tests.reliability.rel_world import PASSWORD, B, seed
from tests.support.server import serving

pytestmark = pytest.mark.e2e
SECONDS = 1.5  # per kind of attack
P99_MS = 100.0


def p99(samples: list[float]) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))] * 1000


def poll(base: str, query: str, stop: threading.Event, out: list[float]) -> None:
    with httpx.Client(base_url=base, timeout=30) as http:
        while not stop.is_set():
            started = time.perf_counter()
            resp = http.get(f"/apiv2/customer.ip.json?{query}")
            out.append(time.perf_counter() - started)
            assert resp.status_code == 200, resp.text


def attack(send: Callable[[], object], stop: threading.Event, sent: list[int]) -> None:
    while not stop.is_set():
        send()
        sent.append(1)


def trickler(base: str, stop: threading.Event, sent: list[int]) -> None:
    """Uploads sent a byte every 100 ms, reopened as the server cuts them."""
    announced = {"Content-Type": "application/x-www-form-urlencoded", "Content-Length": "5000"}
    while not stop.is_set():
        with connect(base) as sock:
            sock.sendall(head("POST", "/apiv2/customer.ip.json", announced))
            sock.settimeout(0.1)
            while not stop.is_set():
                try:
                    sock.sendall(b"a")
                    if sock.recv(1):
                        break  # answered (408): open another
                except TimeoutError:
                    continue
                except OSError:
                    break
        sent.append(1)


Attacker = Callable[[threading.Event], None]


def run(
    base: str, a_query: str, phases: list[tuple[str, list[Attacker]]]
) -> dict[str, list[float]]:
    """Poll throughout; run each phase's attackers in turn; the poller's latencies by phase."""
    done, latencies = threading.Event(), []
    poller = threading.Thread(target=poll, args=(base, a_query, done, latencies))
    poller.start()
    out = {}
    try:
        for name, attackers in phases:
            stop, first = threading.Event(), len(latencies)
            threads = [threading.Thread(target=a, args=(stop,)) for a in attackers]
            for t in threads:
                t.start()
            time.sleep(SECONDS)
            stop.set()
            for t in threads:
                t.join(timeout=60)
            assert len(latencies) - first > 20, (name, len(latencies) - first)
            out[name] = latencies[first:]
    finally:
        done.set()
        poller.join(timeout=60)
    return out


def test_the_worst_bodies_do_not_slow_another_tenants_reads(db_url: str) -> None:
    db = Database(db_url)
    world = seed(db)
    db.dispose()
    a_query = urlencode({"api_user": "tenant-a", "api_key": world.a.key, "list": "all"})
    auth = {"api_user": B, "api_key": world.b.key, "user": "b-erin", "password": PASSWORD}
    sent: list[int] = []
    with serving(db_url, env={"IPFLEET_V2_HTTP_ERRORS": "true"}) as server:
        clients = [httpx.Client(base_url=server.base, timeout=60)]  # one attacker, back to back

        def body(http: httpx.Client, wire: Wire) -> Attacker:
            def send() -> None:
                resp = http.request(wire.method, wire.url, content=wire.body, headers=wire.headers)
                assert 400 <= resp.status_code < 500, resp.text

            return lambda stop: attack(send, stop, sent)

        def auth_flood(http: httpx.Client) -> Attacker:
            return lambda stop: attack(
                lambda: http.post("/apiv2/customer.auth.json", data=auth), stop, sent
            )

        for _kind, wire in worst_bodies(world.b.key):  # warm every code path first
            clients[0].request(wire.method, wire.url, content=wire.body, headers=wire.headers)
        phases: list[tuple[str, list[Attacker]]] = [("quiet", [])]
        phases += [(k, [body(c, w) for c in clients]) for k, w in worst_bodies(world.b.key)]
        phases.append(("customer.auth flood", [auth_flood(c) for c in clients]))
        phases.append(("trickled uploads", [lambda stop: trickler(server.base, stop, sent)] * 4))
        found = run(server.base, a_query, phases)
        for c in clients:
            c.close()
    by_phase = {name: round(p99(samples), 1) for name, samples in found.items()}
    attacked = [x for name, samples in found.items() if name != "quiet" for x in samples]
    overall = p99(attacked)
    rel_figures.highest("poller p99 ms, quiet", round(by_phase["quiet"]))
    rel_figures.highest("poller p99 ms, under the worst bodies", round(overall))
    rel_figures.add("hostile requests sent during the availability test", len(sent))
    print(f"poller p99 ms: {by_phase}; under attack {overall:.1f} ({len(attacked)} polls)")
    assert overall < P99_MS, (overall, by_phase)
