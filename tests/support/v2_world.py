"""The seeded world of the in-process v2 tests (made with ``tests.support.seed``).

Three reseller accounts:

- A (``reseller-a``, default outbound cluster) owns IPv4 and IPv6 addresses chosen so
  that numeric order differs from text order; its subusers hold overlapping sets, one is
  deactivated, one holds nothing, one has a name full of XML metacharacters and Cyrillic.
  A also has a revoked API key.
- B (``reseller-b``, its own outbound cluster, with metacharacters) owns three addresses
  and two subusers, one deactivated.
- C (``reseller-c``) owns nothing.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ipfleet.domain.states import IpState
from ipfleet.services.accounts import get_account
from ipfleet.services.ips import list_ips
from ipfleet.services.keys import create_key, revoke_key
from ipfleet.services.subusers import list_subusers
from ipfleet.store.uow import Database
from tests.support.seed import SEEDER, Sub, seed_account, unique_email

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
            subs = list_subusers(self.db, account=get_account(self.db, username=account))
            out[account] = {
                "subusers": {v.subuser.username: (v.subuser.active, v.ips) for v in subs},
                "states": {
                    s.value: list_ips(
                        self.db, account=get_account(self.db, username=account), state=s
                    )
                    for s in IpState
                },
            }
        out["log"] = self.db.read(lambda uow: len(uow.log.entries()))
        return out


def _subs(table: dict[str, tuple[bool, list[str]]]) -> dict[str, Sub]:
    # ODD_NAME makes no valid email local part: every subuser gets a unique address.
    return {name: Sub(held, active, unique_email()) for name, (active, held) in table.items()}


def seed_world(db: Database) -> World:
    """Accounts A, B and C, and a revoked key of A's, created through the services."""
    w = World(db=db)
    w.keys[A] = seed_account(db, A, ips=A_IPS, subusers=_subs(A_SUBUSERS))[1]
    w.keys[B] = seed_account(db, B, ips=B_IPS, subusers=_subs(B_SUBUSERS), cluster=B_CLUSTER)[1]
    w.keys[C] = seed_account(db, C)[1]
    info, revoked = create_key(db, account=get_account(db, username=A), name="old", actor=SEEDER)
    revoke_key(db, account=get_account(db, username=A), key_id=info.key_id, actor=SEEDER)
    w.revoked_key = revoked
    return w
