"""/v3/subusers: the account's subusers and the IPs each one sends from."""

from __future__ import annotations

from typing import Any, Literal

from litestar import HttpMethod, delete, get, patch, post, put, route
from litestar.exceptions import MethodNotAllowedException
from litestar.params import FromPath, FromQuery, JSONBody
from msgspec import UNSET

from ipfleet.api.offload import read
from ipfleet.api.v3.common import (
    ActorDep,
    CallerDep,
    DbDep,
    Offset,
    OptionalLimit,
    SettingsDep,
    call,
    errors,
)
from ipfleet.api.v3.schemas import (
    SubuserCreatedOut,
    SubuserIn,
    SubuserIpSetsOut,
    SubuserIpsOut,
    SubuserOut,
    SubuserPatchIn,
)
from ipfleet.domain.addresses import check_address_count
from ipfleet.domain.errors import InvalidValue, UnknownCall
from ipfleet.services.profiles import set_website_access
from ipfleet.services.subusers import (
    SetMode,
    create_subuser_with_ips,
    delete_subuser,
    list_subusers,
    set_subuser_active,
    set_subuser_ips,
    subuser_ips,
)

TAGS = ["Subusers API"]
ADDITION = "ipfleet additions"
REGION = "global"  # ipfleet has one region; SendGrid calls it "global"


@get(
    "/v3/subusers",
    operation_id="ListSubuser",
    summary="List all Subusers",
    tags=TAGS,
    responses=errors(),
)
async def list_all(
    db: DbDep,
    caller: CallerDep,
    username: FromQuery[str | None] = None,
    limit: OptionalLimit = None,
    offset: Offset = 0,
    region: FromQuery[Literal["all", "global", "eu"]] = "all",
    include_region: FromQuery[bool] = False,
) -> list[SubuserOut]:
    """The account's subusers by username; `username` keeps the one of that exact name."""
    found = [
        v.subuser
        for v in await read(list_subusers, db, account=caller.account)
        if (username is None or v.subuser.username == username) and region != "eu"
    ]
    page = found[offset : None if limit is None else offset + limit]
    return [
        SubuserOut(
            disabled=not s.active,
            id=s.id,
            username=s.username,
            email=s.email,
            region=REGION if include_region else UNSET,
        )
        for s in page
    ]


@post(
    "/v3/subusers",
    operation_id="CreateSubuser",
    summary="Create Subuser",
    tags=TAGS,
    status_code=200,
    responses=errors(),
)
async def create(
    db: DbDep, caller: CallerDep, actor: ActorDep, data: JSONBody[SubuserIn]
) -> SubuserCreatedOut:
    """A new subuser holding `ips` (at least one, all of them the account's)."""
    if data.region != REGION:
        raise InvalidValue(f"Region {data.region} is not available; use {REGION}")
    sub = await call(
        create_subuser_with_ips,
        db,
        account=caller.account,
        username=data.username,
        email=data.email,
        password=data.password,
        ips=data.ips,
        actor=actor,
    )
    return SubuserCreatedOut(
        username=sub.username,
        user_id=sub.id,
        email=sub.email,
        region=REGION if data.include_region else UNSET,
    )


@patch(
    "/v3/subusers/{subuser_name:str}",
    operation_id="UpdateSubuser",
    summary="Enable/disable a subuser",
    tags=TAGS,
    status_code=204,
    responses=errors(404),
)
async def enable_disable(
    db: DbDep,
    caller: CallerDep,
    actor: ActorDep,
    subuser_name: FromPath[str],
    data: JSONBody[SubuserPatchIn],
) -> None:
    """`{"disabled": true}` deactivates the subuser (its IPs then count as available)."""
    await call(
        set_subuser_active,
        db,
        account=caller.account,
        username=subuser_name,
        active=not data.disabled,
        actor=actor,
    )


@delete(
    "/v3/subusers/{subuser_name:str}",
    operation_id="DeleteSubuser",
    summary="Delete a subuser",
    tags=TAGS,
    status_code=204,
    responses=errors(404),
)
async def remove(
    db: DbDep, caller: CallerDep, actor: ActorDep, subuser_name: FromPath[str]
) -> None:
    """Delete the subuser for good; the IPs it held stay on the account."""
    await call(delete_subuser, db, account=caller.account, username=subuser_name, actor=actor)


