"""An account's IP addresses: list by state, add (addresses and ranges), and leave the
account (removed from ipfleet, or returned to the inventory) with nothing of it left on them."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from ipfleet.domain.addresses import canonical, expand, parse_address, sort_key
from ipfleet.domain.errors import AddressInUse, AddressRejected, AddressTaken
from ipfleet.domain.hostnames import canonical_hostname
from ipfleet.domain.records import SEND_DEFAULTS, Account, Actor
from ipfleet.domain.sending import check_mta_name
from ipfleet.domain.states import IpState
from ipfleet.services.common import now, utc_iso
from ipfleet.store.uow import Database, UnitOfWork, WriteUnit

#: What putting an address on an account directly sets besides the account: not leased,
#: and the default send settings (replay applies the same).
DIRECT_ADD: dict[str, bool | str] = {"leased": False, **SEND_DEFAULTS}


@dataclass(frozen=True, slots=True)
class AddResult:
    added: list[str]
    already: list[str]


def parse_all(addresses: Sequence[str]) -> list[str]:
    """Canonical forms of single addresses, de-duplicated; every bad one named at once."""
    problems: list[str] = []
    texts: list[str] = []
    for raw in dict.fromkeys(addresses):
        try:
            texts.append(canonical(parse_address(raw)))
        except AddressRejected as exc:
            problems.extend(exc.details)
    if problems:
        raise AddressRejected(problems)
    return list(dict.fromkeys(texts))


def list_ips(
    db: Database, *, account: Account, state: IpState, needle: str | None = None
) -> list[str]:
    """The account's addresses in ``state`` (containing ``needle``), in numeric order."""
    return db.read(lambda uow: uow.ips.list_state(account.id, state, needle))


def list_usage(
    db: Database, *, account: Account, ip_needle: str | None, user_needle: str | None
) -> list[tuple[str, str]]:
    """Every (address, subuser) holding on the account, filtered by substrings."""
    return db.read(lambda uow: uow.subusers.holdings(account.id, ip_needle, user_needle))


def _change_known_ip(
    db: Database,
    address: str,
    actor: Actor,
    action: str,
    after: dict[str, Any],
    apply: Callable[[UnitOfWork, int], None],
) -> None:
    """Apply a change to one address ipfleet knows (on an account or in the inventory)."""
    text = parse_all([address])[0]

    def work(uow: WriteUnit) -> None:
        row = uow.ips.find([text]).get(text)
        if row is None:
            raise AddressRejected([f"IP address is not known to ipfleet: {text}"])
        apply(uow, row.id)
        uow.record(
            account_id=row.account_id,
            action=action,
            subject=f"ip:{text}",
            after=after,
        )

    db.write(work, actor=actor)


def set_whitelabeled(db: Database, *, address: str, on: bool, actor: Actor) -> None:
    """Mark a known address as whitelabeled (its v3 ``whitelabeled`` flag) or not."""
    _change_known_ip(
        db,
        address,
        actor,
        "ip.set_whitelabeled",
        {"whitelabeled": on},
        lambda uow, ip_id: uow.ips.set_whitelabeled(ip_id, on),
    )


def set_hostname(db: Database, *, address: str, hostname: str | None, actor: Actor) -> str | None:
    """Set (or clear, with None) the reverse-DNS / HELO name of a known address."""
    name = canonical_hostname(hostname) if hostname is not None else None
    _change_known_ip(
        db,
        address,
        actor,
        "ip.set_hostname",
        {"hostname": name},
        lambda uow, ip_id: uow.ips.set_hostname(ip_id, name),
    )
    return name


def set_mta(db: Database, *, address: str, mta: str | None, actor: Actor) -> None:
    """Place a known address on the MTA where it is plumbed (None: on no MTA)."""
    name = check_mta_name(mta) if mta is not None else None
    _change_known_ip(
        db,
        address,
        actor,
        "ip.set_mta",
        {"mta": name},
        lambda uow, ip_id: uow.ips.set_mta(ip_id, name),
    )


@dataclass(frozen=True, slots=True)
class Placement:
    address: str
    hostname: str | None
    mta: str | None
    enabled: bool


def list_placements(
    db: Database, *, account: Account, state: IpState, mta: str | None = None
) -> list[Placement]:
    """The account's addresses in ``state`` with host name, MTA and whether enabled (only
    those on ``mta`` when given), in numeric order."""
    if mta is not None:
        check_mta_name(mta)
    rows = db.read(lambda uow: uow.ips.placements(account.id, state, mta))
    return [Placement(*r) for r in rows]


def list_ip_hostnames(
    db: Database, *, account: Account, state: IpState
) -> list[tuple[str, str | None]]:
    """(address, hostname) of an account's addresses in ``state``, in numeric order."""
    return db.read(lambda uow: uow.ips.hostnames(account.id, state))


