"""An account's IP quota and price, and what it may still take from the inventory."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from ipfleet.domain.errors import InvalidValue
from ipfleet.domain.records import Account, Actor
from ipfleet.services.names import check_quota
from ipfleet.store.quota_repo import Standing
from ipfleet.store.uow import Database, WriteUnit


@dataclass(frozen=True, slots=True)
class Offer:
    """How many more IPs the account can take right now, and at what price each."""

    remaining: int
    price_per_ip: float


def _set(
    db: Database,
    account: Account,
    actor: Actor,
    action: str,
    field: str,
    value: Any,
    read: Callable[[WriteUnit], Any],
    write: Callable[[WriteUnit], None],
) -> None:
    """Change one of the account's quota fields, logging it as it was in this transaction
    (not as the caller saw it)."""

    def work(uow: WriteUnit) -> None:
        before = read(uow)
        write(uow)
        uow.record(
            account_id=account.id,
            action=action,
            subject=f"account:{account.username}",
            before={field: before},
            after={field: value},
        )

    db.write(work, actor=actor, account=account)


def set_quota(db: Database, *, account: Account, quota: int | None, actor: Actor) -> None:
    """Cap the IPs an account may hold after its own takes (None: unlimited)."""
    check_quota(quota)
    _set(
        db,
        account,
        actor,
        "account.set_quota",
        "ip_quota",
        quota,
        lambda uow: uow.quota.ip_quota(account.id),
        lambda uow: uow.quota.set_ip_quota(account.id, quota),
    )


def set_price(db: Database, *, account: Account, price: float | None, actor: Actor) -> None:
    """What the account pays per IP it takes (shown by v3 /ips/remaining); None clears it."""
    if price is not None and not (0 <= price < 1e9):
        raise InvalidValue("The price must be zero or more")
    _set(
        db,
        account,
        actor,
        "account.set_price",
        "price_per_ip",
        price,
        lambda uow: uow.quota.price_per_ip(account.id),
        lambda uow: uow.quota.set_price_per_ip(account.id, price),
    )


def room_of(standing: Standing) -> int | None:
    """The quota's room in ``standing`` (None: unlimited; negative: over the quota)."""
    return None if standing.quota is None else standing.quota - standing.held


def offer_of(standing: Standing) -> Offer:
    """Room under the quota, bounded by the free inventory, and the price of each IP."""
    room, free = room_of(standing), standing.free
    remaining = free if room is None else max(0, min(room, free))
    return Offer(remaining, standing.price_per_ip or 0.0)


def remaining_ips(db: Database, *, account: Account) -> int | None:
    """How many more IPs the account may take under its quota (None: unlimited)."""
    room = db.read(lambda uow: room_of(uow.quota.standing(account.id)))
    return None if room is None else max(0, room)


def offer(db: Database, *, account: Account) -> Offer:
    """Room under the quota, bounded by the free inventory, and the price of each IP."""
    return db.read(lambda uow: offer_of(uow.quota.standing(account.id)))
