"""Two tenants and an inventory, seeded through the services, for the isolation and fuzz tests.

Tenant A is the victim: subusers (one deactivated, one with a password and a profile, one
with XML metacharacters and Cyrillic in its name), IPs in its own ranges, a pool, an IP
warming up, a host name, a second live key and a revoked one. Tenant B is the attacker,
with a smaller world of its own. Their addresses, names and key ids never overlap, so any
of A's identifiers in an answer to B is a leak.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ipfleet.domain.records import Account, Actor
from ipfleet.services import pools, profiles, sending_domains, warmup
from ipfleet.services.accounts import get_account
from ipfleet.services.inventory import add_to_inventory
from ipfleet.services.ips import set_hostname
from ipfleet.services.keys import create_key, revoke_key
from ipfleet.store.uow import Database
from tests.support.seed import Sub, seed_account

SEEDER = Actor(name="tests:reliability", request_id="seed")

A, B = "tenant-a", "tenant-b"
A_ODD = "a-<&>\"'жук"
A_IPS = ["203.0.113.10", "203.0.113.11", "203.0.113.12", "203.0.113.200", "2001:db8:a::1"]
B_IPS = ["198.51.100.1", "198.51.100.2", "2001:db8:b::1"]
INVENTORY = "192.0.2.0/28"
A_SUBS = {
    "a-alice": Sub(["203.0.113.10", "2001:db8:a::1"], email="alice@a-tenant.example"),
    "a-bob": Sub(["203.0.113.11"], active=False, email="bob@a-tenant.example"),
    "a-carol": Sub(
        ["203.0.113.12"],
        email="carol@a-tenant.example",
        profile={"city": "Acity-secret", "company": "A-Corp-secret"},
    ),
    A_ODD: Sub(email="odd@a-tenant.example"),
}
B_SUBS = {
    "b-erin": Sub(["198.51.100.1"], email="erin@b-tenant.example"),
    "b-frank": Sub(["198.51.100.2"], active=False, email="frank@b-tenant.example"),
}
A_POOL, B_POOL = "a-pool-secret", "b-pool"
# The ids /v3/send_ips names them by, in a fresh database (seed() makes A's pool and
# subusers first): A's pool, B's pool, A's first subuser (a-alice), B's first (b-erin).
A_POOL_ID, B_POOL_ID = "1", "2"
A_SUB_ID, B_SUB_ID = "1", str(len(A_SUBS) + 1)
A_HOSTNAME = "mta.a-tenant.example"
A_WARM = "203.0.113.12"
PASSWORD = "carol-pass-secret"
A_DOMAIN, B_DOMAIN = "mail.a-tenant-secret.example", "mail.b-tenant.example"


@dataclass
class Tenant:
    name: str
    key: str
    account: Account
    key_ids: list[str] = field(default_factory=list)
    revoked_key: str = ""


@dataclass
class World:
    db: Database
    a: Tenant
    b: Tenant

    def secrets_of_a(self) -> set[str]:
        """Everything that identifies A's data and that B has no business seeing."""
        found = {A, A_POOL, A_HOSTNAME, PASSWORD, A_DOMAIN, *A_IPS, *A_SUBS, *self.a.key_ids}
        for sub in A_SUBS.values():
            found |= {sub.email, *sub.profile.values()}
        return found


def _tenant(db: Database, name: str, ips: list[str], subs: dict[str, Sub]) -> Tenant:
    account, key = seed_account(db, name, ips=ips, subusers=subs, actor=SEEDER)
    return Tenant(name=name, key=key, account=account, key_ids=[key.split(".")[1]])


def seed(db: Database) -> World:
    """The two tenants and the free inventory, made through the services."""
    add_to_inventory(db, specs=[INVENTORY], actor=SEEDER)
    a = _tenant(db, A, A_IPS, A_SUBS)
    b = _tenant(db, B, B_IPS, B_SUBS)
    second, _ = create_key(db, account=get_account(db, username=A), name="a-second", actor=SEEDER)
    old, a.revoked_key = create_key(
        db, account=get_account(db, username=A), name="a-old", actor=SEEDER
    )
    revoke_key(db, account=get_account(db, username=A), key_id=old.key_id, actor=SEEDER)
    a.key_ids += [second.key_id, old.key_id]
    profiles.set_password(
        db, account=a.account, username="a-carol", password=PASSWORD, actor=SEEDER
    )
    set_hostname(db, address=A_IPS[0], hostname=A_HOSTNAME, actor=SEEDER)
    pools.create_pool(db, account=a.account, name=A_POOL, actor=SEEDER)
    pools.add_pool_ip(db, account=a.account, name=A_POOL, address=A_IPS[0], actor=SEEDER)
    pools.create_pool(db, account=b.account, name=B_POOL, actor=SEEDER)
    pools.add_pool_ip(db, account=b.account, name=B_POOL, address=B_IPS[0], actor=SEEDER)
    warmup.start_warmup(db, account=a.account, address=A_WARM, actor=SEEDER)
    for tenant, domain, sub in ((a, A_DOMAIN, "a-alice"), (b, B_DOMAIN, "b-erin")):
        sending_domains.add_sending_domain(
            db, account=tenant.account, mail_domain=domain, url_domain=None, actor=SEEDER
        )
        sending_domains.attach_sending_domain(
            db, account=tenant.account, username=sub, mail_domain=domain, actor=SEEDER
        )
    a.account = get_account(db, username=A)
    b.account = get_account(db, username=B)
    return World(db=db, a=a, b=b)
