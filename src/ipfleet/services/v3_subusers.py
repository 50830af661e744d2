"""Creating a subuser the v3 way: with its password and at least one of the account's IPs."""

from __future__ import annotations

from collections.abc import Sequence

from ipfleet.domain.errors import AddressRejected, EmptyIpSet, IpfleetError
from ipfleet.domain.records import Account, Actor, Subuser
from ipfleet.services.ips import parse_all
from ipfleet.services.subusers import SetMode, create_subuser, delete_subuser, set_subuser_ips
from ipfleet.store.uow import Database, UnitOfWork


def check_own_ips(db: Database, *, account: Account, ips: Sequence[str]) -> list[str]:
    """Canonical forms of ``ips``, all of them the account's; every bad one named at once."""
    if not ips:
        raise EmptyIpSet
    texts = parse_all(ips)

    def work(uow: UnitOfWork) -> list[str]:
        found = uow.ips.find(texts)
        missing = [t for t in texts if t not in found or found[t].account_id != account.id]
        if missing:
            raise AddressRejected(f"IP address is not on your account: {t}" for t in missing)
        return texts

    return db.read(work)


def create_subuser_with_ips(
    db: Database,
    *,
    account: Account,
    username: str,
    email: str,
    password: str,
    ips: Sequence[str],
    actor: Actor,
) -> Subuser:
    """A new active subuser holding ``ips``; refused whole when any IP is not the account's.

    The IPs are checked first; should one leave the account between the check and the
    assignment, the new subuser is removed again and the error raised.
    """
    texts = check_own_ips(db, account=account, ips=ips)
    sub = create_subuser(
        db,
        account_name=account.username,
        username=username,
        email=email,
        password=password,
        actor=actor,
    )
    try:
        set_subuser_ips(
            db, account=account, username=username, mode=SetMode.SPECIFY, ips=texts, actor=actor
        )
    except IpfleetError:
        delete_subuser(db, account_name=account.username, username=username, actor=actor)
        raise
    return sub
