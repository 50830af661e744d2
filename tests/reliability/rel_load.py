"""Write load for the crash and concurrency tests: several clients, a mix of v2 and v3 writes.

Every subuser-set write first records the set it asks for, so after a crash the test can
check that each subuser holds its first set or one of the sets sent for it (whether or not
the answer arrived).
"""

from __future__ import annotations

import random
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

import httpx

from ipfleet.domain.records import Actor
from ipfleet.domain.replay import ordered
from ipfleet.services.inventory import add_to_inventory
from ipfleet.services.pools import create_pool
from ipfleet.store.uow import Database
from tests.support.seed import Sub, seed_account

SEEDER = Actor(name="tests:load", request_id="seed")
ACCOUNT = "fleet"
IPS = [f"10.20.0.{n}" for n in range(1, 15)] + ["2001:db8:20::1", "2001:db8:20::2"]
SUBUSERS = [f"s{n}" for n in range(6)]
POOLS = ["p0", "p1"]
# Words that must never reach a client: a lock or serialization failure, or a crash.
LEAKED_FAILURES = ("deadlock", "serializ", "database is locked", "internal error", "traceback")


@dataclass
class Fleet:
    key: str
    # subuser -> every set it may hold: its first one and each one sent for it.
    candidates: dict[str, set[tuple[str, ...]]] = field(default_factory=dict)


def seed_fleet(db: Database) -> Fleet:
    """One account with IPs, subusers holding some of them, pools and a free inventory."""
    add_to_inventory(db, specs=["10.30.0.0/25"], actor=SEEDER)
    firsts = {name: IPS[n : n + 2] for n, name in enumerate(SUBUSERS)}
    subs = {name: Sub(first) for name, first in firsts.items()}
    account, key = seed_account(db, ACCOUNT, ips=IPS, subusers=subs, actor=SEEDER)
    fleet = Fleet(key=key)
    for name, first in firsts.items():
        fleet.candidates[name] = {tuple(ordered(first))}
    for pool in POOLS:
        create_pool(db, account=account, name=pool, actor=SEEDER)
    return fleet


Request = tuple[str, str, dict[str, Any]]


class Mix:
    """Draws the next write; ``narrow`` aims every client at the same few subusers and IPs."""

    def __init__(self, fleet: Fleet, rng: random.Random, narrow: bool) -> None:
        self.fleet, self.rng = fleet, rng
        self.subs = SUBUSERS[:2] if narrow else SUBUSERS
        self.ips = IPS[:4] if narrow else IPS
        self.lock = threading.Lock()

    def _claim(self, sub: str, new: list[str]) -> None:
        with self.lock:
            self.fleet.candidates[sub].add(tuple(ordered(new)))

    def _v2(self, call: str, *pairs: tuple[str, str]) -> Request:
        auth = [("api_user", ACCOUNT), ("api_key", self.fleet.key)]
        form = {"content-type": "application/x-www-form-urlencoded"}
        return (
            "POST",
            f"/apiv2/{call}.json",
            {"content": urlencode([*auth, *pairs]), "headers": form},
        )

    def next(self) -> Request:
        r, sub = self.rng, self.rng.choice(self.subs)
        chosen = r.sample(self.ips, r.randint(1, min(4, len(self.ips))))
        ip = r.choice(self.ips)
        kind = r.choices(
            ["v2set", "v2none", "v3set", "pool", "take", "active", "warmup"],
            weights=[30, 5, 25, 15, 3, 10, 12],
        )[0]
        if kind == "v2set":
            self._claim(sub, chosen)
            pairs = [("ip[]", a) for a in chosen]
            return self._v2(
                "customer.sendip", ("task", "append"), ("user", sub), ("set", "specify"), *pairs
            )
        if kind == "v2none":
            self._claim(sub, [])
            return self._v2("customer.sendip", ("task", "append"), ("user", sub), ("set", "none"))
        if kind == "v3set":
            self._claim(sub, chosen)
            return "PUT", f"/v3/subusers/{sub}/ips", {"json": chosen}
        if kind == "pool":
            pool = r.choice(POOLS)
            if r.random() < 0.5:
                return "POST", f"/v3/ips/pools/{pool}/ips", {"json": {"ip": ip}}
            return "DELETE", f"/v3/ips/pools/{pool}/ips/{ip}", {}
        if kind == "take":
            return "POST", "/v3/ips", {"json": {"count": 1}}
        if kind == "active":
            return self._v2(r.choice(["customer.enable", "customer.disable"]), ("user", sub))
        if r.random() < 0.5:
            return "POST", "/v3/ips/warmup", {"json": {"ip": ip}}
        return "DELETE", f"/v3/ips/warmup/{ip}", {}


@dataclass
class Tally:
    sent: int = 0
    answered: Counter[int] = field(default_factory=Counter)
    bad: list[str] = field(default_factory=list)  # 5xx, or a failure that leaked out
    lock: threading.Lock = field(default_factory=threading.Lock)

    def note(self, method: str, url: str, resp: httpx.Response) -> None:
        text = resp.text.lower()
        with self.lock:
            self.answered[resp.status_code] += 1
            if resp.status_code >= 500 or any(w in text for w in LEAKED_FAILURES):
                self.bad.append(f"{method} {url}: {resp.status_code} {resp.text[:200]}")


def client_loop(bases: list[str], mix: Mix, tally: Tally, stop: threading.Event, seed: int) -> None:
    """Send writes until ``stop`` is set or the server goes away."""
    rng = random.Random(seed)
    auth = {"authorization": f"Bearer {mix.fleet.key}"}
    with httpx.Client(timeout=30, headers=auth) as http:
        while not stop.is_set():
            method, url, kw = mix.next()
            base = rng.choice(bases)
            with tally.lock:
                tally.sent += 1
            try:
                resp = http.request(method, base + url, **kw)
            except httpx.TransportError:
                if stop.is_set():
                    return
                time.sleep(0.05)  # the server is being killed: the test stops us soon
                continue
            tally.note(method, url, resp)


def run_clients(
    bases: list[str], mix: Mix, tally: Tally, clients: int, stop: threading.Event, seed: int
) -> list[threading.Thread]:
    threads = [
        threading.Thread(target=client_loop, args=(bases, mix, tally, stop, seed + n), daemon=True)
        for n in range(clients)
    ]
    for t in threads:
        t.start()
    return threads
