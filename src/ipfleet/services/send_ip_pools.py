"""The pools of SendGrid's IP Address Management API (/v3/send_ips/pools): pools named by
their id, with a preview of their IPs, and batches of IPs added and removed.

Every write composes the pool services of ``services.pools`` (one rule, one change-log
action per membership), so /v3/ips/pools and v2 see the same pools.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from ipfleet.domain.errors import IpsNotInPool, PoolIdNotFound, SendIpsBadValue
from ipfleet.domain.records import Account, Actor
from ipfleet.services.pools import (
    add_member_within,
    check_pool_name,
    create_pool_within,
    delete_pool_within,
    remove_member_within,
    rename_pool_within,
)
from ipfleet.services.send_ips import Page, address_key, numeric_id
from ipfleet.services.subusers import resolve_account_ips
from ipfleet.store.uow import Database, UnitOfWork, WriteUnit

PREVIEW = 10  # SendGrid's ips_preview holds at most 10 addresses
MAX_IPS = 100  # SendGrid's limit of IPs in one request


@dataclass(frozen=True, slots=True)
class PoolSummary:
    id: int
    name: str
    ips_preview: list[str]
    total_ip_count: int
    regions: dict[str, int]  # how many IPs of each region


@dataclass(frozen=True, slots=True)
class PoolIp:
    address: str
    region: str
    pools: list[tuple[int, str]]


def pool_ref(uow: UnitOfWork, account: Account, pool_id: str) -> tuple[int, str]:
    """(id, name) of the account's pool with that id (as text); another account's pool
    is not found either."""
    number = numeric_id(pool_id, "poolid")
    name = uow.pools.name_of(account.id, number)
    if name is None:
        raise PoolIdNotFound
    return number, name


def check_ip_count(ips: Sequence[str]) -> None:
    if not 1 <= len(ips) <= MAX_IPS:
        raise SendIpsBadValue("ips", f"the number of IPs must be between 1 and {MAX_IPS}")


def _summary(uow: UnitOfWork, pool_id: int, name: str) -> PoolSummary:
    regions = uow.pools.region_counts(pool_id)
    preview = [a for _, a, _, _ in uow.pools.member_page(pool_id, None, PREVIEW)]
    return PoolSummary(pool_id, name, preview, sum(regions.values()), regions)


def list_send_pools(
    db: Database,
    *,
    account: Account,
    after_key: str | None,
    limit: int,
    needle: str | None = None,
    region: str | None = None,
) -> Page[PoolSummary]:
    """One page of the account's pools by id; ``needle`` keeps those holding an address
    containing it, ``region`` those holding an IP of that region."""
    after = None if after_key is None else numeric_id(after_key, "after_key")

    def work(uow: UnitOfWork) -> Page[PoolSummary]:
        found = uow.pools.page(account.id, after, limit + 1, needle, region)
        page = [_summary(uow, i, n) for i, n in found[:limit]]
        return Page(page, str(page[-1].id) if len(found) > limit else None)

    return db.read(work)


def get_send_pool(db: Database, *, account: Account, pool_id: str) -> PoolSummary:
    return db.read(lambda uow: _summary(uow, *pool_ref(uow, account, pool_id)))


def _add_ips_within(
    uow: WriteUnit, account: Account, pool_id: int, name: str, ips: Sequence[str]
) -> list[str]:
    """Put the account's IPs in the pool (those already in it stay); its members after."""
    for row in resolve_account_ips(uow, account, ips):
        if not uow.pools.is_member(pool_id, row.id):
            add_member_within(uow, account, pool_id, name, row.id, row.address)
    return uow.pools.members(pool_id)


def create_send_pool(
    db: Database, *, account: Account, name: str, ips: Sequence[str], actor: Actor
) -> tuple[int, list[str]]:
    """A new pool holding ``ips`` (the account's), all or nothing: its id and members."""
    check_pool_name(name)
    if ips:
        check_ip_count(ips)

    def work(uow: WriteUnit) -> tuple[int, list[str]]:
        pool_id = create_pool_within(uow, account, name)
        return pool_id, _add_ips_within(uow, account, pool_id, name, ips)

    return db.write(work, actor=actor, account=account)


def rename_send_pool(
    db: Database, *, account: Account, pool_id: str, new_name: str, actor: Actor
) -> int:
    check_pool_name(new_name)

    def work(uow: WriteUnit) -> int:
        number, name = pool_ref(uow, account, pool_id)
        rename_pool_within(uow, account, number, name, new_name)
        return number

    return db.write(work, actor=actor, account=account)


def delete_send_pool(db: Database, *, account: Account, pool_id: str, actor: Actor) -> None:
    db.write(
        lambda uow: delete_pool_within(uow, account, *pool_ref(uow, account, pool_id)),
        actor=actor,
        account=account,
    )


def send_pool_ips(
    db: Database, *, account: Account, pool_id: str, after_key: str | None, limit: int
) -> Page[PoolIp]:
    """One page of a pool's IPs in numeric order, each with all its pools."""
    after = None if after_key is None else address_key(after_key, "after_key")

    def work(uow: UnitOfWork) -> Page[PoolIp]:
        number, _ = pool_ref(uow, account, pool_id)
        found = uow.pools.member_page(number, after, limit + 1)
        refs = uow.pools.refs_of_ips([i for i, _, _, _ in found[:limit]])
        page = [PoolIp(a, region, refs.get(i, [])) for i, a, region, _ in found[:limit]]
        return Page(page, page[-1].address if len(found) > limit else None)

    return db.read(work)


def add_send_pool_ips(
    db: Database, *, account: Account, pool_id: str, ips: Sequence[str], actor: Actor
) -> tuple[int, str, list[str]]:
    """Put the account's IPs in the pool, all or nothing: id, name and members after."""
    check_ip_count(ips)

    def work(uow: WriteUnit) -> tuple[int, str, list[str]]:
        number, name = pool_ref(uow, account, pool_id)
        return number, name, _add_ips_within(uow, account, number, name, ips)

    return db.write(work, actor=actor, account=account)


def remove_send_pool_ips(
    db: Database, *, account: Account, pool_id: str, ips: Sequence[str], actor: Actor
) -> None:
    """Take IPs out of the pool, all or nothing: any address not in it refuses the call."""
    check_ip_count(ips)

    def work(uow: WriteUnit) -> None:
        number, name = pool_ref(uow, account, pool_id)
        rows = resolve_account_ips(uow, account, ips)
        missing = [r.address for r in rows if not uow.pools.is_member(number, r.id)]
        if missing:
            raise IpsNotInPool(name, missing)
        for row in rows:
            remove_member_within(uow, account, number, name, row.id, row.address)

    db.write(work, actor=actor, account=account)
