"""Prometheus metrics of the HTTP APIs, counted in every granian worker, served at /metrics.

``ipfleet serve`` points ``PROMETHEUS_MULTIPROC_DIR`` at an emptied directory before its
workers start; each worker then keeps its counts in files there, and a scrape (answered
by whichever worker gets it) adds up the files of all of them. Without that variable (the
app in process, in tests) the counts are the process's own.

Access: with ``IPFLEET_METRICS_TOKEN`` set, a scrape must send ``Authorization: Bearer
<token>``; without it, only loopback clients are answered.
"""

from __future__ import annotations

import hmac
import ipaddress
import os
from collections.abc import MutableMapping
from typing import Any

from prometheus_client import (
    REGISTRY,
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
    multiprocess,
)

MULTIPROC_ENV = "PROMETHEUS_MULTIPROC_DIR"
#: The classic text format every Prometheus reads (the server adds the charset).
CONTENT_TYPE = "text/plain; version=0.0.4"

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


def exposition() -> tuple[bytes, str]:
    """The current counts in Prometheus text format (all workers' in multiprocess mode)."""
    if os.environ.get(MULTIPROC_ENV):
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)  # type: ignore[no-untyped-call]
        return generate_latest(registry), CONTENT_TYPE
    return generate_latest(REGISTRY), CONTENT_TYPE


def may_scrape(scope: MutableMapping[str, Any], token: str | None) -> bool:
    """Whether this request may read /metrics (a token when one is set, else loopback)."""
    if token:
        sent = b""
        for key, value in scope.get("headers", ()):
            if key.lower() == b"authorization":
                sent = bytes(value)
        return hmac.compare_digest(sent, b"Bearer " + token.encode())
    client = scope.get("client")
    try:
        return client is not None and ipaddress.ip_address(client[0]).is_loopback
    except ValueError:
        return False
