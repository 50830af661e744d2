"""services/subusers on both backends: create, activate, and the all-or-nothing IP sets."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from ipfleet.domain.errors import (
    AccountNotFound,
    AddressRejected,
    EmptyIpSet,
    InvalidValue,
    SubuserExists,
    SubuserNotFound,
)
from ipfleet.domain.records import Account
from ipfleet.services.accounts import get_account
from ipfleet.services.ips import add_ips
from ipfleet.services.subusers import (
    SetMode,
    create_subuser,
    list_subusers,
    set_subuser_active,
    set_subuser_ips,
    subuser_ips,
)
from ipfleet.store.uow import Database
from tests.support.db import ACTOR, Made, dump, log_rows, version_of

MakeAccount = Callable[..., Made]
ACME_IPS = ["192.0.2.1", "192.0.2.2", "192.0.2.3", "2001:db8::1"]


@pytest.fixture
def acme(db: Database, make_account: MakeAccount) -> Account:
    """Account acme with four IPs and subusers alice and bob; account other with its own."""
    make_account("acme")
    add_ips(db, account=get_account(db, username="acme"), specs=ACME_IPS, actor=ACTOR)
    for name in ("alice", "bob"):
        create_subuser(
            db,
            account=get_account(db, username="acme"),
            username=name,
            email=f"{name}@example.com",
            actor=ACTOR,
        )
    make_account("other")
    add_ips(
        db,
        account=get_account(db, username="other"),
        specs=["198.51.100.1", "198.51.100.2"],
        actor=ACTOR,
    )
    create_subuser(
        db, account=get_account(db, username="other"), username="olga", email="", actor=ACTOR
    )
    set_subuser_ips(
        db,
        account=get_account(db, username="other"),
        username="olga",
        mode=SetMode.SPECIFY,
        ips=["198.51.100.2"],
        actor=ACTOR,
    )
    return get_account(db, username="acme")


def set_ips(db: Database, account: Account, user: str, mode: SetMode, *ips: str) -> list[str]:
    return set_subuser_ips(db, account=account, username=user, mode=mode, ips=ips, actor=ACTOR)


def held(db: Database, account: Account, user: str) -> list[str]:
    return subuser_ips(db, account=account, username=user)


def test_new_subusers_are_active_and_hold_nothing(db: Database, acme: Account) -> None:
    views = list_subusers(db, account=get_account(db, username="acme"))
    assert [(v.subuser.username, v.subuser.email, v.subuser.active, v.ips) for v in views] == [
        ("alice", "alice@example.com", True, []),
        ("bob", "bob@example.com", True, []),
    ]
    assert all(v.subuser.account_id == acme.id for v in views)


def test_specify_replaces_the_set(db: Database, acme: Account) -> None:
    assert set_ips(db, acme, "alice", SetMode.SPECIFY, "192.0.2.3", "192.0.2.1") == [
        "192.0.2.1",
        "192.0.2.3",
    ]
    assert set_ips(db, acme, "alice", SetMode.SPECIFY, "2001:db8::1", "192.0.2.2") == [
        "192.0.2.2",
        "2001:db8::1",
    ]
    assert held(db, acme, "alice") == ["192.0.2.2", "2001:db8::1"]
    assert held(db, acme, "bob") == []


def test_all_and_none(db: Database, acme: Account) -> None:
    assert set_ips(db, acme, "bob", SetMode.ALL) == ACME_IPS
    assert held(db, acme, "bob") == ACME_IPS
    assert set_ips(db, acme, "bob", SetMode.NONE) == []
    assert held(db, acme, "bob") == []
    # "all" means the IPs on the account at the time of the call, not later ones
    set_ips(db, acme, "bob", SetMode.ALL)
    add_ips(db, account=get_account(db, username="acme"), specs=["192.0.2.9"], actor=ACTOR)
    assert held(db, acme, "bob") == ACME_IPS


def test_duplicates_and_spellings_are_ignored(db: Database, acme: Account) -> None:
    result = set_ips(
        db,
        acme,
        "alice",
        SetMode.SPECIFY,
        "192.0.2.2",
        "2001:DB8::1",
        "192.0.2.2",
        "2001:db8:0:0::1",
        "2001:db8::1",
    )
    assert result == ["192.0.2.2", "2001:db8::1"]
    assert [v.ips for v in list_subusers(db, account=get_account(db, username="acme"))] == [
        result,
        [],
    ]


def test_specify_is_all_or_nothing_naming_every_offender(db: Database, acme: Account) -> None:
    set_ips(db, acme, "alice", SetMode.SPECIFY, "192.0.2.1")
    before = dump(db)
    with pytest.raises(AddressRejected) as info:
        set_ips(
            db,
            acme,
            "alice",
            SetMode.SPECIFY,
            "192.0.2.2",
            "bogus",
            "198.51.100.1",  # another account's
            "203.0.113.5",  # nobody's
            "bogus",
            "::ffff:192.0.2.2",
            " 192.0.2.3",
            "192.0.2.3",
        )
    assert info.value.details == (
        "Invalid IP address: bogus",
        "IP address is not on your account: 198.51.100.1",
        "IP address is not on your account: 203.0.113.5",
        "Invalid IP address: ::ffff:192.0.2.2 (use the IPv4 form 192.0.2.2)",
        "Invalid IP address:  192.0.2.3",
    )
    assert dump(db) == before
    assert held(db, acme, "alice") == ["192.0.2.1"]


def test_specify_needs_at_least_one_ip(db: Database, acme: Account) -> None:
    set_ips(db, acme, "alice", SetMode.SPECIFY, "192.0.2.1")
    before = dump(db)
    with pytest.raises(EmptyIpSet):
        set_ips(db, acme, "alice", SetMode.SPECIFY)
    assert dump(db) == before


@pytest.mark.parametrize("mode", list(SetMode))
def test_another_accounts_subuser_is_not_found(db: Database, acme: Account, mode: SetMode) -> None:
    before = dump(db)
    ips = ("192.0.2.1",) if mode is SetMode.SPECIFY else ()
    with pytest.raises(SubuserNotFound) as info:
        set_ips(db, acme, "olga", mode, *ips)
    assert info.value.message == "User does not exist"
    with pytest.raises(SubuserNotFound):
        set_ips(db, acme, "nobody", mode, *ips)
    with pytest.raises(SubuserNotFound):
        held(db, acme, "olga")
    assert dump(db) == before


def test_set_ips_writes_one_log_row_and_bumps_the_version(db: Database, acme: Account) -> None:
    v0 = version_of(db, "acme")
    logged = len(log_rows(db))
    set_ips(db, acme, "alice", SetMode.SPECIFY, "192.0.2.2", "192.0.2.1")
    set_ips(db, acme, "alice", SetMode.ALL)
    set_ips(db, acme, "alice", SetMode.NONE)
    rows = log_rows(db)[logged:]
    assert [(r["action"], r["subject"], r["account_id"]) for r in rows] == [
        ("subuser.set_ips", "subuser:alice", acme.id)
    ] * 3
    assert [(r["before"], r["after"]) for r in rows] == [
        ({"ips": []}, {"ips": ["192.0.2.1", "192.0.2.2"]}),
        ({"ips": ["192.0.2.1", "192.0.2.2"]}, {"ips": ACME_IPS}),
        ({"ips": ACME_IPS}, {"ips": []}),
    ]
    assert version_of(db, "acme") == v0 + 3


def test_failed_set_ips_writes_no_log_and_keeps_the_version(db: Database, acme: Account) -> None:
    v0 = version_of(db, "acme")
    logged = len(log_rows(db))
    with pytest.raises(AddressRejected):
        set_ips(db, acme, "alice", SetMode.SPECIFY, "198.51.100.1")
    with pytest.raises(SubuserNotFound):
        set_ips(db, acme, "ghost", SetMode.ALL)
    assert len(log_rows(db)) == logged
    assert version_of(db, "acme") == v0


def test_create_subuser_rules(db: Database, acme: Account) -> None:
    before = dump(db)
    for taken in ("alice", "olga", "acme", "other"):  # names are unique installation-wide
        with pytest.raises(SubuserExists) as info:
            create_subuser(
                db, account=get_account(db, username="acme"), username=taken, email="", actor=ACTOR
            )
        assert info.value.message == "Username already exists"
    for bad in ("", "x" * 65, "bell\a"):
        with pytest.raises(InvalidValue):
            create_subuser(
                db, account=get_account(db, username="acme"), username=bad, email="", actor=ACTOR
            )
    with pytest.raises(AccountNotFound):
        create_subuser(
            db, account=get_account(db, username="ghost"), username="zed", email="", actor=ACTOR
        )
    assert dump(db) == before
    # exact names: a different case or a trailing space is another user
    for name in ("Alice", "alice "):
        create_subuser(
            db, account=get_account(db, username="acme"), username=name, email="", actor=ACTOR
        )
    names = [
        v.subuser.username for v in list_subusers(db, account=get_account(db, username="acme"))
    ]
    assert sorted(names) == sorted(["alice", "bob", "Alice", "alice "])


def test_create_subuser_is_logged(db: Database, acme: Account) -> None:
    v0 = version_of(db, "acme")
    sub = create_subuser(
        db, account=get_account(db, username="acme"), username="zed", email="z@x.y", actor=ACTOR
    )
    assert (sub.username, sub.email, sub.active, sub.account_id) == ("zed", "z@x.y", True, acme.id)
    row = log_rows(db)[-1]
    assert (row["action"], row["subject"]) == ("subuser.create", "subuser:zed")
    assert row["after"]["email"] == "z@x.y"
    assert row["after"]["active"] is True
    assert version_of(db, "acme") == v0 + 1


def test_activate_and_deactivate(db: Database, acme: Account) -> None:
    logged = len(log_rows(db))
    set_subuser_active(
        db, account=get_account(db, username="acme"), username="bob", active=False, actor=ACTOR
    )
    set_subuser_active(
        db, account=get_account(db, username="acme"), username="bob", active=False, actor=ACTOR
    )
    states = {
        v.subuser.username: v.subuser.active
        for v in list_subusers(db, account=get_account(db, username="acme"))
    }
    assert states == {"alice": True, "bob": False}
    set_subuser_active(
        db, account=get_account(db, username="acme"), username="bob", active=True, actor=ACTOR
    )
    rows = log_rows(db)[logged:]
    # a change is logged; setting the state it already has changes nothing
    assert [(r["action"], r["before"], r["after"]) for r in rows] == [
        ("subuser.set_active", {"active": True}, {"active": False}),
        ("subuser.set_active", {"active": False}, {"active": True}),
    ]
    with pytest.raises(SubuserNotFound):
        set_subuser_active(
            db, account=get_account(db, username="acme"), username="olga", active=False, actor=ACTOR
        )
    assert [
        v.subuser.active for v in list_subusers(db, account=get_account(db, username="other"))
    ] == [True]
