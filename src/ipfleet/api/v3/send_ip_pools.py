"""/v3/send_ips/pools: SendGrid's IP Address Management API for pools, named by id.

Parent-only, with the error conventions of ``send_ips.py`` (``SEND_IPS``).
"""

from __future__ import annotations

from typing import Annotated, Literal

from litestar import delete, get, post, put
from litestar.params import FromPath, FromQuery, JSONBody, QueryParameter
from msgspec import UNSET

from ipfleet.api.offload import read
from ipfleet.api.v3.common import ActorDep, CallerDep, DbDep, call, errors
from ipfleet.api.v3.send_ip_schemas import (
    CreateSendPoolIn,
    PageMetadata,
    PageParams,
    PoolIpsIn,
    PoolRefOut,
    RegionCount,
    RenamedSendPoolOut,
    RenameSendPoolIn,
    SendPoolDetailOut,
    SendPoolIpListOut,
    SendPoolIpOut,
    SendPoolIpsOut,
    SendPoolListOut,
    SendPoolOut,
)
from ipfleet.api.v3.send_ips import SEND_IPS, TAGS
from ipfleet.services import send_ip_pools as pools

PoolLimit = Annotated[int, QueryParameter(ge=1, le=100, description="Page size.")]
PoolId = FromPath[str]


def _regions(counts: dict[str, int]) -> list[str]:
    return sorted(r for r, n in counts.items() if n)


@get(
    "/v3/send_ips/pools",
    operation_id="SendIpsListIpPool",
    summary="Get All IP Pools that have at least one IP",
    tags=TAGS,
    opt=SEND_IPS,
    responses=errors(),
)
async def list_pools(
    db: DbDep,
    caller: CallerDep,
    limit: PoolLimit = 100,
    after_key: FromQuery[str | None] = None,
    ip: FromQuery[str | None] = None,
    region: FromQuery[Literal["all", "us", "eu"]] = "all",
    include_region: FromQuery[bool] = False,
) -> SendPoolListOut:
    """The account's pools by id, each with up to 10 of its IPs; `ip` keeps the pools
    holding an address that contains it, `region` those with an IP of that region."""
    page = await read(
        pools.list_send_pools,
        db,
        account=caller.account,
        after_key=after_key,
        limit=limit,
        needle=ip,
        region=None if region == "all" else region,
    )
    result = [
        SendPoolOut(
            name=p.name,
            id=str(p.id),
            ips_preview=p.ips_preview,
            total_ip_count=p.total_ip_count,
            regions=_regions(p.regions) if include_region else UNSET,
        )
        for p in page.items
    ]
    params = PageParams(
        after_key=page.after_key,
        limit=str(limit),
        include_region=str(include_region).lower(),
        ip=UNSET if ip is None else ip,
        region=region,
    )
    return SendPoolListOut(result, PageMetadata(params))


@post(
    "/v3/send_ips/pools",
    operation_id="SendIpsCreateIpPool",
    summary="Create an IP Pool with a Name and IP Assignments",
    tags=TAGS,
    status_code=201,
    opt=SEND_IPS,
    responses=errors(),
)
async def create_pool(
    db: DbDep, caller: CallerDep, actor: ActorDep, data: JSONBody[CreateSendPoolIn]
) -> SendPoolIpsOut:
    """A new pool holding `ips` (the account's), all or nothing."""
    pool_id, ips = await call(
        pools.create_send_pool,
        db,
        account=caller.account,
        name=data.name,
        ips=data.ips,
        actor=actor,
    )
    return SendPoolIpsOut(data.name, str(pool_id), ips)


@get(
    "/v3/send_ips/pools/{poolid:str}",
    operation_id="SendIpsGetIpPool",
    summary="Get Details for an IP Pool",
    tags=TAGS,
    opt=SEND_IPS,
    responses=errors(),
)
async def get_pool(
    db: DbDep, caller: CallerDep, poolid: PoolId, include_region: FromQuery[bool] = False
) -> SendPoolDetailOut:
    """The pool's name, id, up to 10 of its IPs and how many it has."""
    p = await read(pools.get_send_pool, db, account=caller.account, pool_id=poolid)
    by_region = [RegionCount(r, n) for r, n in sorted(p.regions.items())]
    return SendPoolDetailOut(
        name=p.name,
        id=str(p.id),
        ips_preview=p.ips_preview,
        total_ip_count=p.total_ip_count,
        ip_count_by_region=by_region if include_region else UNSET,
    )


