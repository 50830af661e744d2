"""/metrics on a real server with two granian workers: a scrape, answered by one worker,
counts the requests both workers served."""

from __future__ import annotations

import time
from pathlib import Path

import httpx

from ipfleet.api.db_time import FLUSH_EVERY_S
from ipfleet.store.uow import Database
from tests.e2e.v2.e2e_server import ACCOUNT, seed
from tests.support.metrics import sample
from tests.support.server import serving

ROUTE = "/apiv2/customer.ip.json"
MOST = 2000


def worker_pids(metrics_dir: Path) -> set[str]:
    """The processes that have counted something (one file per process and metric type)."""
    return {p.stem.rsplit("_", 1)[-1] for p in metrics_dir.glob("counter_*.db")}


def test_a_scrape_counts_both_workers(db_url: str, tmp_path: Path) -> None:
    db = Database(db_url)
    key, _other = seed(db)
    db.dispose()
    metrics_dir = tmp_path / "metrics"
    env = {"IPFLEET_METRICS_DIR": str(metrics_dir)}
    good = {"api_user": ACCOUNT, "api_key": key, "list": "all"}
    bad = {"api_user": ACCOUNT, "api_key": "SG.wrong.wrong"}
    sent = refused = 0
    with serving(db_url, workers=2, env=env) as server:
        # A new connection each time, so granian hands requests to either worker; go on
        # until both have counted some.
        while sent < MOST and (sent < 50 or len(worker_pids(metrics_dir)) < 2):
            assert httpx.get(f"{server.base}{ROUTE}", params=good).status_code == 200
            sent += 1
            if sent % 5 == 0:
                httpx.get(f"{server.base}{ROUTE}", params=bad)
                refused += 1
        assert len(worker_pids(metrics_dir)) == 2, "one worker served every request"
        time.sleep(FLUSH_EVERY_S * 2)  # each worker adds its database time once a second
        text = httpx.get(f"{server.base}/metrics").text
    labels = {"api": "v2", "method": "GET", "route": ROUTE, "status": "200"}
    # Good and refused calls alike answer 200 (SendGrid's way); the refused are counted apart.
    assert sample(text, "ipfleet_http_requests_total", **labels) == sent + refused
    assert sample(text, "ipfleet_auth_failures_total", api="v2") == refused
    count = "ipfleet_http_request_duration_seconds_count"
    assert sample(text, count, api="v2", route=ROUTE) == sent + refused
    # Every good call checked its key in the database, whichever worker answered it (a
    # malformed key is refused before any lookup).
    assert sample(text, "ipfleet_db_operations_total", operation="hot") >= sent
