"""The results table (markdown) and the machine it was measured on."""

from __future__ import annotations

import os
import platform
import sqlite3
import subprocess
from dataclasses import dataclass
from datetime import UTC, datetime
from importlib.metadata import version
from pathlib import Path

from bench import wrk

HEADER = (
    "scenario",
    "req/s",
    "p50",
    "p99",
    "floor",
    "ratio",
    "target",
    "met?",
    "load avg (1 min) before → after",
)


@dataclass(frozen=True, slots=True)
class Row:
    """One line of the table; ``met`` is None where a row has no target."""

    scenario: str
    rps: float | None = None
    p50_ms: float | None = None
    p99_ms: float | None = None
    floor: str = ""
    ratio: str = ""
    target: str = ""
    met: bool | None = None
    uptime: str = ""  # the 1-minute load average before -> after the measurement


def ms(value: float | None) -> str:
    if value is None:
        return ""
    return f"{value:.2f} ms" if value < 10 else f"{value:.1f} ms"


def count(value: float | None) -> str:
    return "" if value is None else f"{value:,.0f}"


def _cells(row: Row) -> tuple[str, ...]:
    met = "" if row.met is None else ("yes" if row.met else "**no**")
    return (
        row.scenario,
        count(row.rps),
        ms(row.p50_ms),
        ms(row.p99_ms),
        row.floor,
        row.ratio,
        row.target,
        met,
        row.uptime,
    )


def table(rows: list[Row]) -> str:
    """The rows as a markdown table."""
    lines = ["| " + " | ".join(HEADER) + " |", "|" + "---|" * len(HEADER)]
    lines += ["| " + " | ".join(_cells(r)) + " |" for r in rows]
    return "\n".join(lines)


def _cpu_model() -> str:
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            return line.split(":", 1)[1].strip()
    return platform.processor() or "unknown"


def _git_commit() -> str:
    done = subprocess.run(
        ["git", "describe", "--always", "--dirty"],
        capture_output=True,
        text=True,
        check=False,
        cwd=Path(__file__).parent,
    )
    return done.stdout.strip() or "unknown"


def machine() -> dict[str, str]:
    """What the numbers were measured on."""
    mem_kb = next(
        int(line.split()[1])
        for line in Path("/proc/meminfo").read_text().splitlines()
        if line.startswith("MemTotal:")
    )
    load = os.getloadavg()
    return {
        "date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "commit": _git_commit(),
        "cpus": f"{os.cpu_count()} x {_cpu_model()}",
        "memory": f"{mem_kb / 1024 / 1024:.1f} GiB",
        "os": f"{platform.system()} {platform.release()}",
        "python": platform.python_version(),
        "granian": version("granian"),
        "sqlalchemy": version("sqlalchemy"),
        "sqlite": sqlite3.sqlite_version,
        "wrk": wrk.version(),
        "load average at start": " ".join(f"{x:.2f}" for x in load),
    }


def document(rows: list[Row], info: dict[str, str], notes: list[str]) -> str:
    """The whole of bench/RESULTS.md."""
    parts = [
        "# Benchmark results",
        "",
        "Written by `make bench` (`python -m bench.run`); see docs/performance.md for what "
        "each scenario measures. Every ratio compares figures measured in this one run, "
        "on this machine, under the same server and worker count.",
        "",
        "## Machine",
        "",
        *[f"- {k}: {v}" for k, v in info.items()],
        "",
        "## Results",
        "",
        table(rows),
        "",
    ]
    if notes:
        parts += ["## Notes", "", *[f"- {n}" for n in notes], ""]
    return "\n".join(parts)
