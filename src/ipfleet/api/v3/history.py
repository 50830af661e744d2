"""/v3/ips/{ip}/history: the timeline of one IP, for the reseller (ipfleet's own addition).

A reseller sees only the periods while the IP was on its own account, clipped to them: a
previous or later tenant is never named, and an IP never on the account is not found.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

import msgspec
from litestar import get
from litestar.params import QueryParameter

from ipfleet.api.offload import read
from ipfleet.api.v3.common import CallerDep, DbDep, IpPath, errors
from ipfleet.api.v3.openapi import ADDITION_TAG
from ipfleet.domain.timeline import Period, parse_moment
from ipfleet.services.timeline import account_ip_history, account_who_at

AtQuery = Annotated[
    str | None,
    QueryParameter(
        description="A moment (ISO 8601 with a zone, or Unix seconds): answer who held, and "
        "who could send from, the IP then.",
    ),
]


class PeriodOut(msgspec.Struct):
    kind: str  # account | holding | pool
    started_at: str
    ended_at: str | None
    subuser: str | None = None
    pool: str | None = None


class HistoryOut(msgspec.Struct):
    ip: str
    periods: list[PeriodOut]


class SenderOut(msgspec.Struct):
    username: str | None
    active: bool
    mail_domain: str | None
    explicit: bool  # held the IP in its set; false: its set was empty (all IPs)


class WhoOut(msgspec.Struct):
    ip: str
    at: str
    on_account: bool
    subusers: list[SenderOut]


def _iso(moment: datetime | None) -> str | None:
    return None if moment is None else moment.isoformat()


def _period(p: Period) -> PeriodOut:
    return PeriodOut(p.kind, p.started_at.isoformat(), _iso(p.ended_at), p.subuser, p.pool)


@get(
    "/v3/ips/{ip_address:str}/history",
    operation_id="GetIpHistory",
    summary="Retrieve the history of an IP address on your account",
    tags=[ADDITION_TAG],
    responses=errors(404),
)
async def ip_history(
    db: DbDep, caller: CallerDep, ip_address: IpPath, at: AtQuery = None
) -> HistoryOut | WhoOut:
    """Every period of the IP while it was on your account (its tenancy, the subusers that
    held it, its pools), oldest first; with `at`, who held and who could send from it then.
    """
    if at is not None:
        moment = parse_moment(at)
        who = await read(account_who_at, db, account=caller.account, address=ip_address, at=moment)
        senders = [SenderOut(s.subuser, s.active, s.mail_domain, s.explicit) for s in who.senders]
        return WhoOut(who.address, moment.isoformat(), who.account is not None, senders)
    periods = await read(account_ip_history, db, account=caller.account, address=ip_address)
    return HistoryOut(periods[0].address, [_period(p) for p in periods])


HANDLERS = [ip_history]
