"""IP pools: named groups of an account's IPs (one IP may be in several pools)."""

from __future__ import annotations

from ipfleet.domain.errors import (
    BadPoolName,
    IpAlreadyInPool,
    IpNotInPool,
    PoolExists,
    PoolNotFound,
)
from ipfleet.domain.records import Account, Actor
from ipfleet.services.authentication import Caller
from ipfleet.services.common import now
from ipfleet.services.ip_details import IpView, canonical_address, find_visible, views
from ipfleet.services.names import check_label
from ipfleet.store.uow import Database, UnitOfWork, WriteUnit


def check_pool_name(name: str) -> str:
    """Refuse a name that is empty, too long, unprintable or not usable as a path segment."""
    check_label(name, "Pool name", error=BadPoolName)
    if "/" in name or name in (".", ".."):
        raise BadPoolName("Pool name must not contain '/' or be '.' or '..'")
    return name


def require_pool(uow: UnitOfWork, account: Account, name: str) -> int:
    """The id of the account's pool ``name``; another account's is not found either."""
    pool_id = uow.pools.find(account.id, name)
    if pool_id is None:
        raise PoolNotFound(name)
    return pool_id


def list_pools(db: Database, *, account: Account) -> list[str]:
    """The account's pool names, sorted."""
    return db.read(lambda uow: uow.pools.names(account.id))


def pool_members(db: Database, *, account: Account, name: str) -> list[str]:
    """The addresses in one of the account's pools, in numeric order."""
    return db.read(lambda uow: uow.pools.members(require_pool(uow, account, name)))


def create_pool(db: Database, *, account: Account, name: str, actor: Actor) -> str:
    """A new, empty pool."""
    check_pool_name(name)

    def work(uow: WriteUnit) -> str:
        create_pool_within(uow, account, name)
        return name

    return db.write(work, actor=actor, account=account)


def create_pool_within(uow: WriteUnit, account: Account, name: str) -> int:
    """``create_pool`` of a checked name inside the caller's write; the new pool's id."""
    if uow.pools.find(account.id, name) is not None:
        raise PoolExists(name)
    pool_id = uow.pools.create(account.id, name, now())
    uow.record(account_id=account.id, action="pool.create", subject=f"pool:{name}")
    return pool_id


def rename_pool(db: Database, *, account: Account, name: str, new_name: str, actor: Actor) -> str:
    """Give a pool a new name, free on the account (its own name is fine)."""
    check_pool_name(new_name)

    def work(uow: WriteUnit) -> str:
        rename_pool_within(uow, account, require_pool(uow, account, name), name, new_name)
        return new_name

    return db.write(work, actor=actor, account=account)


def rename_pool_within(
    uow: WriteUnit, account: Account, pool_id: int, name: str, new_name: str
) -> None:
    """``rename_pool`` of the pool ``pool_id`` (named ``name``) inside the caller's write."""
    if new_name != name:
        if uow.pools.find(account.id, new_name) is not None:
            raise PoolExists(new_name)
        uow.pools.rename(pool_id, new_name)
        uow.record(
            account_id=account.id,
            action="pool.rename",
            subject=f"pool:{new_name}",
            before={"name": name},
            after={"name": new_name},
        )


def delete_pool(db: Database, *, account: Account, name: str, actor: Actor) -> None:
    """Remove a pool (its IPs stay on the account)."""

    db.write(
        lambda uow: delete_pool_within(uow, account, require_pool(uow, account, name), name),
        actor=actor,
        account=account,
    )


def delete_pool_within(uow: WriteUnit, account: Account, pool_id: int, name: str) -> None:
    """``delete_pool`` of the pool ``pool_id`` (named ``name``) inside the caller's write."""
    members = uow.pools.members(pool_id)
    uow.pools.delete(pool_id)
    uow.record(
        account_id=account.id,
        action="pool.delete",
        subject=f"pool:{name}",
        before={"ips": members},
    )


def add_pool_ip(db: Database, *, account: Account, name: str, address: str, actor: Actor) -> IpView:
    """Put one of the account's IPs in a pool; return the IP with all its pools."""
    text = canonical_address(address)
    caller = Caller(account)

    def work(uow: WriteUnit) -> IpView:
        pool_id = require_pool(uow, account, name)
        ip = find_visible(uow, caller, text)
        if uow.pools.is_member(pool_id, ip.id):
            raise IpAlreadyInPool(text, name)
        add_member_within(uow, account, pool_id, name, ip.id, text)
        return views(uow, caller, [ip])[0]

    return db.write(work, actor=actor, account=account)


def remove_pool_ip(
    db: Database, *, account: Account, name: str, address: str, actor: Actor
) -> None:
    """Take an IP out of a pool (it stays on the account and in its other pools)."""
    text = canonical_address(address)

    def work(uow: WriteUnit) -> None:
        pool_id = require_pool(uow, account, name)
        ip = uow.ip_details.one(account.id, text)
        if ip is None or not remove_member_within(uow, account, pool_id, name, ip.id, text):
            raise IpNotInPool(text, name)

    db.write(work, actor=actor, account=account)


def add_member_within(
    uow: WriteUnit, account: Account, pool_id: int, name: str, ip_id: int, address: str
) -> None:
    """Put the account's IP (not yet a member) in its pool, inside the caller's write."""
    uow.pools.add_member(pool_id, ip_id, account.id)
    uow.record(
        account_id=account.id, action="pool.add_ip", subject=f"pool:{name}", after={"ip": address}
    )


def remove_member_within(
    uow: WriteUnit, account: Account, pool_id: int, name: str, ip_id: int, address: str
) -> bool:
    """Take the IP out of the pool inside the caller's write; False: it was not in it."""
    if not uow.pools.remove_member(pool_id, ip_id):
        return False
    uow.record(
        account_id=account.id,
        action="pool.remove_ip",
        subject=f"pool:{name}",
        before={"ip": address},
    )
    return True
