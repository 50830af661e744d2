"""Accounts and API keys on both backends: key shape, hashing, authentication, revocation."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.engine import make_url

from ipfleet.domain.errors import (
    AccountExists,
    AccountNotFound,
    BadCredentials,
    InvalidValue,
    KeyNotFound,
)
from ipfleet.services.accounts import create_account, get_account, list_accounts
from ipfleet.services.authentication import authenticate
from ipfleet.services.keys import create_key, list_keys, revoke_key
from ipfleet.store.tables import api_keys
from ipfleet.store.uow import Database
from tests.support.db import ACTOR, Made, dump, log_rows

SG_KEY = re.compile(r"SG\.[A-Za-z0-9_-]{22}\.[A-Za-z0-9_-]{43}")

MakeAccount = Callable[..., Made]


def secret_traces(db: Database, key: str) -> list[str]:
    """Where the key, or its secret part, can be found in the database."""
    secret = key.rsplit(".", 1)[1]
    found = [
        f"{table}: {row!r}"
        for table, rows in dump(db).items()
        for row in rows
        if key in repr(row) or secret in repr(row)
    ]
    if db.sqlite:
        path = Path(str(make_url(db.url).database))
        for file in (path, path.with_name(path.name + "-wal")):
            if file.exists() and secret.encode() in file.read_bytes():
                found.append(f"bytes of {file.name}")
    return found


def test_create_account_returns_a_key_of_sendgrid_shape(db: Database) -> None:
    account, key = create_account(db, username="acme", outbound_cluster="mta-1", actor=ACTOR)
    assert SG_KEY.fullmatch(key)
    assert account.username == "acme"
    assert account.outbound_cluster == "mta-1"
    assert account.ip_quota == 0  # the operator grants IPs explicitly (IPFLEET_DEFAULT_QUOTA)
    assert get_account(db, username="acme") == account
    assert [a.username for a in list_accounts(db)] == ["acme"]
    assert authenticate(db, username="acme", api_key=key).id == account.id
    unlimited, _ = create_account(
        db, username="wide", outbound_cluster=None, ip_quota=None, actor=ACTOR
    )
    assert unlimited.ip_quota is None


def test_only_the_sha256_of_a_key_is_stored(db: Database, make_account: MakeAccount) -> None:
    made = make_account("acme")
    _info, second = create_key(db, account=get_account(db, username="acme"), name="ci", actor=ACTOR)
    with db.engine.connect() as conn:
        rows = conn.execute(select(api_keys).order_by(api_keys.c.id)).all()
    assert [r.secret_hash for r in rows] == [
        hashlib.sha256(k.encode()).hexdigest() for k in (made.api_key, second)
    ]
    assert [r.key_id for r in rows] == [k.split(".")[1] for k in (made.api_key, second)]
    assert secret_traces(db, made.api_key) == []
    assert secret_traces(db, second) == []


def test_keys_are_distinct(db: Database, make_account: MakeAccount) -> None:
    keys = {make_account().api_key for _ in range(3)}
    keys |= {
        create_key(db, account=get_account(db, username="acct1"), name="k", actor=ACTOR)[1]
        for _ in range(3)
    }
    assert len(keys) == 6
    assert all(SG_KEY.fullmatch(k) for k in keys)


def test_authenticate_accepts_only_the_right_pair(db: Database, make_account: MakeAccount) -> None:
    alice, bob = make_account("alice"), make_account("bob")
    assert authenticate(db, username="alice", api_key=alice.api_key) == get_account(
        db, username="alice"
    )
    key = alice.api_key
    tampered = key[:-1] + ("A" if key[-1] != "A" else "B")
    other_id = f"SG.{bob.api_key.split('.')[1]}.{key.split('.')[2]}"
    wrong = [
        ("alice", bob.api_key),  # another account's key
        ("bob", key),  # another account's name
        ("Alice", key),  # names are exact
        ("alice ", key),
        ("nobody", key),
        ("alice", tampered),
        ("alice", other_id),  # right secret, wrong key id
        ("alice", key + "x"),  # malformed: too long
        ("alice", key[:-1]),  # malformed: too short
        ("alice", key.replace("SG.", "sg.")),
        ("alice", f" {key}"),
        ("alice", "not a key"),
        ("alice", ""),
        ("", key),
        ("alice", "SG.\udcff" + key[4:]),  # not even encodable
    ]
    for username, api_key in wrong:
        with pytest.raises(BadCredentials) as info:
            authenticate(db, username=username, api_key=api_key)
        assert info.value.message == "Permission denied, wrong credentials"


def test_revoked_key_is_refused_and_others_still_work(
    db: Database, make_account: MakeAccount
) -> None:
    made = make_account("acme")
    info, spare = create_key(
        db, account=get_account(db, username="acme"), name="spare", actor=ACTOR
    )
    assert info.name == "spare"
    assert info.key_id == spare.split(".")[1]
    assert info.revoked_at is None
    first_id = made.api_key.split(".")[1]
    revoke_key(db, account=get_account(db, username="acme"), key_id=first_id, actor=ACTOR)
    with pytest.raises(BadCredentials):
        authenticate(db, username="acme", api_key=made.api_key)
    assert authenticate(db, username="acme", api_key=spare).username == "acme"
    keys = {k.key_id: k for k in list_keys(db, account=get_account(db, username="acme"))}
    assert set(keys) == {first_id, info.key_id}
    assert keys[first_id].revoked_at is not None
    assert keys[info.key_id].revoked_at is None
    assert keys[first_id].name == "default"


def test_revoking_twice_or_another_accounts_key_is_not_found(
    db: Database, make_account: MakeAccount
) -> None:
    acme, other = make_account("acme"), make_account("other")
    other_id = other.api_key.split(".")[1]
    with pytest.raises(KeyNotFound, match="API key does not exist"):
        revoke_key(db, account=get_account(db, username="acme"), key_id=other_id, actor=ACTOR)
    assert authenticate(db, username="other", api_key=other.api_key).username == "other"
    acme_id = acme.api_key.split(".")[1]
    revoke_key(db, account=get_account(db, username="acme"), key_id=acme_id, actor=ACTOR)
    before = len(log_rows(db))
    with pytest.raises(KeyNotFound):
        revoke_key(db, account=get_account(db, username="acme"), key_id=acme_id, actor=ACTOR)
    assert len(log_rows(db)) == before


def test_account_names_are_unique_and_checked(db: Database, make_account: MakeAccount) -> None:
    make_account("acme")
    with pytest.raises(AccountExists):
        create_account(db, username="acme", outbound_cluster=None, actor=ACTOR)
    for bad in ["", "x" * 65, "tab\there", "nl\n"]:
        with pytest.raises(InvalidValue):
            create_account(db, username=bad, outbound_cluster=None, actor=ACTOR)
    with pytest.raises(InvalidValue):
        create_account(db, username="blank", outbound_cluster="  ", actor=ACTOR)
    make_account("x" * 64)
    make_account("ACME")  # names are exact: another account
    assert [a.username for a in list_accounts(db)] == ["ACME", "acme", "x" * 64]


def test_unknown_account_is_not_found(db: Database) -> None:
    with pytest.raises(AccountNotFound):
        get_account(db, username="ghost")
    with pytest.raises(AccountNotFound):
        create_key(db, account=get_account(db, username="ghost"), name="k", actor=ACTOR)
    with pytest.raises(AccountNotFound):
        list_keys(db, account=get_account(db, username="ghost"))
    with pytest.raises(AccountNotFound):
        revoke_key(db, account=get_account(db, username="ghost"), key_id="x" * 22, actor=ACTOR)


def test_account_and_key_writes_are_logged(db: Database, make_account: MakeAccount) -> None:
    made = make_account("acme", outbound_cluster="mta-1")
    info, key = create_key(db, account=get_account(db, username="acme"), name="ci", actor=ACTOR)
    revoke_key(db, account=get_account(db, username="acme"), key_id=info.key_id, actor=ACTOR)
    rows = log_rows(db, made.account.id)
    assert [(r["action"], r["subject"]) for r in rows] == [
        ("account.create", "account:acme"),
        ("key.create", "account:acme"),
        ("key.create", "account:acme"),
        ("key.revoke", "account:acme"),
    ]
    assert rows[0]["after"] == {"username": "acme", "outbound_cluster": "mta-1", "ip_quota": 0}
    assert rows[2]["after"] == {"key_id": info.key_id, "name": "ci"}
    assert rows[3]["before"] == {"key_id": info.key_id}
    assert all(r["actor"] == ACTOR.name and r["request_id"] == ACTOR.request_id for r in rows)
    assert all(key not in repr(r) and made.api_key not in repr(r) for r in rows)


def test_failed_account_writes_leave_no_trace(db: Database, make_account: MakeAccount) -> None:
    make_account("acme")
    before = dump(db)
    with pytest.raises(AccountExists):
        create_account(db, username="acme", outbound_cluster=None, actor=ACTOR)
    with pytest.raises(AccountNotFound):
        create_key(db, account=get_account(db, username="ghost"), name="k", actor=ACTOR)
    assert dump(db) == before
