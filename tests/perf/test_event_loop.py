"""Nothing blocks the event loop (issue 11; the rule is in ``api/offload.py``).

One app is one worker: one event loop serving every connection. While one request waits
on a deliberately slow database call (held at a gate until the test opens it), another
request to the same app must be answered. Were the slow call made on the loop, the loop
would sit in the gate, the second request would never be answered and the gate's wait
would time out, failing the test. v2, v3 and the dashboard, the key check (the session
check) and the reads behind it.

On PostgreSQL the v2 and v3 key check is awaited on the loop (psycopg's async driver), not
run in a thread, so no Python gate can hold it without holding the loop: the database
holds it instead. A transaction that has locked ``api_keys`` makes the key check's SELECT
wait in PostgreSQL while a request that needs no key must still be answered.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable, Iterator
from typing import Any
from urllib.parse import urlencode

import anyio.from_thread
import anyio.to_thread
import pytest
from sqlalchemy import Connection

from ipfleet.api.app import create_app
from ipfleet.config import Settings
from ipfleet.store.hot import HotReads
from ipfleet.store.repos import KeyRepo
from ipfleet.store.uow import Database
from tests.support.inprocess import Client
from tests.support.seed import Sub, seed_account
from tests.support.ui import sign_in

WAIT_S = 20.0


class Gate:
    """Holds the first database call made through it until ``release`` is set."""

    def __init__(self, kind: str) -> None:
        self.kind = kind
        self.lock = threading.Lock()
        self.armed = True
        self.entered = threading.Event()
        self.release = threading.Event()

    def wrap(self, real: Callable[..., Any]) -> Callable[..., Any]:
        def gated(*args: Any, **kwargs: Any) -> Any:
            with self.lock:
                first, self.armed = self.armed, False
            if first:
                self.entered.set()
                if not self.release.wait(WAIT_S):
                    raise TimeoutError("the gate was never opened")
            return real(*args, **kwargs)

        return gated


#: Which database calls the gate holds: the key check of v2 and v3 (the dashboard's: its
#: session's key still live), or the reads after it.
SLOW_CALLS = {
    "key check": [(HotReads, "credentials"), (KeyRepo, "live_key")],
    "read": [(Database, "read"), (HotReads, "ip_page"), (HotReads, "subuser_ips")],
}


@pytest.fixture(params=sorted(SLOW_CALLS))
def gate(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> Iterator[Gate]:
    made = Gate(request.param)
    for owner, name in SLOW_CALLS[request.param]:
        monkeypatch.setattr(owner, name, made.wrap(getattr(owner, name)))
    yield made
    made.release.set()


def _urls(key: str) -> dict[str, tuple[str, dict[str, str]]]:
    v2 = urlencode({"api_user": "acme", "api_key": key, "list": "all"})
    return {
        "v2": (f"/apiv2/customer.ip.json?{v2}", {}),
        "v3": ("/v3/ips?limit=5", {"Authorization": f"Bearer {key}"}),
        "ui": ("/ui/subusers/mta", {}),  # the session cookie rides with the client
    }


async def _one_waits_other_answers(
    client: Client, slow: tuple[str, dict[str, str]], fast: tuple[str, dict[str, str]], gate: Gate
) -> None:
    waiting = asyncio.ensure_future(client.http.get(slow[0], headers=slow[1]))
    entered = await anyio.to_thread.run_sync(gate.entered.wait, WAIT_S)
    assert entered, "the slow request never reached the database"
    answered = await client.http.get(fast[0], headers=fast[1])
    assert answered.status_code == 200, answered.text
    assert not waiting.done(), "the slow request was not held at the gate"
    gate.release.set()
    held = await waiting
    assert held.status_code == 200, held.text


@pytest.mark.parametrize(
    ("slow", "fast"),
    [("v2", "v2"), ("v2", "v3"), ("v3", "v3"), ("v3", "v2"), ("ui", "v2"), ("v2", "ui")],
)
def test_a_request_answers_while_another_waits_on_the_database(
    db: Database, make_client: Callable[..., Client], gate: Gate, slow: str, fast: str
) -> None:
    if gate.kind == "key check" and not db.sqlite and slow in ("v2", "v3"):
        pytest.skip("awaited on the loop on PostgreSQL: test_a_key_check_held_in_postgres...")
    gate.armed = False  # seeding reads the database too
    _, key = seed_account(
        db, "acme", ips=["192.0.2.8/30"], subusers={"mta": Sub(held=["192.0.2.9"])}
    )
    client = make_client(v2_http_errors=True)
    sign_in(client, "acme", key)
    urls = _urls(key)
    gate.armed = True
    client.portal.call(_one_waits_other_answers, client, urls[slow], urls[fast], gate)
    assert not gate.armed  # the gate did hold a call


def _a_key_check_waits_on_the_lock(db: Database) -> bool:
    """Whether a statement waits in PostgreSQL for the lock on ``api_keys`` (within WAIT_S)."""
    sql = "SELECT count(*) FROM pg_locks WHERE relation = 'api_keys'::regclass AND NOT granted"
    for _ in range(int(WAIT_S / 0.01)):
        if db.read(lambda uow: uow.conn.exec_driver_sql(sql).scalar_one()):
            return True
        threading.Event().wait(0.01)
    return False


async def _held_in_postgres(
    client: Client, slow: tuple[str, dict[str, str]], db: Database, locker: Connection
) -> None:
    waiting = asyncio.ensure_future(client.http.get(slow[0], headers=slow[1]))
    held = await anyio.to_thread.run_sync(_a_key_check_waits_on_the_lock, db)
    assert held, "the slow request's key check never waited on the lock"
    answered = await client.http.get("/")  # needs no key, so not the locked table
    assert answered.status_code == 200, answered.text
    assert not waiting.done(), "the slow request was not held by the lock"
    await anyio.to_thread.run_sync(locker.rollback)
    done = await waiting
    assert done.status_code == 200, done.text


def _thread_path_refused(*_: Any, **__: Any) -> Any:
    raise AssertionError("the key check took the read thread on PostgreSQL")


@pytest.mark.postgres
@pytest.mark.parametrize("slow", ["v2", "v3"])
def test_a_key_check_held_in_postgres_leaves_the_loop_free(
    postgres_url: str,
    portal: anyio.from_thread.BlockingPortal,
    monkeypatch: pytest.MonkeyPatch,
    slow: str,
) -> None:
    db = Database(postgres_url)
    _, key = seed_account(db, "acme", ips=["192.0.2.8/30"])
    # The async path must serve it: the thread path (the read threads) is refused.
    monkeypatch.setattr(HotReads, "credentials", _thread_path_refused)
    client = Client(portal, create_app(Settings(database_url=postgres_url, v2_http_errors=True)))
    try:
        with db.engine.connect() as locker:
            # Were the key check to block the loop, nothing would answer until this lock is
            # gone: the server ends the locker after WAIT_S, and the test fails, not hangs.
            locker.exec_driver_sql(
                f"SET LOCAL idle_in_transaction_session_timeout = '{WAIT_S:.0f}s'"
            )
            locker.exec_driver_sql("LOCK TABLE api_keys IN ACCESS EXCLUSIVE MODE")
            portal.call(_held_in_postgres, client, _urls(key)[slow], db, locker)
    finally:
        client.close()
        db.dispose()
