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
from ipfleet.services.accounts import require_account
from ipfleet.services.common import now
from ipfleet.services.names import check_name, check_password_rules, check_profile, storable
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
    """The account's subuser ``username``; another account's is not found either."""
    # No stored name holds NUL (names are checked), and PostgreSQL cannot even compare one.
    sub = uow.subusers.get(account.id, username) if storable(username) else None
    if sub is None:
        raise SubuserNotFound
    return sub


def create_subuser(
    db: Database,
    *,
    account_name: str,
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
        lambda uow: create_in(uow, account_name, username, fields, hashed, actor), actor=actor
    )


def create_in(
    uow: WriteUnit,
    account_name: str,
    username: str,
    fields: dict[str, str],
    password_hash: str | None,
    actor: Actor,
) -> Subuser:
    """``create_subuser`` inside the caller's transaction, its input already checked."""
    account = require_account(uow, account_name)
    uow.touch(account.id)
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


def delete_subuser(db: Database, *, account_name: str, username: str, actor: Actor) -> None:
    """Remove a subuser and release its holdings; the change log keeps its history."""

    def work(uow: WriteUnit) -> None:
        account = require_account(uow, account_name)
        uow.touch(account.id)
        sub = require_subuser(uow, account, username)
        before = {**uow.subusers.profile(sub.id), "ips": uow.subusers.ips(sub.id)}
        uow.subusers.delete(sub.id)
        uow.record(
            account_id=account.id,
            action="subuser.delete",
            subject=f"subuser:{username}",
            before=before,
        )

    db.write(work, actor=actor)


def set_subuser_active(
    db: Database, *, account_name: str, username: str, active: bool, actor: Actor
) -> None:
    """Activate or deactivate a subuser (its IPs count as available while it is inactive)."""

    def work(uow: WriteUnit) -> None:
        account = require_account(uow, account_name)
        uow.touch(account.id)
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

    db.write(work, actor=actor)


def list_subusers(db: Database, *, account_name: str) -> list[SubuserView]:
    """Every subuser of the account with its explicit set."""

    def work(uow: UnitOfWork) -> list[SubuserView]:
        account = require_account(uow, account_name)
        held = uow.subusers.ips_by_subuser(account.id)
        return [SubuserView(s, held.get(s.id, [])) for s in uow.subusers.of_account(account.id)]

    return db.read(work)


def subuser_ips(db: Database, *, account: Account, username: str) -> list[str]:
    """The subuser's explicit set (empty means it sends from all the account's IPs)."""
    found = db.hot.subuser_ips(account.id, username) if storable(username) else None
    if found is None:
        raise SubuserNotFound
    return found


def _resolve(uow: UnitOfWork, account: Account, ips: Sequence[str]) -> list[IpRow]:
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
    return db.write(lambda uow: set_ips_in(uow, account, username, mode, ips, actor), actor=actor)


def set_ips_in(
    uow: WriteUnit,
    account: Account,
    username: str,
    mode: SetMode,
    ips: Sequence[str],
    actor: Actor,
) -> list[str]:
    """``set_subuser_ips`` inside the caller's transaction.

    Checks come in the v2 contract's order: the subuser first, then the addresses.
    """
    uow.touch(account.id)
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
        rows = _resolve(uow, account, ips)
    before = uow.subusers.ips(sub.id)
    uow.subusers.replace_ips(sub, [r.id for r in rows])
    after = [r.address for r in rows]
    uow.record(
        account_id=account.id,
        action="subuser.set_ips",
        subject=f"subuser:{username}",
        before={"ips": before},
        after={"ips": after},
    )
    return after


def subuser_ips_by_name(db: Database, *, account_name: str, username: str) -> list[str]:
    """As ``subuser_ips``, for an account named by the operator."""

    def work(uow: UnitOfWork) -> list[str]:
        account = require_account(uow, account_name)
        return uow.subusers.ips(require_subuser(uow, account, username).id)

    return db.read(work)


def set_subuser_ips_by_name(
    db: Database,
    *,
    account_name: str,
    username: str,
    mode: SetMode,
    ips: Sequence[str],
    actor: Actor,
) -> list[str]:
    """As ``set_subuser_ips``, for an account named by the operator."""
    account = db.read(lambda uow: require_account(uow, account_name))
    return set_subuser_ips(db, account=account, username=username, mode=mode, ips=ips, actor=actor)
