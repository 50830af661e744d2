"""The plain-DBAPI hot path answers exactly what the repositories answer, and heals."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from ipfleet.domain.records import Actor
from ipfleet.services.accounts import create_account, get_account
from ipfleet.services.ips import add_ips
from ipfleet.services.keys import create_key, revoke_key
from ipfleet.services.subusers import SetMode, create_subuser, set_subuser_ips
from ipfleet.store.uow import Database

ACTOR = Actor("test", "hot")


def _seed(db: Database) -> str:
    _, key = create_account(db, username="acme", outbound_cluster="c1", actor=ACTOR)
    add_ips(
        db,
        account=get_account(db, username="acme"),
        specs=["192.0.2.8/29", "2001:db8::/126"],
        actor=ACTOR,
    )
    for name in ("full", "empty"):
        create_subuser(
            db, account=get_account(db, username="acme"), username=name, email="", actor=ACTOR
        )
    set_subuser_ips(
        db,
        account=get_account(db, username="acme"),
        username="full",
        mode=SetMode.SPECIFY,
        ips=["2001:db8::1", "192.0.2.10", "192.0.2.9"],
        actor=ACTOR,
    )
    return key.split(".")[1]


def test_credentials_match_the_repository(db: Database) -> None:
    key_id = _seed(db)
    via_repo = db.read(lambda uow: uow.keys.live_key(key_id))
    assert db.hot.credentials(key_id) == via_repo
    assert db.hot.credentials("x" * 22) is None


def test_credentials_see_each_committed_write(db: Database) -> None:
    key_id = _seed(db)
    found = db.hot.credentials(key_id)
    assert found is not None
    before = found[0].data_version
    info, _ = create_key(db, account=get_account(db, username="acme"), name="second", actor=ACTOR)
    found = db.hot.credentials(key_id)
    assert found is not None
    assert found[0].data_version > before
    revoke_key(db, account=get_account(db, username="acme"), key_id=info.key_id, actor=ACTOR)
    assert db.hot.credentials(info.key_id) is None


def test_subuser_ips_in_numeric_order_or_none(db: Database) -> None:
    _seed(db)
    account = db.read(lambda uow: uow.accounts.by_username("acme"))
    assert account is not None
    assert db.hot.subuser_ips(account.id, "full") == ["192.0.2.9", "192.0.2.10", "2001:db8::1"]
    assert db.hot.subuser_ips(account.id, "empty") == []
    assert db.hot.subuser_ips(account.id, "nobody") is None
    assert db.hot.subuser_ips(account.id + 1, "full") is None  # another account's view


@pytest.mark.postgres
def test_a_dropped_postgres_connection_is_replaced(postgres_url: str) -> None:
    db = Database(postgres_url)
    try:
        key_id = _seed(db)
        assert db.hot.credentials(key_id) is not None
        with db.engine.connect() as conn:
            killed = conn.execute(
                text(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                    " WHERE pid <> pg_backend_pid() AND datname = current_database()"
                    " AND query LIKE '%api_keys k JOIN%'"
                )
            ).scalars()
            assert any(killed)
        assert db.hot.credentials(key_id) is not None
    finally:
        db.dispose()
