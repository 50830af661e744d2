"""SendGrid's IP Address Management API (/v3/send_ips) over ipfleet's model: an account's
IPs with their send settings, and the subusers holding each one.

The mapping (docs/v3.md): ``is_enabled`` is ``enabled`` (False: never sent from),
``is_parent_assigned`` is ``parent_assigned`` (the account itself sends from it),
``is_auto_warmup`` is "warming up", ``is_leased`` is "taken from the platform inventory",
``added_at`` is ``assigned_at``; subusers are named by their id, as text. The writes
compose the services v2 and the older v3 calls use, so all of them see one state.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Generic, TypeVar

from ipfleet.domain.addresses import parse_address, sort_key
from ipfleet.domain.errors import (
    AddressRejected,
    LastIpOfSubusers,
    SendIpsBadValue,
    UnknownSubusers,
)
from ipfleet.domain.records import Account, Actor, SendIpFilter, Subuser
from ipfleet.services.authentication import Caller
from ipfleet.services.common import as_utc
from ipfleet.services.inventory import take_within
from ipfleet.services.ip_details import canonical_address, find_visible
from ipfleet.services.subusers import SetMode, set_ips_within
from ipfleet.services.warmup import start_warmup_within, stop_warmup_within
from ipfleet.store.ip_detail_repo import IpDetail, IpQuery
from ipfleet.store.uow import Database, UnitOfWork, WriteUnit

REGIONS = ("us", "eu")
T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class SendIp:
    """One IP as /v3/send_ips shows it."""

    address: str
    pools: list[tuple[int, str]]  # (pool id, name), by name
    auto_warmup: bool
    parent_assigned: bool
    enabled: bool
    leased: bool
    added_at: datetime | None
    region: str


@dataclass(frozen=True, slots=True)
class Page(Generic[T]):
    """One page of a list, and the key of the next page (None: this is the last)."""

    items: list[T]
    after_key: str | None


@dataclass(frozen=True, slots=True)
class SendIpChanges:
    """What PATCH /v3/send_ips/ips/{ip} asks to change (None: leave as it is)."""

    auto_warmup: bool | None = None
    parent_assigned: bool | None = None
    enabled: bool | None = None


def check_region(region: str, field: str = "region") -> str:
    """A region ipfleet stores: ``us`` or ``eu``."""
    if region not in REGIONS:
        raise SendIpsBadValue(field, "must be one of the following: " + ", ".join(REGIONS))
    return region


def address_key(text: str, field: str) -> str:
    """The sort key of an address given as a paging key (400 naming ``field`` if none)."""
    try:
        return sort_key(parse_address(text))
    except AddressRejected:
        raise SendIpsBadValue(field, "invalid IP address") from None


def numeric_id(text: str, field: str) -> int:
    """An id given as text (a pool id, a subuser id, a paging key)."""
    if not text.isascii() or not text.isdigit() or len(text) > 18:
        raise SendIpsBadValue(field, "must be a numeric value")
    return int(text)


def send_ips_of(uow: UnitOfWork, details: list[IpDetail]) -> list[SendIp]:
    pools = uow.pools.refs_of_ips([d.id for d in details])
    return [
        SendIp(
            address=d.address,
            pools=pools.get(d.id, []),
            auto_warmup=d.warmup_started_at is not None,
            parent_assigned=d.parent_assigned,
            enabled=d.enabled,
            leased=d.leased,
            added_at=as_utc(d.assigned_at),
            region=d.region,
        )
        for d in details
    ]


def list_send_ips(
    db: Database,
    *,
    account: Account,
    needle: str | None,
    filters: SendIpFilter,
    limit: int,
) -> Page[SendIp]:
    """One page of the account's IPs that match, in numeric order."""

    def work(uow: UnitOfWork) -> Page[SendIp]:
        query = IpQuery(needle=needle, send_ips=filters, limit=limit + 1)
        found = uow.ip_details.query(account.id, query)
        more = len(found) > limit
        page = send_ips_of(uow, found[:limit])
        return Page(page, page[-1].address if more else None)

    return db.read(work)


def get_send_ip(db: Database, *, account: Account, address: str) -> SendIp:
    text = canonical_address(address)
    return db.read(lambda uow: send_ips_of(uow, [find_visible(uow, Caller(account), text)])[0])


def _settings_within(
    uow: WriteUnit, account: Account, ip: IpDetail, wanted: dict[str, Any]
) -> None:
    """Change the IP's send settings to ``wanted`` (those that differ), logged."""
    current = {"enabled": ip.enabled, "parent_assigned": ip.parent_assigned, "region": ip.region}
    after = {k: v for k, v in wanted.items() if current[k] != v}
    if after:
        uow.ip_details.set_settings(ip.id, after)
        uow.record(
            account_id=account.id,
            action="ip.update",
            subject=f"ip:{ip.address}",
            before={k: current[k] for k in after},
            after=after,
        )


