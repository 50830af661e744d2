"""Writes where users grow (issue 11): v3 allocation, the write clock's cost, two nodes.

S3 (``customer.sendip`` set=specify) stays in the SQLite and PostgreSQL phases of
``bench/run.py``; this module adds

- ``writes``: ``POST /v3/ips {"count":1}`` on SQLite with one worker, over 1 and 32
  connections, against a floor answering a sample allocation; every answered take must be
  in the change log, no IP on two accounts, the account within its quota. And the cost of
  the one-row ``write_clock`` stamp every SQLite write makes (timeline triggers), in
  process, as a share of a whole write.
- ``nodes``: two separate ``ipfleet serve`` processes (one worker each, not two workers of
  one) on one PostgreSQL database, the load split between them by two wrk processes: S2
  reads and S3 writes, each against two floors split the same way.

``python -m bench.writes writes`` (or ``nodes``) runs one of them alone; ``... s3`` runs
S3 alone on both databases, for work on the write path.
"""

from __future__ import annotations

import argparse
import json
import os
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack, contextmanager
from dataclasses import replace
from pathlib import Path

from sqlalchemy import text

from bench import dataset, servers, wrk
from bench.dataset import Built
from bench.report import Row
from bench.scenarios import SUCCESS, Bench, Setup, _good, _set_ips_logged, s3
from ipfleet.domain.records import Actor
from ipfleet.services.accounts import get_account
from ipfleet.services.inventory import add_to_inventory
from ipfleet.services.quota import set_quota
from ipfleet.services.subusers import SetMode, set_subuser_ips
from ipfleet.store.uow import Database

ALLOCATION_TARGET = 1_000  # POST /v3/ips {"count":1} per second, 32 connections, SQLite
INVENTORY = "198.20.0.0/16"  # free IPs for the takes (RFC 2544 benchmarking range)
ACTOR = Actor(name="bench", request_id="bench-writes")
CLOCK_ROUNDS = 2_000


def _takes_logged(url: str) -> tuple[int, int, int | None]:
    """(addresses taken in the change log, IPs on the bench account, its quota)."""
    db = Database(url)
    try:
        logged = text("SELECT after FROM change_log WHERE action = 'ip.take'")
        held = text(
            "SELECT count(*), max(a.ip_quota) FROM ip_addresses i JOIN accounts a "
            "ON a.id = i.account_id WHERE a.username = 'bench-small'"
        )

        def work(uow: object) -> tuple[int, int, int | None]:
            conn = uow.conn  # type: ignore[attr-defined]
            taken = sum(len(_json(after)["addresses"]) for (after,) in conn.execute(logged))
            count, quota = conn.execute(held).one()
            return taken, int(count), quota

        return db.read(work)
    finally:
        db.dispose()


def _json(value: object) -> dict[str, list[str]]:
    return json.loads(value) if isinstance(value, str) else value  # type: ignore[return-value]


def stock_inventory(built: Built) -> int:
    """Put the free inventory in place and a quota that leaves room for all of it."""
    db = Database(built.url)
    try:
        account = get_account(db, username=built.account)
        added = add_to_inventory(db, specs=[INVENTORY], actor=ACTOR).added
        set_quota(db, account=account, quota=built.ip_count + added, actor=ACTOR)
        return added
    finally:
        db.dispose()


def _take_row(label: str, result: wrk.WrkResult, floor: wrk.WrkResult, target: bool) -> Row:
    return Row(
        label,
        result.rps,
        result.p50_ms,
        result.p99_ms,
        floor=f"{floor.rps:,.0f} req/s",
        ratio=f"{result.rps / floor.rps:.0%}",
        target=f">= {ALLOCATION_TARGET:,} takes/s" if target else "(1 connection, for contrast)",
        met=(result.rps >= ALLOCATION_TARGET and not result.failures) if target else None,
    )


def allocation(bench: Bench) -> None:
    """POST /v3/ips {"count":1} over 1 and 32 connections, SQLite, one worker."""
    built = dataset.build(dataset.SPECS["small"], dataset.sqlite_url(bench.out, "takes"), bench.out)
    added = stock_inventory(built)
    bench.notes.append(f"allocation: {added:,} free IPs in the inventory, quota leaves room")
    with servers.ipfleet(built.url, 1, bench.logs, "takes-SQLite") as server:
        url = f"{server.base}/v3/ips"
        sample = _take_sample(url, built.api_key)
        rows = []
        with servers.floor(built.url, 1, bench.logs, "takes", sample, "application/json") as fl:
            for connections in (1, bench.load.connections):
                load = replace(bench.load, connections=connections, threads=1)
                floor = wrk.run(fl.base + "/v3/ips", "v3_take.lua", [built.api_key], load)
                result = wrk.run(url, "v3_take.lua", [built.api_key], load)
                bench.check(f"takes c{connections}", result)
                what = f"v3 POST /v3/ips {{count:1}}, {connections} connection(s)"
                label = f"{what} (small + {added:,} free, SQLite, 1 worker)"
                rows.append(_take_row(label, result, floor, connections > 1))
    taken, held, quota = _takes_logged(built.url)
    if held - built.ip_count != taken:
        bench.failures.append(f"takes: {held - built.ip_count} IPs taken but {taken} logged")
    if quota is not None and held > quota:
        bench.failures.append(f"takes: {held} IPs held over a quota of {quota}")
    for row in rows:
        bench.add(row)


