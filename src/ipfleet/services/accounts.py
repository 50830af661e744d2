"""Reseller accounts, and the one way the edges turn an account name into an ``Account``."""

from __future__ import annotations

from ipfleet.domain.errors import AccountExists, AccountNotFound, InvalidValue
from ipfleet.domain.records import Account, Actor
from ipfleet.services.common import now
from ipfleet.services.keys import add_key_within
from ipfleet.services.names import check_name, check_quota
from ipfleet.store.uow import Database, UnitOfWork, WriteUnit


def _require(uow: UnitOfWork, username: str) -> Account:
    account = uow.accounts.by_username(username)
    if account is None:
        raise AccountNotFound(username)
    return account


def get_account(db: Database, *, username: str) -> Account:
    """The account named ``username``, or ``AccountNotFound``: the edges' one resolver."""
    return db.read(lambda uow: _require(uow, username))


def create_account(
    db: Database,
    *,
    username: str,
    outbound_cluster: str | None,
    actor: Actor,
    ip_quota: int | None = 0,
) -> tuple[Account, str]:
    """A new account with ``ip_quota`` (the edges pass ``IPFLEET_DEFAULT_QUOTA``; None is
    unlimited) and its first API key (returned this once only)."""
    check_name(username, "Account name")
    check_quota(ip_quota)
    if outbound_cluster is not None and not outbound_cluster.strip():
        raise InvalidValue("Outbound cluster must not be empty")

    def work(uow: WriteUnit) -> tuple[Account, str]:
        # Account and subuser names share one namespace: an MTA authenticates by name.
        if uow.accounts.by_username(username) is not None or uow.subusers.name_taken(username):
            raise AccountExists(username)
        account_id = uow.accounts.create(username, outbound_cluster, now())
        uow.quota.set_ip_quota(account_id, ip_quota)
        uow.record(
            account_id=account_id,
            action="account.create",
            subject=f"account:{username}",
            after={
                "username": username,
                "outbound_cluster": outbound_cluster,
                "ip_quota": ip_quota,
            },
        )
        key = add_key_within(uow, uow.accounts.get(account_id), "default")
        return uow.accounts.get(account_id), key

    return db.write(work, actor=actor)


def list_accounts(db: Database) -> list[Account]:
    """Every account, by name."""
    return db.read(lambda uow: uow.accounts.all())
