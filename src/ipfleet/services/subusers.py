"""Subusers of an account and the IPs each one holds."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum

from ipfleet.domain.addresses import Address, canonical, parse_address, sort_key
from ipfleet.domain.errors import (
    AddressRejected,
    EmptyIpSet,
    InvalidValue,
    SubuserExists,
    SubuserNotFound,
)
from ipfleet.domain.records import Account, Actor, IpRow, Subuser
from ipfleet.services.common import now
from ipfleet.services.names import check_name, check_password_rules, check_profile
from ipfleet.services.passwords import hash_password
from ipfleet.store.uow import Database, UnitOfWork, WriteUnit


class SetMode(StrEnum):
    """How ``set_subuser_ips`` chooses the new set (v2 ``set=``)."""

    NONE = "none"
    ALL = "all"
    SPECIFY = "specify"


@dataclass(frozen=True, slots=True)
class SubuserView:
    subuser: Subuser
    ips: list[str]


def require_subuser(uow: UnitOfWork, account: Account, username: str) -> Subuser:
    """The account's subuser ``username`` inside the caller's transaction; another
    account's is not found either."""
    sub = uow.subusers.get(account.id, username)
    if sub is None:
        raise SubuserNotFound
    return sub


def create_subuser(
    db: Database,
    *,
    account: Account,
    username: str,
    email: str,
    actor: Actor,
    password: str | None = None,
    profile: Mapping[str, str] | None = None,
) -> Subuser:
    """Register an active subuser holding no IPs; names are unique installation-wide."""
    check_name(username)
    fields = check_profile({"email": email, **(profile or {})})
    hashed = hash_password(check_password_rules(password)) if password is not None else None
    return db.write(
        lambda uow: _create(uow, account, username, fields, hashed), actor=actor, account=account
    )


def create_subuser_with_ips(
    db: Database,
    *,
    account: Account,
    username: str,
    email: str,
    password: str,
    ips: Sequence[str],
    actor: Actor,
) -> Subuser:
    """A new active subuser holding ``ips`` (v3 POST /v3/subusers), in one transaction:
    refused whole when any IP is malformed or not the account's."""
    if not ips:
        raise EmptyIpSet
    check_name(username)
    fields = check_profile({"email": email})
    hashed = hash_password(check_password_rules(password))

    def work(uow: WriteUnit) -> Subuser:
        sub = _create(uow, account, username, fields, hashed)
        set_ips_within(uow, account, username, SetMode.SPECIFY, ips)
        return sub

    return db.write(work, actor=actor, account=account)


def _create(
    uow: WriteUnit,
    account: Account,
    username: str,
    fields: dict[str, str],
    password_hash: str | None,
) -> Subuser:
    """Create the subuser inside the caller's write, its input already checked."""
    if uow.subusers.name_taken(username) or uow.accounts.by_username(username):
        raise SubuserExists
    profile = {k: v for k, v in fields.items() if k != "email"}
    uow.subusers.create(
        account.id, username, fields["email"], now(), password_hash=password_hash, profile=profile
    )
    uow.record(
        account_id=account.id,
        action="subuser.create",
        subject=f"subuser:{username}",
        after={**fields, "active": True, "password_set": password_hash is not None},
    )
    return require_subuser(uow, account, username)


def delete_subuser(db: Database, *, account: Account, username: str, actor: Actor) -> None:
    """Remove a subuser and release its holdings; the change log keeps its history."""

    def work(uow: WriteUnit) -> None:
        sub = require_subuser(uow, account, username)
        before = {**uow.subusers.profile(sub.id), "ips": uow.subusers.ips(sub.id)}
        uow.subusers.delete(sub.id)
        uow.record(
            account_id=account.id,
            action="subuser.delete",
            subject=f"subuser:{username}",
            before=before,
        )

    db.write(work, actor=actor, account=account)


def set_subuser_active(
    db: Database, *, account: Account, username: str, active: bool, actor: Actor
) -> None:
    """Activate or deactivate a subuser (its IPs count as available while it is inactive)."""

    def work(uow: WriteUnit) -> None:
        sub = require_subuser(uow, account, username)
        if sub.active != active:
            uow.subusers.set_active(sub.id, active)
            uow.record(
                account_id=account.id,
                action="subuser.set_active",
                subject=f"subuser:{username}",
                before={"active": sub.active},
                after={"active": active},
            )

    db.write(work, actor=actor, account=account)


