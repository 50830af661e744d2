"""The seeded world of the in-process API tests, and a blocking client on the app.

Two reseller accounts, seeded through the services (never through the API under test):

- A (``reseller-a``, default outbound cluster) owns IPv4 and IPv6 addresses chosen so
  that numeric order differs from text order; its subusers hold overlapping sets, one is
  deactivated, one holds nothing, one has a name full of XML metacharacters and Cyrillic.
  A also has a revoked API key.
- B (``reseller-b``, its own outbound cluster, with metacharacters) owns three addresses
  and two subusers, one deactivated.
- C (``reseller-c``) owns nothing.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import anyio.from_thread
import httpx

from ipfleet.api.app import IpfleetApp
from ipfleet.domain.records import Actor
from ipfleet.domain.states import IpState
from ipfleet.services.accounts import create_account
from ipfleet.services.ips import add_ips, list_ips_by_name
from ipfleet.services.keys import create_key, revoke_key
from ipfleet.services.subusers import (
    SetMode,
    create_subuser,
    list_subusers,
    set_subuser_active,
    set_subuser_ips_by_name,
)
from ipfleet.store.uow import Database

SEEDER = Actor(name="tests:seed", request_id="seed")

A, B, C = "reseller-a", "reseller-b", "reseller-c"
B_CLUSTER = 'mta <&> "b\'s" кластер'
ODD_NAME = "<&>\"'жук"

# Added in a scrambled order and partly in non-canonical spellings on purpose.
A_IPS = [
    "2001:DB8:0::10",
    "192.0.2.100",
    "2001:db8::a",
    "192.0.2.9",
    "100::1",
    "192.0.2.10",
    "2001:db8::9",
    "192.0.2.2",
    "192.0.2.11",
]
B_IPS = ["198.51.100.2", "198.51.100.1", "2001:db8:b::1"]

# name -> (active, explicit set)
A_SUBUSERS: dict[str, tuple[bool, list[str]]] = {
    "alice": (True, ["192.0.2.10", "2001:db8::a"]),
    "bob": (True, ["192.0.2.11", "192.0.2.10"]),
    "carol": (False, ["192.0.2.11", "2001:db8::9", "192.0.2.9"]),
    "dave": (True, []),
    ODD_NAME: (True, ["192.0.2.2"]),
}
B_SUBUSERS: dict[str, tuple[bool, list[str]]] = {
    "erin": (True, ["198.51.100.1"]),
    "frank": (False, ["198.51.100.2"]),
}

# The states the seed produces, in the order the API must answer them.
A_ALL = [
    "192.0.2.2",
    "192.0.2.9",
    "192.0.2.10",
    "192.0.2.11",
    "192.0.2.100",
    "100::1",
    "2001:db8::9",
    "2001:db8::a",
    "2001:db8::10",
]
A_TAKEN = ["192.0.2.2", "192.0.2.9", "192.0.2.10", "192.0.2.11", "2001:db8::9", "2001:db8::a"]
A_FREE = ["192.0.2.100", "100::1", "2001:db8::10"]
A_AVAILABLE = ["192.0.2.9", "192.0.2.100", "100::1", "2001:db8::9", "2001:db8::10"]


@dataclass
class World:
    """The seeded database and the credentials of its accounts."""

    db: Database
    keys: dict[str, str] = field(default_factory=dict)
    revoked_key: str = ""

    def auth(self, account: str = A) -> dict[str, str]:
        return {"api_user": account, "api_key": self.keys[account]}

    def snapshot(self) -> dict[str, Any]:
        """Everything a v2 write could change, read through the services."""
        out: dict[str, Any] = {}
        for account in (A, B, C):
            subs = list_subusers(self.db, account_name=account)
            out[account] = {
                "subusers": {v.subuser.username: (v.subuser.active, v.ips) for v in subs},
                "states": {
                    s.value: list_ips_by_name(self.db, username=account, state=s) for s in IpState
                },
            }
        out["log"] = self.db.read(lambda uow: len(uow.log.entries()))
        return out


def seed_account(
    db: Database,
    name: str,
    cluster: str | None,
    ips: Sequence[str],
    subusers: Mapping[str, tuple[bool, list[str]]],
) -> str:
    _account, key = create_account(db, username=name, outbound_cluster=cluster, actor=SEEDER)
    if ips:
        add_ips(db, username=name, specs=ips, actor=SEEDER)
    for sub, (active, held) in subusers.items():
        create_subuser(
            db, account_name=name, username=sub, email=f"{uuid.uuid4().hex}@x.test", actor=SEEDER
        )
        if held:
            set_subuser_ips_by_name(
                db, account_name=name, username=sub, mode=SetMode.SPECIFY, ips=held, actor=SEEDER
            )
        if not active:
            set_subuser_active(db, account_name=name, username=sub, active=False, actor=SEEDER)
    return key


def seed_world(db: Database) -> World:
    """Accounts A, B and C, and a revoked key of A's, created through the services."""
    w = World(db=db)
    w.keys[A] = seed_account(db, A, None, A_IPS, A_SUBUSERS)
    w.keys[B] = seed_account(db, B, B_CLUSTER, B_IPS, B_SUBUSERS)
    w.keys[C] = seed_account(db, C, None, [], {})
    info, revoked = create_key(db, username=A, name="old", actor=SEEDER)
    revoke_key(db, username=A, key_id=info.key_id, actor=SEEDER)
    w.revoked_key = revoked
    return w


class Client:
    """A blocking HTTP client on an in-process ASGI app (httpx over ASGITransport)."""

    def __init__(self, portal: anyio.from_thread.BlockingPortal, app: IpfleetApp) -> None:
        self.portal = portal
        self.http = httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app), base_url="http://testserver"
        )

    def request(self, method: str, url: str, **kwargs: Any) -> httpx.Response:
        return self.portal.call(lambda: self.http.request(method, url, **kwargs))

    def get(self, url: str, **kwargs: Any) -> httpx.Response:
        return self.request("GET", url, **kwargs)

    def post(self, url: str, **kwargs: Any) -> httpx.Response:
        return self.request("POST", url, **kwargs)

    def close(self) -> None:
        self.portal.call(self.http.aclose)