def update_send_ip(
    db: Database, *, account: Account, address: str, changes: SendIpChanges, actor: Actor
) -> SendIp:
    """Change an IP's warmup and settings, all in one write."""
    if changes == SendIpChanges():
        raise SendIpsBadValue(
            "",
            "at least one of the following is required: is_enabled, is_auto_warmup,"
            " is_parent_assigned",
        )
    text = canonical_address(address)
    caller = Caller(account)

    def work(uow: WriteUnit) -> SendIp:
        ip = find_visible(uow, caller, text)
        warming = ip.warmup_started_at is not None
        if changes.auto_warmup is True and not warming:
            start_warmup_within(uow, account, text)
        elif changes.auto_warmup is False and warming:
            stop_warmup_within(uow, account, text)
        wanted = {"enabled": changes.enabled, "parent_assigned": changes.parent_assigned}
        _settings_within(uow, account, ip, {k: v for k, v in wanted.items() if v is not None})
        return send_ips_of(uow, [find_visible(uow, caller, text)])[0]

    return db.write(work, actor=actor, account=account)


def require_subusers(uow: UnitOfWork, account: Account, ids: Sequence[str]) -> list[Subuser]:
    """The account's subusers named by id (as text), in the order given; every id that
    names none of them refused at once."""
    wanted = list(dict.fromkeys(ids))
    numeric = {i: int(i) for i in wanted if i.isascii() and i.isdigit() and len(i) <= 18}
    found = uow.subusers.by_ids(account.id, numeric.values())
    unknown = [i for i in wanted if i not in numeric or numeric[i] not in found]
    if unknown:
        raise UnknownSubusers(unknown)
    return [found[numeric[i]] for i in wanted]


def add_send_ip(
    db: Database,
    *,
    account: Account,
    auto_warmup: bool,
    parent_assigned: bool,
    subuser_ids: Sequence[str],
    region: str,
    actor: Actor,
) -> tuple[str, list[str]]:
    """Take one IP from the inventory for the account with those settings, given to
    those subusers; all in one write. The address, and the subuser ids."""
    check_region(region)

    def work(uow: WriteUnit) -> tuple[str, list[str]]:
        subs = require_subusers(uow, account, subuser_ids)
        [address] = take_within(uow, account, 1, [s.username for s in subs], auto_warmup).ips
        ip = find_visible(uow, Caller(account), address)
        _settings_within(uow, account, ip, {"parent_assigned": parent_assigned, "region": region})
        return address, [str(s.id) for s in subs]

    return db.write(work, actor=actor, account=account)


def ip_subuser_ids(
    db: Database, *, account: Account, address: str, after_key: str | None, limit: int
) -> Page[str]:
    """One page of the ids of the subusers holding one of the account's IPs, ascending."""
    text = canonical_address(address)
    after = None if after_key is None else numeric_id(after_key, "after_key")

    def work(uow: UnitOfWork) -> Page[str]:
        ip = find_visible(uow, Caller(account), text)
        ids = uow.subusers.holder_ids(ip.id, after, limit + 1)
        page = [str(i) for i in ids[:limit]]
        return Page(page, page[-1] if len(ids) > limit else None)

    return db.read(work)


def _change_holders(
    uow: WriteUnit, account: Account, address: str, ids: Sequence[str], add: bool
) -> tuple[str, list[str]]:
    if not ids:
        raise SendIpsBadValue("subusers", "must not be empty")
    ip = find_visible(uow, Caller(account), address)
    subs = require_subusers(uow, account, ids)
    sets = {s.username: uow.subusers.ips(s.id) for s in subs}
    if not add:
        last = [str(s.id) for s in subs if sets[s.username] == [ip.address]]
        if last:
            raise LastIpOfSubusers(last)
    for sub in subs:
        held = sets[sub.username]
        if add and ip.address not in held:
            set_ips_within(uow, account, sub.username, SetMode.SPECIFY, [*held, ip.address])
        elif not add and ip.address in held:
            rest = [a for a in held if a != ip.address]
            set_ips_within(uow, account, sub.username, SetMode.SPECIFY, rest)
    return ip.address, [str(s.id) for s in subs]


def add_ip_subusers(
    db: Database, *, account: Account, address: str, subuser_ids: Sequence[str], actor: Actor
) -> tuple[str, list[str]]:
    """Add the IP to those subusers' sets, all or nothing; the address and subuser ids."""
    text = canonical_address(address)
    return db.write(
        lambda uow: _change_holders(uow, account, text, subuser_ids, add=True),
        actor=actor,
        account=account,
    )


def remove_ip_subusers(
    db: Database, *, account: Account, address: str, subuser_ids: Sequence[str], actor: Actor
) -> None:
    """Take the IP out of those subusers' sets, all or nothing; refused when it is the only
    IP of one of them (an empty set means every IP of the account)."""
    text = canonical_address(address)
    db.write(
        lambda uow: _change_holders(uow, account, text, subuser_ids, add=False),
        actor=actor,
        account=account,
    )