def list_subusers(db: Database, *, account: Account) -> list[SubuserView]:
    """Every subuser of the account with its explicit set."""

    def work(uow: UnitOfWork) -> list[SubuserView]:
        held = uow.subusers.ips_by_subuser(account.id)
        return [SubuserView(s, held.get(s.id, [])) for s in uow.subusers.of_account(account.id)]

    return db.read(work)


def subuser_ips(
    db: Database, *, account: Account, username: str, effective: bool = False
) -> list[str]:
    """The subuser's explicit set (empty means it sends from all the account's IPs), or
    with ``effective`` what it really sends from: its set, or every IP of the account."""
    if effective:

        def work(uow: UnitOfWork) -> list[str]:
            held = uow.subusers.ips(require_subuser(uow, account, username).id)
            return held or [row.address for row in uow.ips.on_account(account.id)]

        return db.read(work)
    found = db.hot.subuser_ips(account.id, username)
    if found is None:
        raise SubuserNotFound
    return found


def resolve_account_ips(uow: UnitOfWork, account: Account, ips: Sequence[str]) -> list[IpRow]:
    """The account's IPs named in ``ips``, in numeric order; every bad one named at once."""
    parsed: dict[str, Address | str] = {}  # raw -> address, or the reason it is not one
    for raw in dict.fromkeys(ips):
        try:
            parsed[raw] = parse_address(raw)
        except AddressRejected as exc:
            parsed[raw] = exc.details[0]
    keys = {canonical(a): sort_key(a) for a in parsed.values() if not isinstance(a, str)}
    found = uow.ips.find(list(keys))
    problems: list[str] = []
    for got in parsed.values():
        if isinstance(got, str):
            problems.append(got)
        elif (row := found.get(canonical(got))) is None or row.account_id != account.id:
            problems.append(f"IP address is not on your account: {canonical(got)}")
    if problems:
        raise AddressRejected(dict.fromkeys(problems))
    return sorted((found[t] for t in keys), key=lambda r: keys[r.address])


def set_subuser_ips(
    db: Database,
    *,
    account: Account,
    username: str,
    mode: SetMode,
    ips: Sequence[str] = (),
    actor: Actor,
) -> list[str]:
    """Replace the subuser's set, all or nothing; return the new set in numeric order."""
    return db.write(
        lambda uow: set_ips_within(uow, account, username, mode, ips), actor=actor, account=account
    )


def set_subuser_ips_from_page(
    db: Database,
    *,
    account: Account,
    username: str,
    mode: SetMode,
    ips: Sequence[str],
    listed: Sequence[str],
    keep_unlisted: bool,
    actor: Actor,
) -> list[str]:
    """``set_subuser_ips`` from a form that listed only some of the account's IPs.

    ``ips`` are the ticked ones among ``listed``. With ``mode=specify`` and
    ``keep_unlisted``, the IPs the subuser holds that were not listed stay in its set
    (read inside this write, so one added meanwhile is kept too): nobody loses an IP they
    never saw. Without ``keep_unlisted`` the new set is exactly ``ips``, as v2 does.
    """

    def work(uow: WriteUnit) -> list[str]:
        chosen = list(ips)
        if mode is SetMode.SPECIFY and keep_unlisted:
            seen = {_canonical_or_none(text) for text in listed}
            held = uow.subusers.ips(require_subuser(uow, account, username).id)
            chosen += [address for address in held if address not in seen]
        return set_ips_within(uow, account, username, mode, chosen)

    return db.write(work, actor=actor, account=account)


def _canonical_or_none(text: str) -> str | None:
    try:
        return canonical(parse_address(text))
    except AddressRejected:
        return None


def set_ips_within(
    uow: WriteUnit, account: Account, username: str, mode: SetMode, ips: Sequence[str]
) -> list[str]:
    """``set_subuser_ips`` inside the caller's write (v3 takes and creations compose it).

    Checks come in the v2 contract's order: the subuser first, then the addresses.
    """
    sub = require_subuser(uow, account, username)
    if mode is SetMode.SPECIFY and not ips:
        raise EmptyIpSet
    if mode is not SetMode.SPECIFY and ips:
        raise InvalidValue(f"The ip parameter is not allowed with set={mode.value}")
    if mode is SetMode.NONE:
        rows: list[IpRow] = []
    elif mode is SetMode.ALL:
        rows = uow.ips.on_account(account.id)
    else:
        rows = resolve_account_ips(uow, account, ips)
    before = uow.subusers.replace_ips(sub, [r.id for r in rows])
    after = [r.address for r in rows]
    uow.record(
        account_id=account.id,
        action="subuser.set_ips",
        subject=f"subuser:{username}",
        before={"ips": before},
        after={"ips": after},
    )
    return after
