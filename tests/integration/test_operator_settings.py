"""Operator settings v3 shows: price per IP, the whitelabel flag; and names v3 can route."""

from __future__ import annotations

from typing import Any

import pytest

from ipfleet.domain.errors import AddressRejected, InvalidValue
from ipfleet.services.accounts import get_account
from ipfleet.services.ips import add_ips, set_whitelabeled
from ipfleet.services.quota import offer, set_price
from ipfleet.services.subusers import create_subuser
from ipfleet.store.tables import ip_addresses
from ipfleet.store.uow import Database
from tests.support.db import ACTOR, log_rows


def test_price_per_ip_is_what_v3_offers(db: Database, make_account: Any) -> None:
    make_account("acme")
    account = get_account(db, username="acme")
    assert offer(db, account=account).price_per_ip == 0.0
    set_price(db, account=get_account(db, username="acme"), price=2.5, actor=ACTOR)
    assert offer(db, account=account).price_per_ip == 2.5
    set_price(db, account=get_account(db, username="acme"), price=None, actor=ACTOR)
    assert offer(db, account=account).price_per_ip == 0.0
    assert [r["action"] for r in log_rows(db)].count("account.set_price") == 2
    for bad in (-1.0, float("nan"), float("inf")):
        with pytest.raises(InvalidValue):
            set_price(db, account=get_account(db, username="acme"), price=bad, actor=ACTOR)


def test_whitelabel_flag_round_trips(db: Database, make_account: Any) -> None:
    make_account("acme")
    add_ips(db, account=get_account(db, username="acme"), specs=["192.0.2.1"], actor=ACTOR)

    def flag() -> bool:
        return bool(db.read(lambda uow: uow.conn.execute(ip_addresses.select()).one().whitelabeled))

    set_whitelabeled(db, address="192.0.2.1", on=True, actor=ACTOR)
    assert flag()
    set_whitelabeled(db, address="192.0.2.1", on=False, actor=ACTOR)
    assert not flag()
    with pytest.raises(AddressRejected):
        set_whitelabeled(db, address="192.0.2.99", on=True, actor=ACTOR)


def test_a_subuser_name_cannot_hold_a_slash(db: Database, make_account: Any) -> None:
    make_account("acme")
    with pytest.raises(InvalidValue, match="'/'"):
        create_subuser(
            db, account=get_account(db, username="acme"), username="a/b", email="", actor=ACTOR
        )
