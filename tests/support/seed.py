"""The one way tests seed data: through the services, never through the interface under test.

Every world the tests share (``v2_world``, ``v3_world``, the reliability tenants, the e2e
accounts, the load fleet) and every account a test makes for itself goes through
``seed_account``: when a service changes its signature, this is the one place to follow.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from ipfleet.domain.records import Account, Actor
from ipfleet.services.accounts import create_account, get_account
from ipfleet.services.ips import add_ips
from ipfleet.services.subusers import SetMode, create_subuser, set_subuser_active, set_subuser_ips
from ipfleet.store.uow import Database

SEEDER = Actor(name="tests:seed", request_id="seed")


@dataclass(frozen=True)
class Sub:
    """A subuser to seed: the IPs it holds (none: it may send from all), whether it is
    active, its email and its profile fields."""

    held: Sequence[str] = ()
    active: bool = True
    email: str = ""
    profile: Mapping[str, str] = field(default_factory=dict)


def unique_email() -> str:
    """An email address no other subuser has (for names that make no valid local part)."""
    return f"{uuid.uuid4().hex}@x.test"


def seed_account(
    db: Database,
    name: str,
    *,
    ips: Sequence[str] = (),
    subusers: Mapping[str, Sub] | None = None,
    cluster: str | None = None,
    ip_quota: int | None = None,
    actor: Actor = SEEDER,
) -> tuple[Account, str]:
    """An account with IPs put on it directly and its subusers, in that order; the account
    as it stands afterwards, and its API key. Its quota is unlimited unless given: the
    seeded worlds take from the inventory freely (a new account's real default is 0)."""
    account, key = create_account(
        db, username=name, outbound_cluster=cluster, ip_quota=ip_quota, actor=actor
    )
    if ips:
        add_ips(db, account=account, specs=list(ips), actor=actor)
    for sub, spec in (subusers or {}).items():
        seed_subuser(db, account, sub, spec, actor=actor)
    return get_account(db, username=name), key


def seed_subuser(
    db: Database, account: Account, name: str, spec: Sub, *, actor: Actor = SEEDER
) -> None:
    """A subuser made through the services, holding ``spec.held``, deactivated if asked
    (no password, so no slow hash)."""
    create_subuser(
        db,
        account=account,
        username=name,
        email=spec.email,
        actor=actor,
        profile=dict(spec.profile) or None,
    )
    if spec.held:
        set_subuser_ips(
            db,
            account=account,
            username=name,
            mode=SetMode.SPECIFY,
            ips=list(spec.held),
            actor=actor,
        )
    if not spec.active:
        set_subuser_active(db, account=account, username=name, active=False, actor=actor)


@dataclass(frozen=True)
class Acct:
    """An account made for a test and its API key (for v2 calls: ``auth()``)."""

    name: str
    key: str

    def auth(self) -> dict[str, str]:
        return {"api_user": self.name, "api_key": self.key}


def make_account(
    db: Database,
    name: str,
    ips: Sequence[str] = (),
    *,
    ip_quota: int | None = None,
    actor: Actor = SEEDER,
) -> Acct:
    """A bare account (no subusers) with ``ips`` on it (quota unlimited unless given)."""
    _account, key = seed_account(db, name, ips=ips, ip_quota=ip_quota, actor=actor)
    return Acct(name, key)
