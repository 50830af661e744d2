"""The figures a run publishes: counted by the tests, written at the end of the session.

When ``IPFLEET_RELIABILITY_FIGURES`` names a file, the counts of the whole session are
written there as JSON (``make reliability`` does this); docs/reliability.md quotes them.
"""

from __future__ import annotations

import json
import os
import threading
from collections import Counter
from pathlib import Path
from typing import Any

_lock = threading.Lock()
COUNTS: Counter[str] = Counter()
ROUTES: dict[str, set[str]] = {}  # what was checked -> route keys it covered


def add(name: str, n: int = 1) -> None:
    """Count ``n`` more of ``name`` (bad inputs tried, kills survived, writes sent...)."""
    with _lock:
        COUNTS[name] += n


def highest(name: str, value: int) -> None:
    """Keep the highest ``value`` seen for ``name`` (a latency, over both backends)."""
    with _lock:
        COUNTS[name] = max(COUNTS[name], value)


def covered(check: str, route: str) -> None:
    """Note that ``check`` ran against ``route``."""
    with _lock:
        ROUTES.setdefault(check, set()).add(route)


def summary() -> dict[str, Any]:
    return {
        "counts": dict(sorted(COUNTS.items())),
        "routes_covered": {k: len(v) for k, v in sorted(ROUTES.items())},
    }


def write_if_asked(extra: dict[str, Any]) -> Path | None:
    """Write the figures where ``IPFLEET_RELIABILITY_FIGURES`` says, if it says."""
    target = os.environ.get("IPFLEET_RELIABILITY_FIGURES")
    if not target:
        return None
    path = Path(target)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps({**summary(), **extra}, indent=2) + "\n", encoding="utf-8")
    return path
