"""`ipfleet subuser ...` through the real console script."""

from __future__ import annotations

from ipfleet.domain.records import Actor
from ipfleet.services.accounts import create_account, get_account
from ipfleet.services.ips import add_ips
from ipfleet.services.subusers import create_subuser, list_subusers, subuser_ips
from ipfleet.store.uow import Database
from tests.support.cli import Ipfleet

SEED = Actor(name="test:seed", request_id="seed")
ACME = ["192.0.2.1", "192.0.2.2", "192.0.2.3", "2001:db8::1"]


def seed(db: Database) -> None:
    create_account(db, username="acme", outbound_cluster=None, actor=SEED)
    add_ips(db, account=get_account(db, username="acme"), specs=ACME, actor=SEED)
    create_account(db, username="other", outbound_cluster=None, actor=SEED)
    add_ips(db, account=get_account(db, username="other"), specs=["198.51.100.1"], actor=SEED)
    create_subuser(
        db, account=get_account(db, username="other"), username="olga", email="", actor=SEED
    )


def test_subuser_lifecycle(ipfleet: Ipfleet, db: Database) -> None:
    seed(db)
    assert ipfleet.json("subuser", "create", "acme", "alice", "--email", "a@example.com") == {
        "account": "acme",
        "username": "alice",
        "email": "a@example.com",
        "active": True,
    }
    assert ipfleet.json("subuser", "set-ips", "acme", "alice", "2001:DB8::1", "192.0.2.2") == {
        "username": "alice",
        "ips": ["192.0.2.2", "2001:db8::1"],
    }
    assert ipfleet.json("subuser", "ips", "acme", "alice") == {
        "username": "alice",
        "ips": ["192.0.2.2", "2001:db8::1"],
    }
    assert ipfleet.json("subuser", "deactivate", "acme", "alice") == {
        "account": "acme",
        "username": "alice",
        "active": False,
    }
    assert ipfleet.json("subuser", "list", "acme") == [
        {
            "username": "alice",
            "email": "a@example.com",
            "active": False,
            "ips": ["192.0.2.2", "2001:db8::1"],
        }
    ]
    assert ipfleet.json("subuser", "activate", "acme", "alice")["active"] is True
    assert [
        v.subuser.active for v in list_subusers(db, account=get_account(db, username="acme"))
    ] == [True]

    taken = ipfleet("subuser", "create", "acme", "olga")
    assert taken.status == 4
    assert taken.error_line() == "error: Username already exists"


def test_set_ips_modes_and_refusals(ipfleet: Ipfleet, db: Database) -> None:
    seed(db)
    create_subuser(
        db, account=get_account(db, username="acme"), username="bob", email="", actor=SEED
    )
    assert ipfleet.json("subuser", "set-ips", "acme", "bob", "--all")["ips"] == ACME
    assert ipfleet.json("subuser", "set-ips", "acme", "bob", "--none")["ips"] == []
    said = ipfleet.ok("subuser", "set-ips", "acme", "bob", "192.0.2.3", "192.0.2.3").stdout
    assert "192.0.2.3" in said
    assert subuser_ips(db, account=get_account(db, username="acme"), username="bob") == [
        "192.0.2.3"
    ]

    bad = ipfleet("subuser", "set-ips", "acme", "bob", "192.0.2.1", "198.51.100.1", "nope")
    assert bad.status == 2
    line = bad.error_line()
    assert "IP address is not on your account: 198.51.100.1" in line
    assert "Invalid IP address: nope" in line

    unclear = ipfleet("subuser", "set-ips", "acme", "bob", "--all", "192.0.2.1")
    assert unclear.status == 2
    assert "--none, --all" in unclear.error_line()

    stranger = ipfleet("subuser", "set-ips", "acme", "olga", "--none")
    assert stranger.status == 3
    assert stranger.error_line() == "error: User does not exist"

    # none of the refused calls changed anything
    assert subuser_ips(db, account=get_account(db, username="acme"), username="bob") == [
        "192.0.2.3"
    ]
