"""Prometheus exposition and who may read it, shared by every ipfleet process that serves
metrics: ``ipfleet serve`` (its ``/metrics`` route) and ``ipfleet postfix socketmap``
(its ``--metrics-listen`` port).

Counts live in prometheus-client's default registry; under ``ipfleet serve`` every granian
worker keeps them in files of ``PROMETHEUS_MULTIPROC_DIR`` and a scrape adds up the files
of all of them. Values read from the database at scrape time (the fleet gauges) are passed
in as extra collectors, so they are counted once, not once per worker.

Access: with ``IPFLEET_METRICS_TOKEN`` set, a scrape must send ``Authorization: Bearer
<token>``; without it, only loopback clients are answered.
"""

from __future__ import annotations

import hmac
import ipaddress
import os
from collections.abc import Sequence

from prometheus_client import REGISTRY, CollectorRegistry, generate_latest, multiprocess
from prometheus_client.registry import Collector

MULTIPROC_ENV = "PROMETHEUS_MULTIPROC_DIR"
#: The classic text format every Prometheus reads (the server adds the charset).
CONTENT_TYPE = "text/plain; version=0.0.4"


def exposition(extra: Sequence[Collector] = ()) -> bytes:
    """The current counts in Prometheus text format (all workers' in multiprocess mode),
    followed by the samples of ``extra``."""
    if os.environ.get(MULTIPROC_ENV):
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)  # type: ignore[no-untyped-call]
    else:
        registry = REGISTRY
    body = generate_latest(registry)
    if extra:
        scrape_only = CollectorRegistry()
        for collector in extra:
            scrape_only.register(collector)
        body += generate_latest(scrape_only)
    return body


def may_scrape(authorization: bytes, peer: str | None, token: str | None) -> bool:
    """Whether a scrape with this ``Authorization`` header from ``peer`` may read metrics:
    the bearer token when one is set (compared in constant time), else loopback only."""
    if token:
        return hmac.compare_digest(authorization, b"Bearer " + token.encode())
    try:
        return peer is not None and ipaddress.ip_address(peer).is_loopback
    except ValueError:
        return False
