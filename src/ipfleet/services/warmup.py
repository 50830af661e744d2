"""IP warmup: start, list, inspect and stop; ``warmup_started_at`` is when it began."""

from __future__ import annotations

from ipfleet.domain.errors import NotWarmingUp, WarmupStarted
from ipfleet.domain.records import Account, Actor
from ipfleet.services.authentication import Caller
from ipfleet.services.common import now
from ipfleet.services.ip_details import IpView, canonical_address, find_visible, views
from ipfleet.store.uow import Database, UnitOfWork, WriteUnit


def start_warmup(db: Database, *, account: Account, address: str, actor: Actor) -> IpView:
    """Put one of the account's IPs into warmup, from now."""
    text = canonical_address(address)
    return db.write(
        lambda uow: start_warmup_within(uow, account, text), actor=actor, account=account
    )


def start_warmup_within(uow: WriteUnit, account: Account, text: str) -> IpView:
    """``start_warmup`` of a canonical address inside the caller's write (v3 takes)."""
    caller = Caller(account)
    ip = find_visible(uow, caller, text)
    if ip.warmup_started_at is not None:
        raise WarmupStarted(text)
    started = now()
    uow.ip_details.set_warmup(ip.id, started)
    uow.record(
        account_id=account.id,
        action="ip.warmup_start",
        subject=f"ip:{text}",
        after={"warmup_started_at": started.isoformat()},
    )
    return views(uow, caller, [find_visible(uow, caller, text)])[0]


def warmup_status(db: Database, *, caller: Caller, address: str) -> IpView:
    """One of the caller's IPs that is warming up, or ``NotWarmingUp``."""
    text = canonical_address(address)

    def work(uow: UnitOfWork) -> IpView:
        ip = find_visible(uow, caller, text)
        if ip.warmup_started_at is None:
            raise NotWarmingUp(text)
        return views(uow, caller, [ip])[0]

    return db.read(work)


def stop_warmup(db: Database, *, account: Account, address: str, actor: Actor) -> None:
    """Take one of the account's IPs out of warmup."""
    text = canonical_address(address)
    db.write(lambda uow: stop_warmup_within(uow, account, text), actor=actor, account=account)


def stop_warmup_within(uow: WriteUnit, account: Account, text: str) -> None:
    """``stop_warmup`` of a canonical address inside the caller's write (v3 send_ips)."""
    ip = find_visible(uow, Caller(account), text)
    if ip.warmup_started_at is None:
        raise NotWarmingUp(text)
    uow.ip_details.set_warmup(ip.id, None)
    uow.record(
        account_id=account.id,
        action="ip.warmup_stop",
        subject=f"ip:{text}",
        before={"warmup_started_at": ip.warmup_started_at.isoformat()},
    )
