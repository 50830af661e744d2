"""Run every benchmark scenario, print the markdown table, write bench/RESULTS.md.

``make bench`` runs this. Each figure is compared with a floor measured in the same run
under the same server and worker count, because the machine may be shared and busy.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import create_engine, text
from sqlalchemy.exc import OperationalError

from bench import dataset, report, servers, writes, wrk
from bench import socketmap as smap
from bench.dataset import Built, Spec
from bench.scenarios import Bench, Setup, growth, memory, s1, s2, s3, s4
from bench.v3_reads import v3_lists

HERE = Path(__file__).parent
DEFAULT_POSTGRES = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
GROWTH_SIZES = (4_096, 16_384, 65_536)
PHASES = ("sqlite", "v3", "growth", "postgres", "socketmap", "writes", "nodes")


def postgres_server() -> str | None:
    """The PostgreSQL server to make bench databases on, if one answers."""
    url = (
        os.environ.get("IPFLEET_BENCH_POSTGRES_URL")
        or os.environ.get("IPFLEET_TEST_POSTGRES_URL")
        or DEFAULT_POSTGRES
    )
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            conn.execute(text("SELECT 1"))
    except OperationalError:
        return None
    finally:
        engine.dispose()
    return url


def _server_version(url: str) -> str:
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            return str(conn.execute(text("SHOW server_version")).scalar_one())
    finally:
        engine.dispose()


def _build(bench: Bench, spec: Spec, url: str, backend: str) -> Built:
    built = dataset.build(spec, url, bench.out)
    message = (
        f"dataset {spec.name} on {backend}: {built.ip_count:,} IPs, {spec.subusers:,} "
        f"subusers ({built.inactive:,} deactivated, {built.holdings:,} holdings), "
        f"{spec.other_accounts} other accounts, built in {built.seconds:.1f} s"
    )
    print(message)
    bench.notes.append(message)
    return built


@contextmanager
def serving(bench: Bench, built: Built, workers: int, backend: str) -> Iterator[Setup]:
    with servers.ipfleet(built.url, workers, bench.logs, f"{built.spec.name}-{backend}") as s:
        yield Setup(built, s, workers, backend)


def sqlite_phase(bench: Bench) -> None:
    """S1 on small; S2, S4, memory and S3 on large; SQLite, one worker."""
    small = _build(bench, dataset.SPECS["small"], dataset.sqlite_url(bench.out, "small"), "SQLite")
    large = _build(bench, dataset.SPECS["large"], dataset.sqlite_url(bench.out, "large"), "SQLite")
    with serving(bench, small, 1, "SQLite") as setup:
        s1(bench, setup)
    with serving(bench, large, 1, "SQLite") as setup:
        s2(bench, setup)
        s4(bench, setup)
        memory(bench, setup)
        s3(bench, setup)


def v3_phase(bench: Bench) -> None:
    """The v3 lists on small, SQLite, one worker (issue 11, item 5a)."""
    small = _build(bench, dataset.SPECS["small"], dataset.sqlite_url(bench.out, "v3"), "SQLite")
    with serving(bench, small, 1, "SQLite") as setup:
        v3_lists(bench, setup)


def growth_phase(bench: Bench) -> None:
    """S4 (json, uncached) at growing sizes: the cost per IP should stay flat."""
    baseline: float | None = None
    for size in GROWTH_SIZES:
        spec = dataset.growth_spec(size)
        built = _build(bench, spec, dataset.sqlite_url(bench.out, spec.name), "SQLite")
        with serving(bench, built, 1, "SQLite") as setup:
            baseline = growth(bench, setup, baseline)


def postgres_phase(bench: Bench, server_url: str | None) -> None:
    """S5: S1 on small, S2 and S3 on large, on PostgreSQL with two workers."""
    if server_url is None:
        bench.notes.append("S5 skipped: no PostgreSQL answered (set IPFLEET_BENCH_POSTGRES_URL)")
        print(bench.notes[-1])
        return
    made: list[str] = []
    try:
        for name in ("small", "large"):
            made.append(dataset.postgres_url(server_url, name))
        bench.notes.append(f"PostgreSQL: {_server_version(server_url)}")
        small = _build(bench, dataset.SPECS["small"], made[0], "PostgreSQL")
        large = _build(bench, dataset.SPECS["large"], made[1], "PostgreSQL")
        with serving(bench, small, 2, "PostgreSQL") as setup:
            s1(bench, setup)
        with serving(bench, large, 2, "PostgreSQL") as setup:
            s2(bench, setup)
            s3(bench, setup)
    finally:
        for url in made:
            dataset.drop_postgres(url)


def _socketmap_once(bench: Bench, url: str, backend: str) -> None:
    keys = smap.build(url, bench.out)
    load = (bench.load.connections, bench.load.seconds, bench.load.warmup)
    floors: list[smap.Result] = []
    runs: list[smap.Result] = []
    with (
        smap.floor_socketmap(url, bench.logs, backend) as floor_port,
        smap.ipfleet_socketmap(url, bench.logs, backend) as ipfleet_port,
    ):
        for _ in range(bench.repeat):  # alternate, keep each one's best run
            floors.append(smap.load(floor_port, keys, *load))
            runs.append(smap.load(ipfleet_port, keys, *load))
    best, floor = max(runs, key=lambda r: r.rate), max(floors, key=lambda r: r.rate)
    if best.failures:
        bench.failures.append(f"socketmap-{backend}: {best.failures} bad replies")
    label = f"socketmap lookups, {load[0]} connections ({backend}, 1 process)"
    bench.add(smap.row(label, best, floor))


def socketmap_phase(bench: Bench, server_url: str | None) -> None:
    """`ipfleet postfix socketmap` against its floor, on SQLite and on PostgreSQL."""
    _socketmap_once(bench, dataset.sqlite_url(bench.out, "socketmap"), "SQLite")
    if server_url is None:
        return
    url = dataset.postgres_url(server_url, "socketmap")
    try:
        _socketmap_once(bench, url, "PostgreSQL")
    finally:
        dataset.drop_postgres(url)


def _args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=5, help="measured seconds per wrk run")
    parser.add_argument("--warmup", type=int, default=1, help="warm-up seconds before each")
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument(
        "--threads",
        type=int,
        default=None,
        help="wrk threads (default: one per server worker, so 1 against a 1-worker server)",
    )
    parser.add_argument(
        "--repeat", type=int, default=1, help="alternate floor and ipfleet runs N times, keep best"
    )
    parser.add_argument(
        "--only",
        choices=PHASES,
        action="append",
        help="run only this phase (repeatable); bench/RESULTS.md is then left alone",
    )
    parser.add_argument("--out", type=Path, default=HERE / "out", help="work directory")
    return parser.parse_args()


def main() -> int:
    """Run the phases, print the table, write RESULTS.md; 1 if any request failed."""
    args = _args()
    wrk.find_wrk()
    info = report.machine()
    load = wrk.Load(args.connections, args.threads or 1, args.seconds, args.warmup)
    latency = wrk.Load(1, 1, args.seconds, args.warmup)
    bench = Bench(args.out, load, latency, args.repeat, threads=args.threads)
    phases: dict[str, Callable[[], None]] = {
        "sqlite": lambda: sqlite_phase(bench),
        "v3": lambda: v3_phase(bench),
        "growth": lambda: growth_phase(bench),
        "postgres": lambda: postgres_phase(bench, postgres_server()),
        "socketmap": lambda: socketmap_phase(bench, postgres_server()),
        "writes": lambda: writes.writes_phase(bench),
        "nodes": lambda: writes.nodes_phase(bench, postgres_server()),
    }
    started = time.monotonic()
    for name in args.only or PHASES:
        print(f"== {name}")
        phases[name]()
    info["load average at end"] = " ".join(f"{x:.2f}" for x in os.getloadavg())
    threads = f"-t{args.threads}" if args.threads else "one thread per server worker (-t1 vs 1)"
    info["wrk"] = (
        f"{info['wrk']}; {threads}, -c{load.connections} unless the row says otherwise, "
        f"{load.warmup} s warm-up + {load.seconds} s per run, best of {args.repeat} "
        "alternating floor/ipfleet runs (S4: -t1 -c1); each row gives its wrk -t/-c and the "
        "1-minute load average before and after its floor/ipfleet pair"
    )
    info["run time"] = f"{time.monotonic() - started:.0f} s"
    bench.notes += [f"FAILED: {f}" for f in bench.failures]
    print()
    print(report.table(bench.rows))
    if not args.only:
        (HERE / "RESULTS.md").write_text(report.document(bench.rows, info, bench.notes))
        print(f"\nwritten to {HERE / 'RESULTS.md'}")
    if bench.failures:
        print("\nFAILED:\n" + "\n".join(f"  {f}" for f in bench.failures), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
