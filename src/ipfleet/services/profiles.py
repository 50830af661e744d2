"""Subuser profiles and passwords, as the v2 customer.profile/password/auth calls use them."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ipfleet.domain.errors import InvalidValue, SubuserExists
from ipfleet.domain.records import Account, Actor
from ipfleet.services.names import (
    PROFILE_FIELDS,
    check_name,
    check_password_rules,
    check_profile,
)
from ipfleet.services.passwords import hash_password, verify_password
from ipfleet.services.subusers import require_subuser
from ipfleet.store.uow import Database, WriteUnit

#: Fields customer.profile task=get may filter on by substring.
SEARCHABLE = ("username", "email", *PROFILE_FIELDS)


def find_subusers(
    db: Database, *, account: Account, contains: Mapping[str, str], active: bool | None
) -> list[dict[str, Any]]:
    """The account's subusers whose fields contain every given text, by username."""
    filters = {k: v for k, v in contains.items() if k in SEARCHABLE and v}
    return db.read(lambda uow: uow.subusers.search(account.id, filters, active))


def update_profile(
    db: Database, *, account: Account, username: str, values: Mapping[str, str], actor: Actor
) -> None:
    """Change some profile fields of a subuser."""
    fields = check_profile(values)
    if "email" in fields and not fields["email"]:
        raise InvalidValue("Email is required")

    def work(uow: WriteUnit) -> None:
        sub = require_subuser(uow, account, username)
        before = uow.subusers.profile(sub.id)
        if fields:
            uow.subusers.update(sub.id, fields)
        uow.record(
            account_id=account.id,
            action="subuser.update",
            subject=f"subuser:{username}",
            before={k: before[k] for k in fields},
            after=fields,
        )

    db.write(work, actor=actor, account=account)


def rename_subuser(
    db: Database, *, account: Account, username: str, new_name: str, actor: Actor
) -> None:
    """Give a subuser a new name; it keeps its IPs, keys, history and domain.

    The subuser is looked up first (an unknown one is not found whatever the new name),
    then the new name is checked as ``create_subuser`` checks one. Renaming to the name it
    has already changes nothing and succeeds, so a retried rename does not fail.
    """

    def work(uow: WriteUnit) -> None:
        sub = require_subuser(uow, account, username)
        if new_name == username:
            return
        check_name(new_name)
        if uow.subusers.name_taken(new_name) or uow.accounts.by_username(new_name):
            raise SubuserExists
        uow.subusers.rename(sub.id, new_name)
        uow.record(
            "subuser.rename",
            f"subuser:{new_name}",
            account_id=account.id,
            before={"username": username},
            after={"username": new_name},
        )

    db.write(work, actor=actor, account=account)


def _change_field(
    uow: WriteUnit, account: Account, username: str, field: str, value: Any, action: str
) -> None:
    """Set one stored field of a subuser and log it; a value it has already changes nothing."""
    sub = require_subuser(uow, account, username)
    before = uow.subusers.profile(sub.id)[field]
    if before == value:
        return
    uow.subusers.update(sub.id, {field: value})
    uow.record(
        action,
        f"subuser:{username}",
        account_id=account.id,
        before={field: before},
        after={field: value},
    )


def set_email(db: Database, *, account: Account, username: str, email: str, actor: Actor) -> None:
    """Change a subuser's email address (logged as a profile update)."""

    def work(uow: WriteUnit) -> None:
        require_subuser(uow, account, username)  # an unknown user first, whatever the address
        check_profile({"email": email})
        if not email:
            raise InvalidValue("Email is required")
        _change_field(uow, account, username, "email", email, "subuser.update")

    db.write(work, actor=actor, account=account)


def set_website_access(
    db: Database, *, account: Account, username: str, allowed: bool, actor: Actor
) -> None:
    """Allow or refuse a subuser's web login; its sending is not affected."""
    db.write(
        lambda uow: _change_field(
            uow, account, username, "website_access", allowed, "subuser.set_website_access"
        ),
        actor=actor,
        account=account,
    )


def set_password(
    db: Database, *, account: Account, username: str, password: str, actor: Actor
) -> None:
    """Give a subuser a new password (only its hash is kept)."""
    hashed = hash_password(check_password_rules(password))

    def work(uow: WriteUnit) -> None:
        sub = require_subuser(uow, account, username)
        uow.subusers.update(sub.id, {"password_hash": hashed})
        uow.record(
            account_id=account.id,
            action="subuser.set_password",
            subject=f"subuser:{username}",
        )

    db.write(work, actor=actor, account=account)


def check_password(db: Database, *, account: Account, username: str, password: str) -> bool:
    """Whether the subuser's password is ``password`` (``SubuserNotFound`` if no subuser)."""
    stored = db.read(
        lambda uow: uow.subusers.password_hash(require_subuser(uow, account, username).id)
    )
    return verify_password(password, stored)
