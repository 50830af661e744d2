"""Time spent in the database, as Prometheus counters, at a cost a hot read can afford.

An update of a Prometheus metric in multiprocess mode costs ~3.5 µs (measured on the
bench machine: it writes to a shared memory-mapped file under a lock), about as much as
the hot-path key check it would time. So each worker sums the times in plain floats
(``observe``, under a lock: well under a microsecond) and adds the sums to the counters
once a second from a daemon thread, and before it answers a scrape. A scrape answered by
one worker may therefore miss up to the last second of another worker's database time.
"""

from __future__ import annotations

import threading
import time

from prometheus_client import Counter

DB_SECONDS = Counter(
    "ipfleet_db_seconds_total",
    "Time spent in the database, by operation: read (a read transaction), write (the "
    "commit of a batch of writes), hot (a hot-path read statement, e.g. a key check).",
    ["operation"],
)
DB_OPERATIONS = Counter(
    "ipfleet_db_operations_total",
    "Database operations timed in ipfleet_db_seconds_total, by operation.",
    ["operation"],
)
#: Seconds between two flushes of the sums into the counters.
FLUSH_EVERY_S = 1.0


class DbTime:
    """A worker's database time, summed in memory and flushed to the counters."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._pending: dict[str, list[float]] = {}  # operation -> [seconds, count]
        self._flusher: threading.Thread | None = None

    def observe(self, operation: str, seconds: float) -> None:
        """Count one database operation of ``seconds`` (the store's observer)."""
        with self._lock:
            sums = self._pending.get(operation)
            if sums is None:
                sums = self._pending[operation] = [0.0, 0.0]
            sums[0] += seconds
            sums[1] += 1
            if self._flusher is None:  # started on first use, in the worker that uses it
                self._flusher = threading.Thread(
                    target=self._flush_forever, name="ipfleet-db-time", daemon=True
                )
                self._flusher.start()

    def flush(self) -> None:
        """Add the sums so far to the counters."""
        with self._lock:
            pending, self._pending = self._pending, {}
        for operation, (seconds, count) in pending.items():
            DB_SECONDS.labels(operation).inc(seconds)
            DB_OPERATIONS.labels(operation).inc(count)

    def _flush_forever(self) -> None:
        while True:
            time.sleep(FLUSH_EVERY_S)
            self.flush()


#: This process's (worker's) database time.
DB_TIME = DbTime()
