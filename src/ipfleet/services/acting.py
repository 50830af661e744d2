"""Who a v3 call acts as: the account a bearer key belongs to, or one of its subusers."""

from __future__ import annotations

from dataclasses import dataclass

from ipfleet.domain.errors import BadCredentials, OnBehalfOfRefused
from ipfleet.domain.records import Account, Subuser
from ipfleet.services.keys import check_key
from ipfleet.store.uow import Database, UnitOfWork


@dataclass(frozen=True, slots=True)
class Caller:
    """The account of the key, and the subuser named by On-Behalf-Of (if any)."""

    account: Account
    subuser: Subuser | None = None


def act_as(uow: UnitOfWork, account: Account, username: str) -> Subuser:
    """The account's subuser ``username``; any other name is refused the same way."""
    sub = uow.subusers.get(account.id, username)
    if sub is None:
        raise OnBehalfOfRefused(username)
    return sub


def authenticate_bearer(db: Database, *, api_key: str, on_behalf_of: str | None) -> Caller:
    """The caller of a bearer key, acting for a subuser when ``on_behalf_of`` is given."""
    if not api_key:
        raise BadCredentials

    def work(uow: UnitOfWork) -> Caller:
        account = check_key(uow, api_key)
        if on_behalf_of is None:
            return Caller(account)
        return Caller(account, act_as(uow, account, on_behalf_of))

    return db.read(work)
