"""/v3/send_ips/ips: SendGrid's IP Address Management API for an account's IPs.

Parent-only (no On-Behalf-Of). These routes answer their errors as SendGrid's file says:
a not-found is a 400 naming the field, and an error about no field names ``""``
(``SEND_IPS`` in ``opt``; see ``errors.py``).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Literal, TypeVar

from litestar import get, patch, post
from litestar.params import FromQuery, JSONBody, QueryParameter
from msgspec import UNSET, UnsetType

from ipfleet.api.offload import read
from ipfleet.api.v3.common import ActorDep, CallerDep, DbDep, IpPath, call, errors, unix
from ipfleet.api.v3.send_ip_schemas import (
    AddedSendIpOut,
    AddSendIpIn,
    IpListMetadata,
    IpNextParams,
    IpSubusersAddedOut,
    IpSubusersOut,
    PageMetadata,
    PageParams,
    PoolRefOut,
    SendIpListOut,
    SendIpOut,
    SubuserIdsIn,
    UpdatedSendIpOut,
    UpdateSendIpIn,
)
from ipfleet.domain.errors import SendIpsBadValue
from ipfleet.domain.records import SendIpFilter
from ipfleet.services import send_ips
from ipfleet.services.send_ips import SendIp, SendIpChanges, address_key

T = TypeVar("T")
TAGS = ["IP Address Management"]
SEND_IPS = {"send_ips": True}

IpLimit = Annotated[int, QueryParameter(ge=1, le=5000, description="Page size.")]
SubuserLimit = Annotated[int, QueryParameter(ge=1, le=100, description="Page size.")]
LAST_SECOND = 253_402_300_799  # 9999-12-31T23:59:59Z, the last time Python can hold
UnixTime = Annotated[
    int | None, QueryParameter(ge=0, le=LAST_SECOND, description="Seconds since the epoch.")
]


def send_ip_out(ip: SendIp, include_region: bool) -> SendIpOut:
    return SendIpOut(
        ip=ip.address,
        pools=[PoolRefOut(name, str(i)) for i, name in ip.pools],
        is_auto_warmup=ip.auto_warmup,
        is_parent_assigned=ip.parent_assigned,
        updated_at=None,  # ipfleet keeps no such time (docs/v3.md)
        is_enabled=ip.enabled,
        is_leased=ip.leased,
        added_at=unix(ip.added_at),
        region=ip.region if include_region else UNSET,
    )


def _given(value: T | None) -> T | UnsetType:
    """A query parameter echoed in ``next_params`` only when the request gave it."""
    return UNSET if value is None else value


def _filter(
    region: str,
    pool: str | None,
    is_parent_assigned: bool | None,
    before_key: str | None,
    after_key: str | None,
) -> tuple[str | None, int | None, str | None]:
    """The region, pool id and paging key of a list's query, checked as SendGrid does."""
    if before_key is not None:
        raise SendIpsBadValue("before_key", "not supported by ipfleet; page with after_key")
    if pool is not None and is_parent_assigned is not None:
        raise SendIpsBadValue("pool", "cannot be used with 'is_parent_assigned'")
    if pool is not None and not (pool.isascii() and pool.isdigit() and len(pool) <= 18):
        raise SendIpsBadValue("pool", "must be numeric")
    after = None if after_key is None else address_key(after_key, "after_key")
    return (None if region == "all" else region), (None if pool is None else int(pool)), after


@get(
    "/v3/send_ips/ips",
    operation_id="SendIpsListIp",
    summary="Get a List of all IP Addresses on your Account",
    tags=TAGS,
    opt=SEND_IPS,
    responses=errors(),
)
async def list_ips(
    db: DbDep,
    caller: CallerDep,
    ip: FromQuery[str | None] = None,
    limit: IpLimit = 10,
    after_key: FromQuery[str | None] = None,
    before_key: FromQuery[str | None] = None,
    is_leased: FromQuery[bool | None] = None,
    is_enabled: FromQuery[bool | None] = None,
    is_parent_assigned: FromQuery[bool | None] = None,
    pool: FromQuery[str | None] = None,
    start_added_at: UnixTime = None,
    end_added_at: UnixTime = None,
    region: FromQuery[Literal["all", "us", "eu"]] = "all",
    include_region: FromQuery[bool] = False,
) -> SendIpListOut:
    """The account's IPs in numeric order, filtered; page on with `after_key`."""
    region_only, pool_id, after = _filter(region, pool, is_parent_assigned, before_key, after_key)
    filters = SendIpFilter(
        enabled=is_enabled,
        parent_assigned=is_parent_assigned,
        leased=is_leased,
        region=region_only,
        pool_id=pool_id,
        added_from=None if start_added_at is None else datetime.fromtimestamp(start_added_at, UTC),
        added_to=None if end_added_at is None else datetime.fromtimestamp(end_added_at, UTC),
        after_sort_key=after,
    )
    page = await read(
        send_ips.list_send_ips, db, account=caller.account, needle=ip, filters=filters, limit=limit
    )
    params = IpNextParams(
        after_key=page.after_key,
        limit=str(limit),
        region=region,
        include_region=str(include_region).lower(),
        ip=_given(ip),
        is_leased=_given(is_leased),
        is_enabled=_given(is_enabled),
        is_parent_assigned=_given(is_parent_assigned),
        pool=_given(pool),
        start_added_at=_given(None if start_added_at is None else str(start_added_at)),
        end_added_at=_given(None if end_added_at is None else str(end_added_at)),
    )
    return SendIpListOut(
        [send_ip_out(x, include_region) for x in page.items], IpListMetadata(params)
    )


