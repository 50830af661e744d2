"""The database itself enforces the rules that never bend, whatever SQL reaches it."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError

from ipfleet.services.accounts import get_account
from ipfleet.services.ips import add_ips
from ipfleet.services.subusers import SetMode, create_subuser, set_subuser_ips
from ipfleet.store.uow import Database
from tests.support.db import ACTOR, Made, dump

MakeAccount = Callable[..., Made]


def scalar(db: Database, sql: str, **params: Any) -> Any:
    with db.engine.connect() as conn:
        return conn.execute(text(sql), params).scalar_one()


def ids(db: Database) -> dict[str, int]:
    """Ids of the two accounts, their subusers and their IPs."""
    return {
        "acme": scalar(db, "SELECT id FROM accounts WHERE username = 'acme'"),
        "other": scalar(db, "SELECT id FROM accounts WHERE username = 'other'"),
        "alice": scalar(db, "SELECT id FROM subusers WHERE username = 'alice'"),
        "olga": scalar(db, "SELECT id FROM subusers WHERE username = 'olga'"),
        "acme_ip": scalar(db, "SELECT id FROM ip_addresses WHERE address = '192.0.2.1'"),
        "held_ip": scalar(db, "SELECT id FROM ip_addresses WHERE address = '192.0.2.2'"),
        "other_ip": scalar(db, "SELECT id FROM ip_addresses WHERE address = '198.51.100.1'"),
    }


@pytest.fixture
def world(db: Database, make_account: MakeAccount) -> dict[str, int]:
    for account, sub, ips in (
        ("acme", "alice", ["192.0.2.1", "192.0.2.2"]),
        ("other", "olga", ["198.51.100.1"]),
    ):
        make_account(account)
        add_ips(db, account=get_account(db, username=account), specs=ips, actor=ACTOR)
        create_subuser(
            db, account=get_account(db, username=account), username=sub, email="", actor=ACTOR
        )
    set_subuser_ips(
        db,
        account=get_account(db, username="acme"),
        username="alice",
        mode=SetMode.SPECIFY,
        ips=["192.0.2.2"],
        actor=ACTOR,
    )
    return ids(db)


def refused(db: Database, sql: str, **params: Any) -> None:
    """The statement fails with an integrity error, and the database is as it was."""
    before = dump(db)
    with pytest.raises(IntegrityError), db.engine.begin() as conn:
        conn.execute(text(sql), params)
    assert dump(db) == before


HOLD = "INSERT INTO holdings (subuser_id, ip_id, account_id) VALUES (:s, :i, :a)"


def test_a_valid_raw_holding_is_accepted(db: Database, world: dict[str, int]) -> None:
    """The control: the same statement with matching accounts goes through."""
    with db.engine.begin() as conn:
        conn.execute(text(HOLD), {"s": world["alice"], "i": world["acme_ip"], "a": world["acme"]})
    assert scalar(db, "SELECT count(*) FROM holdings WHERE subuser_id = :s", s=world["alice"]) == 2


def test_a_holding_across_accounts_is_refused(db: Database, world: dict[str, int]) -> None:
    # claiming either account's id leaves the other half of the pair mismatched
    refused(db, HOLD, s=world["alice"], i=world["other_ip"], a=world["acme"])
    refused(db, HOLD, s=world["alice"], i=world["other_ip"], a=world["other"])
    refused(db, HOLD, s=world["olga"], i=world["acme_ip"], a=world["other"])


def test_a_holding_of_an_inventory_ip_is_refused(db: Database, world: dict[str, int]) -> None:
    with db.engine.begin() as conn:
        conn.execute(
            text("UPDATE ip_addresses SET account_id = NULL WHERE id = :i"), {"i": world["acme_ip"]}
        )
    refused(db, HOLD, s=world["alice"], i=world["acme_ip"], a=world["acme"])


def test_a_duplicate_address_is_refused(db: Database, world: dict[str, int]) -> None:
    insert = (
        "INSERT INTO ip_addresses (address, sort_key, version, account_id, created_at) "
        "VALUES (:addr, :key, 4, :acct, :now)"
    )
    now = datetime.now(UTC)
    key = scalar(db, "SELECT sort_key FROM ip_addresses WHERE address = '192.0.2.1'")
    # the same text on another account, in the inventory, or with a fresh sort key
    refused(db, insert, addr="192.0.2.1", key=key, acct=world["other"], now=now)
    refused(db, insert, addr="192.0.2.1", key=key, acct=None, now=now)
    refused(db, insert, addr="192.0.2.1", key="4" + "f" * 32, acct=world["acme"], now=now)
    # another spelling of the same address still collides on its sort key
    refused(db, insert, addr="192.000.002.001", key=key, acct=world["other"], now=now)


def test_a_held_ip_cannot_move_to_another_account(db: Database, world: dict[str, int]) -> None:
    move = "UPDATE ip_addresses SET account_id = :a WHERE id = :i"
    refused(db, move, a=world["other"], i=world["held_ip"])
    refused(db, move, a=None, i=world["held_ip"])
    # a free IP may move (the service decides when; the database only guards holdings)
    with db.engine.begin() as conn:
        conn.execute(text(move), {"a": world["other"], "i": world["acme_ip"]})
    assert (
        scalar(db, "SELECT account_id FROM ip_addresses WHERE id = :i", i=world["acme_ip"])
        == (world["other"])
    )


def test_a_held_ip_cannot_be_deleted(db: Database, world: dict[str, int]) -> None:
    refused(db, "DELETE FROM ip_addresses WHERE id = :i", i=world["held_ip"])


def test_a_subuser_cannot_move_to_another_account_with_its_holdings(
    db: Database, world: dict[str, int]
) -> None:
    refused(
        db, "UPDATE subusers SET account_id = :a WHERE id = :s", a=world["other"], s=world["alice"]
    )


def test_duplicate_usernames_are_refused(db: Database, world: dict[str, int]) -> None:
    now = datetime.now(UTC)
    refused(
        db,
        "INSERT INTO subusers (account_id, username, created_at) VALUES (:a, 'alice', :now)",
        a=world["other"],
        now=now,
    )
    refused(db, "INSERT INTO accounts (username, created_at) VALUES ('acme', :now)", now=now)


def _domains(db: Database, world: dict[str, int]) -> dict[str, int]:
    now = datetime.now(UTC)
    with db.engine.begin() as conn:
        for name, account in (("a.example", "acme"), ("b.example", "acme"), ("o.example", "other")):
            conn.execute(
                text(
                    "INSERT INTO sending_domains (account_id, mail_domain, url_domain, created_at)"
                    " VALUES (:a, :d, :d, :now)"
                ),
                {"a": world[account], "d": name, "now": now},
            )
    return {
        name: scalar(db, "SELECT id FROM sending_domains WHERE mail_domain = :d", d=name)
        for name in ("a.example", "b.example", "o.example")
    }


ATTACH = "UPDATE subusers SET sending_domain_id = :d WHERE id = :s"


def test_a_subuser_takes_only_its_own_account_domain(db: Database, world: dict[str, int]) -> None:
    domains = _domains(db, world)
    with db.engine.begin() as conn:  # the control: its own account's domain
        conn.execute(text(ATTACH), {"d": domains["a.example"], "s": world["alice"]})
    refused(db, ATTACH, d=domains["o.example"], s=world["alice"])
    refused(db, ATTACH, d=domains["a.example"], s=world["olga"])


def test_a_domain_is_attached_to_one_subuser_at_most(db: Database, world: dict[str, int]) -> None:
    domains = _domains(db, world)
    create_subuser(
        db, account=get_account(db, username="acme"), username="anna", email="", actor=ACTOR
    )
    anna = scalar(db, "SELECT id FROM subusers WHERE username = 'anna'")
    with db.engine.begin() as conn:
        conn.execute(text(ATTACH), {"d": domains["a.example"], "s": world["alice"]})
    refused(db, ATTACH, d=domains["a.example"], s=anna)
    insert = (
        "INSERT INTO sending_domains (account_id, mail_domain, url_domain, created_at)"
        " VALUES (:a, 'a.example', 'x.example', :now)"
    )
    refused(db, insert, a=world["other"], now=datetime.now(UTC))  # one owner installation-wide
    # an attached domain cannot be dropped from under its subuser
    refused(db, "DELETE FROM sending_domains WHERE id = :d", d=domains["a.example"])
