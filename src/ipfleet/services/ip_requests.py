"""An account taking IPs from the platform inventory through v3, and what it may still take."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from ipfleet.domain.errors import UnknownSubusers
from ipfleet.domain.records import Account, Actor
from ipfleet.services.inventory import remaining_ips, take_in
from ipfleet.services.subusers import SetMode, require_subuser, set_ips_in
from ipfleet.services.warmup import start_warmup_in
from ipfleet.store.uow import Database, UnitOfWork, WriteUnit


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

    All in one transaction: an unknown subuser or a shortfall leaves nothing taken.
    """
    names = list(dict.fromkeys(subusers))

    def work(uow: WriteUnit) -> list[str]:
        unknown = [n for n in names if uow.subusers.get(account.id, n) is None]
        if unknown:
            raise UnknownSubusers(unknown)
        taken = take_in(uow, account.username, count, actor)
        for name in names:
            held = uow.subusers.ips(require_subuser(uow, account, name).id)
            set_ips_in(uow, account, name, SetMode.SPECIFY, [*held, *taken], actor)
        if warmup:
            for address in taken:
                start_warmup_in(uow, account, address, actor)
        return taken

    taken = db.write(work, actor=actor)
    return Taken(taken, sorted(names), offer(db, account=account).remaining, warmup)
