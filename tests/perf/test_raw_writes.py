"""The plain-DBAPI statements of the write path (store/raw.py) keep every guarantee of Core's.

A lever for speed (issue 11): each test here fails if the shortcut loses something the
SQLAlchemy path gave: the unlogged-write refusal, SQLAlchemy's error classes (the write
path retries on them, services catch them), and the stored bytes of the change log.
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import insert, select
from sqlalchemy.exc import IntegrityError

from ipfleet.domain.records import Actor
from ipfleet.services.accounts import create_account, get_account
from ipfleet.services.ips import add_ips
from ipfleet.services.subusers import SetMode, create_subuser, set_subuser_ips, subuser_ips
from ipfleet.store.tables import change_log
from ipfleet.store.uow import Database, UnloggedWrite, WriteUnit

ACTOR = Actor("test", "raw")


def _acme(db: Database) -> None:
    create_account(db, username="acme", outbound_cluster=None, actor=ACTOR)
    create_account(db, username="other", outbound_cluster=None, actor=ACTOR)
    add_ips(db, account=get_account(db, username="acme"), specs=["192.0.2.0/30"], actor=ACTOR)
    add_ips(db, account=get_account(db, username="other"), specs=["198.51.100.1"], actor=ACTOR)
    create_subuser(
        db, account=get_account(db, username="acme"), username="s1", email="", actor=ACTOR
    )


def test_a_raw_change_without_a_log_row_is_refused(db: Database) -> None:
    _acme(db)
    account = get_account(db, username="acme")

    def unlogged(uow: WriteUnit) -> None:
        sub = uow.subusers.get(account.id, "s1")
        assert sub is not None
        found = uow.ips.find(["192.0.2.1"])
        uow.subusers.replace_ips(sub, [found["192.0.2.1"].id])  # raw DELETE + INSERT

    with pytest.raises(UnloggedWrite):
        db.write(unlogged, actor=ACTOR, account=account)
    assert subuser_ips(db, account=account, username="s1") == []


def test_a_driver_error_is_sqlalchemys_and_undoes_the_write(db: Database) -> None:
    _acme(db)
    account = get_account(db, username="acme")
    set_subuser_ips(
        db, account=account, username="s1", mode=SetMode.SPECIFY, ips=["192.0.2.2"], actor=ACTOR
    )

    def foreign(uow: WriteUnit) -> None:
        sub = uow.subusers.get(account.id, "s1")
        assert sub is not None
        other = uow.ips.find(["198.51.100.1"])["198.51.100.1"]
        # The holdings' composite key refuses an IP of another account.
        uow.subusers.replace_ips(sub, [other.id])
        uow.record("test", "subuser:s1", account_id=account.id)

    with pytest.raises(IntegrityError):
        db.write(foreign, actor=ACTOR, account=account)
    assert subuser_ips(db, account=account, username="s1") == ["192.0.2.2"]


def test_the_change_log_row_is_stored_as_core_stores_it(db: Database) -> None:
    at = datetime(2026, 11, 30, 12, 34, 56, 789012, tzinfo=UTC)
    before, after = {"ips": ["192.0.2.1", "é"]}, None
    fields = {"actor": "a", "request_id": "r", "account_id": None, "action": "x", "subject": "s"}

    def both(uow: WriteUnit) -> None:
        uow.log.write(at=at, before=before, after=after, **fields)
        uow.conn.execute(insert(change_log), {"at": at, "before": before, "after": after, **fields})
        uow.record("test", "s", account_id=None)  # the Core insert above counts as a change

    db.write(both, actor=ACTOR)
    stored = (
        select(change_log.c.at, change_log.c.before, change_log.c.after, change_log.c.actor)
        .where(change_log.c.actor == "a")
        .order_by(change_log.c.id)
    )
    as_text = (
        "SELECT CAST(at AS TEXT), CAST(before AS TEXT), CAST(after AS TEXT)"
        " FROM change_log WHERE actor = 'a' ORDER BY id"
    )
    with db.engine.connect() as conn:
        rows = [tuple(r) for r in conn.execute(stored)][-2:]
        texts = [tuple(r) for r in conn.exec_driver_sql(as_text)][-2:]
    assert rows[0] == rows[1] == (at, before, after, "a")
    assert texts[0] == texts[1]


def test_find_reads_many_addresses_in_one_statement(db: Database) -> None:
    _acme(db)
    wanted = ["192.0.2.1", "192.0.2.2", "198.51.100.1", "203.0.113.9"]
    found = db.read(lambda uow: uow.ips.find(wanted))
    assert sorted(found) == ["192.0.2.1", "192.0.2.2", "198.51.100.1"]
