"""The demo account that `make run` creates, idempotently."""

from __future__ import annotations

from dataclasses import dataclass

from ipfleet.domain.records import Actor
from ipfleet.services.accounts import create_account, get_account, list_accounts
from ipfleet.services.ips import add_ips
from ipfleet.services.keys import create_key
from ipfleet.services.subusers import (
    SetMode,
    create_subuser,
    list_subusers,
    set_subuser_active,
    set_subuser_ips,
)
from ipfleet.store.uow import Database

DEMO_ACCOUNT = "demo"
DEMO_RANGES = ("192.0.2.0/28", "2001:db8::/124")
# username -> (active, the IPs it holds when first created)
DEMO_SUBUSERS: dict[str, tuple[bool, tuple[str, ...]]] = {
    "alice": (True, ("192.0.2.1", "192.0.2.2", "2001:db8::1")),
    "bob": (True, ("192.0.2.2", "192.0.2.3")),
    "carol": (False, ("192.0.2.4",)),
}


@dataclass(frozen=True, slots=True)
class Demo:
    username: str
    api_key: str


def ensure_demo(db: Database, *, actor: Actor) -> Demo:
    """Create what is missing of the demo account and return a fresh key for it."""
    accounts = {a.username for a in list_accounts(db)}
    if DEMO_ACCOUNT not in accounts:
        # Its IPs are put on it directly below; the quota only limits its own v3 takes.
        create_account(db, username=DEMO_ACCOUNT, outbound_cluster=None, actor=actor)
    account = get_account(db, username=DEMO_ACCOUNT)
    add_ips(db, account=account, specs=DEMO_RANGES, actor=actor)
    existing = {v.subuser.username for v in list_subusers(db, account=account)}
    for name, (active, ips) in DEMO_SUBUSERS.items():
        if name in existing:
            continue
        create_subuser(db, account=account, username=name, email=f"{name}@example.com", actor=actor)
        set_subuser_ips(
            db, account=account, username=name, mode=SetMode.SPECIFY, ips=ips, actor=actor
        )
        if not active:
            set_subuser_active(db, account=account, username=name, active=False, actor=actor)
    _info, key = create_key(db, account=account, name="demo", actor=actor)
    return Demo(username=DEMO_ACCOUNT, api_key=key)