def _take_sample(url: str, key: str) -> bytes:
    import urllib.request

    request = urllib.request.Request(
        url,
        data=b'{"count":1}',
        headers={"Authorization": f"Bearer {key}", "Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=30) as answer:
        if answer.status != 201:
            raise RuntimeError(f"allocation answered {answer.status}")
        return bytes(answer.read())


def write_clock_cost(bench: Bench) -> None:
    """The write clock's stamp against a whole set=specify write, in process (SQLite)."""
    built = dataset.build(dataset.SPECS["small"], dataset.sqlite_url(bench.out, "clock"), bench.out)
    db = Database(built.url)
    try:
        account = get_account(db, username=built.account)
        names = Path(built.subusers_file).read_text().split()
        ips = Path(built.ips_file).read_text().split()

        def one_write(n: int) -> None:
            picked = [ips[(n * 7 + k) % len(ips)] for k in range(4)]
            user = names[n % len(names)]
            set_subuser_ips(
                db, account=account, username=user, mode=SetMode.SPECIFY, ips=picked, actor=ACTOR
            )

        write_us = _per_call_us(one_write)
        stamp = text("UPDATE write_clock SET at = :at WHERE id = 1")
        with db.engine.connect() as conn, conn.begin():
            clock_us = _per_call_us(lambda n: conn.execute(stamp, {"at": "2026-01-01"}))
    finally:
        db.dispose()
    bench.add(
        Row(
            "write_clock stamp per SQLite write, in process (small, SQLite)",
            p50_ms=clock_us / 1000,
            floor=f"{write_us:.0f} µs per whole write",
            ratio=f"{clock_us / write_us:.1%} of a write",
            target="measured (issue 11)",
            met=None,
        )
    )


def _per_call_us(work: Callable[[int], object]) -> float:
    for n in range(50):  # warm caches and statement compilation
        work(n)
    started = time.perf_counter()
    for n in range(CLOCK_ROUNDS):
        work(n)
    return (time.perf_counter() - started) / CLOCK_ROUNDS * 1e6


def _load() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def writes_phase(bench: Bench) -> None:
    """Allocation on SQLite and the write clock's cost."""
    before = _load()
    allocation(bench)
    write_clock_cost(bench)
    bench.notes.append(f"writes phase: load average {before} before, {_load()} after")


# Two nodes ----------------------------------------------------------------------------


def _split(urls: list[str], script: str, args: list[str], load: wrk.Load) -> wrk.WrkResult:
    """One wrk per URL at once, the connections shared out; their results summed."""
    share = replace(load, connections=max(1, load.connections // len(urls)), threads=1)
    with ThreadPoolExecutor(len(urls)) as pool:
        results = list(pool.map(lambda u: wrk.run(u, script, args, share), urls))
    return wrk.WrkResult(
        requests=sum(r.requests for r in results),
        seconds=max(r.seconds for r in results),
        bytes=sum(r.bytes for r in results),
        p50_ms=max(r.p50_ms for r in results),
        p99_ms=max(r.p99_ms for r in results),
        max_ms=max(r.max_ms for r in results),
        socket_errors=sum(r.socket_errors for r in results),
        non_2xx=sum(r.non_2xx for r in results),
        bad_body=sum(r.bad_body for r in results),
    )


@contextmanager
def _nodes(built: Built, bench: Bench, name: str, count: int = 2) -> Iterator[list[str]]:
    with ExitStack() as stack:
        yield [
            stack.enter_context(servers.ipfleet(built.url, 1, bench.logs, f"{name}-{n}")).base
            for n in range(count)
        ]


@contextmanager
def _floors(
    built: Built, bench: Bench, name: str, body: bytes, content_type: str
) -> Iterator[list[str]]:
    with ExitStack() as stack:
        yield [
            stack.enter_context(
                servers.floor(built.url, 1, bench.logs, f"{name}-{n}", body, content_type)
            ).base
            for n in range(2)
        ]


def _node_row(what: str, result: wrk.WrkResult, floor: wrk.WrkResult) -> Row:
    return Row(
        f"two nodes: {what} (large, PostgreSQL, 2 x `ipfleet serve`, 1 worker each)",
        result.rps,
        result.p50_ms,
        result.p99_ms,
        floor=f"{floor.rps:,.0f} req/s (two floors)",
        ratio=f"{result.rps / floor.rps:.0%}",
        target="measured (issue 11 item 7); no failures",
        met=not result.failures,
    )


def _cross_node_fresh(nodes: list[str], setup_auth: str, user: str, ips: list[str]) -> bool:
    """A write answered by one node is seen by the other's very next read."""
    form = _append_form_for(setup_auth, user, ips)
    _good(servers.fetch(f"{nodes[0]}/apiv2/customer.sendip.json", form), "two nodes: write")
    read = f"{nodes[1]}/apiv2/customer.sendip.json?{setup_auth}&task=list&user={user}"
    answer = json.loads(_good(servers.fetch(read), "two nodes: read").body)
    listed = {d["ip"] for d in answer["ips"]}
    return set(ips) <= listed


def _append_form_for(auth: str, user: str, ips: list[str]) -> bytes:
    addresses = "&".join(f"ip%5B%5D={ip.replace(':', '%3A')}" for ip in ips)
    return f"{auth}&task=append&set=specify&user={user}&{addresses}".encode()


def two_nodes(bench: Bench, built: Built) -> None:
    """S2 reads and S3 writes split across two nodes on one PostgreSQL database."""
    auth = f"api_user={built.account}&api_key={built.api_key}"
    names = Path(built.subusers_file).read_text().split()
    ips = Path(built.ips_file).read_text().split()
    prefix = f"/apiv2/customer.sendip.json?{auth}&task=list&user="
    with _nodes(built, bench, "node") as nodes:
        if not _cross_node_fresh(nodes, auth, names[1], ips[10:14]):
            bench.failures.append("two nodes: a write on one node was not read on the other")
        typical = _good(servers.fetch(nodes[0] + prefix + names[2]), "two nodes: S2")
        reads = _split(
            [f"{n}/" for n in nodes], "sendip_list.lua", [prefix, built.subusers_file], bench.load
        )
        write_args = [auth, built.subusers_file, built.ips_file]
        before = _set_ips_logged(built.url)
        writes = _split(
            [f"{n}/apiv2/customer.sendip.json" for n in nodes],
            "sendip_append.lua",
            write_args,
            bench.load,
        )
        logged = _set_ips_logged(built.url) - before
    if logged < writes.requests:
        bench.failures.append(f"two nodes: {writes.requests} writes answered, {logged} logged")
    with _floors(built, bench, "node-S2", typical.body, typical.content_type) as floors:
        read_floor = _split(
            [f"{f}/" for f in floors], "sendip_list.lua", [prefix, built.subusers_file], bench.load
        )
    with _floors(built, bench, "node-S3", SUCCESS, "application/json") as floors:
        write_floor = _split(floors, "sendip_append.lua", write_args, bench.load)
    for label, result in (("two nodes S2", reads), ("two nodes S3", writes)):
        bench.check(label, result)
    bench.add(_node_row("S2 customer.sendip.json?task=list, random subuser", reads, read_floor))
    bench.add(_node_row("S3 set=specify writes", writes, write_floor))


def nodes_phase(bench: Bench, server_url: str | None) -> None:
    """Two nodes on PostgreSQL (skipped, and said so, with no PostgreSQL answering)."""
    if server_url is None:
        bench.notes.append("two nodes skipped: no PostgreSQL answered")
        return
    url = dataset.postgres_url(server_url, "nodes")
    try:
        built = dataset.build(dataset.SPECS["large"], url, bench.out)
        before = _load()
        two_nodes(bench, built)
        bench.notes.append(f"two nodes: load average {before} before, {_load()} after")
    finally:
        dataset.drop_postgres(url)


def s3_alone(bench: Bench, server_url: str | None) -> None:
    """S3 alone on SQLite (1 worker) and PostgreSQL (2 workers), as run.py measures it; for
    working on the write path (its own database names, so other bench runs are left be)."""
    built = dataset.build(
        dataset.SPECS["large"], dataset.sqlite_url(bench.out, "w-large"), bench.out
    )
    with servers.ipfleet(built.url, 1, bench.logs, "w-large-SQLite") as server:
        s3(bench, Setup(built, server, 1, "SQLite"))
    if server_url is None:
        return
    url = dataset.postgres_url(server_url, "w_large")
    try:
        built = dataset.build(dataset.SPECS["large"], url, bench.out)
        with servers.ipfleet(built.url, 2, bench.logs, "w-large-PostgreSQL") as server:
            s3(bench, Setup(built, server, 2, "PostgreSQL"))
    finally:
        dataset.drop_postgres(url)


def main() -> None:
    """Run one of this module's phases alone and print its rows."""
    from bench.run import postgres_server

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("phase", choices=("writes", "nodes", "s3"))
    parser.add_argument("--seconds", type=int, default=5)
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--out", type=Path, default=Path(__file__).parent / "out")
    args = parser.parse_args()
    load = wrk.Load(args.connections, 1, args.seconds, 1)
    bench = Bench(args.out, load, wrk.Load(1, 1, args.seconds, 1))
    if args.phase == "writes":
        writes_phase(bench)
    elif args.phase == "s3":
        s3_alone(bench, postgres_server())
    else:
        nodes_phase(bench, postgres_server())
    for note in bench.notes + [f"FAILED: {f}" for f in bench.failures]:
        print(note)


if __name__ == "__main__":
    main()