@put(
    "/v3/send_ips/pools/{poolid:str}",
    operation_id="SendIpsUpdateIpPool",
    summary="Update an IP Pool Name",
    tags=TAGS,
    status_code=200,
    opt=SEND_IPS,
    responses=errors(),
)
async def rename_pool(
    db: DbDep, caller: CallerDep, actor: ActorDep, poolid: PoolId, data: JSONBody[RenameSendPoolIn]
) -> RenamedSendPoolOut:
    """Give the pool a new name, free on the account."""
    pool_id = await call(
        pools.rename_send_pool,
        db,
        account=caller.account,
        pool_id=poolid,
        new_name=data.name,
        actor=actor,
    )
    return RenamedSendPoolOut(data.name, str(pool_id))


@delete(
    "/v3/send_ips/pools/{poolid:str}",
    operation_id="SendIpsDeleteIpPool",
    summary="Delete an IP Pool",
    tags=TAGS,
    status_code=204,
    opt=SEND_IPS,
    responses=errors(),
)
async def delete_pool(db: DbDep, caller: CallerDep, actor: ActorDep, poolid: PoolId) -> None:
    """Remove the pool; its IPs stay on the account."""
    await call(pools.delete_send_pool, db, account=caller.account, pool_id=poolid, actor=actor)


@get(
    "/v3/send_ips/pools/{poolid:str}/ips",
    operation_id="SendIpsListIpAssignedToIpPool",
    summary="Get IPs Assigned to an IP Pool",
    tags=TAGS,
    opt=SEND_IPS,
    responses=errors(),
)
async def pool_ips(
    db: DbDep,
    caller: CallerDep,
    poolid: PoolId,
    limit: PoolLimit = 100,
    after_key: FromQuery[str | None] = None,
    include_region: FromQuery[bool] = False,
) -> SendPoolIpListOut:
    """The pool's IPs in numeric order, each with all its pools; page on with `after_key`."""
    page = await read(
        pools.send_pool_ips,
        db,
        account=caller.account,
        pool_id=poolid,
        after_key=after_key,
        limit=limit,
    )
    result = [
        SendPoolIpOut(
            ip=x.address,
            pools=[PoolRefOut(name, str(i)) for i, name in x.pools],
            region=x.region if include_region else UNSET,
        )
        for x in page.items
    ]
    params = PageParams(
        after_key=page.after_key, limit=str(limit), include_region=str(include_region).lower()
    )
    return SendPoolIpListOut(result, PageMetadata(params))


@post(
    "/v3/send_ips/pools/{poolid:str}/ips:batchAdd",
    operation_id="SendIpsAddIpsToIpPool",
    summary="Add IPs to an IP Pool",
    tags=TAGS,
    status_code=200,
    opt=SEND_IPS,
    responses=errors(),
)
async def add_ips(
    db: DbDep, caller: CallerDep, actor: ActorDep, poolid: PoolId, data: JSONBody[PoolIpsIn]
) -> SendPoolIpsOut:
    """Put the account's IPs in the pool, all or nothing; the answer lists all its IPs."""
    pool_id, name, ips = await call(
        pools.add_send_pool_ips,
        db,
        account=caller.account,
        pool_id=poolid,
        ips=data.ips,
        actor=actor,
    )
    return SendPoolIpsOut(name, str(pool_id), ips)


@post(
    "/v3/send_ips/pools/{poolid:str}/ips:batchDelete",
    operation_id="SendIpsDeleteIpsFromIpPool",
    summary="Remove IPs from an IP Pool",
    tags=TAGS,
    status_code=204,
    opt=SEND_IPS,
    responses=errors(),
)
async def remove_ips(
    db: DbDep, caller: CallerDep, actor: ActorDep, poolid: PoolId, data: JSONBody[PoolIpsIn]
) -> None:
    """Take IPs out of the pool, all or nothing (each must be in it)."""
    await call(
        pools.remove_send_pool_ips,
        db,
        account=caller.account,
        pool_id=poolid,
        ips=data.ips,
        actor=actor,
    )


HANDLERS = [
    list_pools,
    create_pool,
    get_pool,
    rename_pool,
    delete_pool,
    pool_ips,
    add_ips,
    remove_ips,
]
