"""Every write logs itself in its own transaction: if the log row cannot be written, the
change does not happen either (a database trigger refuses the log insert)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy.exc import DBAPIError

from ipfleet.services.accounts import create_account, get_account
from ipfleet.services.ips import add_ips, remove_ips
from ipfleet.services.keys import create_key, revoke_key
from ipfleet.services.subusers import (
    SetMode,
    create_subuser,
    set_subuser_active,
    set_subuser_ips_by_name,
)
from ipfleet.store.uow import Database, UnloggedWrite, WriteUnit
from tests.support.db import ACTOR, Made, dump, fail_change_log_writes, log_rows

MakeAccount = Callable[..., Made]


@pytest.fixture
def seeded(db: Database, make_account: MakeAccount) -> Made:
    made = make_account("acme")
    add_ips(db, username="acme", specs=["192.0.2.1", "192.0.2.2", "192.0.2.3"], actor=ACTOR)
    create_subuser(db, account_name="acme", username="alice", email="", actor=ACTOR)
    set_subuser_ips_by_name(
        db,
        account_name="acme",
        username="alice",
        mode=SetMode.SPECIFY,
        ips=["192.0.2.1"],
        actor=ACTOR,
    )
    return made


WRITES: dict[str, Callable[[Database, Made], Any]] = {
    "create_account": lambda db, _m: create_account(
        db, username="newco", outbound_cluster=None, actor=ACTOR
    ),
    "create_key": lambda db, _m: create_key(db, username="acme", name="k", actor=ACTOR),
    "revoke_key": lambda db, m: revoke_key(
        db, username="acme", key_id=m.api_key.split(".")[1], actor=ACTOR
    ),
    "add_ips": lambda db, _m: add_ips(db, username="acme", specs=["192.0.2.9"], actor=ACTOR),
    "remove_ips": lambda db, _m: remove_ips(
        db, username="acme", addresses=["192.0.2.3"], release=False, actor=ACTOR
    ),
    "remove_ips_release": lambda db, _m: remove_ips(
        db, username="acme", addresses=["192.0.2.1"], release=True, actor=ACTOR
    ),
    "create_subuser": lambda db, _m: create_subuser(
        db, account_name="acme", username="bob", email="", actor=ACTOR
    ),
    "deactivate": lambda db, _m: set_subuser_active(
        db, account_name="acme", username="alice", active=False, actor=ACTOR
    ),
    "set_ips_specify": lambda db, _m: set_subuser_ips_by_name(
        db,
        account_name="acme",
        username="alice",
        mode=SetMode.SPECIFY,
        ips=["192.0.2.2"],
        actor=ACTOR,
    ),
    "set_ips_all": lambda db, _m: set_subuser_ips_by_name(
        db, account_name="acme", username="alice", mode=SetMode.ALL, ips=[], actor=ACTOR
    ),
    "set_ips_none": lambda db, _m: set_subuser_ips_by_name(
        db, account_name="acme", username="alice", mode=SetMode.NONE, ips=[], actor=ACTOR
    ),
}


@pytest.mark.parametrize("name", list(WRITES))
def test_a_write_logs_at_least_one_row(db: Database, seeded: Made, name: str) -> None:
    """The control: with the log working, each write does log."""
    logged = len(log_rows(db))
    WRITES[name](db, seeded)
    new = log_rows(db)[logged:]
    assert new
    assert all(r["actor"] == ACTOR.name and r["request_id"] == ACTOR.request_id for r in new)


@pytest.mark.parametrize("name", list(WRITES))
def test_a_write_whose_log_row_fails_does_not_happen(db: Database, seeded: Made, name: str) -> None:
    fail_change_log_writes(db)
    before = dump(db)
    with pytest.raises(DBAPIError, match="change log refused"):
        WRITES[name](db, seeded)
    assert dump(db) == before


def test_record_joins_the_callers_transaction(db: Database, seeded: Made) -> None:
    logged = len(log_rows(db))
    account_id = seeded.account.id

    def work(uow: WriteUnit) -> None:
        uow.record("test.a", "s", account_id=account_id, after={"x": 1})
        raise RuntimeError("changed my mind")

    version = get_account(db, username="acme").data_version
    with pytest.raises(RuntimeError):
        db.write(work, actor=ACTOR)
    assert len(log_rows(db)) == logged
    assert get_account(db, username="acme").data_version == version

    db.write(
        lambda uow: uow.record("test.b", "s", account_id=account_id, before=[1, "two"]),
        actor=ACTOR,
    )
    last = log_rows(db)[-1]
    assert (last["action"], last["before"], last["after"]) == ("test.b", [1, "two"], None)


DATA_WRITES = [n for n in WRITES if n not in ("create_account", "create_key", "revoke_key")]


@pytest.mark.parametrize("name", DATA_WRITES)
def test_a_write_bumps_the_data_version_once(db: Database, seeded: Made, name: str) -> None:
    version = get_account(db, username="acme").data_version
    WRITES[name](db, seeded)
    assert get_account(db, username="acme").data_version == version + 1


def test_a_write_that_changes_rows_without_a_record_is_refused(db: Database, seeded: Made) -> None:
    """The write path, not a list of services, guarantees every change is logged."""
    before = dump(db)
    account = get_account(db, username="acme")

    def unlogged(uow: WriteUnit) -> None:
        uow.quota.set_price_per_ip(account.id, 1.5)

    with pytest.raises(UnloggedWrite):
        db.write(unlogged, actor=ACTOR, account=account)
    assert dump(db) == before


def test_a_record_bumps_the_account_it_names_once(db: Database, seeded: Made) -> None:
    version = get_account(db, username="acme").data_version
    account_id = seeded.account.id

    def twice(uow: WriteUnit) -> None:
        uow.record("test.a", "s", account_id=account_id)
        uow.record("test.b", "s", account_id=account_id)

    db.write(twice, actor=ACTOR)
    assert get_account(db, username="acme").data_version == version + 1
