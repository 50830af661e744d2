"""/v3/ips: the account's IPs, one IP, the assigned ones, what remains, taking more."""

from __future__ import annotations

from typing import Literal

from litestar import get, post
from litestar.params import FromQuery, JSONBody
from msgspec import UNSET

from ipfleet.api.offload import read
from ipfleet.api.v3.auth import OBO
from ipfleet.api.v3.common import (
    ActorDep,
    CallerDep,
    DbDep,
    IpPath,
    Limit,
    Offset,
    call,
    errors,
    unix,
)
from ipfleet.api.v3.schemas import (
    AddedIp,
    AddIpsIn,
    AddIpsOut,
    AssignedIpOut,
    IpOut,
    RemainingItem,
    RemainingOut,
)
from ipfleet.services.inventory import take_for_account
from ipfleet.services.ip_details import IpView, get_ip_view, list_ip_views
from ipfleet.services.quota import offer

TAGS = ["IP Addresses"]


def ip_out(view: IpView) -> IpOut:
    """The v3 IP object; ``rdns`` only when the IP has a reverse DNS name."""
    return IpOut(
        ip=view.address,
        subusers=view.subusers,
        rdns=UNSET if view.rdns is None else view.rdns,
        pools=view.pools,
        warmup=view.warmup,
        start_date=unix(view.warmup_started_at),
        whitelabeled=view.whitelabeled,
        assigned_at=unix(view.assigned_at),
    )


@get(
    "/v3/ips",
    operation_id="ListIp",
    summary="Retrieve all IP addresses",
    tags=TAGS,
    opt=OBO,
    responses=errors(),
)
async def list_ips(
    db: DbDep,
    caller: CallerDep,
    ip: FromQuery[str | None] = None,
    subuser: FromQuery[str | None] = None,
    exclude_whitelabels: FromQuery[bool] = False,
    limit: Limit = 10,
    offset: Offset = 0,
    sort_by_direction: FromQuery[Literal["asc", "desc"]] = "asc",
) -> list[IpOut]:
    """The account's IPs in numeric order, filtered and paged.

    `ip` keeps addresses containing that text, `subuser` those the subuser holds.
    """
    found = await read(
        list_ip_views,
        db,
        caller=caller,
        needle=ip,
        holder=subuser,
        exclude_whitelabeled=exclude_whitelabels,
        descending=sort_by_direction == "desc",
        limit=limit,
        offset=offset,
    )
    return [ip_out(v) for v in found]


@get(
    "/v3/ips/assigned",
    operation_id="ListAssignedIp",
    summary="Retrieve all assigned IPs",
    tags=TAGS,
    opt=OBO,
    responses=errors(),
)
async def assigned_ips(db: DbDep, caller: CallerDep) -> list[AssignedIpOut]:
    """The IPs ready to send from (every IP of the account, or the subuser's own)."""
    return [
        AssignedIpOut(v.address, v.pools, v.warmup, unix(v.warmup_started_at))
        for v in await read(list_ip_views, db, caller=caller)
    ]


@get(
    "/v3/ips/remaining",
    operation_id="ListRemainingIpCount",
    summary="Get remaining IPs count",
    tags=TAGS,
    responses=errors(),
)
async def remaining_ips(db: DbDep, caller: CallerDep) -> RemainingOut:
    """How many more IPs POST /v3/ips could take now: the quota's room, within the inventory."""
    got = await read(offer, db, account=caller.account)
    return RemainingOut([RemainingItem(got.remaining, "month", got.price_per_ip)])


@get(
    "/v3/ips/{ip_address:str}",
    operation_id="GetIp",
    summary="Retrieve an IP address",
    tags=TAGS,
    opt=OBO,
    responses=errors(404),
)
async def get_ip(db: DbDep, caller: CallerDep, ip_address: IpPath) -> IpOut:
    """One IP of the account, with its holders and pools."""
    return ip_out(await read(get_ip_view, db, caller=caller, address=ip_address))


@post(
    "/v3/ips",
    operation_id="AddIp",
    summary="Add IPs",
    tags=TAGS,
    status_code=201,
    responses=errors(),
)
async def add_ips(
    db: DbDep, caller: CallerDep, actor: ActorDep, data: JSONBody[AddIpsIn]
) -> AddIpsOut:
    """Take `count` IPs from the platform's inventory, within the account's quota.

    All or nothing: when the inventory or the quota cannot cover `count`, nothing is
    taken and the 400 says how many could be.
    """
    got = await call(
        take_for_account,
        db,
        account=caller.account,
        count=data.count,
        subusers=data.subusers,
        warmup=data.warmup,
        actor=actor,
    )
    return AddIpsOut(
        ips=[AddedIp(address, got.subusers) for address in got.ips],
        remaining_ips=got.remaining,
        warmup=got.warmup,
    )


HANDLERS = [list_ips, assigned_ips, remaining_ips, get_ip, add_ips]
