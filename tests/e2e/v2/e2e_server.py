"""The v2 end-to-end world: two accounts seeded before ``ipfleet serve`` starts, and what a
client needs to reach the server as them.

``acme`` owns five IPs; alice holds .10, bob holds .11 and is deactivated, carol holds
nothing. ``globex`` (its own outbound cluster) owns one IP.
"""

from __future__ import annotations

from dataclasses import dataclass

from ipfleet.store.uow import Database
from tests.support.seed import Sub, seed_account

ACCOUNT = "acme"
OTHER = "globex"
ACME_IPS = ["192.0.2.9", "192.0.2.10", "192.0.2.11", "192.0.2.12", "2001:db8::1"]
GLOBEX_IPS = ["198.51.100.7"]
ACME_SUBUSERS = {
    "alice": Sub(["192.0.2.10"], email="alice@x.test"),
    "bob": Sub(["192.0.2.11"], active=False, email="bob@x.test"),
    "carol": Sub(email="carol@x.test"),
}


@dataclass(frozen=True)
class Server:
    """A running server and the credentials of its two seeded accounts."""

    base_url: str
    api_user: str
    api_key: str
    other_user: str
    other_key: str


def seed(db: Database) -> tuple[str, str]:
    """The two accounts; their API keys."""
    _acme, key = seed_account(db, ACCOUNT, ips=ACME_IPS, subusers=ACME_SUBUSERS)
    _globex, other_key = seed_account(db, OTHER, ips=GLOBEX_IPS, cluster="globex-mta")
    return key, other_key
