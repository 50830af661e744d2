"""Reseller accounts."""

from __future__ import annotations

from ipfleet.domain.errors import AccountExists, AccountNotFound, InvalidValue
from ipfleet.domain.records import Account, Actor
from ipfleet.services.common import now
from ipfleet.services.keys import add_key
from ipfleet.services.names import check_name, storable
from ipfleet.store.uow import Database, UnitOfWork, WriteUnit


def require_account(uow: UnitOfWork, username: str) -> Account:
    """The account named ``username``, or ``AccountNotFound``."""
    account = uow.accounts.by_username(username) if storable(username) else None
    if account is None:
        raise AccountNotFound(username)
    return account


def create_account(
    db: Database, *, username: str, outbound_cluster: str | None, actor: Actor
) -> tuple[Account, str]:
    """A new account and its first API key (returned this once only)."""
    check_name(username, "Account name")
    if outbound_cluster is not None and not outbound_cluster.strip():
        raise InvalidValue("Outbound cluster must not be empty")

    def work(uow: WriteUnit) -> tuple[Account, str]:
        # Account and subuser names share one namespace: an MTA authenticates by name.
        if uow.accounts.by_username(username) is not None or uow.subusers.name_taken(username):
            raise AccountExists(username)
        uow.accounts.create(username, outbound_cluster, now())
        account = require_account(uow, username)
        uow.record(
            account_id=account.id,
            action="account.create",
            subject=f"account:{username}",
            after={"username": username, "outbound_cluster": outbound_cluster},
        )
        key = add_key(uow, actor, account, "default")
        return require_account(uow, username), key

    return db.write(work, actor=actor)


def get_account(db: Database, *, username: str) -> Account:
    """One account by name."""
    return db.read(lambda uow: require_account(uow, username))


def list_accounts(db: Database) -> list[Account]:
    """Every account, by name."""
    return db.read(lambda uow: uow.accounts.all())
