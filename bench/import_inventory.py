"""How long a bulk inventory import takes through the real CLI.

Imports 10.0.0.0/16 (65,534 host addresses) into a fresh, migrated SQLite database with
``ipfleet inventory add 10.0.0.0/16 --json``, then runs the same command again (which must
add nothing: the import is idempotent). Each run is timed end to end, process start
included; the start-up of a trivial command on the same database is timed too, so the
import's own cost can be read off.

    python -m bench.import_inventory [--range 10.0.0.0/16] [--url DATABASE_URL]

With ``--url`` the import goes to that (already empty) database instead of a fresh SQLite
file; the schema is migrated first.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from ipfleet.domain.addresses import host_count, parse_network

IPFLEET = Path(sys.executable).parent / "ipfleet"


def run(url: str, *args: str) -> tuple[float, Any]:
    """Seconds taken by one ``ipfleet`` command, and its parsed --json output."""
    env = {**os.environ, "IPFLEET_DATABASE_URL": url}
    start = time.perf_counter()
    done = subprocess.run(
        [str(IPFLEET), *args, "--json"], capture_output=True, text=True, env=env, check=False
    )
    elapsed = time.perf_counter() - start
    if done.returncode != 0:
        raise SystemExit(f"ipfleet {' '.join(args)} failed ({done.returncode}): {done.stderr}")
    return elapsed, json.loads(done.stdout)


def measure(url: str, cidr: str) -> None:
    hosts = host_count(parse_network(cidr))
    run(url, "db", "upgrade")
    startup, _ = run(url, "account", "list")
    print(f"database: {url}")
    print(f"range: {cidr} ({hosts:,} host addresses)")
    print(f"start-up of a trivial command: {startup:.2f} s")
    for label, expect_added in (("first import", hosts), ("second import (idempotent)", 0)):
        seconds, result = run(url, "inventory", "add", cidr)
        if (
            result["added"] != expect_added
            or result["added"] + result["already_in_inventory"] != hosts
        ):
            raise SystemExit(f"{label}: unexpected result {result}")
        own = max(seconds - startup, 1e-9)
        print(
            f"{label}: {seconds:.2f} s, {hosts / seconds:,.0f} addresses/s "
            f"({own:.2f} s and {hosts / own:,.0f} addresses/s without start-up); {result}"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--range", default="10.0.0.0/16", help="the CIDR range to import")
    parser.add_argument("--url", help="database URL (default: a fresh SQLite file)")
    args = parser.parse_args()
    if args.url:
        measure(args.url, args.range)
        return
    with tempfile.TemporaryDirectory() as tmp:
        measure(f"sqlite:///{tmp}/inventory.db", args.range)


if __name__ == "__main__":
    main()
