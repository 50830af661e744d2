"""The data-plane world the socketmap and real-Postfix tests share, seeded through services.

Account ``acme`` (API key returned) owns loopback addresses, so a local Postfix can bind
them: 127.0.0.2-.6 placed on MTA ``mta1``, 127.0.0.9 on ``mta2``, and 127.0.0.7 on no MTA.

- ``bob`` (bob.test) holds .2, .3, .4;  ``carol`` (carol.test) holds .5;
- ``dave`` (dave.test) holds only .9, on mta2: no IP on mta1, so mta1 defers his mail;
- acme.test is attached to no subuser: it sends as the account (every acme IP on mta1);
- any other domain (e.g. stranger.test) is nobody's: Postfix's default applies.
"""

from __future__ import annotations

from dataclasses import dataclass

from ipfleet.domain.records import Account, Actor
from ipfleet.services import ips, sending_domains, subusers
from ipfleet.services.accounts import create_account, get_account
from ipfleet.services.subusers import SetMode
from ipfleet.store.uow import Database

ACTOR = Actor(name="tests:dataplane", request_id="dataplane")
MTA = "mta1"
HOSTNAMES = {
    "127.0.0.2": "out2.acme.test",
    "127.0.0.3": "out3.acme.test",
    "127.0.0.4": "out4.acme.test",
    "127.0.0.6": "out6.acme.test",
}
PLACED = {
    "127.0.0.2": "mta1",
    "127.0.0.3": "mta1",
    "127.0.0.4": "mta1",
    "127.0.0.5": "mta1",
    "127.0.0.6": "mta1",
    "127.0.0.9": "mta2",
}
HELD = {
    "bob": ["127.0.0.2", "127.0.0.3", "127.0.0.4"],
    "carol": ["127.0.0.5"],
    "dave": ["127.0.0.9"],
}
ON_MTA1 = [a for a, m in PLACED.items() if m == MTA]


@dataclass(frozen=True)
class World:
    account: Account
    api_key: str


def seed(db: Database) -> World:
    """Create the world above; returns the account and its API key."""
    _, api_key = create_account(db, username="acme", outbound_cluster=None, actor=ACTOR)
    ips.add_ips(
        db, account=get_account(db, username="acme"), specs=[*PLACED, "127.0.0.7"], actor=ACTOR
    )
    for address, mta in PLACED.items():
        ips.set_mta(db, address=address, mta=mta, actor=ACTOR)
    for address, name in HOSTNAMES.items():
        ips.set_hostname(db, address=address, hostname=name, actor=ACTOR)
    acme = get_account(db, username="acme")
    sending_domains.add_sending_domain(
        db, account=acme, mail_domain="acme.test", url_domain=None, actor=ACTOR
    )
    for name, held in HELD.items():
        subusers.create_subuser(
            db, account=get_account(db, username="acme"), username=name, email="", actor=ACTOR
        )
        sending_domains.add_sending_domain(
            db, account=acme, mail_domain=f"{name}.test", url_domain=None, actor=ACTOR
        )
        sending_domains.attach_sending_domain(
            db, account=acme, username=name, mail_domain=f"{name}.test", actor=ACTOR
        )
        subusers.set_subuser_ips(
            db, account=acme, username=name, mode=SetMode.SPECIFY, ips=held, actor=ACTOR
        )
    return World(get_account(db, username="acme"), api_key)


def set_active(db: Database, username: str, active: bool) -> None:
    subusers.set_subuser_active(
        db, account=get_account(db, username="acme"), username=username, active=active, actor=ACTOR
    )
