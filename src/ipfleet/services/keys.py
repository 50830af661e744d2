"""API keys: made in SendGrid's shape, stored only as a hash, checked in constant time."""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets

from ipfleet.domain.errors import (
    AccountNotFound,
    BadCredentials,
    InvalidValue,
    KeyNotFound,
    LastKey,
)
from ipfleet.domain.records import Account, Actor, ApiKeyInfo
from ipfleet.services.common import now
from ipfleet.store.uow import Database, UnitOfWork, WriteUnit

MAX_KEY_NAME = 100
KEY_SHAPE = re.compile(r"SG\.([A-Za-z0-9_-]{22})\.[A-Za-z0-9_-]{43}")
# Compared against when no key matches, so a miss costs what a hit costs.
_NO_HASH = hashlib.sha256(b"no such key").hexdigest()


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


def add_key(uow: WriteUnit, actor: Actor, account: Account, name: str) -> str:
    """Make a key for ``account`` inside the caller's transaction; return it."""
    key, key_id = new_key()
    uow.touch(account.id)
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
    if not name.strip():
        raise InvalidValue("API key name is required")
    if len(name) > MAX_KEY_NAME:
        raise InvalidValue(f"API key name must be at most {MAX_KEY_NAME} characters")
    if not name.isprintable():
        raise InvalidValue("API key name must not contain control characters")
    return name


def create_key(db: Database, *, username: str, name: str, actor: Actor) -> tuple[ApiKeyInfo, str]:
    """A new key for the account; the key itself is returned this once only."""
    check_key_name(name)

    def work(uow: WriteUnit) -> tuple[ApiKeyInfo, str]:
        account = uow.accounts.by_username(username)
        if account is None:
            raise AccountNotFound(username)
        key = add_key(uow, actor, account, name)
        info = next(k for k in uow.keys.of_account(account.id) if key.split(".")[1] == k.key_id)
        return info, key

    return db.write(work, actor=actor)


def list_keys(db: Database, *, username: str) -> list[ApiKeyInfo]:
    """The account's keys (ids and names, never secrets)."""

    def work(uow: UnitOfWork) -> list[ApiKeyInfo]:
        account = uow.accounts.by_username(username)
        if account is None:
            raise AccountNotFound(username)
        return uow.keys.of_account(account.id)

    return db.read(work)


def revoke_key(
    db: Database, *, username: str, key_id: str, actor: Actor, keep_last: bool = False
) -> None:
    """Revoke one live key of the account; with ``keep_last``, never its last one."""

    def work(uow: WriteUnit) -> None:
        account = uow.accounts.by_username(username)
        if account is None:
            raise AccountNotFound(username)
        uow.touch(account.id)  # also: two concurrent revokes cannot both see two keys
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

    db.write(work, actor=actor)


def _verified(found: tuple[Account, str] | None, api_key: str, username: str | None) -> Account:
    """The account of ``found`` if the key hashes to its secret (and the name matches).

    Any mismatch raises the same ``BadCredentials``, after the same hash comparison.
    """
    expected = found[1] if found else _NO_HASH
    ok = hmac.compare_digest(hash_key(api_key), expected)
    if not ok or found is None or (username is not None and found[0].username != username):
        raise BadCredentials
    return found[0]


def key_id_of(api_key: str) -> str | None:
    """The public id of a key of SendGrid's shape, or None."""
    shape = KEY_SHAPE.fullmatch(api_key)
    return shape.group(1) if shape else None


def check_key(uow: UnitOfWork, api_key: str, username: str | None = None) -> Account:
    """The account that ``api_key`` (and ``username``, when given) identifies."""
    key_id = key_id_of(api_key)
    return _verified(uow.keys.live_key(key_id) if key_id else None, api_key, username)


def authenticate(db: Database, *, username: str, api_key: str) -> Account:
    """The account of a v2 ``api_user``/``api_key`` pair, or ``BadCredentials``.

    Runs on every v2 request, so it reads through the store's hot path; the account it
    returns carries the data version that request's cached answers are checked against.
    """
    if not username or not api_key:
        raise BadCredentials
    key_id = key_id_of(api_key)
    return _verified(db.hot.credentials(key_id) if key_id else None, api_key, username)
