"""/v3/ips/warmup: start, list, inspect and stop the warmup of the account's IPs."""

from __future__ import annotations

from litestar import delete, get, post
from litestar.params import JSONBody

from ipfleet.api.offload import read
from ipfleet.api.v3.auth import OBO
from ipfleet.api.v3.common import ActorDep, CallerDep, DbDep, IpPath, call, errors
from ipfleet.api.v3.schemas import IpIn, WarmupOut
from ipfleet.services.ip_details import IpView, list_ip_views
from ipfleet.services.warmup import start_warmup, stop_warmup, warmup_status

TAGS = ["IP Warmup"]


def warmup_out(view: IpView) -> WarmupOut:
    """The v3 warmup object of an IP that is warming up."""
    assert view.warmup_started_at is not None
    return WarmupOut(view.address, int(view.warmup_started_at.timestamp()))


@post(
    "/v3/ips/warmup",
    operation_id="WarmUpIp",
    summary="Start warming up an IP address",
    tags=TAGS,
    status_code=200,
    responses=errors(404),
)
async def start(
    db: DbDep, caller: CallerDep, actor: ActorDep, data: JSONBody[IpIn]
) -> list[WarmupOut]:
    """Put one of the account's IPs into warmup, from now."""
    return [
        warmup_out(
            await call(start_warmup, db, account=caller.account, address=data.ip, actor=actor)
        )
    ]


@get(
    "/v3/ips/warmup",
    operation_id="ListWarmUpIp",
    summary="Retrieve all IPs currently in warmup",
    tags=TAGS,
    opt=OBO,
    responses=errors(),
)
async def list_warming(db: DbDep, caller: CallerDep) -> list[WarmupOut]:
    """The IPs warming up, in numeric order."""
    return [warmup_out(v) for v in await read(list_ip_views, db, caller=caller, warming_only=True)]


@get(
    "/v3/ips/warmup/{ip_address:str}",
    operation_id="GetWarmUpIp",
    summary="Retrieve the warmup status for a specific IP address",
    tags=TAGS,
    opt=OBO,
    responses=errors(404),
)
async def status(db: DbDep, caller: CallerDep, ip_address: IpPath) -> list[WarmupOut]:
    """The IP's warmup; 404 when it is not on the account or not warming up."""
    return [warmup_out(await read(warmup_status, db, caller=caller, address=ip_address))]


@delete(
    "/v3/ips/warmup/{ip_address:str}",
    operation_id="StopIpWarmUp",
    summary="Stop warming up an IP address",
    tags=TAGS,
    status_code=204,
    responses=errors(404),
)
async def stop(db: DbDep, caller: CallerDep, actor: ActorDep, ip_address: IpPath) -> None:
    """Take the IP out of warmup."""
    await call(stop_warmup, db, account=caller.account, address=ip_address, actor=actor)


HANDLERS = [start, list_warming, status, stop]
