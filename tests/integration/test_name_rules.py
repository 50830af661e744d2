"""Account and subuser names share one namespace, also under concurrent creation."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

import pytest
from dbcheck import ACTOR, version_of

from ipfleet.domain.errors import AccountExists, SubuserExists
from ipfleet.services.accounts import create_account
from ipfleet.services.keys import create_key, revoke_key
from ipfleet.services.subusers import create_subuser
from ipfleet.store.uow import Database


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
    create_subuser(db, account_name="acme", username="alice", email="", actor=ACTOR)
    with pytest.raises(AccountExists):
        create_account(db, username="alice", outbound_cluster=None, actor=ACTOR)


def test_racing_subuser_names_lose_cleanly(db: Database, make_account: Any) -> None:
    names = [make_account(f"a{i}").name for i in range(6)]
    for round_ in range(3):
        username = f"zed{round_}"
        errors = race(
            [
                lambda n=n, u=username: create_subuser(  # type: ignore[misc]
                    db, account_name=n, username=u, email="", actor=ACTOR
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
    info, _key = create_key(db, username="acme", name="ci", actor=ACTOR)
    v1 = version_of(db, "acme")
    revoke_key(db, username="acme", key_id=info.key_id, actor=ACTOR)
    assert v0 < v1 < version_of(db, "acme")
