"""The plain-DBAPI hot path answers exactly what the repositories answer, and heals."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from ipfleet.domain.records import Account, Actor
from ipfleet.services.accounts import create_account, get_account
from ipfleet.services.authentication import Caller
from ipfleet.services.ip_details import list_ip_views, views
from ipfleet.services.ips import add_ips, set_hostname, set_whitelabeled
from ipfleet.services.keys import create_key, revoke_key
from ipfleet.services.pools import add_pool_ip, create_pool
from ipfleet.services.subusers import SetMode, create_subuser, set_subuser_ips
from ipfleet.services.warmup import start_warmup
from ipfleet.store.ip_detail_repo import IpQuery
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


def _decorate(db: Database) -> Account:
    """acme's IPs with two holders on one, two pools on one, a warmup, a host name and a
    whitelabel flag: every field of a v3 IP that the page must carry."""
    account = get_account(db, username="acme")
    create_subuser(db, account=account, username="also", email="", actor=ACTOR)
    set_subuser_ips(
        db,
        account=get_account(db, username="acme"),
        username="also",
        mode=SetMode.SPECIFY,
        ips=["192.0.2.10", "192.0.2.12"],
        actor=ACTOR,
    )
    for pool in ("zeta", "alpha"):
        create_pool(db, account=get_account(db, username="acme"), name=pool, actor=ACTOR)
        add_pool_ip(
            db,
            account=get_account(db, username="acme"),
            name=pool,
            address="192.0.2.10",
            actor=ACTOR,
        )
    start_warmup(db, account=get_account(db, username="acme"), address="192.0.2.9", actor=ACTOR)
    set_hostname(db, address="192.0.2.11", hostname="mta11.example.com", actor=ACTOR)
    set_whitelabeled(db, address="192.0.2.12", on=True, actor=ACTOR)
    return get_account(db, username="acme")


@pytest.mark.parametrize(
    ("descending", "limit", "offset"),
    [(False, None, 0), (True, None, 0), (False, 3, 2), (True, 2, 1), (False, 5, 100)],
)
def test_ip_page_matches_the_repository_views(
    db: Database, descending: bool, limit: int | None, offset: int
) -> None:
    _seed(db)
    caller = Caller(_decorate(db))
    query = IpQuery(descending=descending, limit=limit, offset=offset)
    via_repo = db.read(
        lambda uow: views(uow, caller, uow.ip_details.query(caller.account.id, query))
    )
    hot = list_ip_views(db, caller=caller, descending=descending, limit=limit, offset=offset)
    assert hot == via_repo
    if limit is None:  # the fixture really exercises every field
        assert any(len(v.subusers) > 1 for v in hot)
        assert any(len(v.pools) > 1 for v in hot)
        assert any(v.warmup for v in hot)
        assert any(v.rdns for v in hot)
        assert any(v.whitelabeled for v in hot)


def test_ip_page_is_the_accounts_own(db: Database) -> None:
    _seed(db)
    account = _decorate(db)
    assert db.hot.ip_page(account.id + 1, descending=False, limit=None, offset=0) == []
    every = db.read(lambda uow: uow.ip_details.query(account.id, IpQuery()))
    page = db.hot.ip_page(account.id, descending=False, limit=None, offset=0)
    assert [r.address for r in page] == [d.address for d in every]
    assert every
