"""Names: one namespace for accounts and subusers, exact spelling, sane host names."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

import pytest

from ipfleet.domain.errors import AccountExists, InvalidValue, SubuserExists
from ipfleet.domain.hostnames import canonical_hostname
from ipfleet.services.accounts import create_account, get_account
from ipfleet.services.keys import create_key, revoke_key
from ipfleet.services.profiles import find_subusers, update_profile
from ipfleet.services.subusers import create_subuser
from ipfleet.store.uow import Database
from tests.support.db import ACTOR, version_of


def race(fns: list[Callable[[], Any]]) -> list[Exception]:
    """Run the functions at the same moment, one thread each; return what they raised."""
    barrier = threading.Barrier(len(fns))
    errors: list[Exception] = []

    def run(fn: Callable[[], Any]) -> None:
        barrier.wait()
        try:
            fn()
        except Exception as exc:
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(f,)) for f in fns]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return errors


def test_an_account_cannot_take_a_subusers_name(db: Database, make_account: Any) -> None:
    make_account("acme")
    create_subuser(
        db, account=get_account(db, username="acme"), username="alice", email="", actor=ACTOR
    )
    with pytest.raises(AccountExists):
        create_account(db, username="alice", outbound_cluster=None, actor=ACTOR)


def test_racing_subuser_names_lose_cleanly(db: Database, make_account: Any) -> None:
    names = [make_account(f"a{i}").name for i in range(6)]
    for round_ in range(3):
        username = f"zed{round_}"
        errors = race(
            [
                lambda n=n, u=username: create_subuser(  # type: ignore[misc]
                    db, account=get_account(db, username=n), username=u, email="", actor=ACTOR
                )
                for n in names
            ]
        )
        assert len(errors) == len(names) - 1
        assert all(isinstance(e, SubuserExists) for e in errors), errors


def test_racing_account_names_lose_cleanly(db: Database) -> None:
    for round_ in range(3):
        username = f"dup{round_}"

        def make(name: str = username) -> None:
            create_account(db, username=name, outbound_cluster=None, actor=ACTOR)

        errors = race([make] * 6)
        assert len(errors) == 5
        assert all(isinstance(e, AccountExists) for e in errors), errors


def test_key_writes_bump_the_data_version(db: Database, make_account: Any) -> None:
    make_account("acme")
    v0 = version_of(db, "acme")
    info, _key = create_key(db, account=get_account(db, username="acme"), name="ci", actor=ACTOR)
    v1 = version_of(db, "acme")
    revoke_key(db, account=get_account(db, username="acme"), key_id=info.key_id, actor=ACTOR)
    assert v0 < v1 < version_of(db, "acme")


@pytest.mark.parametrize("name", ["", "   ", "\t"])
def test_blank_names_are_refused(db: Database, make_account: Any, name: str) -> None:
    make_account("acme")
    with pytest.raises(InvalidValue, match="Username is required"):
        create_subuser(
            db, account=get_account(db, username="acme"), username=name, email="", actor=ACTOR
        )


def test_names_keep_their_exact_spelling(db: Database, make_account: Any) -> None:
    make_account("acme")
    create_subuser(
        db, account=get_account(db, username="acme"), username="alice", email="", actor=ACTOR
    )
    create_subuser(
        db, account=get_account(db, username="acme"), username="alice ", email="", actor=ACTOR
    )
    create_subuser(
        db, account=get_account(db, username="acme"), username="ALICE", email="", actor=ACTOR
    )
    with pytest.raises(SubuserExists):
        create_subuser(
            db, account=get_account(db, username="acme"), username="alice ", email="", actor=ACTOR
        )


@pytest.mark.parametrize(
    ("given", "stored"),
    [("MTA1.Example.NET.", "mta1.example.net"), ("a-1.b2.example", "a-1.b2.example")],
)
def test_host_names_are_canonical(given: str, stored: str) -> None:
    assert canonical_hostname(given) == stored


@pytest.mark.parametrize(
    "bad", ["192.0.2.1", "mta1.123", "localhost", "-a.example", "a..example", "a_b.example", ""]
)
def test_host_names_that_are_not_host_names_are_refused(bad: str) -> None:
    with pytest.raises(InvalidValue):
        canonical_hostname(bad)


def test_a_profile_cannot_blank_the_email(db: Database, make_account: Any) -> None:
    account = make_account("acme")
    create_subuser(
        db,
        account=get_account(db, username="acme"),
        username="al",
        email="al@example.com",
        actor=ACTOR,
    )
    acct = get_account(db, username=account.name)
    with pytest.raises(InvalidValue, match="Email is required"):
        update_profile(db, account=acct, username="al", values={"email": ""}, actor=ACTOR)
    update_profile(db, account=acct, username="al", values={"city": "Oslo"}, actor=ACTOR)
    assert find_subusers(db, account=acct, contains={"city": "Os"}, active=None)[0]["email"] == (
        "al@example.com"
    )