@post(
    "/v3/send_ips/ips",
    operation_id="SendIpsAddIp",
    summary="Add a Twilio SendGrid IP Address",
    tags=TAGS,
    status_code=201,
    opt=SEND_IPS,
    responses=errors(),
)
async def add_ip(
    db: DbDep, caller: CallerDep, actor: ActorDep, data: JSONBody[AddSendIpIn]
) -> AddedSendIpOut:
    """Take one IP from the platform's inventory (within the quota), with its settings,
    and give it to the subusers named by id."""
    address, subusers = await call(
        send_ips.add_send_ip,
        db,
        account=caller.account,
        auto_warmup=data.is_auto_warmup,
        parent_assigned=data.is_parent_assigned,
        subuser_ids=data.subusers,
        region=data.region,
        actor=actor,
    )
    return AddedSendIpOut(
        ip=address,
        is_auto_warmup=data.is_auto_warmup,
        is_parent_assigned=data.is_parent_assigned,
        subusers=subusers,
        region=data.region if data.include_region else UNSET,
    )


@get(
    "/v3/send_ips/ips/{ip:str}",
    operation_id="SendIpsGetIp",
    summary="Get details for an IP address",
    tags=TAGS,
    opt=SEND_IPS,
    responses=errors(),
)
async def get_ip(
    db: DbDep, caller: CallerDep, ip: IpPath, include_region: FromQuery[bool] = False
) -> SendIpOut:
    """One IP of the account, with its pools and settings."""
    found = await read(send_ips.get_send_ip, db, account=caller.account, address=ip)
    return send_ip_out(found, include_region)


@patch(
    "/v3/send_ips/ips/{ip:str}",
    operation_id="SendIpsUpdateIp",
    summary="Update an IP's warmup, parent assignment or enabled state",
    tags=TAGS,
    opt=SEND_IPS,
    responses=errors(),
)
async def update_ip(
    db: DbDep, caller: CallerDep, actor: ActorDep, ip: IpPath, data: JSONBody[UpdateSendIpIn]
) -> UpdatedSendIpOut:
    """`is_enabled: false` keeps the IP on the account but never sends from it;
    `is_parent_assigned: false` stops the account itself sending from it."""
    changes = SendIpChanges(
        auto_warmup=None if data.is_auto_warmup is UNSET else data.is_auto_warmup,
        parent_assigned=None if data.is_parent_assigned is UNSET else data.is_parent_assigned,
        enabled=None if data.is_enabled is UNSET else data.is_enabled,
    )
    got = await call(
        send_ips.update_send_ip,
        db,
        account=caller.account,
        address=ip,
        changes=changes,
        actor=actor,
    )
    return UpdatedSendIpOut(
        ip=got.address,
        is_auto_warmup=got.auto_warmup,
        is_parent_assigned=got.parent_assigned,
        is_enabled=got.enabled,
    )


@get(
    "/v3/send_ips/ips/{ip:str}/subusers",
    operation_id="SendIpsListSubUserAssignedToIp",
    summary="Get a List of Subusers Assigned to an IP",
    tags=TAGS,
    opt=SEND_IPS,
    responses=errors(),
)
async def ip_subusers(
    db: DbDep,
    caller: CallerDep,
    ip: IpPath,
    after_key: FromQuery[str | None] = None,
    limit: SubuserLimit = 100,
) -> IpSubusersOut:
    """The ids of the subusers holding the IP (in their sets), ascending."""
    page = await read(
        send_ips.ip_subuser_ids,
        db,
        account=caller.account,
        address=ip,
        after_key=after_key,
        limit=limit,
    )
    return IpSubusersOut(
        page.items, PageMetadata(PageParams(after_key=page.after_key, limit=str(limit)))
    )


@post(
    "/v3/send_ips/ips/{ip:str}/subusers:batchAdd",
    operation_id="SendIpsAddSubUsersToIp",
    summary="Assign an IP to Subusers",
    tags=TAGS,
    status_code=200,
    opt=SEND_IPS,
    responses=errors(),
)
async def add_subusers(
    db: DbDep, caller: CallerDep, actor: ActorDep, ip: IpPath, data: JSONBody[SubuserIdsIn]
) -> IpSubusersAddedOut:
    """Add the IP to each subuser's set, all or nothing."""
    address, ids = await call(
        send_ips.add_ip_subusers,
        db,
        account=caller.account,
        address=ip,
        subuser_ids=data.subusers,
        actor=actor,
    )
    return IpSubusersAddedOut(address, ids)


@post(
    "/v3/send_ips/ips/{ip:str}/subusers:batchDelete",
    operation_id="SendIpsDeleteSubUsersFromIp",
    summary="Remove an IP from Subusers",
    tags=TAGS,
    status_code=204,
    opt=SEND_IPS,
    responses=errors(),
)
async def remove_subusers(
    db: DbDep, caller: CallerDep, actor: ActorDep, ip: IpPath, data: JSONBody[SubuserIdsIn]
) -> None:
    """Take the IP out of each subuser's set, all or nothing."""
    await call(
        send_ips.remove_ip_subusers,
        db,
        account=caller.account,
        address=ip,
        subuser_ids=data.subusers,
        actor=actor,
    )


HANDLERS = [list_ips, add_ip, get_ip, update_ip, ip_subusers, add_subusers, remove_subusers]
