"""Credential guessing (issue 12): failed authentications are counted per client address
and per name (v2 ``api_user``, v3 key id, the subuser of ``customer.auth``) over a window
shared by every worker; past a limit, 429 (v3) or the v2 error body with a ``Retry-After``.
Successful requests never touch the counters; each failure is logged at WARNING with the
client, the name and the request id, never the secret."""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlencode

import anyio.from_thread
import httpx
import pytest
from sqlalchemy import event

from ipfleet.api.app import IpfleetApp, create_app
from ipfleet.config import Settings
from ipfleet.store.uow import Database
from tests.reliability import rel_figures
from tests.reliability.rel_world import PASSWORD, A, B, World, seed
from tests.support.server import serving

LIMITS = {"auth_failures_per_client": 5, "auth_failures_per_name": 3}


class Clients:
    """In-process clients of apps on one database, each from a client address of its own."""

    def __init__(self, portal: anyio.from_thread.BlockingPortal, db_url: str) -> None:
        self.portal, self.db_url = portal, db_url
        self.apps: list[IpfleetApp] = []
        self.http: list[httpx.AsyncClient] = []

    def app(self, **settings: Any) -> IpfleetApp:
        self.apps.append(create_app(Settings(database_url=self.db_url, **settings)))
        return self.apps[-1]

    def call(self, app: IpfleetApp, addr: str, method: str, url: str, **kw: Any) -> httpx.Response:
        transport = httpx.ASGITransport(app=app, client=(addr, 40_000))
        http = httpx.AsyncClient(transport=transport, base_url="http://testserver")
        self.http.append(http)
        return self.portal.call(lambda: http.request(method, url, **kw))

    def close(self) -> None:
        for http in self.http:
            self.portal.call(http.aclose)
        for app in self.apps:
            app.db.dispose()


@pytest.fixture
def clients(
    world: World, portal: anyio.from_thread.BlockingPortal, db_url: str
) -> Iterator[Clients]:
    made = Clients(portal, db_url)
    yield made
    made.close()


def v2_url(api_user: str, key: str, call: str = "customer.ip", **more: str) -> str:
    query = {"api_user": api_user, "api_key": key, "list": "all", **more}
    return f"/apiv2/{call}.json?{urlencode(query)}"


def test_v2_guesses_from_one_client_get_429_then_even_right_keys_do(
    clients: Clients, world: World
) -> None:
    app = clients.app(v2_http_errors=True, **LIMITS)
    wrong = world.b.key[:-1] + ("x" if world.b.key[-1] != "x" else "y")
    statuses = []
    for n in range(6):  # a different name each time: the client limit (5) is what trips
        resp = clients.call(app, "10.9.9.9", "GET", v2_url(f"guess-{n}", wrong))
        statuses.append(resp.status_code)
    assert statuses == [401] * 5 + [429]
    assert resp.json() == {
        "error": {"code": 429, "message": "Too many failed authentications; retry later"}
    }
    assert 1 <= int(resp.headers["retry-after"]) <= 61
    right = clients.call(app, "10.9.9.9", "GET", v2_url(B, world.b.key))
    assert right.status_code == 429  # the client is blocked, whatever it sends now
    other = clients.call(app, "10.9.9.10", "GET", v2_url(B, world.b.key))
    assert other.status_code == 200, other.text
    # SendGrid's mode: the same error body with HTTP 200, and the Retry-After.
    soft = clients.app(**LIMITS)
    resp = clients.call(soft, "10.9.9.9", "GET", v2_url(B, wrong))
    assert (resp.status_code, resp.json()["error"]["code"]) == (200, 429)
    assert "retry-after" in resp.headers
    rel_figures.add("guessing checks", 4)


def test_guesses_at_one_name_from_many_clients_get_429(clients: Clients, world: World) -> None:
    app = clients.app(v2_http_errors=True, **LIMITS)
    wrong = "SG." + "A" * 22 + "." + "B" * 43
    seen = [clients.call(app, f"10.8.0.{n}", "GET", v2_url(B, wrong)).status_code for n in range(4)]
    assert seen == [401, 401, 401, 429]
    # v3: the name is the key id; a forged secret for B's key id, from new addresses.
    forged = f"SG.{world.b.key_ids[0]}.{'A' * 43}"
    bearer = {"authorization": f"Bearer {forged}"}
    seen = [
        clients.call(app, f"10.7.0.{n}", "GET", "/v3/ips", headers=bearer).status_code
        for n in range(4)
    ]
    assert seen == [401, 401, 401, 429]
    resp = clients.call(app, "10.7.0.99", "GET", "/v3/ips", headers=bearer)
    assert resp.status_code == 429
    assert resp.json() == {
        "errors": [{"field": None, "message": "Too many failed authentications; retry later"}]
    }
    assert int(resp.headers["retry-after"]) >= 1