@put(
    "/v3/subusers/{subuser_name:str}/ips",
    operation_id="UpdateSubuserIp",
    summary="Update IPs assigned to a subuser",
    tags=TAGS,
    status_code=200,
    responses=errors(404, 413),
)
async def replace_ips(
    db: DbDep,
    settings: SettingsDep,
    caller: CallerDep,
    actor: ActorDep,
    subuser_name: FromPath[str],
    data: JSONBody[list[str]],
) -> SubuserIpsOut:
    """Replace the subuser's set with the given IPs (as v2 `set=specify` does)."""
    check_address_count(len(data), settings.max_ips_per_request)
    ips = await call(
        set_subuser_ips,
        db,
        account=caller.account,
        username=subuser_name,
        mode=SetMode.SPECIFY,
        ips=data,
        actor=actor,
    )
    return SubuserIpsOut(ips)


@get(
    "/v3/subusers/{subuser_name:str}/ips",
    operation_id="GetSubuserIps",
    summary="Retrieve the IPs of a subuser (ipfleet addition)",
    tags=[ADDITION],
    responses=errors(404),
)
async def get_ips(db: DbDep, caller: CallerDep, subuser_name: FromPath[str]) -> SubuserIpSetsOut:
    """ipfleet's addition: the subuser's set, and `effective`, what it really sends from
    (its set, or every IP of the account when the set is empty)."""
    held = await read(subuser_ips, db, account=caller.account, username=subuser_name)
    effective = held or await read(
        subuser_ips, db, account=caller.account, username=subuser_name, effective=True
    )
    return SubuserIpSetsOut(ips=held, effective=effective)


@patch(
    "/v3/subusers/{subuser_name:str}/website_access",
    operation_id="UpdateSubuserWebsiteAccess",
    summary="Enable/Disable website access for a Subuser",
    tags=TAGS,
    status_code=204,
    responses=errors(404),
)
async def website_access(
    db: DbDep,
    caller: CallerDep,
    actor: ActorDep,
    subuser_name: FromPath[str],
    data: JSONBody[SubuserPatchIn],
) -> None:
    """`{"disabled": true}` refuses the subuser's web login; its sending is not affected."""
    await call(
        set_website_access,
        db,
        account=caller.account,
        username=subuser_name,
        allowed=not data.disabled,
        actor=actor,
    )


#: SendGrid's subuser calls about mail ipfleet does not send, by path: answered 404.
#: ``/v3/subusers/reputations`` and ``/v3/subusers/stats`` are GETs of
#: ``/v3/subusers/{subuser_name}`` (``not_served_one``): as static routes they would take
#: PATCH and DELETE away from subusers of those names.
NOT_SERVED: dict[str, tuple[HttpMethod, ...]] = {
    "/v3/subusers/stats/monthly": (HttpMethod.GET,),
    "/v3/subusers/stats/sums": (HttpMethod.GET,),
    "/v3/subusers/{subuser_name:str}/credits": (HttpMethod.GET, HttpMethod.PUT),
    "/v3/subusers/{subuser_name:str}/credits/remaining": (HttpMethod.PATCH,),
    "/v3/subusers/{subuser_name:str}/stats/monthly": (HttpMethod.GET,),
}
NOT_SERVED_ONE = {"reputations": "reputations", "stats": "statistics"}
#: Marks the handlers above: they are no methods of their paths (``allow`` leaves them out).
NOT_SERVED_OPT = {"not_served": True}


def _refuse(what: str) -> UnknownCall:
    return UnknownCall(f"ipfleet does not serve subuser {what}: it sends no mail")


def _not_served(path: str, methods: tuple[HttpMethod, ...]) -> Any:
    what = "credits" if "/credits" in path else "statistics"

    @route(path, http_method=list(methods), include_in_schema=False, opt=NOT_SERVED_OPT)
    async def not_served() -> None:
        raise _refuse(what)

    return not_served


@get("/v3/subusers/{subuser_name:str}", include_in_schema=False, opt=NOT_SERVED_OPT)
async def not_served_one(subuser_name: FromPath[str]) -> None:
    """SendGrid has no GET of one subuser (a 405, as before); its reputations and stats
    lists have this shape."""
    what = NOT_SERVED_ONE.get(subuser_name)
    if what is None:
        raise MethodNotAllowedException(headers={"allow": "DELETE, OPTIONS, PATCH"})
    raise _refuse(what)


HANDLERS = [
    list_all,
    create,
    enable_disable,
    remove,
    replace_ips,
    get_ips,
    website_access,
    not_served_one,
    *(_not_served(path, methods) for path, methods in NOT_SERVED.items()),
]
