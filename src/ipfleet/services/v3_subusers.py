"""Creating a subuser the v3 way: with its password and at least one of the account's IPs."""

from __future__ import annotations

from collections.abc import Sequence

from ipfleet.domain.errors import EmptyIpSet
from ipfleet.domain.records import Account, Actor, Subuser
from ipfleet.services.names import check_name, check_password_rules, check_profile
from ipfleet.services.passwords import hash_password
from ipfleet.services.subusers import SetMode, create_in, set_ips_in
from ipfleet.store.uow import Database, WriteUnit


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
    """A new active subuser holding ``ips``, in one transaction: refused whole when any
    IP is malformed or not the account's."""
    if not ips:
        raise EmptyIpSet
    check_name(username)
    fields = check_profile({"email": email})
    hashed = hash_password(check_password_rules(password))

    def work(uow: WriteUnit) -> Subuser:
        sub = create_in(uow, account.username, username, fields, hashed, actor)
        set_ips_in(uow, account, username, SetMode.SPECIFY, ips, actor)
        return sub

    return db.write(work, actor=actor)
