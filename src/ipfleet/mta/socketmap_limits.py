"""How much one socketmap server takes on, apart from the server itself: the CLI reads
these defaults when it loads, and must not load prometheus-client then (``ipfleet serve``
sets ``PROMETHEUS_MULTIPROC_DIR`` first, see cli/server.py)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Limits:
    """How much one server takes on."""

    max_connections: int = 512  # beyond this a new connection gets TEMP and is closed
    idle_timeout_s: float = 300.0  # a connection silent this long is closed
    threads: int = 4  # lookups running at once (each may hold a database connection)
