"""The operator's IP inventory: bulk import, quotas, atomic takes, releases."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from ipfleet.domain.addresses import canonical, expand, sort_key
from ipfleet.domain.errors import (
    AddressInUse,
    AddressRejected,
    InvalidValue,
    NotEnoughIps,
)
from ipfleet.domain.records import Actor
from ipfleet.domain.sending import check_mta_name
from ipfleet.services.accounts import require_account
from ipfleet.services.common import now
from ipfleet.services.ips import parse_all, take_off_account
from ipfleet.store.repos import chunks
from ipfleet.store.uow import Database, UnitOfWork, WriteUnit

#: Called as progress(done, total) while a bulk import runs.
Progress = Callable[[int, int], None]
BATCH = 2_000


@dataclass(frozen=True, slots=True)
class ImportResult:
    added: int
    already_in_inventory: int
    on_accounts: int


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


def set_quota(db: Database, *, account_name: str, quota: int | None, actor: Actor) -> None:
    """Cap the IPs an account may hold after its own takes (None: unlimited)."""
    if quota is not None and quota < 0:
        raise InvalidValue("The quota must be zero or more")

    def work(uow: WriteUnit) -> None:
        account = require_account(uow, account_name)
        uow.touch(account.id)
        uow.inventory.set_quota(account.id, quota)
        uow.record(
            account_id=account.id,
            action="account.set_quota",
            subject=f"account:{account.username}",
            before={"ip_quota": account.ip_quota},
            after={"ip_quota": quota},
        )

    db.write(work, actor=actor)


def set_price(db: Database, *, account_name: str, price: float | None, actor: Actor) -> None:
    """What the account pays per IP it takes (shown by v3 /ips/remaining); None clears it."""
    if price is not None and not (0 <= price < 1e9):
        raise InvalidValue("The price must be zero or more")

    def work(uow: WriteUnit) -> None:
        account = require_account(uow, account_name)
        uow.touch(account.id)
        before = uow.quota.price_per_ip(account.id)
        uow.quota.set_price_per_ip(account.id, price)
        uow.record(
            account_id=account.id,
            action="account.set_price",
            subject=f"account:{account.username}",
            before={"price_per_ip": before},
            after={"price_per_ip": price},
        )

    db.write(work, actor=actor)


def remaining_ips(db: Database, *, account_name: str) -> int | None:
    """How many more IPs the account may take under its quota (None: unlimited)."""

    def work(uow: UnitOfWork) -> int | None:
        account = require_account(uow, account_name)
        if account.ip_quota is None:
            return None
        return max(0, account.ip_quota - uow.inventory.count_on_account(account.id))

    return db.read(work)


def take_ips(db: Database, *, account_name: str, count: int, actor: Actor) -> list[str]:
    """Move ``count`` free inventory IPs to the account, atomically and within its quota."""
    return db.write(lambda uow: take_in(uow, account_name, count, actor), actor=actor)


def take_in(uow: WriteUnit, account_name: str, count: int, actor: Actor) -> list[str]:
    """``take_ips`` inside the caller's transaction."""
    if count < 1:
        raise InvalidValue("The count must be at least 1")
    account = require_account(uow, account_name)
    uow.touch(account.id)  # serialises takes by one account
    problems = []
    if account.ip_quota is not None:
        room = account.ip_quota - uow.inventory.count_on_account(account.id)
        if count > room:
            problems.append(f"the quota of {account.username} allows {max(room, 0)} more")
    claimed = [] if problems else uow.inventory.claim(account.id, count, now())
    if not problems and len(claimed) < count:
        problems.append(f"the inventory has {len(claimed)} free")
    if problems:
        raise NotEnoughIps(f"Cannot take {count} IPs: " + " and ".join(problems))
    taken = [r.address for r in claimed]
    uow.record(
        account_id=account.id,
        action="ip.take",
        subject=f"account:{account.username}",
        after={"addresses": taken},
    )
    return taken


def release_ips(
    db: Database, *, account_name: str, addresses: Sequence[str], force: bool, actor: Actor
) -> list[str]:
    """Return the account's IPs to the inventory; held ones only with ``force``."""
    texts = parse_all(addresses)

    def work(uow: WriteUnit) -> list[str]:
        account, ids = take_off_account(uow, account_name, texts, force, actor)
        uow.inventory.reset_for_inventory(ids)
        uow.record(
            account_id=account.id,
            action="ip.return",
            subject=f"account:{account.username}",
            before={"addresses": texts},
        )
        return texts

    return db.write(work, actor=actor)
