"""Prometheus metrics of the HTTP APIs, counted in every granian worker, served at /metrics.

``ipfleet serve`` points ``PROMETHEUS_MULTIPROC_DIR`` at an emptied directory before its
workers start; each worker then keeps its counts in files there, and a scrape (answered
by whichever worker gets it) adds up the files of all of them (``ipfleet/prometheus.py``).
Without that variable (the app in process, in tests) the counts are the process's own.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Iterator, MutableMapping
from typing import Any

from anyio import to_thread
from prometheus_client import Counter, Histogram
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.registry import Collector

from ipfleet import prometheus
from ipfleet.api.body import header
from ipfleet.api.db_time import DB_TIME
from ipfleet.services.fleet import FleetCounts, fleet_counts
from ipfleet.store.uow import Database

log = logging.getLogger("ipfleet.metrics")
#: How long a scrape waits for the fleet gauges before answering without them.
FLEET_TIMEOUT_S = 2.0

REQUESTS = Counter(
    "ipfleet_http_requests_total",
    "HTTP requests answered, by API, method, route template and status.",
    ["api", "method", "route", "status"],
)
LATENCY = Histogram(
    "ipfleet_http_request_duration_seconds",
    "Time from a request's arrival to the end of its answer, by API and route template.",
    ["api", "route"],
    buckets=(0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
)
AUTH_FAILURES = Counter(
    "ipfleet_auth_failures_total",
    "Requests refused for missing or wrong credentials, by API.",
    ["api"],
)
V2_CACHE = Counter(
    "ipfleet_v2_cache_lookups_total",
    "Lookups in the per-worker cache of rendered v2 read answers, by result.",
    ["result"],
)

#: Set in the scope by an API that refused the caller's credentials (v2 answers 200).
AUTH_FAILED_KEY = "ipfleet.auth_failed"


def api_of(path: str) -> str:
    """Which API a path belongs to: v2, v3 or ipfleet's own endpoints."""
    if path.startswith("/apiv2/"):
        return "v2"
    if path == "/v3" or path.startswith("/v3/"):
        return "v3"
    return "own"


def observe(scope: MutableMapping[str, Any], route: str, status: int, seconds: float) -> None:
    """Count one answered request."""
    api = api_of(str(scope.get("path", "")))
    REQUESTS.labels(api, str(scope.get("method", "")), route, str(status)).inc()
    LATENCY.labels(api, route).observe(seconds)
    if status == 401 or scope.get(AUTH_FAILED_KEY):
        AUTH_FAILURES.labels(api).inc()


def may_scrape(scope: MutableMapping[str, Any], token: str | None) -> bool:
    """Whether this request may read /metrics (a token when one is set, else loopback)."""
    sent = header(scope, b"authorization").encode("latin-1")
    client = scope.get("client")
    return prometheus.may_scrape(sent, client[0] if client else None, token)


class FleetCollector(Collector):
    """The fleet gauges of one scrape, read from the database by the scraping worker (so
    counted once, whatever the number of workers); ``None`` when the database did not
    answer, which ``ipfleet_database_up`` then says."""

    def __init__(self, counts: FleetCounts | None) -> None:
        self.counts = counts

    def collect(self) -> Iterator[Metric]:
        up = GaugeMetricFamily("ipfleet_database_up", "1 when this scrape could read the database.")
        up.add_metric([], 0 if self.counts is None else 1)
        yield up
        if self.counts is None:
            return
        ips = GaugeMetricFamily(
            "ipfleet_ips",
            "IPs on accounts, by v2 state, summed over every account (all = free + taken).",
            labels=["state"],
        )
        for state, n in self.counts.states.items():
            ips.add_metric([state.value], n)
        yield ips
        inventory = GaugeMetricFamily(
            "ipfleet_inventory_ips",
            "Every known IP by the MTA it is plumbed on (empty: none yet) and whether it is "
            "free (in the platform inventory) or used (on an account).",
            labels=["mta", "status"],
        )
        for mta, free, used in self.counts.inventory:
            inventory.add_metric([mta or "", "free"], free)
            inventory.add_metric([mta or "", "used"], used)
        yield inventory


async def scrape(db: Database) -> bytes:
    """The exposition of a /metrics request: the counts of every worker and the fleet
    gauges, read in a thread (the event loop never waits on the database) within
    ``FLEET_TIMEOUT_S`` — a slow database costs the gauges, not the scrape."""
    try:
        async with asyncio.timeout(FLEET_TIMEOUT_S):
            counts: FleetCounts | None = await to_thread.run_sync(
                fleet_counts, db, abandon_on_cancel=True
            )
    except Exception as exc:  # the gauges are best effort; the counters still answer
        log.warning("metrics: the fleet gauges could not be read (%s)", type(exc).__name__)
        counts = None
    DB_TIME.flush()  # this worker's latest database time, before it is read
    return prometheus.exposition([FleetCollector(counts)])
