"""The dashboard with 70,000 IPs on one account: the time to answer each page in process.

``python -m bench.ui_render [--ips N] [--database-url URL]`` seeds an account with N IPs
(default 70,000) and 700 subusers holding 20 each, signs in through the form, then asks
ipfleet's ASGI app (no server, no network) for the pages below, each several times, and
prints the median and the slowest time per page, and whether each stays under the
100 ms budget. ``/ui/ips`` and the subuser form are paged in the database (a count and one
page of rows, whatever the account's size); the IP page includes the IP's history on the
account (``HISTORY_CHANGES`` changes of its holder make its periods).
"""

from __future__ import annotations

import argparse
import logging
import re
import statistics
import tempfile
import time

import anyio
import httpx
from sqlalchemy import text

from ipfleet.api.app import create_app
from ipfleet.config import Settings
from ipfleet.domain.records import Actor
from ipfleet.services.accounts import create_account, get_account
from ipfleet.services.ips import add_ips
from ipfleet.services.keys import create_key
from ipfleet.services.subusers import SetMode, create_subuser, set_subuser_ips
from ipfleet.store.migrate import upgrade
from ipfleet.store.uow import Database

ACTOR = Actor(name="bench", request_id="bench")
ROUNDS = 15
SUBUSERS, HELD = 700, 20
HISTORY_CHANGES = 10
BUDGET_MS = 100.0


def _ranges(count: int) -> list[str]:
    """Single addresses in 10.0.0.0/8 (the first ``count`` of them, in /24 blocks)."""
    return [f"10.{i // 65536}.{i // 256 % 256}.{i % 256}" for i in range(count)]


def seed(url: str, count: int) -> str:
    """The account ``big`` with ``count`` IPs; its API key. A database seeded by an earlier
    run (``--database-url``) is reused: only a new key is made."""
    db = Database(url)
    try:
        upgrade(db)
        if db.read(lambda uow: uow.accounts.by_username("big")) is not None:
            big = get_account(db, username="big")
            return create_key(db, account=big, name=f"bench-{time.time_ns()}", actor=ACTOR)[1]
        _account, key = create_account(db, username="big", outbound_cluster=None, actor=ACTOR)
        _seed_ips_and_subusers(db, count)
        _give_history(db)
        _analyze(db)
        return key
    finally:
        db.dispose()


def _analyze(db: Database) -> None:
    """PostgreSQL: the planner's statistics, as autovacuum keeps them on a live database
    (just after a bulk load it has none yet, and plans as if the tables were empty)."""
    if db.engine.dialect.name == "postgresql":
        with db.engine.connect() as conn:
            conn.execute(text("ANALYZE"))
            conn.commit()


def _seed_ips_and_subusers(db: Database, count: int) -> None:
    """``count`` IPs on ``big``, and SUBUSERS subusers holding HELD of them each."""
    ips = _ranges(count)
    for start in range(0, count, 10_000):
        add_ips(
            db,
            account=get_account(db, username="big"),
            specs=ips[start : start + 10_000],
            actor=ACTOR,
        )
    for n in range(SUBUSERS):
        name = f"sub{n:04d}"
        create_subuser(
            db, account=get_account(db, username="big"), username=name, email="", actor=ACTOR
        )
        held = ips[n * HELD : (n + 1) * HELD]
        set_subuser_ips(
            db,
            account=get_account(db, username="big"),
            username=name,
            mode=SetMode.SPECIFY,
            ips=held,
            actor=ACTOR,
        )


def _give_history(db: Database) -> None:
    """The first IP leaves and rejoins sub0000's set (the first HELD IPs) again and again,
    leaving a holding period per return on its history; it ends held."""
    held = _ranges(HELD)
    for n in range(HISTORY_CHANGES):
        set_subuser_ips(
            db,
            account=get_account(db, username="big"),
            username="sub0000",
            mode=SetMode.SPECIFY,
            ips=held if n % 2 else held[1:],
            actor=ACTOR,
        )


async def measure(url: str, key: str, count: int) -> None:
    app = create_app(Settings(database_url=url))
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://bench") as http:
        login = (await http.get("/ui/login")).text
        csrf = re.search(r'name="csrf" value="([^"]+)"', login)
        assert csrf
        form = {"csrf": csrf.group(1), "api_user": "big", "api_key": key}
        assert (await http.post("/ui/login", data=form)).status_code == 303
        last = -(-count // 50)
        pages = [
            "/ui/ips",
            f"/ui/ips?page={last // 2}",
            f"/ui/ips?page={last}",
            "/ui/ips?state=taken&size=250",
            "/ui/ips?state=available&page=100",
            "/ui/",
            "/ui/subusers",
            "/ui/ips/10.0.0.0",
            "/ui/subusers/sub0000",
            f"/ui/subusers/sub0350?page={-(-count // 100)}",
            "/ui/subusers/sub0001?q=10.0.1",
        ]
        print(f"{count:,} IPs, {SUBUSERS} subusers holding {HELD} each; {ROUNDS} rounds")
        for path in pages:
            times = []
            for _ in range(ROUNDS):
                start = time.perf_counter()
                resp = await http.get(path)
                times.append((time.perf_counter() - start) * 1000)
                assert resp.status_code == 200, (path, resp.status_code)
            median = statistics.median(times)
            verdict = "ok" if median < BUDGET_MS else f"OVER {BUDGET_MS:.0f} ms"
            print(f"  {path:<40} median {median:7.1f} ms  max {max(times):7.1f} ms  {verdict}")
    app.db.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--ips", type=int, default=70_000)
    parser.add_argument(
        "--database-url",
        default=None,
        help="default: a temporary SQLite file; one seeded by an earlier run is reused",
    )
    args = parser.parse_args()
    logging.getLogger("httpx").setLevel(logging.WARNING)
    with tempfile.TemporaryDirectory() as tmp:
        url = args.database_url or f"sqlite:///{tmp}/ui-bench.db"
        key = seed(url, args.ips)
        anyio.run(measure, url, key, args.ips)


if __name__ == "__main__":
    main()
