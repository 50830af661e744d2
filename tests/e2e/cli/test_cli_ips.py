"""`ipfleet ip ...` through the real console script."""

from __future__ import annotations

from sqlalchemy import text

from ipfleet.domain.records import Actor
from ipfleet.domain.states import IpState
from ipfleet.services.accounts import create_account, get_account
from ipfleet.services.ips import add_ips, list_ips
from ipfleet.services.subusers import (
    SetMode,
    create_subuser,
    set_subuser_active,
    set_subuser_ips,
    subuser_ips,
)
from ipfleet.store.uow import Database
from tests.support.cli import Ipfleet

SEED = Actor(name="test:seed", request_id="seed")


def listed(ipfleet: Ipfleet, account: str, state: str = "all") -> list[str]:
    return [row["ip"] for row in ipfleet.json("ip", "list", account, "--state", state)]


def test_ip_add_is_all_or_nothing(ipfleet: Ipfleet, db: Database) -> None:
    for name in ("acme", "other"):
        create_account(db, username=name, outbound_cluster=None, actor=SEED)
    add_ips(db, account=get_account(db, username="other"), specs=["198.51.100.7"], actor=SEED)

    added = ipfleet.json("ip", "add", "acme", "192.0.2.0/30", "2001:DB8::1", "192.0.2.1")
    assert added == {
        "account": "acme",
        "added": ["192.0.2.1", "192.0.2.2", "2001:db8::1"],
        "already": [],
    }

    clash = ipfleet("ip", "add", "acme", "198.51.100.0/28", "203.0.113.1")
    assert clash.status == 4
    assert clash.error_line() == "error: IP address is already on another account: 198.51.100.7"

    bad = ipfleet("ip", "add", "acme", "203.0.113.1", "bogus", "192.0.2.1/24")
    assert bad.status == 2
    line = bad.error_line()
    assert "Invalid IP address: bogus" in line
    assert "Invalid IP range: 192.0.2.1/24" in line

    # nothing of the refused calls landed
    assert list_ips(db, account=get_account(db, username="acme"), state=IpState.ALL) == [
        "192.0.2.1",
        "192.0.2.2",
        "2001:db8::1",
    ]
    assert listed(ipfleet, "other") == ["198.51.100.7"]
    with db.engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM ip_addresses")).scalar_one() == 4


def test_ip_list_by_state_and_remove(ipfleet: Ipfleet, db: Database) -> None:
    create_account(db, username="acme", outbound_cluster=None, actor=SEED)
    add_ips(
        db,
        account=get_account(db, username="acme"),
        specs=["192.0.2.8/29", "2001:db8::1"],
        actor=SEED,
    )
    for user, ips in (("alice", ["192.0.2.9", "192.0.2.10"]), ("bob", ["192.0.2.10"])):
        create_subuser(
            db, account=get_account(db, username="acme"), username=user, email="", actor=SEED
        )
        set_subuser_ips(
            db,
            account=get_account(db, username="acme"),
            username=user,
            mode=SetMode.SPECIFY,
            ips=ips,
            actor=SEED,
        )
    set_subuser_active(
        db, account=get_account(db, username="acme"), username="alice", active=False, actor=SEED
    )

    assert listed(ipfleet, "acme", "taken") == ["192.0.2.9", "192.0.2.10"]
    assert listed(ipfleet, "acme", "available") == [
        "192.0.2.9",
        "192.0.2.11",
        "192.0.2.12",
        "192.0.2.13",
        "192.0.2.14",
        "2001:db8::1",
    ]
    table = ipfleet.ok("ip", "list", "acme", "--state", "free").stdout
    assert "192.0.2.11" in table
    assert "192.0.2.9" not in table

    held = ipfleet("ip", "remove", "acme", "192.0.2.10", "192.0.2.14")
    assert held.status == 4
    assert held.error_line() == "error: IP address is held by subusers: 192.0.2.10"
    assert "192.0.2.14" in listed(ipfleet, "acme", "free")

    removed = ipfleet.json("ip", "remove", "acme", "192.0.2.14", "192.0.2.10", "--release")
    assert removed == {"account": "acme", "removed": ["192.0.2.10", "192.0.2.14"]}
    assert subuser_ips(db, account=get_account(db, username="acme"), username="bob") == []
    assert subuser_ips(db, account=get_account(db, username="acme"), username="alice") == [
        "192.0.2.9"
    ]
    assert list_ips(db, account=get_account(db, username="acme"), state=IpState.ALL) == [
        "192.0.2.9",
        "192.0.2.11",
        "192.0.2.12",
        "192.0.2.13",
        "2001:db8::1",
    ]
