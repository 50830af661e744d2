"""An account rotating its own API keys: never down to no key at all."""

from __future__ import annotations

from ipfleet.domain.errors import InvalidValue, KeyNotFound
from ipfleet.domain.records import Account, Actor, ApiKeyInfo
from ipfleet.services.common import now, record
from ipfleet.services.keys import create_key
from ipfleet.services.v3_errors import LastKey
from ipfleet.store.uow import Database, UnitOfWork

MAX_KEY_NAME = 100


def check_key_name(name: str) -> str:
    """Refuse an empty, over-long or unprintable key name."""
    if not name.strip():
        raise InvalidValue("API key name is required")
    if len(name) > MAX_KEY_NAME:
        raise InvalidValue(f"API key name must be at most {MAX_KEY_NAME} characters")
    if not name.isprintable():
        raise InvalidValue("API key name must not contain control characters")
    return name


def live_keys(db: Database, *, account: Account) -> list[ApiKeyInfo]:
    """The account's unrevoked keys, oldest first (ids and names, never secrets)."""
    keys = db.read(lambda uow: uow.keys.of_account(account.id))
    return [k for k in keys if k.revoked_at is None]


def add_own_key(
    db: Database, *, account: Account, name: str, actor: Actor
) -> tuple[ApiKeyInfo, str]:
    """A new key for the account; the key itself is returned this once only."""
    return create_key(db, username=account.username, name=check_key_name(name), actor=actor)


def revoke_own_key(db: Database, *, account: Account, key_id: str, actor: Actor) -> None:
    """Revoke one of the account's live keys, unless it is the last one."""

    def work(uow: UnitOfWork) -> None:
        uow.accounts.bump(account.id)  # two concurrent deletes cannot both see two keys
        live = [k.key_id for k in uow.keys.of_account(account.id) if k.revoked_at is None]
        if key_id not in live:
            raise KeyNotFound(key_id)
        if len(live) == 1:
            raise LastKey
        uow.keys.revoke(account.id, key_id, now())
        record(
            uow,
            actor,
            account_id=account.id,
            action="key.revoke",
            subject=f"account:{account.username}",
            before={"key_id": key_id},
        )

    db.write(work)
