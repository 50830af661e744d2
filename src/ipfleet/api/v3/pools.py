"""/v3/ips/pools: named pools of the account's IPs, and their membership."""

from __future__ import annotations

from litestar import delete, get, post, put
from litestar.params import FromPath, JSONBody

from ipfleet.api.offload import read
from ipfleet.api.v3.common import ActorDep, CallerDep, DbDep, IpPath, call, errors, unix
from ipfleet.api.v3.schemas import (
    IpIn,
    PoolDetailOut,
    PoolIn,
    PoolIpOut,
    PoolOut,
    PoolRenameIn,
)
from ipfleet.services import pools

TAGS = ["IP Pools"]
LEGACY = {"legacy_404": True}


@post(
    "/v3/ips/pools",
    operation_id="CreateIpPool",
    summary="Create an IP pool",
    tags=TAGS,
    status_code=200,
    responses=errors(),
)
async def create_pool(
    db: DbDep, caller: CallerDep, actor: ActorDep, data: JSONBody[PoolIn]
) -> PoolOut:
    """A new, empty pool; names are unique on the account."""
    return PoolOut(
        await call(pools.create_pool, db, account=caller.account, name=data.name, actor=actor)
    )


@get(
    "/v3/ips/pools",
    operation_id="ListIpPool",
    summary="Retrieve all IP pools",
    tags=TAGS,
    responses=errors(),
)
async def list_pools(db: DbDep, caller: CallerDep) -> list[PoolOut]:
    """The account's pools, by name."""
    return [PoolOut(name) for name in await read(pools.list_pools, db, account=caller.account)]


@get(
    "/v3/ips/pools/{pool_name:str}",
    operation_id="GetIpPool",
    summary="Retrieve all the IPs in a specified pool",
    tags=TAGS,
    responses=errors(404),
)
async def get_pool(db: DbDep, caller: CallerDep, pool_name: FromPath[str]) -> PoolDetailOut:
    """The pool's IPs, in numeric order."""
    ips = await read(pools.pool_members, db, account=caller.account, name=pool_name)
    return PoolDetailOut(pool_name=pool_name, ips=ips)


@put(
    "/v3/ips/pools/{pool_name:str}",
    operation_id="UpdateIpPool",
    summary="Rename an IP pool",
    tags=TAGS,
    status_code=200,
    responses=errors(404),
)
async def rename_pool(
    db: DbDep,
    caller: CallerDep,
    actor: ActorDep,
    pool_name: FromPath[str],
    data: JSONBody[PoolRenameIn],
) -> PoolOut:
    """Give the pool a new name (`name`, required)."""
    new = await call(
        pools.rename_pool,
        db,
        account=caller.account,
        name=pool_name,
        new_name=data.name,
        actor=actor,
    )
    return PoolOut(new)


@delete(
    "/v3/ips/pools/{pool_name:str}",
    operation_id="DeleteIpPool",
    summary="Delete an IP pool",
    tags=TAGS,
    status_code=204,
    opt=LEGACY,
    responses=errors(404, legacy_404=True),
)
async def delete_pool(
    db: DbDep, caller: CallerDep, actor: ActorDep, pool_name: FromPath[str]
) -> None:
    """Remove the pool; its IPs stay on the account. The 404 is SendGrid's older shape."""
    await call(pools.delete_pool, db, account=caller.account, name=pool_name, actor=actor)


@post(
    "/v3/ips/pools/{pool_name:str}/ips",
    operation_id="AddIpToIpPool",
    summary="Add an IP address to a pool",
    tags=TAGS,
    status_code=201,
    responses=errors(404),
)
async def add_pool_ip(
    db: DbDep, caller: CallerDep, actor: ActorDep, pool_name: FromPath[str], data: JSONBody[IpIn]
) -> PoolIpOut:
    """Put one of the account's IPs in the pool; the answer lists all its pools."""
    view = await call(
        pools.add_pool_ip, db, account=caller.account, name=pool_name, address=data.ip, actor=actor
    )
    return PoolIpOut(view.address, view.pools, unix(view.warmup_started_at), view.warmup)


@delete(
    "/v3/ips/pools/{pool_name:str}/ips/{ip:str}",
    operation_id="DeleteIpFromIpPool",
    summary="Remove an IP address from a pool",
    tags=TAGS,
    status_code=204,
    opt=LEGACY,
    responses=errors(404, legacy_404=True),
)
async def remove_pool_ip(
    db: DbDep, caller: CallerDep, actor: ActorDep, pool_name: FromPath[str], ip: IpPath
) -> None:
    """Take the IP out of the pool. The 404 is SendGrid's older shape."""
    await call(
        pools.remove_pool_ip, db, account=caller.account, name=pool_name, address=ip, actor=actor
    )


HANDLERS = [
    create_pool,
    list_pools,
    get_pool,
    rename_pool,
    delete_pool,
    add_pool_ip,
    remove_pool_ip,
]
