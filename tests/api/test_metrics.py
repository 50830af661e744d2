"""/metrics in process: who may read it, and what a request adds to it."""

from __future__ import annotations

import anyio.from_thread
from sqlalchemy import text

from ipfleet.config import Settings
from ipfleet.services import ips
from ipfleet.services.accounts import create_account, get_account
from ipfleet.services.inventory import add_to_inventory
from ipfleet.store.uow import Database
from tests.support.dataplane import ACTOR, seed, set_active
from tests.support.inprocess import fetch
from tests.support.metrics import sample
from tests.support.seed import Sub, seed_subuser

TOKEN = "metrics-token-0123456789"


def test_loopback_only_without_a_token(
    portal: anyio.from_thread.BlockingPortal, sqlite_url: str
) -> None:
    settings = Settings(database_url=sqlite_url)
    (ok,) = fetch(portal, settings, ["/metrics"])
    assert ok.status_code == 200
    assert ok.headers["content-type"] == "text/plain; version=0.0.4; charset=utf-8"
    (far,) = fetch(portal, settings, ["/metrics"], peer=("192.0.2.7", 40000))
    assert (far.status_code, far.json()["title"]) == (
        403,
        "metrics are served to loopback clients only",
    )


def test_a_token_is_needed_when_one_is_set(
    portal: anyio.from_thread.BlockingPortal, sqlite_url: str
) -> None:
    settings = Settings(database_url=sqlite_url, metrics_token=TOKEN)
    for headers in (None, {"Authorization": "Bearer wrong"}, {"Authorization": TOKEN}):
        (refused,) = fetch(portal, settings, ["/metrics"], headers=headers)
        assert (refused.status_code, refused.headers["www-authenticate"]) == (401, "Bearer")
        assert TOKEN not in refused.text
    auth = {"Authorization": f"Bearer {TOKEN}"}
    (ok,) = fetch(portal, settings, ["/metrics"], peer=("192.0.2.7", 1), headers=auth)
    assert ok.status_code == 200


def test_requests_latency_and_auth_failures_are_counted(
    portal: anyio.from_thread.BlockingPortal, sqlite_url: str
) -> None:
    settings = Settings(database_url=sqlite_url)
    route = "/apiv2/customer.ip.json"
    bad = f"{route}?api_user=nobody&api_key=wrong"
    (before,) = fetch(portal, settings, ["/metrics"])
    *_, after = fetch(portal, settings, [bad, bad, "/v3/ips", "/readyz", "/metrics"])
    labels = {"api": "v2", "method": "GET", "route": route, "status": "200"}
    for name, want, extra in [
        ("ipfleet_http_requests_total", 2, labels),
        ("ipfleet_http_request_duration_seconds_count", 2, {"api": "v2", "route": route}),
        ("ipfleet_auth_failures_total", 2, {"api": "v2"}),  # answered 200, SendGrid's way
        ("ipfleet_auth_failures_total", 1, {"api": "v3"}),
        (
            "ipfleet_http_requests_total",
            1,
            {"api": "own", "method": "GET", "route": "/readyz", "status": "200"},
        ),
    ]:
        got = sample(after.text, name, **extra) - sample(before.text, name, **extra)
        assert got == want, (name, extra)


def v2_state_counts(
    portal: anyio.from_thread.BlockingPortal, settings: Settings, user: str, key: str
) -> dict[str, int]:
    """How many of an account's IPs v2 ``customer.ip`` lists in each state."""
    states = ["all", "free", "taken", "available"]
    paths = [f"/apiv2/customer.ip.json?api_user={user}&api_key={key}&list={s}" for s in states]
    return {s: len(r.json()) for s, r in zip(states, fetch(portal, settings, paths), strict=True)}


def test_fleet_gauges_add_up_every_account_and_the_inventory(
    portal: anyio.from_thread.BlockingPortal, db: Database, db_url: str
) -> None:
    world = seed(db)  # acme: 7 IPs, 6 on MTAs; bob, carol, dave hold 5 of them
    set_active(db, "carol", False)  # carol's IP is taken but available
    _, other_key = create_account(db, username="other", outbound_cluster=None, actor=ACTOR)
    other = get_account(db, username="other")
    ips.add_ips(db, account=other, specs=["192.0.2.1", "192.0.2.2"], actor=ACTOR)
    seed_subuser(db, other, "olive", Sub(held=["192.0.2.1"]))
    add_to_inventory(db, specs=[f"198.51.100.{n}" for n in range(1, 5)], mta="mta1", actor=ACTOR)
    add_to_inventory(db, specs=["198.51.100.8"], actor=ACTOR)
    settings = Settings(database_url=db_url)
    per_account = [
        v2_state_counts(portal, settings, "acme", world.api_key),
        v2_state_counts(portal, settings, "other", other_key),
    ]
    (page,) = fetch(portal, settings, ["/metrics"])
    assert sample(page.text, "ipfleet_database_up") == 1
    for state in ("all", "free", "taken", "available"):
        want = sum(counts[state] for counts in per_account)
        assert sample(page.text, "ipfleet_ips", state=state) == want, state
    # mta1: acme's five and four free; mta2: dave's one; none: acme's .7, other's two, .8.
    for mta, free, used in [("mta1", 4, 5), ("mta2", 0, 1), ("", 1, 3)]:
        assert sample(page.text, "ipfleet_inventory_ips", mta=mta, status="free") == free, mta
        assert sample(page.text, "ipfleet_inventory_ips", mta=mta, status="used") == used, mta


def test_a_database_error_costs_the_gauges_not_the_scrape(
    portal: anyio.from_thread.BlockingPortal, db: Database, db_url: str
) -> None:
    seed(db)
    with db.engine.begin() as conn:  # a real failure of the gauges' query
        conn.execute(text("ALTER TABLE holdings RENAME TO holdings_away"))
    settings = Settings(database_url=db_url)
    (page,) = fetch(portal, settings, ["/metrics"])
    assert page.status_code == 200
    assert sample(page.text, "ipfleet_database_up") == 0
    assert "ipfleet_ips{" not in page.text
    assert "ipfleet_http_requests_total" in page.text


def test_database_time_is_counted_by_operation(
    portal: anyio.from_thread.BlockingPortal, db: Database, db_url: str
) -> None:
    world = seed(db)
    auth = f"api_user=acme&api_key={world.api_key}"
    settings = Settings(database_url=db_url)
    (before,) = fetch(portal, settings, ["/metrics"])
    *_, after = fetch(
        portal,
        settings,
        [
            f"/apiv2/customer.ip.json?{auth}&list=all",  # the key check: a hot statement
            f"/apiv2/customer.sendip.json?{auth}&task=append&user=bob&set=specify"
            "&ip[]=127.0.0.2",  # a write
            "/ui/login",
            "/metrics",
        ],
    )
    for operation in ("hot", "write"):
        for name in ("ipfleet_db_operations_total", "ipfleet_db_seconds_total"):
            grown = sample(after.text, name, operation=operation) - sample(
                before.text, name, operation=operation
            )
            assert grown > 0, (name, operation)