def test_customer_auth_counts_failures_per_subuser(clients: Clients, world: World) -> None:
    app = clients.app(v2_http_errors=True, **LIMITS)
    check = {"api_user": A, "api_key": world.a.key, "user": "a-carol"}
    seen = []
    for n in range(4):
        url = v2_url(A, world.a.key, "customer.auth", user="a-carol", password=f"guess-{n}")
        seen.append(clients.call(app, f"10.6.0.{n}", "GET", url).status_code)
    assert seen == [400, 400, 400, 429]
    right = clients.call(app, "10.6.0.50", "POST", "/apiv2/customer.auth.json",
                         data={**check, "password": PASSWORD})  # fmt: skip
    assert right.status_code == 429  # a-carol is locked for the window, right or wrong
    # The account itself and its other calls are not locked by a subuser's failures.
    ok = clients.call(app, "10.6.0.51", "GET", v2_url(A, world.a.key))
    assert ok.status_code == 200, ok.text


def test_the_window_is_shared_by_workers_and_slides(clients: Clients, world: World) -> None:
    limits = {**LIMITS, "auth_failure_window_s": 1.5}
    workers = [clients.app(v2_http_errors=True, **limits) for _ in range(2)]
    wrong = "SG." + "C" * 22 + "." + "D" * 43
    seen = [
        clients.call(workers[n % 2], "10.5.0.1", "GET", v2_url(f"w{n}", wrong)).status_code
        for n in range(6)
    ]
    assert seen == [401] * 5 + [429]
    time.sleep(1.6)  # every failure has left the window
    again = clients.call(workers[0], "10.5.0.1", "GET", v2_url(B, world.b.key))
    assert again.status_code == 200, again.text


def test_success_never_touches_the_counters(clients: Clients, world: World) -> None:
    app = clients.app(v2_http_errors=True, **LIMITS)
    statements: list[str] = []
    event.listen(app.db.engine, "before_cursor_execute", lambda *a: statements.append(a[2]))
    event.listen(app.db.hot.engine, "before_cursor_execute", lambda *a: statements.append(a[2]))
    bearer = {"authorization": f"Bearer {world.b.key}"}
    for _ in range(3):
        assert clients.call(app, "10.4.0.1", "GET", v2_url(B, world.b.key)).status_code == 200
        assert clients.call(app, "10.4.0.1", "GET", "/v3/ips", headers=bearer).status_code == 200
        url = v2_url(A, world.a.key, "customer.auth", user="a-carol", password=PASSWORD)
        assert clients.call(app, "10.4.0.1", "GET", url).status_code == 200
    assert statements
    assert not [s for s in statements if "auth_failures" in s]


class Collect(logging.Handler):
    """Records of one logger, whatever the app's logging config did to the root's handlers
    (an app made inside the test body replaces the handler pytest's caplog put there)."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


def test_each_failure_is_logged_without_the_secret(clients: Clients, world: World) -> None:
    app = clients.app(v2_http_errors=True, **LIMITS)
    secret = "SG." + "E" * 22 + "." + "F" * 43
    collect, logger = Collect(), logging.getLogger("ipfleet.auth")
    logger.addHandler(collect)
    try:
        clients.call(app, "10.3.0.7", "GET", v2_url(B, secret), headers={"x-request-id": "rq-1"})
        url = v2_url(A, world.a.key, "customer.auth", user="a-carol", password="pw-guess-77")
        clients.call(app, "10.3.0.7", "GET", url, headers={"x-request-id": "rq-2"})
    finally:
        logger.removeHandler(collect)
    assert [r.levelno for r in collect.records] == [logging.WARNING] * 2
    lines = [r.getMessage() for r in collect.records]
    for line, name, rid in zip(
        lines, [f"v2:{B}", "auth:tenant-a/a-carol"], ["rq-1", "rq-2"], strict=True
    ):
        assert all(word in line for word in ("10.3.0.7", name, rid)), line
    assert not [m for m in lines if "E" * 22 in m or "F" * 43 in m or "pw-guess-77" in m]


@pytest.mark.e2e
def test_guessing_against_a_real_server_with_the_default_limits(db_url: str) -> None:
    """As fast as one client can, against two workers: 20 wrong keys, then only 429s."""
    db = Database(db_url)
    key = seed(db).b.key
    db.dispose()
    defaults = {f: str(Settings.model_fields[f].default) for f in LIMITS}
    env = {f"IPFLEET_{f.upper()}": v for f, v in defaults.items()}
    wrong = key[:-4] + ("AAAA" if not key.endswith("AAAA") else "BBBB")
    statuses: list[int] = []
    with (
        serving(db_url, workers=2, env={"IPFLEET_V2_HTTP_ERRORS": "true", **env}) as server,
        httpx.Client(base_url=server.base, timeout=30) as http,
    ):
        started = time.monotonic()
        while time.monotonic() - started < 3:
            name = f"guess-{len(statuses)}"  # new names: the per-client limit is what trips
            statuses.append(http.get(v2_url(name, wrong)).status_code)
    per_client = int(defaults["auth_failures_per_client"])
    refused_401 = statuses.count(401)
    assert per_client <= refused_401 <= per_client + 1, statuses[:40]  # +1: a race on PostgreSQL
    assert set(statuses[refused_401 + 1 :]) == {429}
    rel_figures.add("guesses sent in 3 s by one client (2 workers)", len(statuses))
    rel_figures.add("guesses answered before 429 (default limits)", refused_401)
