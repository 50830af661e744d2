"""The v3 reads of an account's IPs: holders, pools, reverse DNS, warmup, paging.

A caller acting On-Behalf-Of a subuser sees only the IPs that subuser sends from (its
set, or every IP of the account when its set is empty), and itself as their only holder.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from ipfleet.domain.errors import IpNotFound
from ipfleet.services.authentication import Caller
from ipfleet.services.common import as_utc
from ipfleet.services.ips import parse_all
from ipfleet.store.ip_detail_repo import IpDetail, IpQuery
from ipfleet.store.uow import Database, UnitOfWork


@dataclass(frozen=True, slots=True)
class IpView:
    address: str
    subusers: list[str]
    rdns: str | None
    pools: list[str]
    warmup_started_at: datetime | None
    whitelabeled: bool
    assigned_at: datetime | None

    @property
    def warmup(self) -> bool:
        return self.warmup_started_at is not None


def canonical_address(text: str) -> str:
    """The stored spelling of one address given by a caller (400 when it is none)."""
    return parse_all([text])[0]


def _within(uow: UnitOfWork, caller: Caller) -> int | None:
    """The subuser whose set bounds what the caller sees, if one does."""
    sub = caller.subuser
    if sub is not None and uow.ip_details.holds_any(sub.id):
        return sub.id
    return None


def views(uow: UnitOfWork, caller: Caller, details: list[IpDetail]) -> list[IpView]:
    """Details completed with their holders and pools, in the order given."""
    ids = [d.id for d in details]
    holders: dict[str, list[str]] = {}
    for address, username in uow.ips.holders(ids):
        if caller.subuser is None or caller.subuser.username == username:
            holders.setdefault(address, []).append(username)
    pools = uow.pools.of_ips(ids)
    return [
        IpView(
            address=d.address,
            subusers=holders.get(d.address, []),
            rdns=d.hostname,
            pools=pools.get(d.id, []),
            warmup_started_at=as_utc(d.warmup_started_at),
            whitelabeled=d.whitelabeled,
            assigned_at=as_utc(d.assigned_at),
        )
        for d in details
    ]


def list_ip_views(
    db: Database,
    *,
    caller: Caller,
    needle: str | None = None,
    holder: str | None = None,
    exclude_whitelabeled: bool = False,
    warming_only: bool = False,
    descending: bool = False,
    limit: int | None = None,
    offset: int = 0,
) -> list[IpView]:
    """The caller's IPs that match, one page of them, in numeric order (or its reverse)."""
    if caller.subuser is None and not (needle or holder or exclude_whitelabeled or warming_only):
        # The SDK's usual read, a page of everything: the store's hot path answers it.
        return _page(db, caller, descending=descending, limit=limit, offset=offset)

    def work(uow: UnitOfWork) -> list[IpView]:
        query = IpQuery(
            within_subuser=_within(uow, caller),
            needle=needle,
            holder=holder,
            exclude_whitelabeled=exclude_whitelabeled,
            warming_only=warming_only,
            descending=descending,
            limit=limit,
            offset=offset,
        )
        return views(uow, caller, uow.ip_details.query(caller.account.id, query))

    return db.read(work)


def _page(
    db: Database, caller: Caller, *, descending: bool, limit: int | None, offset: int
) -> list[IpView]:
    rows = db.hot.ip_page(caller.account.id, descending=descending, limit=limit, offset=offset)
    return [
        IpView(
            address=r.address,
            subusers=r.holders,
            rdns=r.hostname,
            pools=r.pools,
            warmup_started_at=r.warmup_started_at,
            whitelabeled=r.whitelabeled,
            assigned_at=r.assigned_at,
        )
        for r in rows
    ]


def find_visible(uow: UnitOfWork, caller: Caller, address: str) -> IpDetail:
    """One of the caller's IPs by canonical address, or ``IpNotFound``."""
    detail = uow.ip_details.one(caller.account.id, address)
    within = _within(uow, caller)
    if detail is not None and within is not None and not uow.ip_details.holds(within, detail.id):
        detail = None
    if detail is None:
        raise IpNotFound(address)
    return detail


def get_ip_view(db: Database, *, caller: Caller, address: str) -> IpView:
    """One of the caller's IPs, with its holders and pools."""
    text = canonical_address(address)
    return db.read(lambda uow: views(uow, caller, [find_visible(uow, caller, text)])[0])
