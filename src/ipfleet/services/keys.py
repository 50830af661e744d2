"""API keys: made in SendGrid's shape, stored only as a hash (checked in ``authentication``)."""

from __future__ import annotations

import hashlib
import re
import secrets

from ipfleet.domain.errors import (
    KeyNotFound,
    LastKey,
)
from ipfleet.domain.records import Account, Actor, ApiKeyInfo
from ipfleet.services.common import now
from ipfleet.services.names import check_label
from ipfleet.store.uow import Database, WriteUnit

MAX_KEY_NAME = 100
KEY_SHAPE = re.compile(r"SG\.([A-Za-z0-9_-]{22})\.[A-Za-z0-9_-]{43}")


def new_key() -> tuple[str, str]:
    """A fresh key and its public id: ``SG.<22 chars>.<43 chars>``."""
    # A key id is typed as a command-line argument (`ipfleet key revoke ACCOUNT KEY_ID`),
    # where a leading '-' reads as an option: draw again (1 time in 64).
    key_id = secrets.token_urlsafe(16)
    while key_id.startswith("-"):
        key_id = secrets.token_urlsafe(16)
    key = f"SG.{key_id}.{secrets.token_urlsafe(32)}"
    return key, key_id


def hash_key(key: str) -> str:
    """The stored form of a key (keys are random, so a fast hash is enough)."""
    return hashlib.sha256(key.encode("utf-8", "surrogatepass")).hexdigest()


def add_key_within(uow: WriteUnit, account: Account, name: str) -> str:
    """Make a key for ``account`` inside the caller's write (account creation); return it."""
    key, key_id = new_key()
    uow.keys.add(account.id, key_id, hash_key(key), name, now())
    uow.record(
        account_id=account.id,
        action="key.create",
        subject=f"account:{account.username}",
        after={"key_id": key_id, "name": name},
    )
    return key


def check_key_name(name: str) -> str:
    """Refuse an empty, over-long or unprintable key name."""
    return check_label(name, "API key name", limit=MAX_KEY_NAME)


def create_key(
    db: Database, *, account: Account, name: str, actor: Actor
) -> tuple[ApiKeyInfo, str]:
    """A new key for the account; the key itself is returned this once only."""
    check_key_name(name)

    def work(uow: WriteUnit) -> tuple[ApiKeyInfo, str]:
        key = add_key_within(uow, account, name)
        info = next(k for k in uow.keys.of_account(account.id) if key.split(".")[1] == k.key_id)
        return info, key

    return db.write(work, actor=actor, account=account)


def list_keys(db: Database, *, account: Account) -> list[ApiKeyInfo]:
    """The account's keys (ids and names, never secrets)."""
    return db.read(lambda uow: uow.keys.of_account(account.id))


def revoke_key(
    db: Database, *, account: Account, key_id: str, actor: Actor, keep_last: bool = False
) -> None:
    """Revoke one live key of the account; with ``keep_last``, never its last one."""

    def work(uow: WriteUnit) -> None:
        # The write path has locked the account: two concurrent revokes cannot both see two keys.
        live = [k.key_id for k in uow.keys.of_account(account.id) if k.revoked_at is None]
        if key_id not in live:
            raise KeyNotFound(key_id)
        if keep_last and len(live) == 1:
            raise LastKey
        uow.keys.revoke(account.id, key_id, now())
        uow.record(
            account_id=account.id,
            action="key.revoke",
            subject=f"account:{account.username}",
            before={"key_id": key_id},
        )

    db.write(work, actor=actor, account=account)
