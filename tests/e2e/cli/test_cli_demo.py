"""`ipfleet demo`: idempotent, and a fresh working key each time."""

from __future__ import annotations

import re

from ipfleet.domain.states import IpState
from ipfleet.services.accounts import get_account
from ipfleet.services.authentication import authenticate
from ipfleet.services.ips import list_ips
from ipfleet.services.keys import list_keys
from ipfleet.services.subusers import list_subusers
from ipfleet.store.uow import Database
from tests.support.cli import Ipfleet

SG_KEY = re.compile(r"SG\.[A-Za-z0-9_-]{22}\.[A-Za-z0-9_-]{43}")


def snapshot(db: Database) -> tuple[list[str], list[tuple[str, bool, list[str]]]]:
    ips = list_ips(db, account=get_account(db, username="demo"), state=IpState.ALL)
    subs = [
        (v.subuser.username, v.subuser.active, v.ips)
        for v in list_subusers(db, account=get_account(db, username="demo"))
    ]
    return ips, subs


def test_demo_is_idempotent_with_a_fresh_key_each_time(ipfleet: Ipfleet, db: Database) -> None:
    first = ipfleet.json("demo")
    assert first["username"] == "demo"
    assert SG_KEY.fullmatch(first["api_key"])
    assert all(first["api_key"] in example for example in first["examples"])
    state = snapshot(db)
    ips, subs = state
    assert ips[:3] == ["192.0.2.1", "192.0.2.2", "192.0.2.3"]
    assert len(ips) == 14 + 15  # 192.0.2.0/28 and 2001:db8::/124
    assert ips[-1] == "2001:db8::f"
    assert subs == [
        ("alice", True, ["192.0.2.1", "192.0.2.2", "2001:db8::1"]),
        ("bob", True, ["192.0.2.2", "192.0.2.3"]),
        ("carol", False, ["192.0.2.4"]),
    ]

    second = ipfleet.ok("demo").stdout
    found = SG_KEY.findall(second)
    assert found
    key = found[0]
    assert key != first["api_key"]
    assert snapshot(db) == state
    for k in (first["api_key"], key):
        assert authenticate(db, username="demo", api_key=k).username == "demo"
    assert (
        len(list_keys(db, account=get_account(db, username="demo"))) == 3
    )  # the account's first, and one per run
