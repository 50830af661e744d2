"""The seeded world of the v3 tests (in process and end to end), made through the services.

- ``acme`` owns seven IPs (IPv4 and IPv6, added out of order): 192.0.2.1 has reverse DNS
  and is in pool ``marketing``; 192.0.2.2 is whitelabeled; 192.0.2.4 is warming up.
  Subusers: alice holds .1 and .2, bob holds nothing (so sends from all), carol is
  deactivated and holds .3. Quota 12 (7 used), price 20 per IP; a second key ``spare``.
- ``other`` owns 198.51.100.1, held by its subuser erin, in its pool ``b-pool``.
- The platform inventory holds 203.0.113.1-6 (six free IPs), so acme may take 5 more.

Two things have no service yet and are set with one SQL statement each: the whitelabel
flag and the price per IP.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import Connection, update

from ipfleet.services.accounts import get_account
from ipfleet.services.inventory import add_to_inventory
from ipfleet.services.ips import set_hostname
from ipfleet.services.keys import create_key
from ipfleet.services.pools import add_pool_ip, create_pool
from ipfleet.services.quota import set_quota
from ipfleet.services.warmup import start_warmup
from ipfleet.store.tables import accounts, ip_addresses
from ipfleet.store.uow import Database
from tests.support.seed import SEEDER, Sub, seed_account

ACME, OTHER = "acme", "other"
ACME_IPS = ["2001:DB8::1", "192.0.2.6", "192.0.2.1", "192.0.2.10", "192.0.2.2", "192.0.2.3",
            "192.0.2.4"]  # fmt: skip
ACME_SORTED = ["192.0.2.1", "192.0.2.2", "192.0.2.3", "192.0.2.4", "192.0.2.6", "192.0.2.10",
               "2001:db8::1"]  # fmt: skip
RDNS = "o1.mail.acme.example"
INVENTORY = "203.0.113.0/29"
QUOTA = 12
PRICE = 20.0
ACME_SUBUSERS = {
    "alice": Sub(["192.0.2.1", "192.0.2.2"], email="alice@example.com"),
    "bob": Sub(email="bob@example.com"),
    "carol": Sub(["192.0.2.3"], active=False, email="carol@example.com"),
}
OTHER_SUBUSERS = {"erin": Sub(["198.51.100.1"], email="erin@example.com")}


@dataclass
class World:
    db: Database
    keys: dict[str, str] = field(default_factory=dict)
    spare_key_id: str = ""

    def bearer(self, account: str = ACME, on_behalf_of: str | None = None) -> dict[str, str]:
        headers = {"Authorization": f"Bearer {self.keys[account]}"}
        if on_behalf_of is not None:
            headers["On-Behalf-Of"] = on_behalf_of
        return headers


def seed_world(db: Database) -> World:
    """acme, other and the inventory, as the module docstring says."""
    w = World(db=db)
    acme, w.keys[ACME] = seed_account(db, ACME, ips=ACME_IPS, subusers=ACME_SUBUSERS)
    other, w.keys[OTHER] = seed_account(db, OTHER, ips=["198.51.100.1"], subusers=OTHER_SUBUSERS)
    set_hostname(db, address="192.0.2.1", hostname=RDNS, actor=SEEDER)
    create_pool(db, account=acme, name="marketing", actor=SEEDER)
    add_pool_ip(db, account=acme, name="marketing", address="192.0.2.1", actor=SEEDER)
    create_pool(db, account=other, name="b-pool", actor=SEEDER)
    add_pool_ip(db, account=other, name="b-pool", address="198.51.100.1", actor=SEEDER)
    start_warmup(db, account=acme, address="192.0.2.4", actor=SEEDER)
    add_to_inventory(db, specs=[INVENTORY], actor=SEEDER)
    set_quota(db, account=get_account(db, username=ACME), quota=QUOTA, actor=SEEDER)
    info, _key = create_key(db, account=get_account(db, username=ACME), name="spare", actor=SEEDER)
    w.spare_key_id = info.key_id

    def no_service_yet(conn: Connection) -> None:
        conn.execute(
            update(ip_addresses)
            .where(ip_addresses.c.address == "192.0.2.2")
            .values(whitelabeled=True)
        )
        conn.execute(update(accounts).where(accounts.c.id == acme.id).values(price_per_ip=PRICE))

    with db.engine.begin() as conn:
        no_service_yet(conn)
    return w
