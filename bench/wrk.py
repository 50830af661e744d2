"""Driving wrk (the load generator, a separate process over loopback) and reading its result."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

LUA = Path(__file__).parent / "lua"
MARK = "BENCH_RESULT "


@dataclass(frozen=True, slots=True)
class Load:
    """How hard wrk pushes: connections, threads, seconds measured, seconds of warm-up."""

    connections: int = 32
    threads: int = 2
    seconds: int = 5
    warmup: int = 1


@dataclass(frozen=True, slots=True)
class WrkResult:
    requests: int
    seconds: float
    bytes: int
    p50_ms: float
    p99_ms: float
    max_ms: float
    socket_errors: int
    non_2xx: int
    bad_body: int

    @property
    def rps(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0

    @property
    def failures(self) -> int:
        """Every request that did not come back as a good answer."""
        return self.socket_errors + self.non_2xx + self.bad_body

    def describe_failures(self) -> str:
        return (
            f"{self.non_2xx} non-2xx, {self.bad_body} bad bodies, "
            f"{self.socket_errors} socket errors/timeouts"
        )


def find_wrk() -> str:
    """The wrk binary, or a clear request to install it."""
    found = shutil.which("wrk")
    if found is None:
        raise SystemExit(
            "bench needs wrk (the Debian package 'wrk'): apt-get install wrk "
            "(make bench installs it when run as root)"
        )
    return found


def version() -> str:
    """wrk's version line."""
    out = subprocess.run(
        [find_wrk(), "--version"], capture_output=True, text=True, check=False
    ).stdout
    return out.split(" Copyright")[0].strip()


def parse(output: str) -> WrkResult:
    """The result line a bench Lua script prints when wrk finishes."""
    for line in output.splitlines():
        if line.startswith(MARK):
            raw = json.loads(line[len(MARK) :])
            return WrkResult(
                requests=raw["requests"],
                seconds=raw["duration_us"] / 1e6,
                bytes=raw["bytes"],
                p50_ms=raw["p50_us"] / 1000,
                p99_ms=raw["p99_us"] / 1000,
                max_ms=raw["max_us"] / 1000,
                socket_errors=raw["connect"] + raw["read"] + raw["write"] + raw["timeout"],
                non_2xx=raw["status"],
                bad_body=raw["bad_body"],
            )
    raise RuntimeError(f"wrk printed no result line:\n{output}")


def threads_for(workers: int, asked: int | None) -> int:
    """wrk threads against a server of ``workers`` workers: one per worker unless asked.

    On a 2-core machine a second wrk thread takes a core from a one-worker server, and
    it takes more from the floor (which would use it) than from ipfleet, inflating the
    ratio; so a one-worker server gets one wrk thread.
    """
    return asked if asked is not None else max(1, min(workers, os.cpu_count() or 1))


def _wrk(
    url: str, script: str, args: list[str], load: Load, seconds: int, headers: list[str]
) -> WrkResult:
    cmd = [
        find_wrk(),
        f"-t{load.threads}",
        f"-c{load.connections}",
        f"-d{seconds}s",
        "--timeout",
        "10s",
        "--latency",
        *[part for header in headers for part in ("-H", header)],
        "-s",
        script,
        url,
        "--",
        *args,
    ]
    # The scripts load report.lua relative to the working directory.
    done = subprocess.run(
        cmd, cwd=LUA, capture_output=True, text=True, check=False, env=dict(os.environ)
    )
    if done.returncode != 0:
        raise RuntimeError(f"wrk failed ({done.returncode}): {done.stderr}\n{done.stdout}")
    return parse(done.stdout)


def run(
    url: str, script: str, args: list[str], load: Load, headers: list[str] | None = None
) -> WrkResult:
    """Warm the server up, then measure ``load.seconds`` of ``script`` against ``url``."""
    if load.warmup > 0:
        _wrk(url, script, args, load, load.warmup, headers or [])
    return _wrk(url, script, args, load, load.seconds, headers or [])
