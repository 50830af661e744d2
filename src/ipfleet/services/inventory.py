"""The platform's IP inventory: bulk import, removal, and accounts taking IPs from it.

(Quotas and prices live in ``quota``; IPs going back to the inventory in ``ips``.)
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from ipfleet.domain.addresses import canonical, expand, sort_key
from ipfleet.domain.errors import (
    AddressInUse,
    AddressRejected,
    InvalidValue,
    NotEnoughIps,
    UnknownSubusers,
)
from ipfleet.domain.records import Account, Actor
from ipfleet.domain.sending import check_mta_name
from ipfleet.services.common import now
from ipfleet.services.ips import parse_all
from ipfleet.services.quota import offer_of, room_of
from ipfleet.services.subusers import SetMode, set_ips_within
from ipfleet.services.warmup import start_warmup_within
from ipfleet.store.repos import chunks
from ipfleet.store.uow import Database, WriteUnit

#: Called as progress(done, total) while a bulk import runs.
Progress = Callable[[int, int], None]
BATCH = 2_000


@dataclass(frozen=True, slots=True)
class ImportResult:
    added: int
    already_in_inventory: int
    on_accounts: int


@dataclass(frozen=True, slots=True)
class Taken:
    ips: list[str]
    subusers: list[str]
    remaining: int
    warmup: bool


@dataclass(frozen=True, slots=True)
class InventoryEntry:
    address: str
    account: str | None
    hostname: str | None


def add_to_inventory(
    db: Database,
    *,
    specs: Sequence[str],
    actor: Actor,
    limit: int | None = None,
    mta: str | None = None,
    progress: Progress | None = None,
) -> ImportResult:
    """Add addresses and ranges to the inventory in one transaction, in batches; the
    addresses added are placed on ``mta`` when given.

    Addresses already known (in the inventory or on an account) are left as they are.
    """
    if mta is not None:
        check_mta_name(mta)
    addresses = expand(specs, limit=limit)
    total = len(addresses)

    def work(uow: WriteUnit) -> ImportResult:
        added = in_inventory = on_accounts = 0
        stamp = now()
        for done, part in enumerate(chunks(addresses, BATCH)):
            texts = [canonical(a) for a in part]
            found = uow.ips.find(texts)
            in_inventory += sum(1 for r in found.values() if r.account_id is None)
            on_accounts += sum(1 for r in found.values() if r.account_id is not None)
            rows = [
                {
                    "address": t,
                    "sort_key": sort_key(a),
                    "version": a.version,
                    "account_id": None,
                    "created_at": stamp,
                    "mta": mta,
                }
                for a, t in zip(part, texts, strict=True)
                if t not in found
            ]
            uow.ips.insert_many(rows)
            added += len(rows)
            if progress:
                progress(min((done + 1) * BATCH, total), total)
        uow.record(
            account_id=None,
            action="inventory.add",
            subject="inventory",
            after={
                "specs": list(specs),
                "limit": limit,
                "added": added,
                **({"mta": mta} if mta is not None else {}),
            },
        )
        return ImportResult(added, in_inventory, on_accounts)

    return db.write(work, actor=actor)


def remove_from_inventory(db: Database, *, addresses: Sequence[str], actor: Actor) -> list[str]:
    """Forget inventory addresses (on no account), all or nothing."""
    texts = parse_all(addresses)

    def work(uow: WriteUnit) -> list[str]:
        found = uow.ips.find(texts)
        unknown = [t for t in texts if t not in found]
        if unknown:
            raise AddressRejected(f"IP address is not in the inventory: {t}" for t in unknown)
        assigned = [t for t in texts if found[t].account_id is not None]
        if assigned:
            raise AddressInUse(assigned)
        uow.ips.delete([found[t].id for t in texts])
        uow.record(
            account_id=None,
            action="inventory.remove",
            subject="inventory",
            before={"addresses": texts},
        )
        return texts

    return db.write(work, actor=actor)


def list_inventory(db: Database, *, free_only: bool) -> list[InventoryEntry]:
    """Every IP ipfleet knows with its account, or only the free ones."""
    rows = db.read(lambda uow: uow.inventory.entries(free_only))
    return [InventoryEntry(a, acc, host) for a, acc, host in rows]


@dataclass(frozen=True, slots=True)
class Claim:
    """The IPs a take moved to the account, and what it may take after them."""

    ips: list[str]
    remaining: int


def _take(uow: WriteUnit, account: Account, count: int) -> Claim:
    """Claim ``count`` free IPs for the account, within its quota (the write path has
    locked the account, so concurrent takes by one account are serialised)."""
    if count < 1:
        raise InvalidValue("The count must be at least 1")
    room = room_of(uow.quota.standing(account.id))
    if room is not None and count > room:
        why = f"the quota of {account.username} allows {max(room, 0)} more"
        raise NotEnoughIps(f"Cannot take {count} IPs: {why}")
    claimed = uow.inventory.claim(account.id, count, now())
    if len(claimed) < count:
        raise NotEnoughIps(f"Cannot take {count} IPs: the inventory has {len(claimed)} free")
    taken = [r.address for r in claimed]
    uow.record(
        account_id=account.id,
        action="ip.take",
        subject=f"account:{account.username}",
        after={"addresses": taken},
    )
    # Read again after the claim: on PostgreSQL another account's take may have changed
    # the free inventory since the first read, and this one now holds its counter's row.
    return Claim(taken, offer_of(uow.quota.standing(account.id)).remaining)


def take_ips(db: Database, *, account: Account, count: int, actor: Actor) -> list[str]:
    """Move ``count`` free inventory IPs to the account, atomically and within its quota."""
    return db.write(lambda uow: _take(uow, account, count).ips, actor=actor, account=account)


def take_for_account(
    db: Database,
    *,
    account: Account,
    count: int,
    subusers: Sequence[str],
    warmup: bool,
    actor: Actor,
) -> Taken:
    """Take ``count`` IPs, add them to each named subuser's set, optionally warm them up
    (v3 POST /v3/ips). All in one transaction: an unknown subuser or a shortfall leaves
    nothing taken."""
    names = list(dict.fromkeys(subusers))

    def work(uow: WriteUnit) -> Claim:
        found = {n: uow.subusers.get(account.id, n) for n in names}
        unknown = [n for n, sub in found.items() if sub is None]
        if unknown:
            raise UnknownSubusers(unknown)
        return take_within(uow, account, count, names, warmup)

    claim = db.write(work, actor=actor, account=account)
    return Taken(claim.ips, sorted(names), claim.remaining, warmup)


def take_within(
    uow: WriteUnit, account: Account, count: int, holders: Sequence[str], warmup: bool
) -> Claim:
    """Take ``count`` IPs inside the caller's write, add them to the sets of ``holders``
    (the account's subusers, checked by the caller), optionally warm them up; what was
    taken, and what the account may take after it."""
    claim = _take(uow, account, count)
    for name in holders:
        sub = uow.subusers.get(account.id, name)
        held = uow.subusers.ips(sub.id) if sub else []
        set_ips_within(uow, account, name, SetMode.SPECIFY, [*held, *claim.ips])
    if warmup:
        for address in claim.ips:
            start_warmup_within(uow, account, address)
    return claim