def add_ips(
    db: Database, *, account: Account, specs: Sequence[str], actor: Actor, limit: int | None = None
) -> AddResult:
    """Put addresses and CIDR ranges on the account, all or nothing.

    Addresses in the platform inventory move to the account; addresses already on it are
    left as they are; any address on another account refuses the whole call.
    """
    addresses = expand(specs, limit=limit)
    texts = [canonical(a) for a in addresses]

    def work(uow: WriteUnit) -> AddResult:
        found = uow.ips.find(texts)
        elsewhere = [
            t for t in texts if t in found and found[t].account_id not in (None, account.id)
        ]
        if elsewhere:
            raise AddressInUse(elsewhere)
        already = [t for t in texts if t in found and found[t].account_id == account.id]
        from_inventory = [found[t].id for t in texts if t in found and found[t].account_id is None]
        stamp = now()
        uow.ips.assign(from_inventory, account.id, stamp, **DIRECT_ADD)
        uow.ips.insert_many(
            [
                {
                    "address": canonical(a),
                    "sort_key": sort_key(a),
                    "version": a.version,
                    "account_id": account.id,
                    "assigned_at": stamp,
                    "created_at": stamp,
                    **DIRECT_ADD,
                }
                for a in addresses
                if canonical(a) not in found
            ]
        )
        added = [t for t in texts if t not in found or found[t].account_id is None]
        if added:
            uow.record(
                account_id=account.id,
                action="ip.add",
                subject=f"account:{account.username}",
                after={"addresses": added},
            )
        return AddResult(added=added, already=already)

    return db.write(work, actor=actor, account=account)


def _leave_account(uow: WriteUnit, account: Account, texts: list[str], release: bool) -> list[int]:
    """Ready the account's addresses to leave it, leaving nothing of the account on them.

    Every one must be the account's. Held ones only with ``release``, which drops the
    holdings; each pool membership is dropped, and the host name, whitelabel flag and
    warmup are cleared — each with change-log rows of its own, so the next holder of the
    address inherits nothing and the log says when each thing ended.
    """
    found = uow.ips.find(texts)
    missing = [t for t in texts if t not in found or found[t].account_id != account.id]
    if missing:
        raise AddressRejected(f"IP address is not on your account: {t}" for t in missing)
    ids = [found[t].id for t in texts]
    holders = uow.ips.holders(ids)
    if holders and not release:
        raise AddressTaken(dict.fromkeys(a for a, _ in holders))
    if holders:
        uow.ips.release(ids)
        uow.record(
            account_id=account.id,
            action="ip.release",
            subject=f"account:{account.username}",
            before={"holdings": [[a, u] for a, u in holders]},
        )
    for address, pool in uow.pools.memberships(ids):
        uow.record(
            account_id=account.id,
            action="pool.remove_ip",
            subject=f"pool:{pool}",
            before={"ip": address},
        )
    uow.ips.leave_pools(ids)
    for identity in uow.ips.identities(ids):
        uow.record(
            account_id=account.id,
            action="ip.clear_identity",
            subject=f"ip:{identity['address']}",
            before={
                "hostname": identity["hostname"],
                "whitelabeled": identity["whitelabeled"],
                "warmup_started_at": utc_iso(identity["warmup_started_at"]),
            },
        )
    uow.ips.clear_identity(ids)
    return ids


def _leave(
    db: Database,
    account: Account,
    texts: list[str],
    release: bool,
    actor: Actor,
    action: str,
    finish: Callable[[WriteUnit, list[int]], None],
    numeric: bool = False,
) -> list[str]:
    """``texts`` leave the account (``_leave_account``), then ``finish`` says where to;
    the addresses are logged and returned as given, or in ``numeric`` order."""
    done = sorted(texts, key=lambda t: sort_key(parse_address(t))) if numeric else texts

    def work(uow: WriteUnit) -> list[str]:
        ids = _leave_account(uow, account, texts, release)
        finish(uow, ids)
        uow.record(
            account_id=account.id,
            action=action,
            subject=f"account:{account.username}",
            before={"addresses": done},
        )
        return done

    return db.write(work, actor=actor, account=account)


def remove_ips(
    db: Database, *, account: Account, addresses: Sequence[str], release: bool, actor: Actor
) -> list[str]:
    """Take addresses off the account and out of ipfleet, all or nothing; return them in
    numeric order. An address a subuser holds is refused unless ``release`` drops its
    holdings too."""
    texts = sorted(parse_all(addresses), key=lambda t: sort_key(parse_address(t)))
    return _leave(
        db, account, texts, release, actor, "ip.remove", lambda uow, ids: uow.ips.delete(ids)
    )


def release_ips(
    db: Database, *, account: Account, addresses: Sequence[str], force: bool, actor: Actor
) -> list[str]:
    """Return the account's IPs to the inventory, wiped; held ones only with ``force``."""
    return _leave(
        db,
        account,
        parse_all(addresses),
        force,
        actor,
        "ip.return",
        lambda uow, ids: uow.ips.assign(ids, None, None, **SEND_DEFAULTS),
    )
