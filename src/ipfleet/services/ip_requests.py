"""An account taking IPs from the platform inventory through v3, and what it may still take."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from ipfleet.domain.errors import UnknownSubusers
from ipfleet.domain.records import Account, Actor
from ipfleet.services.inventory import remaining_ips, take_ips
from ipfleet.services.subusers import SetMode, set_subuser_ips, subuser_ips
from ipfleet.services.warmup import start_warmup
from ipfleet.store.uow import Database, UnitOfWork


@dataclass(frozen=True, slots=True)
class Offer:
    """How many more IPs the account can take right now, and at what price each."""

    remaining: int
    price_per_ip: float


@dataclass(frozen=True, slots=True)
class Taken:
    ips: list[str]
    subusers: list[str]
    remaining: int
    warmup: bool


def offer(db: Database, *, account: Account) -> Offer:
    """Room under the quota (unlimited without one), bounded by the free inventory."""
    room = remaining_ips(db, account_name=account.username)

    def work(uow: UnitOfWork) -> Offer:
        free = uow.inventory.free_count()
        price = uow.quota.price_per_ip(account.id)
        return Offer(free if room is None else min(room, free), price or 0.0)

    return db.read(work)


def take_for_account(
    db: Database,
    *,
    account: Account,
    count: int,
    subusers: Sequence[str],
    warmup: bool,
    actor: Actor,
) -> Taken:
    """Take ``count`` IPs, add them to each named subuser's set, optionally warm them up.

    The subusers are checked before anything is taken; the take itself is atomic.
    """
    names = list(dict.fromkeys(subusers))

    def check(uow: UnitOfWork) -> None:
        unknown = [n for n in names if uow.subusers.get(account.id, n) is None]
        if unknown:
            raise UnknownSubusers(unknown)

    db.read(check)
    taken = take_ips(db, account_name=account.username, count=count, actor=actor)
    for name in names:
        held = subuser_ips(db, account=account, username=name)
        set_subuser_ips(
            db,
            account=account,
            username=name,
            mode=SetMode.SPECIFY,
            ips=[*held, *taken],
            actor=actor,
        )
    if warmup:
        for address in taken:
            start_warmup(db, account=account, address=address, actor=actor)
    return Taken(taken, sorted(names), offer(db, account=account).remaining, warmup)
