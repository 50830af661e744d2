"""The key check on PostgreSQL's asynchronous driver (``store.hot.AsyncKeyCheck``).

It must answer what the thread path answers, see a revocation made by another worker at
once, heal after a dropped connection, and leave no connection open once the database is
disposed (the suite opens ~1,900 of them, PostgreSQL allows ~100 at once). The API must
take it on PostgreSQL: with ``HotReads.credentials`` (the thread path) refused, v2 and v3
requests still succeed.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from typing import Any

import anyio.from_thread
import pytest

from ipfleet.api.app import create_app
from ipfleet.config import Settings
from ipfleet.domain.records import Actor
from ipfleet.services.accounts import get_account
from ipfleet.services.authentication import authenticate, authenticate_async
from ipfleet.services.keys import create_key
from ipfleet.store.hot import AsyncKeyCheck, HotReads
from ipfleet.store.uow import Database
from tests.support.inprocess import Client
from tests.support.seed import Sub, seed_account

ACTOR = Actor("test", "async-key")
APP_NAME = "ipfleet-key-check"


@pytest.fixture
def pg(postgres_url: str) -> Iterator[Database]:
    database = Database(postgres_url)
    yield database
    database.dispose()


def _key_check(db: Database) -> AsyncKeyCheck:
    assert db.hot.aio is not None, "PostgreSQL must have the asynchronous key check"
    return db.hot.aio


def _open_key_checks(db: Database) -> int:
    """How many key-check connections the server has open to this database now."""
    return int(
        db.read(
            lambda uow: uow.conn.exec_driver_sql(
                "SELECT count(*) FROM pg_stat_activity"
                " WHERE application_name = %(name)s AND datname = current_database()",
                {"name": APP_NAME},
            ).scalar_one()
        )
    )


@pytest.mark.postgres
def test_the_async_and_thread_key_checks_give_the_same_account(pg: Database) -> None:
    _, key = seed_account(pg, "acme", subusers={"shop": Sub()})
    key_id = key.split(".")[1]
    via_thread = pg.hot.credentials(key_id)
    assert via_thread is not None
    assert asyncio.run(_key_check(pg).credentials(key_id)) == via_thread
    assert asyncio.run(_key_check(pg).credentials("x" * 22)) is None
    account = authenticate(pg, username="acme", api_key=key)
    same = asyncio.run(authenticate_async(_key_check(pg), username="acme", api_key=key))
    assert same == account == via_thread[0]


def test_sqlite_keeps_the_thread(sqlite_url: str) -> None:
    db = Database(sqlite_url)
    try:
        assert db.hot.aio is None
    finally:
        db.dispose()


@pytest.mark.postgres
def test_a_dropped_connection_is_replaced_once(pg: Database) -> None:
    _, key = seed_account(pg, "acme")
    key_id = key.split(".")[1]

    async def check_twice() -> None:
        assert await _key_check(pg).credentials(key_id) is not None
        pg.read(
            lambda uow: uow.conn.exec_driver_sql(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                " WHERE application_name = %(name)s AND datname = current_database()",
                {"name": APP_NAME},
            ).all()
        )
        assert await _key_check(pg).credentials(key_id) is not None

    asyncio.run(check_twice())


@pytest.mark.postgres
def test_dispose_closes_every_key_check_connection(postgres_url: str) -> None:
    observer = Database(postgres_url)
    try:
        before = _open_key_checks(observer)
        db = Database(postgres_url)
        _, key = seed_account(db, "acme")
        key_id = key.split(".")[1]

        async def many_at_once() -> None:
            checks = [_key_check(db).credentials(key_id) for _ in range(10)]
            assert all(found is not None for found in await asyncio.gather(*checks))

        for _ in range(3):  # three event loops, each with its own connections
            asyncio.run(many_at_once())
        assert before < _open_key_checks(observer) <= before + 3 * 4
        db.dispose()
        assert _open_key_checks(observer) == before
    finally:
        observer.dispose()


def _thread_path_refused(*_: Any, **__: Any) -> Any:
    raise AssertionError("the key check took the read thread on PostgreSQL")


@pytest.mark.postgres
def test_a_key_revoked_on_one_worker_is_refused_on_the_other_at_once(
    postgres_url: str, portal: anyio.from_thread.BlockingPortal, monkeypatch: pytest.MonkeyPatch
) -> None:
    db = Database(postgres_url)
    _, key = seed_account(db, "acme", ips=["192.0.2.8/30"], subusers={"shop": Sub()})
    _, second = create_key(db, account=get_account(db, username="acme"), name="2", actor=ACTOR)
    db.dispose()
    monkeypatch.setattr(HotReads, "credentials", _thread_path_refused)
    settings = Settings(database_url=postgres_url, v2_http_errors=True)
    one, other = (Client(portal, create_app(settings)) for _ in range(2))
    v2 = "/apiv2/customer.sendip.json"
    params = {"api_user": "acme", "api_key": second, "task": "list", "user": "shop"}
    bearer = {"Authorization": f"Bearer {second}"}
    try:
        assert other.get(v2, params=params).status_code == 200  # cached on the other worker
        assert other.get("/v3/ips", headers=bearer).status_code == 200
        revoked = one.request(
            "DELETE",
            f"/v3/api_keys/{second.split('.')[1]}",
            headers={"Authorization": f"Bearer {key}"},
        )
        assert revoked.status_code == 204, revoked.text
        assert other.get(v2, params=params).status_code == 401
        assert other.get("/v3/ips", headers=bearer).status_code == 401
        assert other.get(v2, params={**params, "api_key": key}).status_code == 200
    finally:
        one.close()
        other.close()
