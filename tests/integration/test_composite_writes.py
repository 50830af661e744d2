"""Calls that do several things do them in one transaction: a late failure undoes all."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy.exc import DBAPIError

from ipfleet.domain.errors import AddressRejected
from ipfleet.services.accounts import get_account
from ipfleet.services.inventory import add_to_inventory, take_for_account
from ipfleet.services.subusers import create_subuser, create_subuser_with_ips
from ipfleet.store.uow import Database
from tests.support.db import ACTOR, dump, fail_change_log_writes


def test_a_take_whose_warmup_fails_takes_nothing(db: Database, make_account: Any) -> None:
    make_account("acme", ip_quota=None)
    add_to_inventory(db, specs=["198.51.100.0/29"], actor=ACTOR)
    create_subuser(
        db, account=get_account(db, username="acme"), username="shop", email="", actor=ACTOR
    )
    account = get_account(db, username="acme")
    before = dump(db)
    fail_change_log_writes(db, action="ip.warmup_start")
    with pytest.raises(DBAPIError):
        take_for_account(db, account=account, count=2, subusers=["shop"], warmup=True, actor=ACTOR)
    assert dump(db) == before


def test_a_subuser_with_a_foreign_ip_is_not_created(db: Database, make_account: Any) -> None:
    make_account("acme")
    make_account("other")
    account = get_account(db, username="acme")
    add_to_inventory(db, specs=["198.51.100.1"], actor=ACTOR)
    before = dump(db)
    with pytest.raises(AddressRejected):
        create_subuser_with_ips(
            db,
            account=account,
            username="shop",
            email="s@example.com",
            password="secret1",
            ips=["198.51.100.1"],
            actor=ACTOR,
        )
    assert dump(db) == before
